/**
 * The node's {@link Connection} to one Ergo peer: every operation of the network contract
 * (src/gen/network.ts) mapped onto ENP through an {@link ErgoConnection}
 * (proto-spec/runtime-semantics.md §6, proto-spec/ergo-network.md §11).
 *
 * - Messages, calls, responses, exits and events are frames; `Busy` when the link the frame
 *   went on is past its high-water mark (the node parks the sender until `writable`).
 * - Links and monitors are 199 requests. Ergo keeps one record per (process, target) and
 *   refuses a second, while the node may hold a two-way and a one-way link (or several
 *   monitors) on one target: the requests are counted per (process, target), so the peer gets
 *   one Link on the first and one Unlink after the last. A refused request is reported as the
 *   target ending (`NodeInbound.terminated`) with the peer's error as reason (`noproc`, …).
 * - A local target that ended: one Terminate frame for its one-way links and monitors on the
 *   peer; for each two-way link (which Ergo's wire cannot carry) an Unlink of the link we
 *   asked for and, unless the reason is `normal`, an exit signal (107) — what a two-way link
 *   would do to the peer process.
 */
import { EdfError, Gen, Typed } from '../../codec/edf/index.js';
import {
  ErrCode,
  Event,
  MessageEvent,
  Outbound,
  ProcessID,
  reasonFromGoError,
  reasonToGoError,
  type ApplicationStartMode,
  type Connection,
  type LinkMode,
  type LocalTarget,
  type MessageOptions,
  type NodeInbound,
  type Priority,
  type RemoteConsumers,
  type RemoteTarget,
  type SpawnRequest,
} from '../../gen/index.js';
import { A, Atom } from '../../term/atom.js';
import { Alias, Pid, type Ref } from '../../term/ids.js';
import type { Term } from '../../term/types.js';
import type { CompressionType } from './constants.js';
import type { CompressionLevel } from './compress.js';
import type { ErgoConnection, SendOptions } from './connection.js';
import { ErgoNetCode, ErgoNetError } from './errors.js';
import { toRuntimeError } from './runtime-errors.js';

/** Compression of outgoing frames (Go: a process's SetCompression*). */
export interface CompressionOptions {
  type?: CompressionType;
  level?: CompressionLevel;
  /** Frames longer than this are compressed (at least 1024, Go's minimum). */
  threshold?: number;
}

/** Where the connection reports what it drops (the stack publishes it on diagnostics_channel). */
export type DropReport = (conn: ErgoConnection, what: string, error: ErgoNetError) => void;

const MODES: Record<ApplicationStartMode, number> = { temporary: 1, transient: 2, permanent: 3 };

/** A map key naming one (local process, remote target) pair. */
function relKey(from: Pid, to: RemoteTarget | LocalTarget): string {
  return `${from.id}.${from.serial}|${targetKey(to)}`;
}

function targetKey(t: RemoteTarget | LocalTarget | Atom): string {
  if (t instanceof Pid) return `p${t.id}.${t.serial}`;
  if (t instanceof Alias) return 'a' + t.identity;
  if (t instanceof ProcessID) return 'n' + t.name.name;
  if (t instanceof Event) return 'e' + t.name.name;
  return 'n' + t.name;
}

function toMap(env: Readonly<Record<string, unknown>> | undefined): Map<string, unknown> | null {
  if (env === undefined) return null;
  return new Map(Object.entries(env));
}

export class ErgoNodeConnection implements Connection {
  readonly node: Atom;
  readonly protocol = 'ergo';
  readonly conn: ErgoConnection;
  readonly #inbound: NodeInbound;
  readonly #drop: DropReport;
  /** Send options per priority (normal, high, max), made once: nothing allocated per message. */
  readonly #opts: SendOptions[];
  readonly #callOpts: SendOptions[];
  /** Link / monitor requests we made, counted per (process, target). */
  readonly #links = new Map<string, number>();
  readonly #monitors = new Map<string, number>();
  /** Monitors the peer's processes hold on local targets: Ergo names them by (source, target) only. */
  readonly #inMonitors = new Map<string, Ref>();

  constructor(conn: ErgoConnection, inbound: NodeInbound, compression: CompressionOptions | undefined, drop: DropReport) {
    this.conn = conn;
    this.node = conn.peer;
    this.#inbound = inbound;
    this.#drop = drop;
    const important = conn.peerFlags.EnableImportantDelivery === true;
    this.#opts = [0, 1, 2].map((priority) => ({ priority: priority as 0 | 1 | 2, compression }));
    // Calls carry the important bit when the peer can answer it, so a call to a process that
    // does not exist fails at once (Go's CallImportant) instead of timing out.
    this.#callOpts = [0, 1, 2].map((priority) => ({ priority: priority as 0 | 1 | 2, compression, important }));
  }

  #opt(p: Priority): SendOptions {
    return this.#opts[p === 'normal' ? 0 : p === 'high' ? 1 : 2]!;
  }

  // ------------------------------------------------------------------ messages

  send(from: Pid, to: RemoteTarget, message: unknown, o: MessageOptions): Outbound {
    const e = this.conn.send(from, to, message, this.#opt(o.priority));
    if (e === undefined) return this.conn.busy ? Outbound.Busy : Outbound.Ok;
    return this.#sendFailed(e, `send to ${String(to)}`);
  }

  /** A send that could not be written: misuse throws, the rest is dropped (as a lost message would be). */
  #sendFailed(e: ErgoNetError, what: string): Outbound {
    switch (e.code) {
      case ErgoNetCode.Encode:
      case ErgoNetCode.NameTooLong:
      case ErgoNetCode.TooLarge:
        throw toRuntimeError(e, what, this.node);
    }
    this.#drop(this.conn, what, e);
    return Outbound.Ok;
  }

  sendImportant(from: Pid, to: RemoteTarget, message: unknown, o: MessageOptions): Promise<void> {
    const what = `important delivery to ${String(to)}`;
    return this.conn.sendImportant(from, to, message, this.#opt(o.priority)).then(undefined, (e: unknown) => {
      throw toRuntimeError(e, what, this.node, ErrCode.ProcessUnknown);
    });
  }

  call(from: Pid, to: RemoteTarget, ref: Ref, request: unknown, o: MessageOptions): Outbound {
    const p = o.priority;
    const e = this.conn.call(from, to, ref, request, this.#callOpts[p === 'normal' ? 0 : p === 'high' ? 1 : 2]);
    if (e === undefined) return this.conn.busy ? Outbound.Busy : Outbound.Ok;
    // The node fails the call with what we throw.
    throw toRuntimeError(e, `call to ${String(to)}`, this.node);
  }

  cancelCall(): void {
    // Ergo keeps no state for a call on either side: nothing to tell the peer.
  }

  sendResponse(from: Pid, to: Pid | Alias, ref: Ref, value: unknown, error: Term | undefined, o: MessageOptions): Outbound {
    if (!(to instanceof Pid)) {
      this.#drop(this.conn, `response to ${String(to)}`, new ErgoNetError(ErgoNetCode.Unsupported, 'an Ergo response goes to a pid'));
      return Outbound.Ok;
    }
    const opt = this.#opt(o.priority);
    let e = error === undefined ? this.conn.sendResponse(from, to, ref, value, opt) : this.conn.sendResponseError(from, to, ref, reasonToGoError(error), opt);
    if (e !== undefined && (e.code === ErgoNetCode.Encode || e.code === ErgoNetCode.TooLarge)) {
      // The caller would only time out: tell it why instead.
      e = this.conn.sendResponseError(from, to, ref, new EdfError(e.message), opt) ?? e;
    }
    if (e !== undefined) this.#drop(this.conn, `response to ${String(to)}`, e);
    return this.conn.busy ? Outbound.Busy : Outbound.Ok;
  }

  sendExit(from: Pid, to: Pid, reason: Term): void {
    const e = this.conn.sendExit(from, to, reasonToGoError(reason));
    if (e !== undefined) this.#drop(this.conn, `exit to ${String(to)}`, e);
  }

  // ------------------------------------------------------------------ links and monitors

  /** A refused request: the target is reported as ended, with the peer's reason. */
  #refused(target: RemoteTarget | Event, counts: Map<string, number>, key: string, e: unknown): void {
    counts.delete(key);
    if (!this.conn.alive) return; // the node-down already fired everything
    const reason = e instanceof ErgoNetError && e.code === ErgoNetCode.Remote ? reasonFromGoError((e as { remote?: EdfError }).remote) : toRuntimeError(e, 'request', this.node).reason;
    this.#inbound.terminated(target, reason);
  }

  #count(counts: Map<string, number>, key: string, delta: 1 | -1): number {
    const n = (counts.get(key) ?? 0) + delta;
    if (n <= 0) counts.delete(key);
    else counts.set(key, n);
    return n;
  }

  link(from: Pid, to: RemoteTarget, _mode: LinkMode): void {
    const key = relKey(from, to);
    if (this.#count(this.#links, key, 1) > 1) return;
    this.conn.link(from, to).then(undefined, (e: unknown) => this.#refused(to, this.#links, key, e));
  }

  unlink(from: Pid, to: RemoteTarget, _mode: LinkMode): void {
    const key = relKey(from, to);
    if (!this.#links.has(key) || this.#count(this.#links, key, -1) > 0) return;
    this.conn.unlink(from, to).then(undefined, () => undefined);
  }

  monitor(from: Pid, to: RemoteTarget, _ref: Ref): void {
    const key = relKey(from, to);
    if (this.#count(this.#monitors, key, 1) > 1) return;
    this.conn.monitor(from, to).then(undefined, (e: unknown) => this.#refused(to, this.#monitors, key, e));
  }

  demonitor(from: Pid, to: RemoteTarget, _ref: Ref): void {
    const key = relKey(from, to);
    if (!this.#monitors.has(key) || this.#count(this.#monitors, key, -1) > 0) return;
    this.conn.demonitor(from, to).then(undefined, () => undefined);
  }

  async subscribe(from: Pid, event: Event, mode: 'link' | 'monitor', _ref: Ref | undefined): Promise<MessageEvent[]> {
    let list: unknown[];
    try {
      list = mode === 'link' ? await this.conn.linkEvent(from, event) : await this.conn.monitorEvent(from, event);
    } catch (e) {
      throw toRuntimeError(e, `${mode} ${String(event)}`, this.node, ErrCode.EventUnknown);
    }
    return list.map((m) => (m instanceof MessageEvent ? m : eventOf(m, event)));
  }

  unsubscribe(from: Pid, event: Event, mode: 'link' | 'monitor', _ref: Ref | undefined): void {
    const p = mode === 'link' ? this.conn.unlinkEvent(from, event) : this.conn.demonitorEvent(from, event);
    p.then(undefined, () => undefined);
  }

  /** An inbound monitor by (source, local target): the reference the node filed it under. */
  monitorRef(source: Pid, target: LocalTarget | Atom, make: () => Ref): Ref | undefined {
    const key = relKey(source, target as LocalTarget);
    if (this.#inMonitors.has(key)) return undefined;
    const ref = make();
    this.#inMonitors.set(key, ref);
    return ref;
  }

  /** The reference of an inbound monitor, forgotten. */
  takeMonitorRef(source: Pid, target: LocalTarget | Atom): Ref | undefined {
    const key = relKey(source, target as LocalTarget);
    const ref = this.#inMonitors.get(key);
    this.#inMonitors.delete(key);
    return ref;
  }

  terminated(from: Pid, target: LocalTarget, reason: Term, consumers: RemoteConsumers): void {
    const error = reasonToGoError(reason);
    for (const m of consumers.monitors) this.#inMonitors.delete(relKey(m.pid, target));
    if (consumers.oneWay.length > 0 || consumers.monitors.length > 0) {
      const e = this.conn.sendTerminate(target as Pid | Alias | ProcessID | Event, error, undefined, from);
      if (e !== undefined) this.#drop(this.conn, `terminate of ${String(target)}`, e);
    }
    if (!(target instanceof Pid)) return;
    for (const peerPid of consumers.links) {
      // A two-way link we asked for as LinkPID: withdraw it, then act as the link would.
      this.unlink(target, peerPid, 'two-way');
      if (reason !== A.normal) this.sendExit(target, peerPid, reason);
    }
  }

  publish(from: Pid, message: MessageEvent, _subscribers: readonly Pid[]): Outbound {
    const o = this.#opt('normal');
    const e = this.conn.sendEvent(from, message.event.name, message.message, { ...o, timestamp: message.nanos });
    if (e === undefined) return this.conn.busy ? Outbound.Busy : Outbound.Ok;
    return this.#sendFailed(e, `publish of ${String(message.event)}`);
  }

  // ------------------------------------------------------------------ spawn and applications

  async spawn(from: Pid, request: SpawnRequest): Promise<Pid> {
    const name = request.name;
    if (!(name instanceof Atom)) throw toRuntimeError(new ErgoNetError(ErgoNetCode.Unsupported, 'Ergo spawns a name enabled with EnableSpawn, not a {Module, Function}'), 'spawn', this.node);
    let pid: Pid;
    try {
      // No LinkParent / LinkChild: Go records those on the spawning side only; the link is
      // ours to make (below), as for any two-way link to a remote pid.
      pid = await this.conn.spawn(name, {
        ParentPID: request.parent,
        ParentLeader: request.leader ?? request.parent,
        ParentEnv: toMap(request.env),
        Register: request.register,
        Args: request.args.length === 0 ? null : [...request.args],
      });
    } catch (e) {
      throw toRuntimeError(e, `spawn ${name.name} on ${this.node.name}`, this.node, ErrCode.InitFailed);
    }
    // The node records the two-way link once we resolve; the peer must tell us of the child's end.
    if (request.link === true) this.link(from, pid, 'two-way');
    return pid;
  }

  async applicationStart(_from: Pid, name: Atom, mode: ApplicationStartMode | undefined, env: Readonly<Record<string, unknown>> | undefined): Promise<void> {
    try {
      await this.conn.applicationStart(name, mode === undefined ? 0 : MODES[mode], {
        ApplicationOptions: new Gen.ApplicationOptions({ Env: toMap(env) }),
      });
    } catch (e) {
      throw toRuntimeError(e, `application start ${name.name} on ${this.node.name}`, this.node, ErrCode.ApplicationUnknown);
    }
  }

  close(reason: Term): void {
    this.conn.terminate(reason === A.normal ? undefined : new ErgoNetError(ErgoNetCode.NoConnection, `closed: ${String(reason)}`));
  }
}

/** A replayed event that did not decode into our class (a peer that registered it differently). */
function eventOf(m: unknown, event: Event): MessageEvent {
  const v = m instanceof Typed ? m.value : m;
  const o = v as { Event?: Event; Timestamp?: bigint; Message?: unknown };
  return MessageEvent.fromNanos(o.Event ?? event, o.Timestamp ?? 0n, o.Message);
}
