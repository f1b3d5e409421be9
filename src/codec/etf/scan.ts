/**
 * Measures a term without building it. {@link TermScanner} is resumable: fed a growing buffer
 * it goes on from where it stopped, so a term arriving in many small chunks is scanned once in
 * all (no rescans from its start), and it refuses a term as soon as the bytes it has seen
 * prove it longer than the limit — a 6-byte header claiming 2^32 elements is refused at once,
 * not buffered. Malformed structure throws `DecodeError`; "need more bytes" is a return value.
 * Used to frame self-delimited term streams and to find where a dist message's payload starts.
 */
import { DecodeError } from '../errors.js';
import { Tag } from './tags.js';

const NEED_MORE = -1;

export class TermScanner {
  /** Work still to do, innermost last: n > 0 is "n terms", n < 0 is "-n raw bytes". */
  #stack: number[] = [];
  /** Bytes of the term scanned so far. */
  #done = 0;
  /** Lower bound on the bytes still to come (each pending term takes at least one). */
  #need = 0;
  #started = false;

  constructor(
    readonly maxBytes = Infinity,
    readonly maxDepth = 20_000,
  ) {}

  /** Forget the term in progress (after it was taken, or to start over). */
  reset(): void {
    this.#stack.length = 0;
    this.#done = 0;
    this.#need = 0;
    this.#started = false;
  }

  /** Bytes of the current term scanned so far. */
  get scanned(): number {
    return this.#done;
  }

  /**
   * Go on scanning the term that starts at `start` (bytes up to `end` are available; the
   * bytes already scanned must still be there, at the same distance from `start`). Returns
   * the term's length once it is complete, else -1. Error offsets are positions in `b`.
   */
  scan(b: Uint8Array, start: number, end: number): number {
    const stack = this.#stack;
    if (!this.#started) {
      this.#started = true;
      stack.push(1);
      this.#need = 1;
    }
    let p = start + this.#done;
    try {
      while (stack.length > 0) {
        const top = stack.length - 1;
        const w = stack[top]!;
        if (w < 0) {
          if (p - w > end) {
            // Take what is there of a long run of raw bytes, so the rest needs no rescan either.
            const have = end - p;
            stack[top] = w + have;
            this.#need -= have;
            p = end;
            return NEED_MORE;
          }
          p -= w;
          this.#need += w;
          stack.pop();
          continue;
        }
        if (p >= end) return NEED_MORE;
        const tag = b[p]!;
        if (tag === Tag.SMALL_INTEGER_EXT) {
          // Runs of small integers (the common list element): skip them in one loop.
          let k = w;
          let q = p;
          while (k > 0 && q + 2 <= end && b[q] === Tag.SMALL_INTEGER_EXT) {
            q += 2;
            k--;
          }
          if (k !== w) {
            if (k === 0) stack.pop();
            else stack[top] = k;
            this.#need -= w - k;
            p = q;
            continue;
          }
        }
        const h = header(tag);
        if (h < 0) throw bad(tag, p);
        if (p + 1 + h > end) return NEED_MORE;
        // One term consumed; its length fields are all here.
        if (w === 1) stack.pop();
        else stack[top] = w - 1;
        this.#need -= 1;
        const q = p + 1;
        p = q + h;
        switch (tag) {
          case Tag.SMALL_ATOM_EXT:
          case Tag.SMALL_ATOM_UTF8_EXT:
            this.#raw(b[q]!);
            break;
          case Tag.ATOM_EXT:
          case Tag.ATOM_UTF8_EXT:
          case Tag.STRING_EXT:
            this.#raw((b[q]! << 8) | b[q + 1]!);
            break;
          case Tag.BINARY_EXT:
          case Tag.BIT_BINARY_EXT:
            this.#raw(u32(b, q));
            break;
          case Tag.SMALL_BIG_EXT:
            this.#raw(1 + b[q]!);
            break;
          case Tag.LARGE_BIG_EXT:
            this.#raw(1 + u32(b, q));
            break;
          case Tag.SMALL_TUPLE_EXT:
            this.#terms(b[q]!);
            break;
          case Tag.LARGE_TUPLE_EXT:
            this.#terms(u32(b, q));
            break;
          case Tag.LIST_EXT:
            this.#terms(u32(b, q) + 1); // elements and the tail
            break;
          case Tag.MAP_EXT:
            this.#terms(u32(b, q) * 2);
            break;
          case Tag.EXPORT_EXT:
            this.#terms(3);
            break;
          case Tag.NEW_FUN_EXT:
            // Size, Arity, Uniq, Index, NumFree; then Module, OldIndex, OldUniq, Pid and the
            // free variables. Size is not trusted (OTP ignores it too).
            this.#terms(4 + u32(b, q + 25));
            break;
          case Tag.RECORD_EXT:
            this.#terms(2 + 2 * u32(b, q));
            break;
          case Tag.NEW_PID_EXT:
          case Tag.V4_PORT_EXT:
            this.#node(12);
            break;
          case Tag.PID_EXT:
            this.#node(9);
            break;
          case Tag.NEW_PORT_EXT:
            this.#node(8);
            break;
          case Tag.PORT_EXT:
          case Tag.REFERENCE_EXT:
            this.#node(5);
            break;
          case Tag.NEWER_REFERENCE_EXT:
            this.#node(4 + 4 * ((b[q]! << 8) | b[q + 1]!));
            break;
          case Tag.NEW_REFERENCE_EXT:
            this.#node(1 + 4 * ((b[q]! << 8) | b[q + 1]!));
            break;
          default:
            break; // fixed size, all in the header
        }
        if (stack.length > 2 * this.maxDepth + 2) throw new DecodeError('ERR_ETF_TOO_DEEP', `nesting deeper than ${this.maxDepth}`, q - 1, tag);
        if (p - start + this.#need > this.maxBytes) {
          throw new DecodeError('ERR_ETF_TOO_LARGE', `term is at least ${p - start + this.#need} bytes, over the limit of ${this.maxBytes}`, q - 1, tag);
        }
      }
      return p - start;
    } finally {
      this.#done = p - start;
    }
  }

  #raw(n: number): void {
    if (n > 0) {
      this.#stack.push(-n);
      this.#need += n;
    }
  }

  #terms(n: number): void {
    if (n > 0) {
      this.#stack.push(n);
      this.#need += n;
    }
  }

  /** A node atom, then `fixed` raw bytes. */
  #node(fixed: number): void {
    this.#raw(fixed);
    this.#terms(1);
  }
}

/** Bytes after the tag that hold the term's fixed part and length fields; -1: not a term tag here. */
function header(tag: number): number {
  switch (tag) {
    case Tag.SMALL_INTEGER_EXT:
    case Tag.ATOM_CACHE_REF:
    case Tag.SMALL_ATOM_EXT:
    case Tag.SMALL_ATOM_UTF8_EXT:
    case Tag.SMALL_TUPLE_EXT:
    case Tag.SMALL_BIG_EXT:
      return 1;
    case Tag.ATOM_EXT:
    case Tag.ATOM_UTF8_EXT:
    case Tag.STRING_EXT:
    case Tag.NEWER_REFERENCE_EXT:
    case Tag.NEW_REFERENCE_EXT:
      return 2;
    case Tag.INTEGER_EXT:
    case Tag.BINARY_EXT:
    case Tag.LARGE_TUPLE_EXT:
    case Tag.LIST_EXT:
    case Tag.MAP_EXT:
    case Tag.LARGE_BIG_EXT:
      return 4;
    case Tag.BIT_BINARY_EXT:
    case Tag.RECORD_EXT:
      return 5;
    case Tag.NEW_FLOAT_EXT:
      return 8;
    case Tag.FLOAT_EXT:
      return 31;
    case Tag.NEW_FUN_EXT:
      return 29;
    case Tag.NIL_EXT:
    case Tag.EXPORT_EXT:
    case Tag.NEW_PID_EXT:
    case Tag.PID_EXT:
    case Tag.NEW_PORT_EXT:
    case Tag.PORT_EXT:
    case Tag.V4_PORT_EXT:
    case Tag.REFERENCE_EXT:
      return 0;
    default:
      return -1;
  }
}

function bad(tag: number, p: number): DecodeError {
  if (tag === Tag.LOCAL_EXT) return new DecodeError('ERR_ETF_LOCAL', 'LOCAL_EXT can only be decoded by the node that encoded it', p, tag);
  if (tag === Tag.COMPRESSED) return new DecodeError('ERR_ETF_NESTED_COMPRESSED', 'a compressed term is only allowed right after the version byte', p, tag);
  return new DecodeError('ERR_ETF_UNKNOWN_TAG', `unknown tag ${tag}`, p, tag);
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/**
 * The byte length of the term at `offset`, or -1 when the bytes end before it does.
 * Malformed structure throws `DecodeError` (offsets into `b`).
 */
export function termLength(b: Uint8Array, offset: number, end = b.length, maxDepth = 20_000): number {
  return new TermScanner(Infinity, maxDepth).scan(b, offset, end);
}
