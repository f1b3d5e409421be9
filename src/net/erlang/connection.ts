/**
 * One distribution connection after the handshake: typed operations out (every control op,
 * from {@link DistOps}), checked messages in (to a {@link DistHandler}), ticks both ways with
 * silence detection, and a batched write path (one socket write per flush, flushed on the next
 * turn of the event loop or as soon as the batch passes `flushThreshold`), TCP_NODELAY and
 * back-pressure.
 */
import type { Duplex } from 'node:stream';
import type { Atom } from '../../term/atom.js';
import { skipReadMore } from '../read-more.js';
import { Dispatcher } from './dispatch.js';
import { DistOps } from './dist-ops.js';
import { DistReader, type ReaderLimits } from './dist-reader.js';
import { DistWriter } from './dist-writer.js';
import { DistCode, DistError } from './errors.js';
import { DFlag } from './flags.js';
import type { DistHandler } from './handler.js';

/** Read coalescing (#onData): a chunk under this many bytes holding at least that many messages. */
const COALESCE_BYTES = 16 * 1024;
const COALESCE_MESSAGES = 8;

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

export class DistConnection extends DistOps {
  readonly id = nextId++;
  readonly localCreation: number;
  readonly peerCreation: number;
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
  readonly #dispatcher: Dispatcher;
  readonly #flushThreshold: number;
  readonly #highWaterMark: number;
  readonly #tickMs: number;
  readonly #intensity: number;
  #flushScheduled = false;
  #lazyScheduled = false;
  #open = true;
  #started = false;
  #wrote = false;
  #lastRead = 0;
  #silent = 0;
  #ticker: NodeJS.Timeout | undefined;
  #drainWaiters: (() => void)[] = [];
  #resolveClosed!: (e: Error) => void;
  #paused = false;
  /** Reading held back for a moment to let a streaming peer batch its writes (see #onData). */
  #coalescing = false;
  bytesOut = 0;
  /** Free for the owner of the connection (the node's stack keeps its per-peer state here). */
  context: unknown = undefined;

  constructor(socket: Duplex, info: ConnectionInfo, handler: DistHandler, opts: ConnectionOptions = {}) {
    const f = info.flags;
    const atomCache = (f & DFlag.DIST_HDR_ATOM_CACHE) !== 0n;
    const fragments = (f & DFlag.FRAGMENTS) !== 0n;
    super(info.localNode, info.peerNode, f, new DistWriter({ atomCache, fragments, fragmentSize: opts.fragmentSize ?? 64 * 1024 }));
    this.#socket = socket;
    this.#handler = handler;
    this.localCreation = info.localCreation;
    this.peerCreation = info.peerCreation;
    this.peerFlags = info.peerFlags;
    this.initiated = info.initiated;
    this.tls = info.tls;
    this.status = info.status;
    this.visible = (f & DFlag.PUBLISHED) !== 0n;
    this.#dispatcher = new Dispatcher(this, handler, info.localNode, info.localCreation, info.peerNode);
    const d = this.#dispatcher;
    this.#reader = new DistReader(atomCache || fragments, (ctl, payload) => d.dispatch(ctl, payload), opts, (from, to, payload) => d.sendSender(from, to, payload));
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
    skipReadMore(s);
    s.on('end', () => this.close(new DistError(DistCode.Closed, 'the peer closed the connection', { node: this.node.name })));
    s.on('close', () => this.close(new DistError(DistCode.Closed, 'the connection closed', { node: this.node.name })));
    s.on('error', (e: Error) => this.close(new DistError(DistCode.Socket, `socket error: ${e.message}`, { cause: e, node: this.node.name })));
    s.on('drain', () => this.#onDrain());
    this.#ticker = setInterval(() => this.#tick(), this.#tickMs);
    this.#ticker.unref?.();
    this.#notify(() => this.#handler.connectionUp?.(this));
    if (rest && rest.length > 0) this.#onData(rest);
  }

  override get isOpen(): boolean {
    return this.#open;
  }

  /** Atom cache use: entries received and sent, new ones and references to earlier ones. */
  get cacheStats(): { in: { newEntries: number; hits: number }; out: { newEntries: number; hits: number } } {
    return { in: this.#reader.cacheStats, out: this.writer.cacheStats };
  }

  /** Bytes received and messages decoded / sent so far. */
  get stats(): { bytesIn: number; bytesOut: number; messagesIn: number; messagesOut: number; fragmentsIn: number; fragmentsOut: number } {
    const r = this.#reader;
    const w = this.writer;
    return { bytesIn: r.bytesIn, bytesOut: this.bytesOut, messagesIn: r.messagesIn, messagesOut: w.messagesOut, fragmentsIn: r.fragmentsIn, fragmentsOut: w.fragmentsOut };
  }

  /** True while more than `highWaterMark` bytes wait to be written: senders should wait for {@link drain}. */
  get needsDrain(): boolean {
    return this.#open && this.#socket.writableLength + this.writer.pending > this.#highWaterMark;
  }

  /** Resolves when the queued bytes are below the high-water mark (or the connection closed). */
  drain(): Promise<void> {
    if (!this.needsDrain) return Promise.resolve();
    return new Promise((r) => this.#drainWaiters.push(r));
  }

  /** Stop reading from the socket (inbound back-pressure); ticks still count what was read. */
  pauseReading(): void {
    if (this.#paused || !this.#open) return;
    this.#paused = true;
    this.#socket.pause();
  }

  resumeReading(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#open && !this.#coalescing) this.#socket.resume();
  }

  get readingPaused(): boolean {
    return this.#paused;
  }

  #onDrain(): void {
    if (this.needsDrain) return;
    const w = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const r of w) r();
  }

  #onData(d: Uint8Array): void {
    if (!this.#open) return;
    const before = this.#reader.messagesIn;
    const err = this.#reader.push(d);
    if (err) {
      if (!err.node) Object.defineProperty(err, 'node', { value: this.node.name });
      this.close(err);
      return;
    }
    // A peer streaming many messages writes what it has whenever its socket is writable: a
    // reader that takes every few bytes as they come keeps the peer's output queue empty, so
    // the peer makes one writev per handful of messages and runs out of CPU first (BEAM sends
    // us about 10 messages a writev that way, a BEAM reader 16). A small chunk holding many
    // messages means a stream: wait one timer turn (about 1 ms) before reading again, and
    // the peer batches. Request/response traffic (few messages a chunk) is read at once.
    if (this.#reader.messagesIn - before >= COALESCE_MESSAGES && d.length < COALESCE_BYTES && !this.#coalescing && !this.#paused) {
      this.#coalescing = true;
      this.#socket.pause();
      setTimeout(this.#endCoalescing, 0);
    }
  }

  readonly #endCoalescing = (): void => {
    this.#coalescing = false;
    if (this.#open && !this.#paused) this.#socket.resume();
  };

  // OTP dist_util: send_tick / need_to_tick. Every period: close after `intensity` periods in a
  // row with nothing read; tick if we wrote nothing, or the peer is hidden and sent nothing.
  #tick(): void {
    if (!this.#open) return;
    const read = this.#reader.bytesIn;
    const gotSome = read !== this.#lastRead;
    this.#lastRead = read;
    // While we hold reading back, the kernel buffers the peer's ticks: silence means nothing.
    if (gotSome || this.#paused) this.#silent = 0;
    else if (++this.#silent >= this.#intensity) {
      this.close(new DistError(DistCode.TickTimeout, `nothing received for ${(this.#silent * this.#tickMs) / 1000} s (net_ticktime)`, { node: this.node.name }));
      return;
    }
    if (!this.#wrote || (!this.visible && !gotSome)) {
      this.writer.tick();
      this.flush();
    }
    this.#wrote = false;
  }

  /** Write the batch now. */
  flush(): void {
    this.#flushScheduled = false;
    if (!this.#open) return;
    const batch = this.writer.take();
    if (batch === undefined) return;
    this.bytesOut += batch.length;
    this.#socket.write(batch);
  }

  // A batch goes out when the code that queued it is done (a microtask: everything a handler
  // or a burst sends shares one write, and a call's request leaves without waiting for the
  // event loop's next phase). What nobody waits on (`urgent` false: the DEMONITOR_P that ends
  // a call) waits for the loop's check phase instead, so it rides with the next request.
  protected override queued(urgent = true): void {
    this.#wrote = true;
    if (this.writer.pending >= this.#flushThreshold) this.flush();
    else if (urgent) {
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        queueMicrotask(this.#flushNow);
      }
    } else if (!this.#lazyScheduled) {
      this.#lazyScheduled = true;
      setImmediate(this.#flushLazy);
    }
  }

  readonly #flushNow = (): void => this.flush();
  readonly #flushLazy = (): void => {
    this.#lazyScheduled = false;
    this.flush();
  };

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
    this.#notify(() => this.#handler.connectionDown?.(this, why));
    this.#resolveClosed(why);
  }

  // A handler that throws must not take the socket's event handlers (and the process) down.
  #notify(f: () => void): void {
    try {
      f();
    } catch (e) {
      try {
        this.#handler.error?.(this, e);
      } catch {
        // nothing left to tell
      }
    }
  }

  override toString(): string {
    return `DistConnection(${this.localNode.name} <-> ${this.node.name})`;
  }
}
