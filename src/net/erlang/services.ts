/**
 * What a BEAM node expects every node to answer for itself, without a process of the node's
 * (proto-spec/erlang-dist.md §6, ../shared/ref/erlang-dist.md §7):
 *
 * - `net_kernel`: `{is_auth, Node}` → `yes` (`net_adm:ping` → `pong`);
 * - `rex`: `features_request` (we speak erpc), and the old rex calls (`rpc:block_call`, the
 *   C-node `{From, {call, M, F, A, GL}}` form, `rpc:cast`) run the registered rpc functions;
 * - spawn requests: `erpc:execute_call/4` and `execute_cast/3` (what `rpc:call`, `erpc:call`
 *   and `erpc:cast` send) run a registered rpc function in a stand-in process; any other
 *   `{M, F, A}` is a spawn of an enabled behaviour through the node (`node.enableSpawn`);
 * - io requests to a pid of ours that no process takes (the node itself is the group leader of
 *   the processes it spawns on BEAM): answered as an io server would, the text going to the
 *   node's log.
 *
 * A stand-in process is a pid of ours with serial 0xFFFFFFFF (the node never reaches that
 * serial): it exists only in what it sends — a SPAWN_REPLY, then its exit signals.
 */
import { A, Atom, atom } from '../../term/atom.js';
import { Pid, Ref } from '../../term/ids.js';
import { format } from '../../term/format.js';
import { ImproperList, Tuple, type Term } from '../../term/types.js';
import { ErrCode, ExitReason, RuntimeError, type Mfa, type NetworkLog, type NodeInbound } from '../../gen/index.js';
import type { SpawnRequest } from './handler.js';
import { SpawnFlag } from './dop.js';
import { chardata, ioFormat } from './io-format.js';
import type { Peer } from './peer.js';

/** What a call from BEAM to a registered rpc function knows about its caller. */
export interface RpcCall {
  /** The calling node. */
  readonly node: Atom;
  /** The calling process (erpc) or rex's caller. */
  readonly caller: Pid;
  /** The caller's group leader. */
  readonly groupLeader: Pid | undefined;
}

/**
 * A TS function BEAM reaches with `rpc:call(Node, M, F, Args)` / `erpc:call`. It gets the
 * argument list and returns the result (or a promise of it); `undefined` is returned as `ok`.
 * A throw is the call's failure: `throw exit(R)` exits with R, a thrown Atom or Tuple is an
 * Erlang `throw`, any other error an `error` (`{error, <<"Name: message">>}` unless it is a
 * RuntimeError, whose `reason` is used).
 */
export type RpcFunction = (args: readonly Term[], call: RpcCall) => unknown;

const GEN_CALL = atom('$gen_call');
const GEN_CAST = atom('$gen_cast');
const ALIAS = atom('alias');
const NET_KERNEL = atom('net_kernel');
const REX = atom('rex');
const IS_AUTH = atom('is_auth');
const YES = atom('yes');
const FEATURES_REQUEST = atom('features_request');
const FEATURES_REPLY = atom('features_reply');
const ERPC = atom('erpc');
const EXECUTE_CALL = atom('execute_call');
const EXECUTE_CAST = atom('execute_cast');
const CALL = atom('call');
const BLOCK_CALL = atom('block_call');
const CAST = atom('cast');
const BADRPC = atom('badrpc');
const EXIT_TAG = atom('EXIT');
const RETURN = atom('return');
const THROW = atom('throw');
const EXIT = atom('exit');
const UNDEF = atom('undef');
const LINK = atom('link');
const MONITOR = atom('monitor');
const IO_REQUEST = atom('io_request');
const IO_REPLY = atom('io_reply');
const PUT_CHARS = atom('put_chars');
const REQUESTS = atom('requests');
const IO_LIB = atom('io_lib');
const FORMAT = atom('format');
const FWRITE = atom('fwrite');
const GET_CHARS = atom('get_chars');
const GET_LINE = atom('get_line');
const GET_UNTIL = atom('get_until');
const GETOPTS = atom('getopts');
const SETOPTS = atom('setopts');
const EOF = atom('eof');
const ENOTSUP = atom('enotsup');
const REQUEST = atom('request');

const VIRTUAL_SERIAL = 0xffff_ffff;

function isTuple(t: unknown, tag: Atom, size: number): t is Tuple {
  return t instanceof Tuple && t.elements.length === size && t.elements[0] === tag;
}

/** The Ref of `[alias | Ref]` or `[[alias | Ref] | _]` (gen:reply), else undefined. */
function aliasOf(tag: Term): Ref | undefined {
  if (tag instanceof ImproperList) {
    if (tag.head.length === 1 && tag.head[0] === ALIAS && tag.tail instanceof Ref) return tag.tail;
    const h = tag.head[0];
    if (h !== undefined && h instanceof ImproperList) return aliasOf(h);
  }
  if (Array.isArray(tag) && tag.length > 0) return aliasOf(tag[0] as Term);
  return undefined;
}

export class Services {
  /** The rpc functions, `'module:function'` → function (the stack's table, shared). */
  readonly rpc: ReadonlyMap<string, RpcFunction>;
  readonly #inbound: NodeInbound;
  readonly #log: NetworkLog | undefined;
  readonly #nodePid: () => Pid;
  #nextVirtual = 0;
  /** Partial io lines per writer, until their newline. */
  readonly #lines = new Map<string, string>();

  constructor(inbound: NodeInbound, log: NetworkLog | undefined, nodePid: () => Pid, rpc: ReadonlyMap<string, RpcFunction>) {
    this.rpc = rpc;
    this.#inbound = inbound;
    this.#log = log;
    this.#nodePid = nodePid;
  }

  /** Names answered without a process: a MONITOR_P on them is accepted. */
  serves(name: Atom): boolean {
    return name === NET_KERNEL || name === REX;
  }

  #virtualPid(peer: Peer): Pid {
    this.#nextVirtual = (this.#nextVirtual + 1) % 0x1_0000_0000;
    return new Pid(peer.dist.localNode, this.#nextVirtual, VIRTUAL_SERIAL, peer.dist.localCreation);
  }

  // ------------------------------------------------------------------ gen_server replies

  /** gen:reply(From, Value) with From = {Pid, Tag}: to the alias when the tag has one. */
  #reply(peer: Peer, from: Term, value: Term): void {
    if (!(from instanceof Tuple) || from.elements.length !== 2) return;
    const [pid, tag] = from.elements as [Term, Term];
    const msg = new Tuple([tag, value]);
    const alias = aliasOf(tag);
    const me = this.#nodePid();
    if (alias !== undefined && alias.node === peer.node && peer.dist.aliasSend(me, alias, msg)) return;
    if (pid instanceof Pid && pid.node === peer.node) peer.dist.send(me, pid, msg);
  }

  // ------------------------------------------------------------------ registered names

  /** A message to a name no local process holds. */
  named(peer: Peer, from: Pid, name: Atom, msg: Term): void {
    if (name === NET_KERNEL) {
      // net_adm:ping → gen_server:call({net_kernel, Node}, {is_auth, node()}) (OTP net_kernel)
      if (isTuple(msg, GEN_CALL, 3) && isTuple(msg.elements[2], IS_AUTH, 2)) this.#reply(peer, msg.elements[1]!, YES);
      return;
    }
    if (name === REX) {
      this.#rex(peer, from, msg);
      return;
    }
    // global_name_server, pg, logger_proxy, …: a node without those servers drops them (the
    // BEAM then treats us as it treats a C node: global never syncs with us).
    this.#log?.debug('erlang: message from %s to unregistered %s dropped', String(from), name.name);
  }

  // OTP rpc.erl: the rex server's remote-facing clauses.
  #rex(peer: Peer, from: Pid, msg: Term): void {
    if (!(msg instanceof Tuple)) return;
    const e = msg.elements;
    if (e.length === 2 && e[0] instanceof Pid && e[1] === FEATURES_REQUEST) {
      // rpc nodes_observer: we run erpc requests, so rpc:call may use them.
      peer.dist.send(this.#nodePid(), e[0], new Tuple([FEATURES_REPLY, peer.dist.localNode, [ERPC]]));
      return;
    }
    if (e.length === 3 && e[0] === GEN_CALL) {
      const req = e[2];
      if (req instanceof Tuple && req.elements.length === 5 && (req.elements[0] === CALL || req.elements[0] === BLOCK_CALL)) {
        const [, m, f, a, gl] = req.elements as Term[];
        void this.#runRex(peer, from, m!, f!, a!, gl).then((r) => this.#reply(peer, e[1]!, r));
      }
      return;
    }
    if (e.length === 2 && e[0] === GEN_CAST && isTuple(e[1], CAST, 5)) {
      const [, m, f, a, gl] = e[1].elements as Term[];
      void this.#runRex(peer, from, m!, f!, a!, gl);
      return;
    }
    if (e.length === 2 && e[0] instanceof Pid && isTuple(e[1], CALL, 5)) {
      // The C-node form: {From, {call, M, F, A, GL}}, answered From ! {rex, Reply}.
      const to = e[0];
      const [, m, f, a, gl] = e[1].elements as Term[];
      void this.#runRex(peer, from, m!, f!, a!, gl).then((r) => peer.dist.send(this.#nodePid(), to, new Tuple([REX, r])));
    }
  }

  /** An rpc through rex: the value, or `{badrpc, {'EXIT', Reason}}`. */
  async #runRex(peer: Peer, caller: Pid, m: Term, f: Term, a: Term, gl: Term | undefined): Promise<Term> {
    const r = await this.#run(peer, caller, m, f, a, gl instanceof Pid ? gl : undefined);
    if (r.kind === RETURN) return r.value;
    const reason = r.kind === A.error ? new Tuple([r.value, r.stack]) : r.kind === THROW ? new Tuple([atom('nocatch'), r.value]) : r.value;
    return new Tuple([BADRPC, new Tuple([EXIT_TAG, reason])]);
  }

  /** Run M:F(A) from the rpc table: `{kind: return | throw | exit | error, value, stack}`. */
  async #run(peer: Peer, caller: Pid, m: Term, f: Term, a: Term, gl: Pid | undefined): Promise<{ kind: Atom; value: Term; stack: Term }> {
    const fn = m instanceof Atom && f instanceof Atom && Array.isArray(a) ? this.rpc.get(`${m.name}:${f.name}`) : undefined;
    if (fn === undefined) {
      // What BEAM raises for a function that does not exist.
      return { kind: A.error, value: UNDEF, stack: [new Tuple([m, f, a, []])] };
    }
    try {
      const v = await fn(a as readonly Term[], { node: peer.node, caller, groupLeader: gl });
      return { kind: RETURN, value: v === undefined ? A.ok : (v as Term), stack: [] };
    } catch (e) {
      if (e instanceof ExitReason) return { kind: EXIT, value: e.reason, stack: [] };
      if (e instanceof Atom || e instanceof Tuple) return { kind: THROW, value: e, stack: [] };
      if (e instanceof RuntimeError) return { kind: A.error, value: e.reason, stack: [] };
      const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      return { kind: A.error, value: new Tuple([A.error, why]), stack: [] };
    }
  }

  // ------------------------------------------------------------------ spawn requests

  spawnRequest(peer: Peer, req: SpawnRequest): void {
    const link = req.options.includes(LINK);
    const monitor = req.options.includes(MONITOR);
    if (req.module === ERPC && (req.fn === EXECUTE_CALL || req.fn === EXECUTE_CAST)) {
      this.#erpc(peer, req, link, monitor);
      return;
    }
    const mfa: Mfa = { module: req.module, function: req.fn };
    this.#inbound
      .spawn({ name: mfa, args: req.args, parent: req.from, leader: req.groupLeader, link, monitor: monitor ? req.reqId : undefined })
      .then(
        (pid) => peer.dist.spawnReply(req.reqId, req.from, (link ? SpawnFlag.LINK : 0) | (monitor ? SpawnFlag.MONITOR : 0), pid),
        (e: unknown) => {
          // Seen from BEAM, a spawn that cannot run here is a process that starts and dies at
          // once, as a spawn of an undefined function is there: a pid, then its exit signals.
          const reason =
            e instanceof RuntimeError && e.code !== ErrCode.NotAllowed ? e.reason : new Tuple([UNDEF, [new Tuple([req.module, req.fn, req.args as Term[], []])]]);
          if (!(e instanceof RuntimeError && e.code === ErrCode.NotAllowed)) {
            this.#log?.warning('erlang: spawn of %s:%s for %s failed: %s', req.module.name, req.fn.name, String(req.from), format(reason, 500));
          }
          this.#standIn(peer, req, link, monitor, reason);
        },
      );
  }

  /** A stand-in process: SPAWN_REPLY with a pid of ours, then the exits it owes. */
  #standIn(peer: Peer, req: SpawnRequest, link: boolean, monitor: boolean, reason: Term): void {
    const pid = this.#virtualPid(peer);
    peer.dist.spawnReply(req.reqId, req.from, (link ? SpawnFlag.LINK : 0) | (monitor ? SpawnFlag.MONITOR : 0), pid);
    this.#exitStandIn(peer, pid, req, link, monitor, reason);
  }

  #exitStandIn(peer: Peer, pid: Pid, req: SpawnRequest, link: boolean, monitor: boolean, reason: Term): void {
    const d = peer.dist;
    try {
      if (link) d.exit(pid, req.from, reason);
      if (monitor) d.monitorExit(pid, req.from, req.reqId, reason);
    } catch (e) {
      // The result could not be encoded (a JS value with no term form): say so instead.
      const why = new Tuple([A.error, `cannot send the result: ${e instanceof Error ? e.message : String(e)}`]);
      if (link) d.exit(pid, req.from, why);
      if (monitor) d.monitorExit(pid, req.from, req.reqId, why);
    }
  }

  // OTP erpc.erl execute_call/4: exit({Ref, return | throw | exit, V}) or {Ref, error, R, Stack}.
  #erpc(peer: Peer, req: SpawnRequest, link: boolean, monitor: boolean): void {
    const pid = this.#virtualPid(peer);
    peer.dist.spawnReply(req.reqId, req.from, (link ? SpawnFlag.LINK : 0) | (monitor ? SpawnFlag.MONITOR : 0), pid);
    const a = req.args;
    if (req.fn === EXECUTE_CALL && a.length === 4) {
      const res = a[0]!;
      void this.#run(peer, req.from, a[1]!, a[2]!, a[3]!, req.groupLeader).then((r) => {
        const reason = r.kind === A.error ? new Tuple([res, A.error, r.value, r.stack]) : new Tuple([res, r.kind, r.value]);
        this.#exitStandIn(peer, pid, req, link, monitor, reason);
      });
      return;
    }
    if (req.fn === EXECUTE_CAST && a.length === 3) {
      void this.#run(peer, req.from, a[0]!, a[1]!, a[2]!, req.groupLeader).then((r) => {
        if (r.kind !== RETURN) this.#log?.warning('erlang: erpc:cast %s:%s from %s failed: %s', format(a[0]!), format(a[1]!), String(req.from), format(r.value, 500));
        this.#exitStandIn(peer, pid, req, link, monitor, A.normal);
      });
      return;
    }
    this.#exitStandIn(peer, pid, req, link, monitor, new Tuple([UNDEF, [new Tuple([req.module, req.fn, a as Term[], []])]]));
  }

  // ------------------------------------------------------------------ group leader io

  /** A message to a pid of ours that no process takes: io requests are answered, the rest dropped. */
  unknownPid(peer: Peer, to: Pid, msg: Term): void {
    if (!(msg instanceof Tuple) || msg.elements.length !== 4 || msg.elements[0] !== IO_REQUEST) return;
    const [, replyTo, replyAs, request] = msg.elements as [Term, Term, Term, Term];
    if (!(replyTo instanceof Pid) || replyTo.node !== peer.node) return;
    const reply = this.#io(request, replyTo, 0);
    peer.dist.send(to, replyTo, new Tuple([IO_REPLY, replyAs, reply]));
  }

  // OTP io protocol (STDLIB "The Erlang I/O Protocol"): output requests are logged; there is no input.
  #io(req: Term, writer: Pid, depth: number): Term {
    if (!(req instanceof Tuple)) return new Tuple([A.error, REQUEST]);
    const e = req.elements;
    const op = e[0];
    if (op === PUT_CHARS) {
      let s: string | undefined;
      if (e.length === 3) s = chardata(e[2]!);
      else if (e.length === 2) s = chardata(e[1]!);
      else if (e.length === 5 || e.length === 4) {
        const [m, f, a] = e.length === 5 ? [e[2], e[3], e[4]] : [e[1], e[2], e[3]];
        if (m === IO_LIB && (f === FORMAT || f === FWRITE) && Array.isArray(a) && a.length === 2) {
          try {
            s = ioFormat(a[0] as Term, a[1] as Term);
          } catch {
            return new Tuple([A.error, FORMAT]);
          }
        } else return new Tuple([A.error, ENOTSUP]);
      }
      if (s === undefined) return new Tuple([A.error, PUT_CHARS]);
      this.#write(writer, s);
      return A.ok;
    }
    if (op === REQUESTS && e.length === 2 && Array.isArray(e[1]) && depth < 4) {
      let last: Term = A.ok;
      for (const r of e[1] as Term[]) {
        last = this.#io(r, writer, depth + 1);
        if (last !== A.ok) return last;
      }
      return last;
    }
    if (op === GET_CHARS || op === GET_LINE || op === GET_UNTIL) return EOF;
    if (op === GETOPTS) return [];
    if (op === SETOPTS) return A.ok;
    return new Tuple([A.error, ENOTSUP]);
  }

  #write(writer: Pid, s: string): void {
    const key = writer.identity;
    let buf = (this.#lines.get(key) ?? '') + s;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      this.#log?.info('%s: %s', String(writer), buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    if (buf.length > 65536) {
      this.#log?.info('%s: %s', String(writer), buf);
      buf = '';
    }
    if (buf === '') this.#lines.delete(key);
    else this.#lines.set(key, buf);
  }
}
