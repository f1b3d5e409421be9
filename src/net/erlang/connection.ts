/**
 * One distribution connection after the handshake: typed operations out (every control op),
 * checked messages in (to a {@link DistHandler}), ticks both ways with silence detection, and
 * a batched write path (one socket write per flush, flushed on the next turn of the event loop
 * or as soon as the batch passes `flushThreshold`), TCP_NODELAY and back-pressure.
 *
 * Signals are fire-and-forget, as in Erlang: an operation returns `false` only when the
 * connection is already closed. Giving it a sender that is not a pid of our node, or a target
 * that is not of the peer's, is a programming error and throws DistError ERR_DIST_FOREIGN_PID
 * (OTP would drop the whole connection on such a message).
 */
import type { Duplex } from 'node:stream';
import { Atom } from '../../term/atom.js';
import { Pid, Ref } from '../../term/ids.js';
import { Tuple, type Term } from '../../term/types.js';
import { Dispatcher } from './dispatch.js';
import { DistReader, type ReaderLimits } from './dist-reader.js';
import { DistWriter } from './dist-writer.js';
import { AltactFlag, Dop } from './dop.js';
import { DistCode, DistError } from './errors.js';
import { DFlag } from './flags.js';
import type { DistHandler } from './handler.js';

export interface ConnectionOptions extends Partial<ReaderLimits> {
  /** Seconds; the peer is dropped after this long without a byte (OTP net_ticktime, default 60). */
  netTicktime?: number;
  /** Ticks per net_ticktime (OTP net_tickintensity, 4..1000, default 4). */
  tickIntensity?: number;
  /** Payload bytes per outgoing fragment (default 64 KiB). */
  fragmentSize?: number;
  /** Flush the batch at once when it reaches this many bytes (default 64 KiB). */
  flushThreshold?: number;
  /** `needsDrain` turns true past this many bytes queued in the socket (default 4 MiB). */
  highWaterMark?: number;
}

export interface ConnectionInfo {
  localNode: Atom;
  localCreation: number;
  peerNode: Atom;
  peerCreation: number;
  /** Negotiated flags (ours AND the peer's). */
  flags: bigint;
  /** What the peer offered. */
  peerFlags: bigint;
  /** True when we dialled. */
  initiated: boolean;
  tls: boolean;
  /** The handshake status (ok, ok_simultaneous, alive, named). */
  status: 'ok' | 'ok_simultaneous' | 'alive' | 'named';
}

let nextId = 1;

export class DistConnection {
  readonly id = nextId++;
  readonly localNode: Atom;
  readonly localCreation: number;
  /** The peer's node name. */
  readonly node: Atom;
  readonly peerCreation: number;
  readonly flags: bigint;
  readonly peerFlags: bigint;
  readonly initiated: boolean;
  readonly tls: boolean;
  /** How the handshake went: ok, ok_simultaneous, alive (an old connection was replaced), named. */
  readonly status: ConnectionInfo['status'];
  /** PUBLISHED negotiated: the peer sees us in nodes() (and we it). */
  readonly visible: boolean;
  /** Resolves with the reason once the connection is closed. */
  readonly closed: Promise<Error>;

  readonly #socket: Duplex;
  readonly #handler: DistHandler;
  readonly #reader: DistReader;
  readonly #writer: DistWriter;
  readonly #dispatcher: Dispatcher;
  readonly #sendSender: boolean;
  readonly #exitPayload: boolean;
  readonly #altact: boolean;
  readonly #alias: boolean;
  readonly #flushThreshold: number;
  readonly #highWaterMark: number;
  readonly #tickMs: number;
  readonly #intensity: number;
  #flushScheduled = false;
  #open = true;
  #started = false;
  #wrote = false;
  #lastRead = 0;
  #silent = 0;
  #ticker: NodeJS.Timeout | undefined;
  #drainWaiters: (() => void)[] = [];
  #resolveClosed!: (e: Error) => void;
  bytesOut = 0;

  constructor(socket: Duplex, info: ConnectionInfo, handler: DistHandler, opts: ConnectionOptions = {}) {
    this.#socket = socket;
    this.#handler = handler;
    this.localNode = info.localNode;
    this.localCreation = info.localCreation;
    this.node = info.peerNode;
    this.peerCreation = info.peerCreation;
    this.flags = info.flags;
    this.peerFlags = info.peerFlags;
    this.initiated = info.initiated;
    this.tls = info.tls;
    this.status = info.status;
    const f = info.flags;
    this.visible = (f & DFlag.PUBLISHED) !== 0n;
    this.#sendSender = (f & DFlag.SEND_SENDER) !== 0n;
    this.#exitPayload = (f & DFlag.EXIT_PAYLOAD) !== 0n;
    this.#altact = (f & DFlag.ALTACT_SIG) !== 0n;
    this.#alias = (f & DFlag.ALIAS) !== 0n;
    const atomCache = (f & DFlag.DIST_HDR_ATOM_CACHE) !== 0n;
    const fragments = (f & DFlag.FRAGMENTS) !== 0n;
    this.#writer = new DistWriter({ atomCache, fragments, fragmentSize: opts.fragmentSize ?? 64 * 1024 });
    this.#dispatcher = new Dispatcher(this, handler, info.localNode, info.localCreation, info.peerNode);
    this.#reader = new DistReader(atomCache || fragments, (ctl, payload) => this.#dispatcher.dispatch(ctl, payload), opts);
    this.#flushThreshold = opts.flushThreshold ?? 64 * 1024;
    this.#highWaterMark = opts.highWaterMark ?? 4 * 1024 * 1024;
    const ticktime = opts.netTicktime ?? 60;
    this.#intensity = Math.min(1000, Math.max(4, Math.floor(opts.tickIntensity ?? 4)));
    this.#tickMs = Math.max(10, (ticktime * 1000) / this.#intensity);
    this.closed = new Promise((r) => (this.#resolveClosed = r));
  }

  /** Start reading (with the bytes that came after the handshake) and ticking. */
  start(rest?: Uint8Array): void {
    if (this.#started) return;
    this.#started = true;
    const s = this.#socket as Duplex & { setNoDelay?: (v: boolean) => void };
    s.setNoDelay?.(true);
    s.on('data', (d: Buffer) => this.#onData(d));
    s.on('end', () => this.close(new DistError(DistCode.Closed, 'the peer closed the connection', { node: this.node.name })));
    s.on('close', () => this.close(new DistError(DistCode.Closed, 'the connection closed', { node: this.node.name })));
    s.on('error', (e: Error) => this.close(new DistError(DistCode.Socket, `socket error: ${e.message}`, { cause: e, node: this.node.name })));
    s.on('drain', () => this.#onDrain());
    this.#ticker = setInterval(() => this.#tick(), this.#tickMs);
    this.#ticker.unref?.();
    this.#handler.connectionUp?.(this);
    if (rest && rest.length > 0) this.#onData(rest);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Atom cache use: entries received and sent, new ones and references to earlier ones. */
  get cacheStats(): { in: { newEntries: number; hits: number }; out: { newEntries: number; hits: number } } {
    return { in: this.#reader.cacheStats, out: this.#writer.cacheStats };
  }

  /** Bytes received and messages decoded / sent so far. */
  get stats(): { bytesIn: number; bytesOut: number; messagesIn: number; messagesOut: number; fragmentsIn: number; fragmentsOut: number } {
    const r = this.#reader;
    const w = this.#writer;
    return { bytesIn: r.bytesIn, bytesOut: this.bytesOut, messagesIn: r.messagesIn, messagesOut: w.messagesOut, fragmentsIn: r.fragmentsIn, fragmentsOut: w.fragmentsOut };
  }

  /** True while more than `highWaterMark` bytes wait to be written: senders should wait for {@link drain}. */
  get needsDrain(): boolean {
    return this.#open && this.#socket.writableLength + this.#writer.pending > this.#highWaterMark;
  }

  /** Resolves when the queued bytes are below the high-water mark (or the connection closed). */
  drain(): Promise<void> {
    if (!this.needsDrain) return Promise.resolve();
    return new Promise((r) => this.#drainWaiters.push(r));
  }

  #onDrain(): void {
    if (this.needsDrain) return;
    const w = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const r of w) r();
  }

  #onData(d: Uint8Array): void {
    if (!this.#open) return;
    const err = this.#reader.push(d);
    if (err) {
      if (!err.node) Object.defineProperty(err, 'node', { value: this.node.name });
      this.close(err);
    }
  }

  // OTP dist_util: send_tick / need_to_tick. Every period: close after `intensity` periods in a
  // row with nothing read; tick if we wrote nothing, or the peer is hidden and sent nothing.
  #tick(): void {
    if (!this.#open) return;
    const read = this.#reader.bytesIn;
    const gotSome = read !== this.#lastRead;
    this.#lastRead = read;
    if (gotSome) this.#silent = 0;
    else if (++this.#silent >= this.#intensity) {
      this.close(new DistError(DistCode.TickTimeout, `nothing received for ${(this.#silent * this.#tickMs) / 1000} s (net_ticktime)`, { node: this.node.name }));
      return;
    }
    if (!this.#wrote || (!this.visible && !gotSome)) {
      this.#writer.tick();
      this.flush();
    }
    this.#wrote = false;
  }

  /** Write the batch now. */
  flush(): void {
    this.#flushScheduled = false;
    if (!this.#open) return;
    const batch = this.#writer.take();
    if (batch === undefined) return;
    this.bytesOut += batch.length;
    this.#socket.write(batch);
  }

  #queued(): void {
    this.#wrote = true;
    if (this.#writer.pending >= this.#flushThreshold) this.flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flushNow);
    }
  }

  readonly #flushNow = (): void => this.flush();

  /** Close with `reason` (default: ERR_DIST_SHUTDOWN). Pending output is flushed first. */
  close(reason?: Error): void {
    if (!this.#open) return;
    const why = reason ?? new DistError(DistCode.Shutdown, 'connection closed by this node', { node: this.node.name });
    this.flush();
    this.#open = false;
    if (this.#ticker) clearInterval(this.#ticker);
    if (reason === undefined) {
      // Let what is queued reach the peer, but never wait on it for long.
      this.#socket.end();
      setTimeout(() => this.#socket.destroy(), 2000).unref?.();
    } else this.#socket.destroy();
    for (const r of this.#drainWaiters.splice(0)) r();
    try {
      this.#handler.connectionDown?.(this, why);
    } finally {
      this.#resolveClosed(why);
    }
  }

  // ------------------------------------------------------------ checks

  #fromLocal(p: Pid): void {
    if (p.node !== this.localNode) throw new DistError(DistCode.ForeignPid, `sender ${p} is not a pid of this node`, { node: this.node.name });
  }

  #toPeer(p: Pid | Ref): void {
    if (p.node !== this.node) throw new DistError(DistCode.ForeignPid, `target ${p} is not of node ${this.node.name}`, { node: this.node.name });
  }

  #fail(e: unknown): never {
    this.#writer.abort();
    throw e;
  }

  // ------------------------------------------------------------ messages

  /** A message to a pid: SEND_SENDER when negotiated (else SEND), the _TT form with a token. */
  send(from: Pid, to: Pid, msg: Term, token?: Term): boolean {
    if (!this.#open) return false;
    this.#fromLocal(from);
    this.#toPeer(to);
    const w = this.#writer;
    try {
      const tt = token !== undefined;
      if (this.#sendSender) {
        w.begin(tt ? Dop.SEND_SENDER_TT : Dop.SEND_SENDER, tt ? 4 : 3);
        w.pid(from);
      } else {
        w.begin(tt ? Dop.SEND_TT : Dop.SEND, tt ? 4 : 3);
        w.atom(EMPTY);
      }
      w.pid(to);
      if (tt) w.term(token);
      w.end(msg);
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  /** A message to a registered name on the peer: REG_SEND (REG_SEND_TT). */
  regSend(from: Pid, to: Atom, msg: Term, token?: Term): boolean {
    if (!this.#open) return false;
    this.#fromLocal(from);
    const w = this.#writer;
    try {
      const tt = token !== undefined;
      w.begin(tt ? Dop.REG_SEND_TT : Dop.REG_SEND, tt ? 5 : 4);
      w.pid(from);
      w.atom(EMPTY);
      w.atom(to);
      if (tt) w.term(token);
      w.end(msg);
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  /**
   * A message to an alias: ALTACT_SIG_SEND with the ALIAS flag when the peer set ALTACT_SIG
   * (OTP 28+), else ALIAS_SEND (OTP 24–29). Without either the peer cannot take it: false.
   */
  aliasSend(from: Pid, alias: Ref, msg: Term, token?: Term): boolean {
    if (this.#altact) return this.altactSend(AltactFlag.ALIAS, from, alias, msg, token);
    if (!this.#open || !this.#alias) return false;
    this.#fromLocal(from);
    this.#toPeer(alias);
    const w = this.#writer;
    try {
      const tt = token !== undefined;
      w.begin(tt ? Dop.ALIAS_SEND_TT : Dop.ALIAS_SEND, tt ? 4 : 3);
      w.pid(from);
      w.ref(alias);
      if (tt) w.term(token);
      w.end(msg);
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  /**
   * ALTACT_SIG_SEND (op 37, OTP 28+) as is: `flags` of {@link AltactFlag} (PRIO, ALIAS, NAME,
   * EXIT; TOKEN is set from `token`), `to` a pid, an alias or a name to match. The payload is
   * the message, or the exit reason with EXIT. False if the peer did not set ALTACT_SIG.
   */
  altactSend(flags: number, from: Pid, to: Pid | Ref | Atom, payload: Term, token?: Term): boolean {
    if (!this.#open || !this.#altact) return false;
    this.#fromLocal(from);
    if (!(to instanceof Atom)) this.#toPeer(to);
    const tt = token !== undefined;
    const fs = (flags & ~AltactFlag.TOKEN) | (tt ? AltactFlag.TOKEN : 0);
    const w = this.#writer;
    try {
      w.begin(Dop.ALTACT_SIG_SEND, tt ? 5 : 4);
      w.int(fs);
      w.pid(from);
      if (to instanceof Pid) w.pid(to);
      else if (to instanceof Ref) w.ref(to);
      else w.atom(to);
      if (tt) w.term(token);
      w.end(payload);
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  // ------------------------------------------------------------ links

  /** LINK. */
  link(from: Pid, to: Pid): boolean {
    return this.#pair(Dop.LINK, from, to);
  }

  /** UNLINK_ID (the new link protocol; the obsolete UNLINK is never sent). `id` ≠ 0. */
  unlinkId(id: number | bigint, from: Pid, to: Pid): boolean {
    if (id === 0 || id === 0n) throw new DistError(DistCode.BadControl, 'unlink id 0 is invalid');
    return this.#idPair(Dop.UNLINK_ID, id, from, to);
  }

  /** UNLINK_ID_ACK: `from` acknowledges the unlink `to` sent. */
  unlinkIdAck(id: number | bigint, from: Pid, to: Pid): boolean {
    return this.#idPair(Dop.UNLINK_ID_ACK, id, from, to);
  }

  /** The link exit of a local process that died: PAYLOAD_EXIT(_TT) when negotiated, else EXIT(_TT). */
  exit(from: Pid, to: Pid, reason: Term, token?: Term): boolean {
    return this.#exit(this.#exitPayload ? (token !== undefined ? Dop.PAYLOAD_EXIT_TT : Dop.PAYLOAD_EXIT) : token !== undefined ? Dop.EXIT_TT : Dop.EXIT, from, to, reason, token);
  }

  /**
   * `exit/2`: PAYLOAD_EXIT2(_TT) or EXIT2(_TT); to an alias, or as a priority signal, through
   * ALTACT_SIG_SEND with EXIT (OTP 28+; false if the peer lacks it).
   */
  exit2(from: Pid, to: Pid | Ref, reason: Term, opts?: { token?: Term; prio?: boolean }): boolean {
    if (to instanceof Ref || opts?.prio) {
      return this.altactSend(AltactFlag.EXIT | (to instanceof Ref ? AltactFlag.ALIAS : 0) | (opts?.prio ? AltactFlag.PRIO : 0), from, to, reason, opts?.token);
    }
    const token = opts?.token;
    return this.#exit(this.#exitPayload ? (token !== undefined ? Dop.PAYLOAD_EXIT2_TT : Dop.PAYLOAD_EXIT2) : token !== undefined ? Dop.EXIT2_TT : Dop.EXIT2, from, to, reason, token);
  }

  #exit(op: number, from: Pid, to: Pid, reason: Term, token: Term | undefined): boolean {
    if (!this.#open) return false;
    this.#fromLocal(from);
    this.#toPeer(to);
    const payloadForm = op === Dop.PAYLOAD_EXIT || op === Dop.PAYLOAD_EXIT_TT || op === Dop.PAYLOAD_EXIT2 || op === Dop.PAYLOAD_EXIT2_TT;
    const tt = token !== undefined;
    const w = this.#writer;
    try {
      w.begin(op, 3 + (tt ? 1 : 0) + (payloadForm ? 0 : 1));
      w.pid(from);
      w.pid(to);
      if (tt) w.term(token);
      if (payloadForm) w.end(reason);
      else {
        w.term(reason);
        w.end();
      }
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  // ------------------------------------------------------------ monitors

  /** MONITOR_P on a pid, or on a name registered on the peer. */
  monitor(from: Pid, to: Pid | Atom, ref: Ref): boolean {
    return this.#monitorOp(Dop.MONITOR_P, from, to, ref);
  }

  /** DEMONITOR_P. */
  demonitor(from: Pid, to: Pid | Atom, ref: Ref): boolean {
    return this.#monitorOp(Dop.DEMONITOR_P, from, to, ref);
  }

  /**
   * A monitor the peer's process `to` holds on our `from` fired: PAYLOAD_MONITOR_P_EXIT when
   * negotiated, else MONITOR_P_EXIT. `from` is the name when it was monitored by name.
   */
  monitorExit(from: Pid | Atom, to: Pid, ref: Ref, reason: Term): boolean {
    if (!this.#open) return false;
    if (from instanceof Pid) this.#fromLocal(from);
    this.#toPeer(to);
    const w = this.#writer;
    try {
      w.begin(this.#exitPayload ? Dop.PAYLOAD_MONITOR_P_EXIT : Dop.MONITOR_P_EXIT, this.#exitPayload ? 4 : 5);
      if (from instanceof Pid) w.pid(from);
      else w.atom(from);
      w.pid(to);
      w.ref(ref);
      if (this.#exitPayload) w.end(reason);
      else {
        w.term(reason);
        w.end();
      }
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  #monitorOp(op: number, from: Pid, to: Pid | Atom, ref: Ref): boolean {
    if (!this.#open) return false;
    this.#fromLocal(from);
    if (to instanceof Pid) this.#toPeer(to);
    const w = this.#writer;
    try {
      w.begin(op, 4);
      w.pid(from);
      if (to instanceof Pid) w.pid(to);
      else w.atom(to);
      w.ref(ref);
      w.end();
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  /** GROUP_LEADER: `leader` (ours) becomes the group leader of the peer's process `to`. */
  groupLeader(leader: Pid, to: Pid): boolean {
    return this.#pair(Dop.GROUP_LEADER, leader, to);
  }

  #pair(op: number, from: Pid, to: Pid): boolean {
    if (!this.#open) return false;
    this.#fromLocal(from);
    this.#toPeer(to);
    const w = this.#writer;
    try {
      w.begin(op, 3);
      w.pid(from);
      w.pid(to);
      w.end();
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  #idPair(op: number, id: number | bigint, from: Pid, to: Pid): boolean {
    if (!this.#open) return false;
    this.#fromLocal(from);
    this.#toPeer(to);
    const w = this.#writer;
    try {
      w.begin(op, 4);
      w.int(id);
      w.pid(from);
      w.pid(to);
      w.end();
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  // ------------------------------------------------------------ spawn

  /**
   * SPAWN_REQUEST (SPAWN_REQUEST_TT): spawn `module:fn(args…)` on the peer; put `link` and/or
   * `monitor` in `options` to have them set up (the reply's flags say which were).
   */
  spawnRequest(req: {
    reqId: Ref;
    from: Pid;
    groupLeader: Pid;
    module: Atom;
    fn: Atom;
    args: readonly Term[];
    options?: readonly Term[];
    token?: Term;
  }): boolean {
    if (!this.#open) return false;
    this.#fromLocal(req.from);
    const tt = req.token !== undefined;
    const w = this.#writer;
    try {
      w.begin(tt ? Dop.SPAWN_REQUEST_TT : Dop.SPAWN_REQUEST, tt ? 7 : 6);
      w.ref(req.reqId);
      w.pid(req.from);
      w.pid(req.groupLeader);
      w.term(new Tuple([req.module, req.fn, req.args.length]));
      w.term(req.options ?? []);
      if (tt) w.term(req.token!);
      w.end(req.args);
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  /** SPAWN_REPLY (SPAWN_REPLY_TT): `result` the new pid or an error atom; `flags` SpawnFlag bits. */
  spawnReply(reqId: Ref, to: Pid, flags: number, result: Pid | Atom, token?: Term): boolean {
    if (!this.#open) return false;
    this.#toPeer(to);
    if (result instanceof Pid) this.#fromLocal(result);
    const tt = token !== undefined;
    const w = this.#writer;
    try {
      w.begin(tt ? Dop.SPAWN_REPLY_TT : Dop.SPAWN_REPLY, tt ? 6 : 5);
      w.ref(reqId);
      w.pid(to);
      w.int(flags);
      w.term(result);
      if (tt) w.term(token);
      w.end();
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  /** Any control tuple and payload, as given (for tests and for ops added later). */
  sendRaw(control: Tuple, payload?: Term): boolean {
    if (!this.#open) return false;
    const el = control.elements;
    const w = this.#writer;
    try {
      w.begin(el[0] as number, el.length);
      for (let i = 1; i < el.length; i++) w.term(el[i]!);
      w.end(payload);
    } catch (e) {
      this.#fail(e);
    }
    this.#queued();
    return true;
  }

  toString(): string {
    return `DistConnection(${this.localNode.name} <-> ${this.node.name})`;
  }
}

const EMPTY = Atom.of('');
