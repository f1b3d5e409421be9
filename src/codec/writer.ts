/**
 * A growable byte writer for the encoders. Encoders write into one large chunk and hand out
 * views of it (`finish()`), so encoding a message costs no allocation until the chunk is full;
 * a new chunk is then started and the old one lives as long as the views into it.
 */
import { Buffer } from 'node:buffer';

const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;

/** Chunks are never read before written, so skip zero-filling them. */
function chunk(size: number): Uint8Array {
  return Buffer.allocUnsafeSlow(size);
}

export class Writer {
  buf: Uint8Array;
  view: DataView;
  /** Write position. */
  pos: number;
  /** Where the value being encoded starts. */
  start: number;
  /** Size of the next fresh chunk: grows to fit several of the largest values seen. */
  #chunkSize = MIN_CHUNK;

  constructor(size = MIN_CHUNK) {
    this.buf = chunk(size);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
    this.start = 0;
  }

  /** Make room for `n` more bytes, moving the value in progress to a new chunk if needed. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const used = this.pos - this.start;
    // Room for this value plus half again, so a growing value does not regrow at every step;
    // remember big values so later chunks hold several of them.
    const need = used + n;
    if (need * 4 > this.#chunkSize) this.#chunkSize = Math.min(MAX_CHUNK, Math.max(this.#chunkSize, need * 4));
    const size = Math.max(this.#chunkSize, need + (need >> 1));
    const next = chunk(size);
    next.set(this.buf.subarray(this.start, this.pos), 0);
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.start = 0;
    this.pos = used;
  }

  /** Begin a value: later `finish()` returns everything written since. */
  begin(): void {
    // Leave the tail of a nearly full chunk alone: a fresh one is cheaper than an early regrow.
    if (this.buf.length - this.pos < 256) {
      this.buf = chunk(this.#chunkSize);
      this.view = new DataView(this.buf.buffer);
      this.pos = 0;
    }
    this.start = this.pos;
  }

  /** A view of the bytes written since `begin()`; the writer never writes over it again. */
  finish(): Uint8Array {
    const out = this.buf.subarray(this.start, this.pos);
    // Keep the next value 8-byte aligned so DataView reads on it stay cheap.
    this.pos = (this.pos + 7) & ~7;
    if (this.pos > this.buf.length) this.pos = this.buf.length;
    this.start = this.pos;
    return out;
  }

  /** Drop everything written since `begin()` (after an encode error). */
  abort(): void {
    this.pos = this.start;
  }

  u8(v: number): void {
    if (this.pos + 1 > this.buf.length) this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    if (this.pos + 2 > this.buf.length) this.ensure(2);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
  }

  u32(v: number): void {
    if (this.pos + 4 > this.buf.length) this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }

  /** Reserve 4 bytes for a length written later with {@link patchU32}. */
  reserveU32(): number {
    if (this.pos + 4 > this.buf.length) this.ensure(4);
    const p = this.pos;
    this.pos = p + 4;
    return p - this.start;
  }

  /** Reserve 2 bytes for a length written later with {@link patchU16}. */
  reserveU16(): number {
    if (this.pos + 2 > this.buf.length) this.ensure(2);
    const p = this.pos;
    this.pos = p + 2;
    return p - this.start;
  }

  /** Write `v` at `at`, an offset relative to `start` returned by {@link reserveU16}. */
  patchU16(at: number, v: number): void {
    const b = this.buf;
    const p = this.start + at;
    b[p] = v >>> 8;
    b[p + 1] = v;
  }

  /** Write `v` at `at`, an offset relative to `start` returned by {@link reserveU32}. */
  patchU32(at: number, v: number): void {
    const b = this.buf;
    const p = this.start + at;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
  }

  f64(v: number): void {
    if (this.pos + 8 > this.buf.length) this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  /** IEEE-754 binary32, big-endian (the value is rounded as `Math.fround` does). */
  f32(v: number): void {
    if (this.pos + 4 > this.buf.length) this.ensure(4);
    this.view.setFloat32(this.pos, v);
    this.pos += 4;
  }

  /** Signed 64-bit big-endian from a bigint; the caller checks the range. */
  i64(v: bigint): void {
    if (this.pos + 8 > this.buf.length) this.ensure(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  /** Unsigned 64-bit big-endian from a bigint; the caller checks the range. */
  u64(v: bigint): void {
    if (this.pos + 8 > this.buf.length) this.ensure(8);
    this.view.setBigUint64(this.pos, v);
    this.pos += 8;
  }

  /** A 64-bit big-endian value in 0..2^32−1: a zero high word, then the low word. */
  u32as64(n: number): void {
    if (this.pos + 8 > this.buf.length) this.ensure(8);
    const b = this.buf;
    const p = this.pos;
    b[p] = 0;
    b[p + 1] = 0;
    b[p + 2] = 0;
    b[p + 3] = 0;
    b[p + 4] = n >>> 24;
    b[p + 5] = n >>> 16;
    b[p + 6] = n >>> 8;
    b[p + 7] = n;
    this.pos = p + 8;
  }

  /**
   * Two's-complement 64-bit big-endian from a safe integer `number`, without a bigint: the
   * high word is `floor(v / 2^32)` (negative for negative v), the low word the remainder.
   */
  i64n(v: number): void {
    if (this.pos + 8 > this.buf.length) this.ensure(8);
    const hi = Math.floor(v / 4294967296);
    const lo = v - hi * 4294967296;
    const b = this.buf;
    const p = this.pos;
    b[p] = hi >>> 24;
    b[p + 1] = hi >>> 16;
    b[p + 2] = hi >>> 8;
    b[p + 3] = hi;
    b[p + 4] = lo >>> 24;
    b[p + 5] = lo >>> 16;
    b[p + 6] = lo >>> 8;
    b[p + 7] = lo;
    this.pos = p + 8;
  }

  bytes(src: Uint8Array): void {
    const n = src.length;
    if (this.pos + n > this.buf.length) this.ensure(n);
    if (n < 16) {
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = src[i]!;
      this.pos = p;
    } else {
      this.buf.set(src, this.pos);
      this.pos += n;
    }
  }

  /** `n` bytes of `src` from `off` (an atom's bytes in its slab, …). */
  bytesFrom(src: Uint8Array, off: number, n: number): void {
    if (this.pos + n > this.buf.length) this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    if (n < 32) {
      for (let i = 0; i < n; i++) b[p++] = src[off + i]!;
      this.pos = p;
    } else {
      b.set(src.subarray(off, off + n), p);
      this.pos = p + n;
    }
  }

  /** Current write position relative to `start` (stable across a chunk change). */
  get offset(): number {
    return this.pos - this.start;
  }

  /**
   * UTF-8 of `s` at the current position; returns the byte count. Short ASCII is copied by a
   * plain loop; longer or non-ASCII text goes through Buffer's native writer, with worst-case
   * room reserved.
   */
  utf8(s: string): number {
    const len = s.length;
    if (this.pos + len * 3 > this.buf.length) this.ensure(len * 3);
    const b = this.buf;
    const p0 = this.pos;
    if (len < 24) {
      let p = p0;
      for (let i = 0; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          this.pos = p0;
          return this.#utf8Slow(s);
        }
        b[p++] = c;
      }
      this.pos = p;
      return len;
    }
    return this.#utf8Slow(s);
  }

  #utf8Slow(s: string): number {
    // Chunks come from Buffer.allocUnsafeSlow, so the native writer is always there.
    const n = (this.buf as Buffer).write(s, this.pos);
    this.pos += n;
    return n;
  }
}
