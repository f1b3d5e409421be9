/**
 * One TCP (or TLS) link of an ENP connection.
 *
 * Reading: chunks are split into frames in place; a frame that arrives whole is handed over as
 * a view of the chunk (no copy), one that spans chunks is assembled once into a buffer of its
 * exact length. Every length is checked (≥ 8, ≤ our MaxMessageSize) before anything waits for
 * it. Frames of one link are delivered strictly in arrival order.
 *
 * Writing: frames are encoded straight into one growable batch buffer (the link's Writer);
 * the batch goes to the socket as one write at the end of the current job (microtask) or as
 * soon as it passes `batchBytes`. `queued` (unflushed + the socket's own buffer) is what the
 * connection compares with its limit for back-pressure.
 */
import type { Socket } from 'node:net';
import { EdfEncoder } from '../../codec/edf/index.js';
import { Writer } from '../../codec/writer.js';
import { skipReadMore } from '../read-more.js';
import { Defaults, Enp } from './constants.js';
import { ErgoNetCode, ErgoNetError, FrameError, HandshakeError } from './errors.js';
import type { Pid } from '../../term/ids.js';
import type { EnpEncodeContext } from './frames.js';
import type { HandshakeIO } from './handshake.js';
import { handshakeFrameLength } from './handshake.js';

export interface LinkOptions {
  /** Our MaxMessageSize (0 = none): a longer frame closes the link (ergo connection.go read). */
  maxMessageSize: number;
  /** Flush a batch once it holds this many bytes (default 64 KiB). */
  batchBytes?: number;
  /** Raw bytes seen on this link, for recording transcripts. */
  tap?: (dir: 'in' | 'out', bytes: Uint8Array) => void;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

const ignore = (): void => {};

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export class Link {
  readonly socket: Socket;
  readonly w: Writer;
  readonly enc: EdfEncoder;
  /** The encoder context frames are written with (set by the connection: writer, encoder, our tables). */
  ctx: EnpEncodeContext;
  /**
   * Set by the connection: one whole frame, `buf[start..end)` (valid only during the call; the
   * frame is not copied out of the chunk it arrived in).
   */
  onFrame: (buf: Uint8Array, start: number, end: number, link: Link) => void = () => {};
  /** Set by the connection: the link is gone (err undefined = orderly close). */
  onClose: (link: Link, err: ErgoNetError | undefined) => void = () => {};
  /** Set by the connection: the socket drained its write buffer. */
  onDrain: (link: Link) => void = () => {};

  readonly #max: number;
  readonly #batchBytes: number;
  readonly #tap: LinkOptions['tap'];
  #batch = false;
  #flushQueued = false;
  #parts: Uint8Array[] = [];
  #partsLen = 0;
  /** Length of the frame being assembled from #parts; 0 until its header is known. */
  #want = 0;
  #closed = false;
  #closeErr: ErgoNetError | undefined;
  /** Reading is paused (inbound back-pressure); `#held` keeps the bytes not yet handled. */
  #paused = false;
  #held: Uint8Array | undefined;
  /** Bytes received in ENP mode (tail included). */
  bytesIn = 0;
  /** The connection's decode caches: the last sender and target pid seen on this link. */
  lastFrom: Pid | undefined = undefined;
  lastTo: Pid | undefined = undefined;
  /** Made by re-dialing a dropped link (the connection does not re-dial it again if it dies unused). */
  rejoined = false;
  readonly #flushNow = (): void => {
    this.#flushQueued = false;
    this.flush();
  };

  constructor(socket: Socket, o: LinkOptions) {
    this.socket = socket;
    this.w = new Writer(64 * 1024);
    this.enc = new EdfEncoder(this.w);
    this.ctx = { w: this.w, enc: this.enc, edf: {} };
    this.#max = o.maxMessageSize > 0 ? o.maxMessageSize : 0xffffffff;
    this.#batchBytes = o.batchBytes ?? 64 * 1024;
    this.#tap = o.tap;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Start reading; `tail` is what arrived after the handshake. */
  start(tail: Uint8Array): void {
    const s = this.socket;
    s.setNoDelay(true);
    s.setKeepAlive(true, Defaults.KEEPALIVE_MS);
    s.on('data', (d: Uint8Array) => this.#onData(d));
    skipReadMore(s);
    s.on('drain', () => this.onDrain(this));
    s.on('error', (e: Error) => this.#fail(new ErgoNetError(ErgoNetCode.LinkClosed, `link error: ${e.message}`, { cause: e })));
    s.on('close', () => this.#fail(this.#closeErr));
    if (tail.length > 0) this.#onData(tail);
    if (!this.#paused) s.resume();
  }

  // ---------------------------------------------------------------------------------------
  // Reading

  #onData(d: Uint8Array): void {
    if (this.#closed) return;
    this.#tap?.('in', d);
    this.bytesIn += d.length;
    if (this.#paused) {
      // A chunk the socket had already read when we paused: keep it for resume().
      this.#hold(d);
      return;
    }
    this.#handle(d);
  }

  /** Split `d` into frames and deliver them, stopping (and holding the rest) if paused. */
  #handle(d: Uint8Array): void {
    let p = 0;
    if (this.#partsLen > 0) {
      p = this.#assemble(d);
      if (p < 0) return;
    }
    const n = d.length;
    while (n - p >= Enp.HEADER) {
      const len = this.#frameLength(d, p);
      if (len < 0) return;
      if (n - p < len) break;
      if (!this.#deliver(d, p, p + len)) return;
      p += len;
      if (this.#paused) {
        if (p < n) this.#hold(d.subarray(p));
        return;
      }
    }
    if (p < n) {
      const rest = d.subarray(p);
      this.#parts = [rest];
      this.#partsLen = rest.length;
      // With a whole header the length was checked in the loop above.
      this.#want = rest.length >= Enp.HEADER ? u32(rest, 2) : 0;
    }
  }

  /** Feed `d` into the frame being assembled; returns where the rest of `d` starts, or -1. */
  #assemble(d: Uint8Array): number {
    let p = 0;
    if (this.#want === 0) {
      const missing = Enp.HEADER - this.#partsLen;
      if (d.length < missing) {
        this.#parts.push(d);
        this.#partsLen += d.length;
        return -1;
      }
      const head = concat([...this.#parts, d.subarray(0, missing)], Enp.HEADER);
      const len = this.#frameLength(head, 0);
      if (len < 0) return -1;
      this.#want = len;
    }
    const missing = this.#want - this.#partsLen;
    if (d.length < missing) {
      this.#parts.push(d);
      this.#partsLen += d.length;
      return -1;
    }
    this.#parts.push(d.subarray(0, missing));
    const frame = concat(this.#parts, this.#want);
    this.#parts = [];
    this.#partsLen = 0;
    this.#want = 0;
    p = missing;
    if (!this.#deliver(frame, 0, frame.length)) return -1;
    if (this.#paused) {
      if (p < d.length) this.#hold(d.subarray(p));
      return -1;
    }
    return p;
  }

  #hold(d: Uint8Array): void {
    // Socket chunks are never reused by Node, so a view of one stays valid.
    this.#held = this.#held === undefined ? d : concat([this.#held, d], this.#held.length + d.length);
  }

  /**
   * Stop handling frames after the current one until {@link resume} (a local process is past
   * its backlog mark): the socket stops reading, so TCP pushes back on the peer.
   */
  pause(): void {
    if (this.#paused || this.#closed) return;
    this.#paused = true;
    this.socket.pause();
  }

  /** Handle what was held back, then read again. */
  resume(): void {
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) this.#handle(held);
    if (!this.#paused && !this.#closed) this.socket.resume();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** The frame length at `p`, or -1 after closing the link for a bad header. */
  #frameLength(b: Uint8Array, p: number): number {
    if (b[p] !== Enp.MAGIC) return this.#bad(new FrameError(ErgoNetCode.BadMagic, `bad magic ${b[p]}`, 0));
    if (b[p + 1] !== Enp.VERSION) return this.#bad(new FrameError(ErgoNetCode.BadVersion, `bad version ${b[p + 1]}`, 1));
    const len = u32(b, p + 2);
    if (len < Enp.HEADER + 1) return this.#bad(new FrameError(ErgoNetCode.BadLength, `length ${len} below the header`, 2, b[p + 7]));
    if (len > this.#max) return this.#bad(new FrameError(ErgoNetCode.FrameTooLarge, `frame of ${len} bytes over our limit ${this.#max}`, 2, b[p + 7]));
    return len;
  }

  #bad(e: ErgoNetError): -1 {
    this.close(e);
    return -1;
  }

  #deliver(buf: Uint8Array, start: number, end: number): boolean {
    this.onFrame(buf, start, end, this);
    return !this.#closed;
  }

  // ---------------------------------------------------------------------------------------
  // Writing

  /** Open the batch if needed; call before writing a frame into `w`. */
  open(): void {
    if (!this.#batch) {
      this.w.begin();
      this.#batch = true;
    }
  }

  /** A frame was appended to the batch: flush now if it is big, else at the end of this job. */
  wrote(): void {
    if (this.w.pos - this.w.start >= this.#batchBytes) this.flush();
    else if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flushNow);
    }
  }

  /** Bytes not yet on the wire: the open batch plus the socket's buffer. */
  get queued(): number {
    return (this.#batch ? this.w.pos - this.w.start : 0) + this.socket.writableLength;
  }

  flush(): void {
    if (!this.#batch) return;
    this.#batch = false;
    const bytes = this.w.finish();
    if (this.#closed || bytes.length === 0) return;
    this.#tap?.('out', bytes);
    this.socket.write(bytes);
  }

  /** Close the link; `err` is why (undefined: we chose to). Pending frames are flushed first. */
  close(err?: ErgoNetError): void {
    if (this.#closed) return;
    this.#closeErr ??= err;
    if (err === undefined) {
      this.flush();
      this.socket.end();
      // A peer that never answers the FIN must not keep the socket forever.
      setTimeout(() => this.socket.destroy(), 2000).unref();
    } else this.socket.destroy();
    this.#fail(err);
  }

  #fail(err: ErgoNetError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeErr ??= err;
    this.#parts = [];
    this.#held = undefined;
    this.onClose(this, this.#closeErr);
  }
}

/**
 * Handshake frames over a socket, before it becomes a {@link Link}: buffers what arrives and
 * hands out whole frames; `detach()` pauses the socket and returns the bytes after the last
 * frame (the first ENP bytes, if the peer was quick).
 */
export class SocketHandshakeIO implements HandshakeIO {
  readonly #s: Socket;
  #buf: Uint8Array = new Uint8Array(0);
  #wait: { step: string; resolve: (f: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  #ended: Error | undefined;
  readonly #tap: LinkOptions['tap'];
  readonly #onData = (d: Uint8Array): void => {
    this.#tap?.('in', d);
    this.#buf = this.#buf.length === 0 ? d : concat([this.#buf, d], this.#buf.length + d.length);
    if (this.#buf.length > 2 * 65542) return this.#end(new HandshakeError(ErgoNetCode.FrameTooLarge, 'peer sent too much during the handshake', this.#wait?.step ?? 'read'));
    this.#pump();
  };
  readonly #onClose = (): void => this.#end(new HandshakeError(ErgoNetCode.LinkClosed, 'connection closed by peer', this.#wait?.step ?? 'read'));
  readonly #onError = (e: Error): void => this.#end(new HandshakeError(ErgoNetCode.LinkClosed, `socket error: ${e.message}`, this.#wait?.step ?? 'read', undefined, { cause: e }));

  constructor(socket: Socket, tap?: LinkOptions['tap']) {
    this.#s = socket;
    this.#tap = tap;
    socket.on('data', this.#onData);
    socket.on('close', this.#onClose);
    socket.on('end', this.#onClose);
    socket.on('error', this.#onError);
  }

  write(frame: Uint8Array): void {
    this.#tap?.('out', frame);
    this.#s.write(frame);
  }

  read(timeoutMs: number, step: string): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (this.#ended) return reject(this.#ended);
      const timer = setTimeout(() => {
        this.#wait = undefined;
        reject(new HandshakeError(ErgoNetCode.HandshakeTimeout, `no answer in ${timeoutMs} ms`, step));
      }, timeoutMs);
      this.#wait = { step, resolve, reject, timer };
      this.#pump();
    });
  }

  #pump(): void {
    const w = this.#wait;
    if (!w) return;
    let len: number;
    try {
      len = handshakeFrameLength(this.#buf, w.step);
    } catch (e) {
      return this.#end(e as Error);
    }
    if (len === 0) return;
    const frame = this.#buf.subarray(0, len);
    this.#buf = this.#buf.subarray(len);
    clearTimeout(w.timer);
    this.#wait = undefined;
    w.resolve(frame);
  }

  #end(e: Error): void {
    this.#ended ??= e;
    const w = this.#wait;
    if (w) {
      clearTimeout(w.timer);
      this.#wait = undefined;
      w.reject(e);
    }
  }

  /** Stop listening (the socket is paused) and return the bytes not yet consumed. */
  detach(): Uint8Array {
    const s = this.#s;
    s.pause();
    // Until the Link takes over, an error must not go unhandled (it would crash the process).
    s.on('error', ignore);
    s.off('data', this.#onData);
    s.off('close', this.#onClose);
    s.off('end', this.#onClose);
    s.off('error', this.#onError);
    if (this.#wait) clearTimeout(this.#wait.timer);
    return this.#buf;
  }
}
