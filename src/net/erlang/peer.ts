/**
 * One BEAM peer as the node sees it: the network contract's {@link Connection}
 * (src/gen/network.ts) carried by distribution control messages, and the state that mapping
 * needs on top of the node's own link and monitor records (proto-spec/erlang-dist.md §6):
 *
 * - calls: a `$gen_call` with a monitor whose reference is also the reply alias, as OTP's
 *   gen.erl does; the reply (to the alias or to the caller's pid) and the DOWN come back to the
 *   node as the call's response;
 * - two-way links: the UNLINK_ID protocol's state of the pairs whose unlink is in flight (the
 *   node only sees active links);
 * - one-way (Ergo) links: a monitor each, turned into the link's exit when it fires;
 * - spawns and rpc we asked the peer for, by request id.
 *
 * What arrives from the peer is handled by {@link PeerInbound} (peer-inbound.ts).
 */
import { A, Atom, atom } from '../../term/atom.js';
import { Alias, Pid, Ref } from '../../term/ids.js';
import { ImproperList, Tuple, type Term } from '../../term/types.js';
import {
  Err,
  ErrCode,
  Event,
  Outbound,
  ProcessID,
  RuntimeError,
  type ApplicationStartMode,
  type Connection,
  type ConnectionInfo,
  type LinkMode,
  type LocalTarget,
  type MessageEvent,
  type MessageOptions,
  type NetworkLog,
  type NodeInbound,
  type RemoteConsumers,
  type RemoteTarget,
  type SpawnRequest,
} from '../../gen/index.js';
import type { DistConnection } from './connection.js';
import { genCallMessage } from './dist-ops.js';
import { SpawnFlag } from './dop.js';

const ALIAS = atom('alias');
const LINK = atom('link');
const MONITOR = atom('monitor');
const START = atom('start');
const ERPC = atom('erpc');
const EXECUTE_CALL = atom('execute_call');
const RETURN = atom('return');
const THROW = atom('throw');
const EXIT = atom('exit');
const APPLICATION = atom('application');
const SET_ENV = atom('set_env');
const ERLANG = atom('erlang');
const SYSTEM_INFO = atom('system_info');
const OTP_RELEASE = atom('otp_release');

/** What a peer needs from its stack. */
export interface PeerHost {
  readonly inbound: NodeInbound;
  readonly log: NetworkLog | undefined;
  /** The node's own pid: the sender of what the stack itself sends. */
  readonly nodePid: Pid;
  /** A fresh reference of this node that no node-made reference can equal. */
  makeRef(): Ref;
}

interface PendingCall {
  readonly from: Pid;
  /** What the monitor was set on (undefined for a call to an alias: no monitor). */
  readonly target: Pid | Atom | undefined;
  readonly ref: Ref;
}

interface PendingSpawn {
  readonly resolve: (pid: Pid) => void;
  readonly reject: (e: unknown) => void;
  readonly parent: Pid;
}

interface PendingRpc {
  readonly resolve: (v: Term) => void;
  readonly reject: (e: unknown) => void;
  readonly res: Ref;
  readonly from: Pid;
  readonly reqId: Ref;
  pid: Pid | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Options of {@link Peer.rpc}. */
export interface RpcOptions {
  /** Milliseconds (default 5000; `Infinity` waits forever). */
  timeout?: number;
  /** The local process the BEAM sees as the caller (default: the node). */
  from?: Pid;
}

/**
 * A pending call's key. Calls carry the node's own references, whose first two words are a
 * counter: that counter as a number (no string built per call and per reply), checked against
 * the whole reference on lookup; any other form keys by its identity string.
 */
function callKey(r: Ref): number | string {
  const w = r.ids;
  return w.length === 3 && w[1]! < 0x20_0000 ? w[0]! + w[1]! * 0x1_0000_0000 : r.identity;
}

/** `{Local, Remote}` as one string key. */
function pairKey(local: Pid, remote: Pid): string {
  return `${local.id}.${local.serial}|${remote.id}.${remote.serial}`;
}

function sameId(a: number | bigint, b: number | bigint): boolean {
  return typeof a === typeof b ? a === b : BigInt(a) === BigInt(b);
}

export class Peer implements Connection {
  readonly protocol = 'erlang';
  readonly node: Atom;
  readonly dist: DistConnection;
  readonly info: ConnectionInfo;
  /** The sender we give the node for a plain SEND, which names none. */
  readonly anonymous: Pid;
  readonly #host: PeerHost;
  /** Calls in flight, by {@link callKey}. */
  readonly calls = new Map<number | string, PendingCall>();
  /** UNLINK_ID sent and not yet acknowledged: pair → unlink id. */
  readonly unlinking = new Map<string, number | bigint>();
  #unlinkIds = 0;
  /** One-way links carried as monitors: `from|target` → reference, and reference → link. */
  readonly #oneWay = new Map<string, Ref>();
  readonly #oneWayRefs = new Map<string, { from: Pid; to: Pid | ProcessID }>();
  readonly #spawns = new Map<string, PendingSpawn>();
  readonly #rpcs = new Map<string, PendingRpc>();
  #waitingDrain = false;
  readonly #paused = new Set<string>();
  #release: Promise<number | undefined> | undefined;

  constructor(host: PeerHost, dist: DistConnection) {
    this.#host = host;
    this.dist = dist;
    this.node = dist.node;
    this.anonymous = new Pid(dist.node, 0, 0, dist.peerCreation);
    this.info = { node: dist.node, protocol: 'erlang', creation: dist.peerCreation, hidden: !dist.visible };
  }

  // ------------------------------------------------------------------ messages

  send(from: Pid, to: RemoteTarget, message: unknown, _o: MessageOptions): Outbound {
    // Priorities have no Erlang form a BEAM process would honour without opting in (EEP 76): all go as normal.
    const d = this.dist;
    if (to instanceof Pid) d.send(from, to, message as Term);
    else if (to instanceof ProcessID) d.regSend(from, to.name, message as Term);
    else d.aliasSend(from, to, message as Term);
    return d.needsDrain ? this.#busy() : Outbound.Ok;
  }

  sendImportant(): Promise<void> {
    return Promise.reject(new RuntimeError(ErrCode.Unsupported, `important delivery: Erlang distribution (${this.node.name}) has no delivery acknowledgement`));
  }

  #busy(): Outbound {
    if (!this.#waitingDrain) {
      this.#waitingDrain = true;
      void this.dist.drain().then(() => {
        this.#waitingDrain = false;
        this.#host.inbound.writable(this.node);
      });
    }
    return Outbound.Busy;
  }

  // ------------------------------------------------------------------ calls (OTP gen.erl do_call)

  call(from: Pid, to: RemoteTarget, ref: Ref, request: unknown, _o: MessageOptions): Outbound {
    const d = this.dist;
    if (to instanceof Alias) {
      this.calls.set(callKey(ref), { from, target: undefined, ref });
      d.aliasSend(from, to, genCallMessage(from, ref, request as Term));
    } else {
      const target = to instanceof Pid ? to : to.name;
      this.calls.set(callKey(ref), { from, target, ref });
      d.monitor(from, target, ref);
      if (to instanceof Pid) d.genCall(from, to, ref, request as Term);
      else d.regSend(from, to.name, genCallMessage(from, ref, request as Term));
    }
    return d.needsDrain ? this.#busy() : Outbound.Ok;
  }

  cancelCall(_from: Pid, _to: RemoteTarget, ref: Ref): void {
    const c = this.#takeCall(ref);
    if (c === undefined) return;
    if (c.target !== undefined) this.dist.demonitor(c.from, c.target, ref);
  }

  /**
   * A message that may be the reply to one of our calls: `{[alias | Ref], Reply}` or
   * `{Ref, Reply}` (net_kernel answers to the pid). True when it was, and is now handed over.
   */
  takeReply(msg: Term): boolean {
    if (!(msg instanceof Tuple)) return false;
    const e = msg.elements;
    if (e.length !== 2) return false;
    const tag = e[0];
    let ref: Ref | undefined;
    if (tag instanceof Ref) ref = tag;
    else if (tag instanceof ImproperList && tag.tail instanceof Ref && tag.head.length === 1 && tag.head[0] === ALIAS) ref = tag.tail;
    if (ref === undefined) return false;
    return this.#answer(ref, e[1]!);
  }

  /** A message to an alias: the reply to a call when the alias is a call's reference. */
  takeAliasReply(alias: Ref, msg: Term): boolean {
    if (this.calls.size === 0 || !(msg instanceof Tuple) || msg.elements.length !== 2) return false;
    return this.#answer(alias, msg.elements[1]!);
  }

  /** The pending call `ref` answers, now out of the table; undefined when it is none. */
  #takeCall(ref: Ref): PendingCall | undefined {
    const k = callKey(ref);
    const c = this.calls.get(k);
    if (c === undefined || !c.ref.equals(ref)) return undefined;
    this.calls.delete(k);
    return c;
  }

  #answer(ref: Ref, reply: Term): boolean {
    const c = this.#takeCall(ref);
    if (c === undefined) return false;
    // gen.erl: demonitor(Mref, [flush]) once the reply is in.
    if (c.target !== undefined) this.dist.demonitor(c.from, c.target, ref);
    this.#host.inbound.deliverResponse(c.ref, reply);
    return true;
  }

  sendResponse(from: Pid, to: Pid | Alias, ref: Ref, value: unknown, error: Term | undefined, _o: MessageOptions): Outbound {
    const msg = new Tuple([ref, error === undefined ? (value as Term) : new Tuple([A.error, error])]);
    if (to instanceof Alias) this.dist.aliasSend(from, to, msg);
    else this.dist.send(from, to, msg);
    return this.dist.needsDrain ? this.#busy() : Outbound.Ok;
  }

  sendExit(from: Pid, to: Pid, reason: Term): void {
    this.dist.exit2(from, to, reason);
  }

  // ------------------------------------------------------------------ links and monitors

  link(from: Pid, to: RemoteTarget, mode: LinkMode): void {
    if (to instanceof Alias) throw new RuntimeError(ErrCode.Unsupported, `a link to an alias: a BEAM process cannot be linked through an alias (${this.node.name})`);
    if (mode === 'two-way' && to instanceof Pid) {
      // OTP link protocol: sending LINK makes the pair's state active again.
      this.unlinking.delete(pairKey(from, to));
      this.dist.link(from, to);
      return;
    }
    // A BEAM process cannot hold a one-way link: a monitor carries it (runtime-semantics §6.2).
    const k = oneWayKey(from, to);
    if (this.#oneWay.has(k)) return;
    const ref = this.#host.makeRef();
    this.#oneWay.set(k, ref);
    this.#oneWayRefs.set(ref.identity, { from, to });
    this.dist.monitor(from, to instanceof Pid ? to : to.name, ref);
  }

  unlink(from: Pid, to: RemoteTarget, mode: LinkMode): void {
    if (to instanceof Alias) return;
    if (mode === 'two-way' && to instanceof Pid) {
      const id = ++this.#unlinkIds;
      this.unlinking.set(pairKey(from, to), id);
      this.dist.unlinkId(id, from, to);
      return;
    }
    const k = oneWayKey(from, to);
    const ref = this.#oneWay.get(k);
    if (ref === undefined) return;
    this.#oneWay.delete(k);
    this.#oneWayRefs.delete(ref.identity);
    this.dist.demonitor(from, to instanceof Pid ? to : to.name, ref);
  }

  /** An UNLINK_ID or link EXIT for a pair whose unlink we sent and that is not yet acknowledged. */
  isUnlinking(local: Pid, remote: Pid): boolean {
    return this.unlinking.size > 0 && this.unlinking.has(pairKey(local, remote));
  }

  /** UNLINK_ID_ACK from `remote`: the pair's state goes if the id is the one we sent. */
  unlinkAcked(local: Pid, remote: Pid, id: number | bigint): void {
    const k = pairKey(local, remote);
    const mine = this.unlinking.get(k);
    if (mine !== undefined && sameId(mine, id)) this.unlinking.delete(k);
  }

  monitor(from: Pid, to: RemoteTarget, ref: Ref): void {
    if (to instanceof Alias) throw new RuntimeError(ErrCode.Unsupported, `a monitor on an alias: Erlang monitors processes, not aliases (${this.node.name})`);
    this.dist.monitor(from, to instanceof Pid ? to : to.name, ref);
  }

  demonitor(from: Pid, to: RemoteTarget, ref: Ref): void {
    if (to instanceof Alias) return;
    this.dist.demonitor(from, to instanceof Pid ? to : to.name, ref);
  }

  /**
   * A MONITOR_P_EXIT for `ref`: the end of a call, a one-way link, an rpc of ours; false when
   * it is an ordinary monitor the node holds.
   */
  takeDown(ref: Ref, reason: Term): boolean {
    if (this.calls.size > 0) {
      const c = this.#takeCall(ref);
      if (c !== undefined) {
        this.#host.inbound.deliverResponse(c.ref, undefined, reason);
        return true;
      }
    }
    const k = ref.identity;
    if (this.#oneWayRefs.size > 0) {
      const l = this.#oneWayRefs.get(k);
      if (l !== undefined) {
        this.#oneWayRefs.delete(k);
        this.#oneWay.delete(oneWayKey(l.from, l.to));
        // Fires every local relation on that target; their own DOWNs then find nothing.
        this.#host.inbound.terminated(l.to, reason);
        return true;
      }
    }
    if (this.#rpcs.size > 0) {
      const r = this.#rpcs.get(k);
      if (r !== undefined) {
        this.#rpcs.delete(k);
        if (r.timer !== undefined) clearTimeout(r.timer);
        settleRpc(r, reason, this.node);
        return true;
      }
    }
    return false;
  }

  subscribe(): Promise<MessageEvent[]> {
    return Promise.reject(new RuntimeError(ErrCode.Unsupported, `events: BEAM nodes have none (${this.node.name})`));
  }

  unsubscribe(): void {}

  terminated(from: Pid, target: LocalTarget, reason: Term, consumers: RemoteConsumers): void {
    if (target instanceof Event || target instanceof Alias) return;
    const d = this.dist;
    // Two-way links are between pids: `from` is the process that ended. One EXIT each, `normal` too.
    for (const l of consumers.links) {
      if (this.unlinking.size > 0) this.unlinking.delete(pairKey(from, l));
      d.exit(from, l, reason);
    }
    const who = target instanceof ProcessID ? target.name : from;
    for (const m of consumers.monitors) d.monitorExit(who, m.pid, m.ref, reason);
  }

  publish(): Outbound {
    return Outbound.Ok;
  }

  // ------------------------------------------------------------------ spawn and rpc on the peer

  spawn(from: Pid, req: SpawnRequest): Promise<Pid> {
    const name = req.name;
    const module = name instanceof Atom ? name : name.module;
    const fn = name instanceof Atom ? START : name.function;
    const reqId = req.monitor ?? this.#host.makeRef();
    const options: Term[] = [];
    if (req.link) options.push(LINK);
    if (req.monitor !== undefined) options.push(MONITOR);
    return new Promise<Pid>((resolve, reject) => {
      this.#spawns.set(reqId.identity, { resolve, reject, parent: req.parent });
      const ok = this.dist.spawnRequest({ reqId, from, groupLeader: req.leader ?? from, module, fn, args: req.args as Term[], options });
      if (!ok) {
        this.#spawns.delete(reqId.identity);
        reject(Err.noConnection(this.node.name, 'connection closed'));
      }
    });
  }

  /** SPAWN_REPLY: ours, for a spawn or an rpc. False when no request of ours has that id. */
  spawnReplied(reqId: Ref, to: Pid, flags: number, result: Pid | Atom): boolean {
    const k = reqId.identity;
    const s = this.#spawns.get(k);
    if (s !== undefined) {
      this.#spawns.delete(k);
      if (result instanceof Atom) {
        s.reject(new RuntimeError(ErrCode.NotAllowed, `spawn on ${this.node.name} refused: ${result.name}`, { reason: result }));
        return true;
      }
      // The link is in place now on the peer's side: record ours before anything from the new
      // process (its EXIT may follow at once) is dispatched.
      if ((flags & SpawnFlag.LINK) !== 0) this.#host.inbound.link(result, to, 'two-way');
      s.resolve(result);
      return true;
    }
    const r = this.#rpcs.get(k);
    if (r === undefined) return false;
    if (result instanceof Atom) {
      this.#rpcs.delete(k);
      if (r.timer !== undefined) clearTimeout(r.timer);
      r.reject(new RuntimeError(ErrCode.CallFailed, `rpc on ${this.node.name} refused: ${result.name}`, { reason: result }));
    } else r.pid = result;
    return true;
  }

  /**
   * `erpc:call(Node, M, F, A)` from here: SPAWN_REQUEST `{erpc, execute_call, 4}` with a monitor;
   * the result is the monitor's DOWN reason (OTP erpc.erl). Resolves with the value; rejects
   * `ERR_CALL_FAILED` whose reason is `{throw, T}`, `{exit, R}`, `{error, R, Stack}` or the exit
   * reason, `ERR_TIMEOUT`, or `ERR_NO_CONNECTION`.
   */
  rpc(module: Atom, fn: Atom, args: readonly Term[], o: RpcOptions = {}): Promise<Term> {
    const host = this.#host;
    const reqId = host.makeRef();
    const res = host.makeRef();
    const from = o.from ?? host.nodePid;
    return new Promise<Term>((resolve, reject) => {
      const r: PendingRpc = { resolve, reject, res, from, reqId, pid: undefined, timer: undefined };
      const timeout = o.timeout ?? 5000;
      if (Number.isFinite(timeout)) {
        r.timer = setTimeout(() => {
          if (!this.#rpcs.delete(reqId.identity)) return;
          if (r.pid !== undefined) {
            this.dist.demonitor(from, r.pid, reqId);
            this.dist.exit2(from, r.pid, A.kill);
          }
          reject(Err.timeout(`rpc ${module.name}:${fn.name} on ${this.node.name}`));
        }, timeout);
      }
      this.#rpcs.set(reqId.identity, r);
      const ok = this.dist.spawnRequest({ reqId, from, groupLeader: host.nodePid, module: ERPC, fn: EXECUTE_CALL, args: [res, module, fn, args as Term[]], options: [MONITOR] });
      if (!ok) {
        this.#rpcs.delete(reqId.identity);
        if (r.timer !== undefined) clearTimeout(r.timer);
        reject(Err.noConnection(this.node.name, 'connection closed'));
      }
    });
  }

  /**
   * The peer's OTP major release (`erlang:system_info(otp_release)`), asked once per
   * connection; undefined if the peer does not say. Some OTP protocols changed shape between
   * releases without any distribution flag telling (sys:get_state's reply in OTP 26).
   */
  otpRelease(): Promise<number | undefined> {
    this.#release ??= this.rpc(ERLANG, SYSTEM_INFO, [OTP_RELEASE], { timeout: 10_000 }).then(
      (r) => {
        const n = Array.isArray(r) ? Number(String.fromCharCode(...(r as number[]))) : NaN;
        return Number.isInteger(n) ? n : undefined;
      },
      () => undefined,
    );
    return this.#release;
  }

  async applicationStart(from: Pid, name: Atom, mode: ApplicationStartMode | undefined, env: Readonly<Record<string, unknown>> | undefined): Promise<void> {
    if (env !== undefined) {
      for (const [k, v] of Object.entries(env)) await this.rpc(APPLICATION, SET_ENV, [name, atom(k), v as Term], { from });
    }
    const r = await this.rpc(APPLICATION, START, mode === undefined ? [name] : [name, atom(mode)], { from, timeout: 60_000 });
    if (r === A.ok) return;
    if (r instanceof Tuple && r.elements[0] === A.error) {
      const why = r.elements[1];
      if (why instanceof Tuple && why.elements[0] === atom('already_started')) return;
      throw new RuntimeError(ErrCode.CallFailed, `application ${name.name} did not start on ${this.node.name}`, { reason: why ?? r });
    }
  }

  close(_reason: Term): void {
    this.dist.close();
  }

  // ------------------------------------------------------------------ flow control and loss

  /** A delivery reported Backlog: stop reading until `to` drains. */
  backlog(to: Pid | Atom | Alias): void {
    const k = to instanceof Atom ? to.name : to.identity;
    if (this.#paused.has(k)) return;
    this.#paused.add(k);
    this.dist.pauseReading();
    void this.#host.inbound.drained(to).then(() => {
      this.#paused.delete(k);
      if (this.#paused.size === 0) this.dist.resumeReading();
    });
  }

  /** The connection is gone: what waits on the peer fails (the node fails calls and fires links). */
  lost(): void {
    const e = (): RuntimeError => Err.noConnection(this.node.name, 'connection lost');
    for (const s of this.#spawns.values()) s.reject(e());
    this.#spawns.clear();
    for (const r of this.#rpcs.values()) {
      if (r.timer !== undefined) clearTimeout(r.timer);
      r.reject(e());
    }
    this.#rpcs.clear();
    this.calls.clear();
    this.#oneWay.clear();
    this.#oneWayRefs.clear();
    this.unlinking.clear();
  }

  toString(): string {
    return `Peer(${this.node.name})`;
  }
}

function oneWayKey(from: Pid, to: Pid | ProcessID): string {
  return to instanceof Pid ? `${from.id}.${from.serial}|p${to.id}.${to.serial}` : `${from.id}.${from.serial}|n${to.name.name}`;
}

/** An erpc result from the exit reason of its process (OTP erpc.erl result/4). */
function settleRpc(r: PendingRpc, reason: Term, node: Atom): void {
  if (reason instanceof Tuple) {
    const e = reason.elements;
    if (e.length >= 3 && e[0] instanceof Ref && e[0].equals(r.res)) {
      const kind = e[1];
      if (kind === RETURN && e.length === 3) {
        r.resolve(e[2]!);
        return;
      }
      if (kind === THROW && e.length === 3) {
        r.reject(Err.callFailed(new Tuple([THROW, e[2]!])));
        return;
      }
      if (kind === EXIT && e.length === 3) {
        r.reject(Err.callFailed(new Tuple([EXIT, e[2]!])));
        return;
      }
      if (kind === A.error) {
        r.reject(Err.callFailed(new Tuple([A.error, ...e.slice(2)])));
        return;
      }
    }
  }
  if (reason === A.noconnection) {
    r.reject(Err.noConnection(node.name, 'connection lost'));
    return;
  }
  r.reject(Err.callFailed(reason));
}
