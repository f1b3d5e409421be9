/**
 * Reads back-to-back `term_to_binary` outputs from a byte stream (a port without packet
 * framing, a file of terms). Chunks may split a term anywhere; `next()` returns `undefined`
 * until a whole term has arrived. The scanner resumes where it stopped, so a term fed in
 * many small chunks costs about what one push of it costs, and a term whose header already
 * proves it over `maxBytes` is refused before it is buffered.
 */
import type { Term } from '../../term/types.js';
import { DecodeError } from '../errors.js';
import { EtfDecoder, type DecodeOptions } from './decode.js';
import { TermScanner } from './scan.js';
import { Tag } from './tags.js';

export class EtfStreamDecoder {
  #buf = new Uint8Array(4096);
  #start = 0;
  #end = 0;
  /** Bytes returned as terms before `#start` (for error offsets in the stream). */
  #consumed = 0;
  readonly #decoder = new EtfDecoder();
  readonly #opts: DecodeOptions;
  readonly #scanner: TermScanner;

  constructor(opts: DecodeOptions = {}) {
    // Decoded binaries must not alias the buffer, which is reused for later chunks.
    this.#opts = { ...opts, versionByte: false, copyBinaries: true };
    const maxTerm = opts.maxBytes ?? 256 * 1024 * 1024;
    this.#scanner = new TermScanner(maxTerm - 1, opts.maxDepth ?? 20_000);
  }

  /** Append bytes; the chunk is copied, so the caller may reuse it. */
  push(chunk: Uint8Array): void {
    const need = this.#end + chunk.length;
    if (need > this.#buf.length) {
      const live = this.#end - this.#start;
      // Grow geometrically, or just slide the live bytes down when that makes room.
      const size = live + chunk.length > this.#buf.length >> 1 ? Math.max(this.#buf.length * 2, live + chunk.length) : this.#buf.length;
      const next = size === this.#buf.length ? this.#buf : new Uint8Array(size);
      if (next === this.#buf) next.copyWithin(0, this.#start, this.#end);
      else next.set(this.#buf.subarray(this.#start, this.#end), 0);
      this.#buf = next;
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** Bytes received and not yet returned as terms. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** The next whole term, or `undefined` if more bytes are needed. Malformed input throws. */
  next(): Term | undefined {
    const b = this.#buf;
    const s = this.#start;
    if (s >= this.#end) return undefined;
    if (b[s] !== Tag.VERSION) throw new DecodeError('ERR_ETF_BAD_VERSION', `version byte ${b[s]} is not 131`, this.#consumed, b[s]);
    if (s + 1 >= this.#end) return undefined;
    if (b[s + 1] === Tag.COMPRESSED) {
      throw new DecodeError('ERR_ETF_STREAM_COMPRESSED', 'a compressed term has no length of its own in a stream', this.#consumed + 1, Tag.COMPRESSED);
    }
    let len: number;
    try {
      len = this.#scanner.scan(b, s + 1, this.#end);
    } catch (e) {
      throw this.#shift(e, s);
    }
    if (len < 0) return undefined;
    this.#scanner.reset();
    let term: Term;
    try {
      term = this.#decoder.decodeAt(b, s + 1, this.#opts, s + 1 + len).term;
    } catch (e) {
      throw this.#shift(e, s);
    }
    if (this.#decoder.pos !== s + 1 + len) throw new DecodeError('ERR_ETF_TRAILING', 'term ends before its measured length', this.#consumed + this.#decoder.pos - s);
    this.#start = s + 1 + len;
    this.#consumed += 1 + len;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return term;
  }

  /** Errors carry offsets in the stream (bytes since the first push). */
  #shift(e: unknown, s: number): unknown {
    if (!(e instanceof DecodeError)) return e;
    return new DecodeError(e.code, e.message.replace(/ \(at offset.*\)$/, ''), this.#consumed + e.offset - s, e.tag, { cause: e });
  }
}
