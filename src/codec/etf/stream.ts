/**
 * Reads back-to-back `term_to_binary` outputs from a byte stream (a port without packet
 * framing, a file of terms). Chunks may split a term anywhere; `next()` returns `undefined`
 * until a whole term has arrived.
 */
import type { Term } from '../../term/types.js';
import { DecodeError } from '../errors.js';
import { EtfDecoder, type DecodeOptions } from './decode.js';
import { termLength } from './scan.js';
import { Tag } from './tags.js';

export class EtfStreamDecoder {
  #buf = new Uint8Array(4096);
  #start = 0;
  #end = 0;
  readonly #decoder = new EtfDecoder();
  readonly #opts: DecodeOptions;
  readonly #maxTerm: number;

  constructor(opts: DecodeOptions = {}) {
    // Decoded binaries must not alias the buffer, which is reused for later chunks.
    this.#opts = { ...opts, versionByte: false, copyBinaries: true };
    this.#maxTerm = opts.maxBytes ?? 256 * 1024 * 1024;
  }

  /** Append bytes; the chunk is copied, so the caller may reuse it. */
  push(chunk: Uint8Array): void {
    const need = this.#end + chunk.length;
    if (need > this.#buf.length) {
      const live = this.#end - this.#start;
      const size = Math.max(this.#buf.length, (live + chunk.length) * 2);
      const next = size === this.#buf.length ? this.#buf : new Uint8Array(size);
      next.set(this.#buf.subarray(this.#start, this.#end), 0);
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
    if (b[s] !== Tag.VERSION) throw new DecodeError('ERR_ETF_BAD_VERSION', `version byte ${b[s]} is not 131`, 0, b[s]);
    if (s + 1 >= this.#end) return undefined;
    if (b[s + 1] === Tag.COMPRESSED) {
      throw new DecodeError('ERR_ETF_STREAM_COMPRESSED', 'a compressed term has no length of its own in a stream', 1, Tag.COMPRESSED);
    }
    const len = termLength(b, s + 1, this.#end);
    if (len < 0) {
      if (this.#end - s > this.#maxTerm) throw new DecodeError('ERR_ETF_TOO_LARGE', 'term is over the size limit', 0);
      return undefined;
    }
    const term = this.#decoder.decodeAt(b, s + 1, this.#opts, s + 1 + len).term;
    this.#start = s + 1 + len;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return term;
  }
}
