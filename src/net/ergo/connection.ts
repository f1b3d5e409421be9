/**
 * An ENP connection to one peer node: a pool of links (ergo net/proto/connection.go), the
 * outbound operations as typed methods, inbound frames dispatched to an {@link ErgoInbound}.
 *
 * Ordering: a sender's frames go on the link `order % pool` where `order` derives from the
 * sender's pid (Go: from.ID % 255), so one sender's frames stay in order on one link; byte 6
 * tells a Go receiver which decode queue to use (target-derived, never 0 where Go would use
 * 0 for a PID-addressed frame, so Go cannot reorder them). Every frame of one link is handled
 * here in arrival order (frame-reader.ts reads them; control-requests.ts builds the requests
 * that wait for a MessageResult).
 *
 * Errors: async sends return an {@link ErgoNetError} or `undefined` (no throw, no allocation
 * on success); requests that wait for the peer (link, monitor, spawn, important sends) return
 * promises that reject with an ErgoNetError (a {@link RemoteError} when the peer said no).
 */
import type { Socket } from 'node:net';
import { EncodeError } from '../../codec/errors.js';
import { Gen, Proto, type EdfError, type EdfEncodeOptions, type NetworkFlags } from '../../codec/edf/index.js';
import { Atom } from '../../term/atom.js';
import { Alias, Pid, Ref, type Creation } from '../../term/ids.js';
import { Event, ProcessID } from '../../term/names.js';
import { compressFrame, compressionId, type CompressionLevel } from './compress.js';
import { Defaults, EnpFlag, EnpType, type CompressionType, type Priority } from './constants.js';
import { ErgoNetCode, ErgoNetError, RemoteError } from './errors.js';
import { wrapCompressed, writeAny, writeEvent, writeExit, writeRequest, writeResponse, writeResponseError, writeSend, writeTerminate } from './frames.js';
import type { HandshakeResult, LocalNode } from './handshake.js';
import type { ErgoInbound, EventMessage, LocalTarget, SpawnOptions, ApplicationStartOptions } from './inbound.js';
import { Link, type LinkOptions } from './link.js';
import { aliasMod255, mod255 } from './order.js';
import { PendingRequests, type Answer } from './pending.js';
import { FrameReader } from './frame-reader.js';
import { relation, remoteApplicationStart, remoteSpawn, subscribe, unsubscribe } from './control-requests.js';

/** How one message goes out. */
export interface SendOptions {
  priority?: Priority;
  /** Calls: ask the peer to report a routing failure at once (needs the peer's ImportantDelivery). */
  important?: boolean;
  /** Compress frames over `threshold` bytes (header included), as a Go process with SetCompression. */
  compression?: { type?: CompressionType; level?: CompressionLevel; threshold?: number };
  /** false: any link, byte 6 = 0 (Go KeepNetworkOrder=false). Default true. */
  keepOrder?: boolean;
}

export interface ConnectionOptions {
  local: LocalNode;
  handshake: HandshakeResult;
  /** Called directly for every frame (a class instance keeps its `this`). */
  inbound: ErgoInbound;
  /** Instead of `inbound.disconnected` / `inbound.linkError` (the network adds its own work). */
  hooks?: Pick<ErgoInbound, 'disconnected' | 'linkError'>;
  /** We dialed (true) or accepted (false) this connection. */
  dialer: boolean;
  /** Link/monitor/spawn/application-start/important waits (default 5 s, as Go). */
  requestTimeout?: number;
  /** A link refuses new frames while this many bytes wait for it (default 64 MiB). */
  maxQueuedBytes?: number;
  /**
   * Past this many waiting bytes on a link, {@link ErgoConnection.busy} turns true (the frame is
   * still written); `inbound.drain` follows once every link is under half of it. Default 4 MiB.
   */
  highWater?: number;
  /** A MessageZ may not inflate beyond this (default: our MaxMessageSize, else 64 MiB). */
  maxInflated?: number;
  batchBytes?: number;
  /** Makes the refs of our requests (default: a counter under our name and creation). */
  makeRef?: () => Ref;
  /** Dialer side: open a new link to `dsn` and Join it (used again when a link drops). */
  redial?: (dsn: string) => Promise<{ socket: Socket; tail: Uint8Array; tap?: LinkTap }>;
}

/** Raw bytes of one link, for recording transcripts. */
export type LinkTap = (dir: 'in' | 'out', bytes: Uint8Array) => void;

const NO_ID = 0n;

export class ErgoConnection {
  readonly peer: Atom;
  readonly peerCreation: Creation;
  readonly peerFlags: NetworkFlags;
  readonly peerMaxMessageSize: number;
  readonly id: string;
  readonly poolSize: number;
  readonly poolDSN: readonly string[];
  readonly handshake: HandshakeResult;
  readonly local: LocalNode;
  readonly dialer: boolean;

  readonly #inbound: ErgoInbound;
  readonly #hooks: Pick<ErgoInbound, 'disconnected' | 'linkError'>;
  readonly #links: Link[] = [];
  readonly #reader: FrameReader;
  readonly #edf: EdfEncodeOptions;
  readonly #maxQueued: number;
  readonly #highWater: number;
  readonly #linkOpts: LinkOptions;
  readonly #makeRef: () => Ref;
  readonly #redial: ConnectionOptions['redial'];
  readonly #pending: PendingRequests;
  /** This connection's own decoder (the shared one may be mid-decode when a handler decodes). */
  #rr = 0;
  #refN = 0;
  #msgN = 0n;
  #rejoining = 0;
  #busy = false;
  #down = false;
  /** The link whose frame is being handled (inbound back-pressure pauses it). */
  /** Free for the owner of the connection (the node stack keeps its wrapper here). */
  owner: unknown = undefined;

  constructor(o: ConnectionOptions) {
    const h = o.handshake;
    this.handshake = h;
    this.local = o.local;
    this.dialer = o.dialer;
    this.peer = h.peer;
    this.peerCreation = h.peerCreation;
    this.peerFlags = h.peerFlags;
    this.peerMaxMessageSize = h.peerMaxMessageSize;
    this.id = h.connectionId;
    this.poolSize = h.poolSize;
    this.poolDSN = h.poolDSN;
    this.#inbound = o.inbound;
    this.#hooks = o.hooks ?? { disconnected: (c, r) => o.inbound.disconnected?.(c, r), linkError: (c, e) => o.inbound.linkError?.(c, e) };
    this.#pending = new PendingRequests(o.requestTimeout ?? Defaults.REQUEST_TIMEOUT_MS);
    this.#maxQueued = o.maxQueuedBytes ?? 64 * 1024 * 1024;
    this.#highWater = Math.min(o.highWater ?? 4 * 1024 * 1024, this.#maxQueued);
    const max = o.local.maxMessageSize;
    this.#reader = new FrameReader(this, o.inbound, {
      peer: h.peer,
      peerCreation: h.peerCreation,
      local: o.local.name,
      localCreation: o.local.creation,
      edf: { cache: h.peerCache },
      maxInflated: o.maxInflated ?? (max > 0 ? max : 64 * 1024 * 1024),
    });
    this.#edf = { cache: o.local.cache };
    this.#linkOpts = { maxMessageSize: max, batchBytes: o.batchBytes };
    const ids = [0, 0, 0, 0, 0, 0];
    this.#makeRef = o.makeRef ?? (() => new Ref(o.local.name, o.local.creation, ((ids[0] = ++this.#refN), (ids[2] = 0x45524753), ids.slice())));
    this.#redial = o.redial;
  }

  /** Links in the pool now. */
  get links(): number {
    return this.#links.length;
  }

  /** False once the connection is down. */
  get alive(): boolean {
    return !this.#down;
  }

  /** True when every link can take more frames (see `Busy`). */
  get writable(): boolean {
    for (const l of this.#links) if (l.queued > this.#maxQueued) return false;
    return true;
  }

  /**
   * True after a frame left its link past the high-water mark: the sender should wait for
   * `inbound.drain` before sending more (the frame itself was written).
   */
  get busy(): boolean {
    return this.#busy;
  }

  /** Bytes waiting to go out on all links (open batches plus the sockets' buffers). */
  get queuedBytes(): number {
    let n = 0;
    for (const l of this.#links) n += l.queued;
    return n;
  }

  /** Every link is under half the high-water mark. */
  #lowWater(): boolean {
    const low = this.#highWater / 2;
    for (const l of this.#links) if (l.queued > low) return false;
    return true;
  }

  /**
   * Stop reading the link whose frame is being handled until `until` settles (the node's
   * `drained`); frames already read wait, in order. Only valid inside an inbound callback.
   */
  pauseReading(until: Promise<void>): void {
    const link = this.#reader.current;
    if (link === undefined || link.paused) return;
    link.pause();
    const go = (): void => link.resume();
    until.then(go, go);
  }

  /** Add a link (after its handshake or Join); `tail` = bytes that followed the handshake. */
  addLink(socket: Socket, tail: Uint8Array, tap?: LinkTap, rejoined = false): boolean {
    if (this.#down || this.#links.length > this.poolSize) return false;
    const link = new Link(socket, tap ? { ...this.#linkOpts, tap } : this.#linkOpts);
    link.rejoined = rejoined;
    link.ctx = { w: link.w, enc: link.enc, edf: this.#edf };
    link.onFrame = this.#reader.onFrame;
    link.onClose = this.#onClose;
    link.onDrain = this.#onDrain;
    this.#links.push(link);
    link.start(tail);
    return true;
  }

  /** Close every link (FIN after flushing); pending requests fail with `NoConnection`. */
  terminate(reason?: ErgoNetError): void {
    if (this.#down) return;
    for (const l of this.#links.splice(0)) l.close();
    this.#goDown(reason);
  }

  // ---------------------------------------------------------------------------------------
  // Outbound: the write path

  /** The link for `order` with its batch open, or an error. */
  #begin(order: number): Link | ErgoNetError {
    const links = this.#links;
    const n = links.length;
    if (n === 0) return new ErgoNetError(ErgoNetCode.NoConnection, `no link to ${this.peer.name}`);
    const link = links[order === 0 ? ++this.#rr % n : order % n]!;
    if (link.queued > this.#maxQueued) {
      this.#busy = true;
      return new ErgoNetError(ErgoNetCode.Busy, `${link.queued} bytes wait for ${this.peer.name}`);
    }
    link.open();
    return link;
  }

  #abort(link: Link, at: number, e: unknown): ErgoNetError {
    link.w.pos = link.w.start + at;
    if (e instanceof EncodeError) return new ErgoNetError(ErgoNetCode.Encode, `cannot encode: ${e.message}`, { cause: e });
    if (e instanceof RangeError) return new ErgoNetError(ErgoNetCode.NameTooLong, e.message, { cause: e });
    throw e;
  }

  /** After a frame was written at `rel`: compress, check the peer's limit, schedule the flush. */
  #end(link: Link, rel: number, o: SendOptions | undefined): ErgoNetError | undefined {
    const w = link.w;
    let len = w.pos - (w.start + rel);
    const z = o?.compression;
    if (z !== undefined && len > Math.max(z.threshold ?? Defaults.COMPRESSION_THRESHOLD, Defaults.COMPRESSION_THRESHOLD)) {
      const type = z.type ?? 'gzip';
      const packed = compressFrame(type, w.buf.subarray(w.start + rel, w.pos), z.level ?? 0);
      wrapCompressed(w, rel, compressionId(type), len, packed);
      len = w.pos - (w.start + rel);
    }
    if (len > 0xffffffff || (this.peerMaxMessageSize > 0 && len > this.peerMaxMessageSize)) {
      w.pos = w.start + rel;
      link.wrote();
      return new ErgoNetError(ErgoNetCode.TooLarge, `frame of ${len} bytes is over ${this.peer.name}'s limit of ${this.peerMaxMessageSize}`);
    }
    link.wrote();
    if (!this.#busy && link.queued > this.#highWater) this.#busy = true;
    return undefined;
  }

  #flags(o: SendOptions | undefined, important: boolean): number | ErgoNetError {
    if (important && !this.peerFlags.EnableImportantDelivery) {
      return new ErgoNetError(ErgoNetCode.Unsupported, `${this.peer.name} does not support important delivery`);
    }
    return ((o?.priority ?? 0) & EnpFlag.PRIORITY_MASK) | (important ? EnpFlag.IMPORTANT : 0);
  }

  #targetOrder(to: Pid | Atom | Alias | ProcessID, from: Pid): number {
    // Go: to.ID % 255 for pids, alias.ID[1] % 255 for aliases, from.ID % 255 for names.
    const v = to instanceof Pid ? mod255(to) : to instanceof Alias ? aliasMod255(to) : mod255(from);
    return v === 0 ? 255 : v;
  }

  #checkTarget(to: Pid | Alias | ProcessID | Atom): ErgoNetError | Atom | Pid | Alias {
    if (to instanceof ProcessID) return to.name;
    if ((to instanceof Pid || to instanceof Alias) && to.creation !== this.peerCreation) {
      return new ErgoNetError(ErgoNetCode.Incarnation, `${String(to)} belongs to another incarnation of ${this.peer.name}`);
    }
    return to;
  }

  #send(from: Pid, to: Pid | Alias | ProcessID | Atom, message: unknown, o: SendOptions | undefined, msgId: bigint): ErgoNetError | undefined {
    const target = this.#checkTarget(to);
    if (target instanceof ErgoNetError) return target;
    const flags = this.#flags(o, msgId !== NO_ID);
    if (typeof flags !== 'number') return flags;
    const keep = o?.keepOrder !== false;
    const link = this.#begin(keep ? mod255(from) || 255 : 0);
    if (!(link instanceof Link)) return link;
    const at = link.w.pos - link.w.start;
    let rel: number;
    try {
      rel = writeSend(link.ctx, keep ? this.#targetOrder(target, from) : 0, from, target, flags, msgId, message);
    } catch (e) {
      return this.#abort(link, at, e);
    }
    return this.#end(link, rel, o);
  }

  /** Send to a pid (101), a registered name (102/103) or an alias (104) on the peer. */
  send(from: Pid, to: Pid | Alias | ProcessID | Atom, message: unknown, o?: SendOptions): ErgoNetError | undefined {
    return this.#send(from, to, message, o, NO_ID);
  }

  /**
   * Important delivery: resolves once the peer confirms the target got it; rejects with a
   * RemoteError (`unknown process`, `process mailbox is full`, …), `Unsupported` or `Timeout`.
   */
  sendImportant(from: Pid, to: Pid | Alias | ProcessID | Atom, message: unknown, o?: SendOptions): Promise<void> {
    const msgId = ++this.#msgN + (0x1000000n << 16n);
    const ref = new Ref(this.local.name, this.local.creation, [Number(msgId & 0xffffffffn), Number(msgId >> 32n), 0, 0, 0, 0]);
    const p = this.#expect(ref, 'important delivery');
    const err = this.#send(from, to, message, o, msgId);
    if (err) this.#settle(ref, err);
    return p.then(({ error }) => {
      if (error !== null) throw new RemoteError(error, `important delivery to ${String(to)}`);
    });
  }

  /** A request (121–124); the answer arrives through `inbound.response` / `responseError` with `ref`. */
  call(from: Pid, to: Pid | Alias | ProcessID | Atom, ref: Ref, message: unknown, o?: SendOptions): ErgoNetError | undefined {
    const target = this.#checkTarget(to);
    if (target instanceof ErgoNetError) return target;
    const flags = this.#flags(o, o?.important === true);
    if (typeof flags !== 'number') return flags;
    const keep = o?.keepOrder !== false;
    const link = this.#begin(keep ? mod255(from) || 255 : 0);
    if (!(link instanceof Link)) return link;
    const at = link.w.pos - link.w.start;
    let rel: number;
    try {
      rel = writeRequest(link.ctx, keep ? this.#targetOrder(target, from) : 0, from, target, flags, ref, message);
    } catch (e) {
      return this.#abort(link, at, e);
    }
    return this.#end(link, rel, o);
  }

  /** Answer a request from `to` (129). */
  sendResponse(from: Pid, to: Pid, ref: Ref, value: unknown, o?: SendOptions): ErgoNetError | undefined {
    return this.#respond(from, to, ref, value, undefined, o);
  }

  /** Fail a request from `to` (130); `DeliveryErr.*` travel as codes 1–3, anything else as text. */
  sendResponseError(from: Pid, to: Pid, ref: Ref, error: EdfError, o?: SendOptions): ErgoNetError | undefined {
    return this.#respond(from, to, ref, undefined, error, o);
  }

  #respond(from: Pid, to: Pid, ref: Ref, value: unknown, error: EdfError | undefined, o: SendOptions | undefined): ErgoNetError | undefined {
    if (to.creation !== this.peerCreation) return new ErgoNetError(ErgoNetCode.Incarnation, `${String(to)} belongs to another incarnation of ${this.peer.name}`);
    const keep = o?.keepOrder !== false;
    const link = this.#begin(keep ? mod255(from) || 255 : 0);
    if (!(link instanceof Link)) return link;
    const at = link.w.pos - link.w.start;
    const order = keep ? mod255(to) || 255 : 0;
    const prio = o?.priority ?? 0;
    let rel: number;
    try {
      const c = link.ctx;
      rel = error === undefined ? writeResponse(c, order, from, prio, to, ref, value) : writeResponseError(c, order, from, prio, to, ref, error);
    } catch (e) {
      return this.#abort(link, at, e);
    }
    return this.#end(link, rel, o);
  }

  /** An exit signal from `from` to the peer's `to` (107). */
  sendExit(from: Pid, to: Pid, reason: EdfError): ErgoNetError | undefined {
    if (to.creation !== this.peerCreation) return new ErgoNetError(ErgoNetCode.Incarnation, `${String(to)} belongs to another incarnation of ${this.peer.name}`);
    const link = this.#begin(mod255(from) || 255);
    if (!(link instanceof Link)) return link;
    const at = link.w.pos - link.w.start;
    let rel: number;
    try {
      rel = writeExit(link.ctx, mod255(to) || 255, from, 2, to, reason);
    } catch (e) {
      return this.#abort(link, at, e);
    }
    return this.#end(link, rel, undefined);
  }

  /** Publish an event of ours to the peer's subscribers (105/106): one frame per peer node. */
  sendEvent(from: Pid, event: Atom, message: unknown, o?: SendOptions & { timestamp?: bigint }): ErgoNetError | undefined {
    const keep = o?.keepOrder !== false;
    const order = keep ? mod255(from) || 255 : 0;
    const link = this.#begin(order);
    if (!(link instanceof Link)) return link;
    const at = link.w.pos - link.w.start;
    const ts = o?.timestamp ?? BigInt(Date.now()) * 1_000_000n;
    let rel: number;
    try {
      rel = writeEvent(link.ctx, order, from, o?.priority ?? 0, ts, event, message);
    } catch (e) {
      return this.#abort(link, at, e);
    }
    return this.#end(link, rel, o);
  }

  /**
   * A local target that peer processes link to or monitor is gone (181–186). Pids and aliases
   * are ours (our creation), names and events are our registered names. With `from` (the
   * process that ended or owned the target) the frame follows what it sent before: same link,
   * and its order byte instead of Go's 0, so a Go receiver keeps it behind them too.
   */
  sendTerminate(target: Pid | Alias | ProcessID | Event | Atom, reason: EdfError, kind?: 'name' | 'event', from?: Pid): ErgoNetError | undefined {
    const order = from === undefined ? 0 : mod255(from) || 255;
    const link = this.#begin(order);
    if (!(link instanceof Link)) return link;
    const at = link.w.pos - link.w.start;
    const byte6 = from === undefined ? 0 : order;
    let rel: number;
    try {
      const c = link.ctx;
      if (target instanceof Pid) rel = writeTerminate(c, 'pid', 1, target, reason, byte6);
      else if (target instanceof Alias) rel = writeTerminate(c, 'alias', 1, target, reason, byte6);
      else if (target instanceof Event) rel = writeTerminate(c, 'event', 1, target.name, reason, byte6);
      else if (target instanceof ProcessID) rel = writeTerminate(c, 'name', 1, target.name, reason, byte6);
      else rel = writeTerminate(c, kind ?? 'name', 1, target, reason, byte6);
    } catch (e) {
      return this.#abort(link, at, e);
    }
    return this.#end(link, rel, undefined);
  }

  // ---------------------------------------------------------------------------------------
  // Requests answered by MessageResult (199)

  #expect(ref: Ref, what: string): Promise<Answer> {
    return this.#pending.expect(ref, what, this.peer.name);
  }

  #settle(ref: Ref, v: Answer | ErgoNetError): boolean {
    return this.#pending.settle(ref, v);
  }

  /** @internal Send a 199 request built with `ref`; resolves with the peer's MessageResult (control-requests.ts). */
  request(what: string, order: number, byte6: number, build: (ref: Ref) => object): Promise<Answer> {
    const ref = this.#makeRef();
    const p = this.#expect(ref, what);
    const err = this.#writeAny(order, byte6, build(ref));
    if (err) this.#settle(ref, err);
    return p;
  }

  #writeAny(order: number, byte6: number, message: object): ErgoNetError | undefined {
    const link = this.#begin(order);
    if (!(link instanceof Link)) return link;
    const at = link.w.pos - link.w.start;
    let rel: number;
    try {
      rel = writeAny(link.ctx, byte6, message);
    } catch (e) {
      return this.#abort(link, at, e);
    }
    return this.#end(link, rel, undefined);
  }

  link(source: Pid, target: Pid | ProcessID | Alias): Promise<void> {
    return relation(this, 'Link', source, target);
  }
  unlink(source: Pid, target: Pid | ProcessID | Alias): Promise<void> {
    return relation(this, 'Unlink', source, target);
  }
  monitor(source: Pid, target: Pid | ProcessID | Alias): Promise<void> {
    return relation(this, 'Monitor', source, target);
  }
  demonitor(source: Pid, target: Pid | ProcessID | Alias): Promise<void> {
    return relation(this, 'Demonitor', source, target);
  }
  /** Link to an event of the peer; resolves with its buffered messages. */
  linkEvent(source: Pid, event: Event): Promise<EventMessage[]> {
    return subscribe(this, 'Link', source, event);
  }
  monitorEvent(source: Pid, event: Event): Promise<EventMessage[]> {
    return subscribe(this, 'Monitor', source, event);
  }
  unlinkEvent(source: Pid, event: Event): Promise<void> {
    return unsubscribe(this, 'Unlink', source, event);
  }
  demonitorEvent(source: Pid, event: Event): Promise<void> {
    return unsubscribe(this, 'Demonitor', source, event);
  }

  /** Our node's core process (Go: ID 1): parent and leader of what we spawn remotely by default. */
  get corePid(): Pid {
    return new Pid(this.local.name, 1, 0, this.local.creation);
  }

  /** Spawn `name` (enabled there with EnableSpawn) on the peer; resolves with the new pid. */
  spawn(name: Atom, options: ConstructorParameters<typeof Gen.ProcessOptionsExtra>[0]): Promise<Pid> {
    return remoteSpawn(this, name, options);
  }

  /** Start application `name` on the peer (`mode` 0 = as its spec says, 1 temporary, 2 transient, 3 permanent). */
  applicationStart(name: Atom, mode: number, options?: ConstructorParameters<typeof Gen.ApplicationOptionsExtra>[0]): Promise<void> {
    return remoteApplicationStart(this, name, mode, options);
  }

  /** Answer a 199 request (used by ./requests.ts). */
  reply(ref: Ref, error: EdfError | null, result: unknown, order: number, byte6: number): void {
    const err = this.#writeAny(order, byte6, new Proto.MessageResult({ Error: error, Result: result, Ref: ref }));
    if (err) this.#hooks.linkError?.(this, err);
  }

  // ---------------------------------------------------------------------------------------
  // Inbound

  /** @internal A frame was dropped or a request could not be answered. */
  reportLinkError(e: ErgoNetError): void {
    this.#hooks.linkError?.(this, e);
  }

  /** @internal Answer an important delivery (ergo handleRecvQueue: order 0, round-robin link). */
  ack(from: Pid | null, to: Pid, ref: Ref, error: EdfError | null, priority: number): void {
    const link = this.#begin(0);
    if (!(link instanceof Link)) return;
    const at = link.w.pos - link.w.start;
    try {
      writeResponseError(link.ctx, 0, from, priority, to, ref, error);
    } catch (e) {
      this.#hooks.linkError?.(this, this.#abort(link, at, e));
      return;
    }
    link.wrote();
  }

  /** @internal Hand an answer to the request or important send waiting for `ref`. */
  settle(ref: Ref, v: Answer): boolean {
    return this.#pending.settle(ref, v);
  }

  readonly #onDrain = (): void => {
    if (this.#busy && this.#lowWater()) {
      this.#busy = false;
      this.#inbound.drain?.(this);
    }
  };

  readonly #onClose = (link: Link, err: ErgoNetError | undefined): void => {
    const i = this.#links.indexOf(link);
    if (i < 0) return;
    this.#links.splice(i, 1);
    if (err) this.#hooks.linkError?.(this, err);
    if (this.#down) return;
    if (this.#links.length > 0) this.#onDrain();
    // A re-dialed link that dies before carrying anything means the peer no longer has this
    // connection (Go answers a Join first and checks it afterwards): stop re-dialing.
    if (this.dialer && this.#redial && this.poolDSN.length > 0 && !(link.rejoined && link.bytesIn === 0)) {
      this.#rejoin();
      return;
    }
    if (this.#links.length === 0) this.#goDown(err);
  };

  /** Go's dialer re-dials a dropped link once per PoolDSN entry (in random order). */
  #rejoin(): void {
    this.#rejoining++;
    const dsns = [...this.poolDSN].sort(() => Math.random() - 0.5);
    const next = async (): Promise<void> => {
      for (const dsn of dsns) {
        if (this.#down) return;
        try {
          const { socket, tail, tap } = await this.#redial!(dsn);
          if (!this.addLink(socket, tail, tap, true)) socket.destroy();
          return;
        } catch {
          // try the next address
        }
      }
    };
    void next().finally(() => {
      this.#rejoining--;
      if (!this.#down && this.#links.length === 0 && this.#rejoining === 0) this.#goDown(new ErgoNetError(ErgoNetCode.NoConnection, `lost every link to ${this.peer.name}`));
    });
  }

  #goDown(reason: ErgoNetError | undefined): void {
    if (this.#down) return;
    this.#down = true;
    const e = new ErgoNetError(ErgoNetCode.NoConnection, `connection to ${this.peer.name} is down`, reason ? { cause: reason } : undefined);
    this.#pending.failAll(e);
    this.#hooks.disconnected?.(this, reason);
  }

  /** Make a ref the way requests do (for callers that need one for `call`). */
  makeRef(): Ref {
    return this.#makeRef();
  }

  toString(): string {
    return `ErgoConnection<${this.local.name.name} ↔ ${this.peer.name}, ${this.#links.length}/${this.poolSize} links>`;
  }
}

export type { SpawnOptions, ApplicationStartOptions, LocalTarget };
