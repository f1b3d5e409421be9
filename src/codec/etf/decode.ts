/**
 * ETF decoder. Accepts every tag OTP 25–28 can produce (and the legacy ones it still
 * accepts), checks every length against the bytes that remain before allocating, and reports
 * malformed or over-limit input as a `DecodeError` with the offset and tag.
 *
 * Ownership: binaries are returned as views into the input (no copy) unless `copyBinaries` is
 * set, so the caller must not reuse the input buffer while it holds decoded binaries.
 */
import { inflateSync } from 'node:zlib';
import { Atom, MAX_ATOM_CHARACTERS } from '../../term/atom.js';
import { canonicalInt, Pid, Port, Ref } from '../../term/ids.js';
import { termKey } from '../../term/equal.js';
import { TermMap } from '../../term/map.js';
import { BitBinary, ErlFloat, Export, Fun, ImproperList, LocalTerm, Tuple, type Term } from '../../term/types.js';
import { DecodeError } from '../errors.js';
import { Tag } from './tags.js';

export interface DecodeOptions {
  /** Expect the 131 version byte first (default true). Off for terms inside a dist message. */
  versionByte?: boolean;
  /** Largest input, and largest decompressed size of a compressed term (default 256 MiB). */
  maxBytes?: number;
  /** Deepest nesting of lists, tuples, maps and funs (default 20,000). */
  maxDepth?: number;
  /** Refuse to create an atom once this many are interned (default 1,048,576, BEAM's limit). */
  maxAtoms?: number;
  /** Only accept atoms that already exist (`binary_to_term(B, [safe])`). */
  existingAtoms?: boolean;
  /** Largest big integer, in bytes of magnitude (default 1 MiB). */
  maxBigBytes?: number;
  /** Copy binaries out of the input instead of returning views. */
  copyBinaries?: boolean;
  /** The atom cache references of the enclosing distribution header, for ATOM_CACHE_REF. */
  atomCache?: readonly Atom[];
}

type Limits = DecodeOptions;

const DEFAULTS: Required<Pick<DecodeOptions, 'maxDepth' | 'maxAtoms' | 'maxBytes' | 'maxBigBytes'>> = {
  maxDepth: 20_000,
  maxAtoms: 1_048_576,
  maxBytes: 256 * 1024 * 1024,
  maxBigBytes: 1024 * 1024,
};

const TRUE = Atom.of('true');
const FALSE = Atom.of('false');
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// A direct-mapped cache from atom bytes to Atom, so hot atoms decode without building a string.
const ATOM_CACHE_BITS = 12;
const atomSlots: (Atom | undefined)[] = new Array(1 << ATOM_CACHE_BITS).fill(undefined);

export class EtfDecoder {
  b: Uint8Array = new Uint8Array(0);
  pos = 0;
  #end = 0;
  #depth = 0;
  #maxDepth = DEFAULTS.maxDepth;
  #copy = false;
  #opts: Limits = DEFAULTS;

  #setup(bytes: Uint8Array, offset: number, end: number, opts: DecodeOptions | undefined): void {
    this.b = bytes;
    this.pos = offset;
    this.#end = end;
    this.#depth = 0;
    // Only the two limits read per element get fields; the rest are read from the options.
    if (opts === undefined) {
      this.#opts = DEFAULTS;
      this.#maxDepth = DEFAULTS.maxDepth;
      this.#copy = false;
    } else {
      this.#opts = opts;
      this.#maxDepth = opts.maxDepth ?? DEFAULTS.maxDepth;
      this.#copy = opts.copyBinaries ?? false;
    }
  }

  /** Decode one whole term from `bytes`; every byte must belong to it. */
  decode(bytes: Uint8Array, opts?: DecodeOptions): Term {
    this.#setup(bytes, 0, bytes.length, opts);
    if (bytes.length > (this.#opts.maxBytes ?? DEFAULTS.maxBytes)) throw this.#err('ERR_ETF_TOO_LARGE', `input of ${bytes.length} bytes is over the limit`, 0);
    try {
      let t: Term;
      if (opts?.versionByte !== false) {
        if (bytes.length === 0) throw this.#err('ERR_ETF_TRUNCATED', 'empty input', 0);
        if (bytes[0] !== Tag.VERSION) throw this.#err('ERR_ETF_BAD_VERSION', `version byte ${bytes[0]} is not 131`, 0, bytes[0]);
        this.pos = 1;
        if (bytes[1] === Tag.COMPRESSED) return this.#compressed(opts);
      }
      t = this.term();
      if (this.pos !== this.#end) throw this.#err('ERR_ETF_TRAILING', `${this.#end - this.pos} bytes after the term`, this.pos);
      return t;
    } catch (e) {
      throw this.#wrap(e);
    } finally {
      this.b = EMPTY;
    }
  }

  /**
   * Decode one term (no version byte) starting at `offset`, stopping where it ends; for
   * framers that read several terms from one packet. Returns the term and the end offset.
   */
  decodeAt(bytes: Uint8Array, offset: number, opts?: DecodeOptions, end = bytes.length): { term: Term; end: number } {
    this.#setup(bytes, offset, end, opts);
    try {
      const term = this.term();
      return { term, end: this.pos };
    } catch (e) {
      throw this.#wrap(e);
    } finally {
      this.b = EMPTY;
    }
  }

  #wrap(e: unknown): unknown {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return this.#err('ERR_ETF_TOO_DEEP', 'nesting exhausted the stack', this.pos, undefined, e);
    }
    return e;
  }

  #err(code: string, message: string, offset: number, tag?: number, cause?: unknown): DecodeError {
    return new DecodeError(code, message, offset, tag, cause === undefined ? undefined : { cause });
  }

  #need(n: number, at: number, tag: number): void {
    if (this.pos + n > this.#end) throw this.#err('ERR_ETF_TRUNCATED', `needs ${n} more bytes, ${this.#end - this.pos} left`, at, tag);
  }

  #u16(): number {
    const b = this.b;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  #u32(): number {
    const b = this.b;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  term(): Term {
    const at = this.pos;
    if (at >= this.#end) throw this.#err('ERR_ETF_TRUNCATED', 'a term was expected', at);
    const b = this.b;
    const tag = b[at]!;
    this.pos = at + 1;
    switch (tag) {
      case Tag.SMALL_INTEGER_EXT:
        this.#need(1, at, tag);
        return b[this.pos++]!;
      case Tag.INTEGER_EXT: {
        this.#need(4, at, tag);
        const p = this.pos;
        this.pos = p + 4;
        return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
      }
      case Tag.SMALL_ATOM_UTF8_EXT: {
        this.#need(1, at, tag);
        const n = b[this.pos++]!;
        return this.#atomBody(n, true, at, tag);
      }
      case Tag.ATOM_UTF8_EXT: {
        this.#need(2, at, tag);
        return this.#atomBody(this.#u16(), true, at, tag);
      }
      case Tag.SMALL_ATOM_EXT: {
        this.#need(1, at, tag);
        const n = b[this.pos++]!;
        return this.#atomBody(n, false, at, tag);
      }
      case Tag.ATOM_EXT:
        this.#need(2, at, tag);
        return this.#atomBody(this.#u16(), false, at, tag);
      case Tag.ATOM_CACHE_REF:
        return boolOf(this.#cacheRef(at));
      case Tag.BINARY_EXT: {
        this.#need(4, at, tag);
        const n = this.#u32();
        this.#need(n, at, tag);
        const p = this.pos;
        this.pos = p + n;
        return this.#copy ? b.slice(p, p + n) : b.subarray(p, p + n);
      }
      case Tag.NIL_EXT:
        return [];
      case Tag.SMALL_TUPLE_EXT: {
        this.#need(1, at, tag);
        return this.#tuple(b[this.pos++]!, at, tag);
      }
      case Tag.LARGE_TUPLE_EXT:
        this.#need(4, at, tag);
        return this.#tuple(this.#u32(), at, tag);
      case Tag.MAP_EXT:
        this.#need(4, at, tag);
        return this.#map(this.#u32(), at, tag);
      case Tag.LIST_EXT:
        this.#need(4, at, tag);
        return this.#list(this.#u32(), at, tag);
      case Tag.STRING_EXT: {
        this.#need(2, at, tag);
        const n = this.#u16();
        this.#need(n, at, tag);
        const out: number[] = new Array(n);
        const p = this.pos;
        for (let i = 0; i < n; i++) out[i] = b[p + i]!;
        this.pos = p + n;
        return out;
      }
      case Tag.NEW_FLOAT_EXT: {
        this.#need(8, at, tag);
        const p = this.pos;
        this.pos = p + 8;
        return floatOf(readF64(b, p), at, tag);
      }
      case Tag.SMALL_BIG_EXT: {
        this.#need(2, at, tag);
        const n = b[this.pos]!;
        this.pos += 1;
        return this.#big(n, at, tag);
      }
      case Tag.LARGE_BIG_EXT: {
        this.#need(5, at, tag);
        return this.#big(this.#u32(), at, tag);
      }
      case Tag.NEW_PID_EXT:
      case Tag.PID_EXT:
        return this.#pid(tag, at);
      case Tag.NEWER_REFERENCE_EXT:
      case Tag.NEW_REFERENCE_EXT: {
        this.#need(2, at, tag);
        const n = this.#u16();
        // OTP accepts 0..5 words (0 is echoed back as is), and refuses more.
        if (n > 5 || (n === 0 && tag === Tag.NEW_REFERENCE_EXT)) throw this.#err('ERR_ETF_BAD_REF', `reference of ${n} words`, at, tag);
        const node = this.#nodeAtom(at);
        const cw = tag === Tag.NEWER_REFERENCE_EXT ? 4 : 1;
        this.#need(cw + 4 * n, at, tag);
        const creation = cw === 4 ? this.#u32() : b[this.pos++]!;
        const ids: number[] = new Array(n);
        for (let i = 0; i < n; i++) ids[i] = this.#u32();
        // The pre-V4 formats carry 18 significant bits in the first word.
        if (tag === Tag.NEW_REFERENCE_EXT && ids[0]! >= 0x40000) throw this.#err('ERR_ETF_BAD_REF', 'first reference word over 18 bits', at, tag);
        return new Ref(node, creation, ids);
      }
      case Tag.REFERENCE_EXT: {
        const node = this.#nodeAtom(at);
        this.#need(5, at, tag);
        const id = this.#u32();
        if (id >= 0x40000) throw this.#err('ERR_ETF_BAD_REF', 'reference id over 18 bits', at, tag);
        return new Ref(node, b[this.pos++]!, [id]);
      }
      case Tag.NEW_PORT_EXT:
      case Tag.PORT_EXT:
      case Tag.V4_PORT_EXT: {
        const node = this.#nodeAtom(at);
        let id: number | bigint;
        if (tag === Tag.V4_PORT_EXT) {
          this.#need(12, at, tag);
          const hi = this.#u32();
          const lo = this.#u32();
          id = hi < 0x200000 ? hi * 0x1_0000_0000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
        } else {
          this.#need(tag === Tag.PORT_EXT ? 5 : 8, at, tag);
          id = this.#u32();
        }
        const creation = tag === Tag.PORT_EXT ? b[this.pos++]! : this.#u32();
        return new Port(node, id, creation);
      }
      case Tag.BIT_BINARY_EXT: {
        this.#need(5, at, tag);
        const n = this.#u32();
        const bits = b[this.pos++]!;
        // OTP: bits 1..8 for a non-empty bitstring, and exactly 0 for an empty one.
        if (n === 0 ? bits !== 0 : bits < 1 || bits > 8) {
          throw this.#err('ERR_ETF_BAD_BITS', `bitstring of ${n} bytes with ${bits} bits in the last byte`, at, tag);
        }
        this.#need(n, at, tag);
        const p = this.pos;
        this.pos = p + n;
        if (bits === 8 || n === 0) return this.#copy ? b.slice(p, p + n) : b.subarray(p, p + n);
        const bytes = b.slice(p, p + n);
        // Unused low bits are not part of the value.
        bytes[n - 1]! &= (0xff << (8 - bits)) & 0xff;
        return new BitBinary(bytes, bits);
      }
      case Tag.EXPORT_EXT: {
        const m = this.#atomTerm(at);
        const f = this.#atomTerm(at);
        this.#need(2, at, tag);
        if (b[this.pos] !== Tag.SMALL_INTEGER_EXT) throw this.#err('ERR_ETF_BAD_EXPORT', 'export arity is not a small integer', at, tag);
        const arity = b[this.pos + 1]!;
        this.pos += 2;
        return new Export(m, f, arity);
      }
      case Tag.NEW_FUN_EXT:
        return this.#fun(at);
      case Tag.FLOAT_EXT: {
        this.#need(31, at, tag);
        let s = '';
        for (let i = 0; i < 31; i++) {
          const c = b[this.pos + i]!;
          if (c === 0) break;
          s += String.fromCharCode(c);
        }
        this.pos += 31;
        // OTP requires digits, a dot, digits, and an optional exponent; nothing else.
        if (!/^[-+]?\d+\.\d+(e[-+]?\d+)?$/i.test(s)) throw this.#err('ERR_ETF_BAD_FLOAT', `bad float text "${s}"`, at, tag);
        return floatOf(Number.parseFloat(s), at, tag);
      }
      case Tag.LOCAL_EXT: {
        const raw = b.slice(this.pos, this.#end);
        this.pos = this.#end;
        return new LocalTerm(raw);
      }
      case Tag.COMPRESSED:
        throw this.#err('ERR_ETF_NESTED_COMPRESSED', 'a compressed term is only allowed right after the version byte', at, tag);
      default:
        throw this.#err('ERR_ETF_UNKNOWN_TAG', `unknown tag ${tag}`, at, tag);
    }
  }

  #enter(at: number, tag: number): void {
    if (++this.#depth > this.#maxDepth) throw this.#err('ERR_ETF_TOO_DEEP', `nesting deeper than ${this.#maxDepth}`, at, tag);
  }

  #tuple(n: number, at: number, tag: number): Term {
    // Every element takes at least one byte: refuse counts the input cannot hold.
    if (n > this.#end - this.pos) throw this.#err('ERR_ETF_TRUNCATED', `tuple of ${n} elements in ${this.#end - this.pos} bytes`, at, tag);
    if (this.#depth >= RECURSION_LIMIT) return this.#deep(at);
    this.#enter(at, tag);
    const el: Term[] = new Array(n);
    for (let i = 0; i < n; i++) el[i] = this.term();
    this.#depth--;
    return new Tuple(el);
  }

  #list(n: number, at: number, tag: number): Term {
    if (n + 1 > this.#end - this.pos) throw this.#err('ERR_ETF_TRUNCATED', `list of ${n} elements in ${this.#end - this.pos} bytes`, at, tag);
    if (this.#depth >= RECURSION_LIMIT) return this.#deep(at);
    this.#enter(at, tag);
    const el: Term[] = new Array(n);
    const b = this.b;
    for (let i = 0; i < n; i++) {
      // Integer elements are the common case: read them without the generic dispatch.
      const p = this.pos;
      const t = b[p];
      if (t === Tag.SMALL_INTEGER_EXT && p + 2 <= this.#end) {
        el[i] = b[p + 1]!;
        this.pos = p + 2;
      } else if (t === Tag.INTEGER_EXT && p + 5 <= this.#end) {
        el[i] = (b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!;
        this.pos = p + 5;
      } else el[i] = this.term();
    }
    let result: Term;
    if (this.pos < this.#end && this.b[this.pos] === Tag.NIL_EXT) {
      this.pos++;
      result = el;
    } else {
      result = joinTail(el, this.term());
    }
    this.#depth--;
    return result;
  }

  /**
   * Decodes the container at `at` with an explicit stack instead of recursion, so nesting is
   * bounded by `maxDepth` rather than by the JS stack. Used below {@link RECURSION_LIMIT}.
   */
  #deep(at: number): Term {
    this.pos = at;
    const b = this.b;
    const stack: DeepFrame[] = [];
    let value: Term | undefined;
    for (;;) {
      if (value === undefined) {
        const p = this.pos;
        if (p >= this.#end) throw this.#err('ERR_ETF_TRUNCATED', 'a term was expected', p);
        const tag = b[p]!;
        let n = -1;
        let kind = 0;
        if (tag === Tag.SMALL_TUPLE_EXT && p + 2 <= this.#end) {
          n = b[p + 1]!;
          this.pos = p + 2;
        } else if ((tag === Tag.LARGE_TUPLE_EXT || tag === Tag.LIST_EXT || tag === Tag.MAP_EXT) && p + 5 <= this.#end) {
          n = ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
          this.pos = p + 5;
          kind = tag === Tag.LIST_EXT ? 1 : tag === Tag.MAP_EXT ? 2 : 0;
        }
        if (n < 0) {
          value = this.term(); // not a container: no recursion below this point
        } else {
          const left = this.#end - this.pos;
          const items = kind === 1 ? n + 1 : kind === 2 ? 2 * n : n;
          if (items > left) throw this.#err('ERR_ETF_TRUNCATED', `container of ${n} elements in ${left} bytes`, p, tag);
          this.#enter(p, tag);
          if (items === 0) {
            this.#depth--;
            value = kind === 2 ? new TermMap() : new Tuple([]);
          } else {
            stack.push({ kind, at: p, tag, items: [], left: items, map: kind === 2 ? new TermMap() : undefined });
          }
        }
        if (value === undefined) continue;
      }
      // Hand the finished value to the enclosing frame; close frames that are now complete.
      for (;;) {
        const f = stack[stack.length - 1];
        if (f === undefined) return value!;
        if (f.kind === 2) {
          f.items.push(value!);
          if (f.items.length === 2) {
            if (!f.map!.add(f.items[0]!, f.items[1]!)) throw this.#err('ERR_ETF_DUPLICATE_KEY', 'map has a duplicate key', f.at, f.tag);
            f.items.length = 0;
          }
        } else f.items.push(value!);
        if (--f.left > 0) {
          value = undefined;
          break;
        }
        stack.pop();
        this.#depth--;
        if (f.kind === 0) value = new Tuple(f.items);
        else if (f.kind === 2) value = f.map!;
        else {
          const tail = f.items.pop()!;
          value = joinTail(f.items, tail);
        }
      }
    }
  }

  #map(n: number, at: number, tag: number): Term {
    if (n > (this.#end - this.pos) / 2) throw this.#err('ERR_ETF_TRUNCATED', `map of ${n} pairs in ${this.#end - this.pos} bytes`, at, tag);
    if (this.#depth >= RECURSION_LIMIT) return this.#deep(at);
    this.#enter(at, tag);
    const keys: Term[] = new Array(n);
    const vals: Term[] = new Array(n);
    const tkeys: unknown[] = new Array(n);
    // Duplicate keys are refused (as binary_to_term does): linear for small maps, a set beyond.
    const seen = n > 8 ? new Set<unknown>() : undefined;
    for (let i = 0; i < n; i++) {
      const kAt = this.pos;
      const k = this.term();
      const tk = termKey(k);
      if (seen === undefined) {
        for (let j = 0; j < i; j++) if (tkeys[j] === tk) throw this.#err('ERR_ETF_DUPLICATE_KEY', 'map has a duplicate key', kAt, tag);
      } else {
        if (seen.has(tk)) throw this.#err('ERR_ETF_DUPLICATE_KEY', 'map has a duplicate key', kAt, tag);
        seen.add(tk);
      }
      keys[i] = k;
      tkeys[i] = tk;
      vals[i] = this.term();
    }
    this.#depth--;
    return TermMap.fromArrays(keys, vals, tkeys);
  }

  #big(n: number, at: number, tag: number): number | bigint {
    if (n > (this.#opts.maxBigBytes ?? DEFAULTS.maxBigBytes)) throw this.#err('ERR_ETF_TOO_LARGE', `big integer of ${n} bytes is over the limit`, at, tag);
    this.#need(1 + n, at, tag);
    const b = this.b;
    // OTP reads any non-zero sign byte as negative.
    const sign = b[this.pos++]!;
    const p = this.pos;
    this.pos = p + n;
    if (n <= 6) {
      let v = 0;
      for (let i = n - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
      return sign ? -v || 0 : v;
    }
    if (n <= 8) {
      let lo = 0;
      let hi = 0;
      for (let i = Math.min(n, 4) - 1; i >= 0; i--) lo = lo * 256 + b[p + i]!;
      for (let i = n - 1; i >= 4; i--) hi = hi * 256 + b[p + i]!;
      if (hi < 0x200000) {
        const v = hi * 0x1_0000_0000 + lo;
        return sign ? -v || 0 : v;
      }
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      return sign ? -v : v;
    }
    let hex = '';
    for (let i = n - 1; i >= 0; i--) hex += HEX[b[p + i]!];
    const v = BigInt('0x' + hex);
    return canonicalInt(sign ? -v : v);
  }

  #pid(tag: number, at: number): Pid {
    const node = this.#nodeAtom(at);
    this.#need(tag === Tag.NEW_PID_EXT ? 12 : 9, at, tag);
    const id = this.#u32();
    const serial = this.#u32();
    const creation = tag === Tag.NEW_PID_EXT ? this.#u32() : this.b[this.pos++]!;
    return new Pid(node, id, serial, creation);
  }

  #fun(at: number): Fun {
    const tag = Tag.NEW_FUN_EXT;
    this.#need(29, at, tag);
    const start = this.pos;
    const size = this.#u32();
    if (size > this.#end - start) throw this.#err('ERR_ETF_TRUNCATED', `fun of ${size} bytes`, at, tag);
    this.#enter(at, tag);
    const b = this.b;
    const arity = b[this.pos++]!;
    const uniq = b.slice(this.pos, this.pos + 16);
    this.pos += 16;
    const index = this.#u32();
    const numFree = this.#u32();
    if (numFree > this.#end - this.pos) throw this.#err('ERR_ETF_TRUNCATED', `fun with ${numFree} free variables`, at, tag);
    const module = this.#atomTerm(at);
    const oldIndex = this.term();
    const oldUniq = this.term();
    if (typeof oldIndex !== 'number' || typeof oldUniq !== 'number') throw this.#err('ERR_ETF_BAD_FUN', 'fun OldIndex/OldUniq are not integers', at, tag);
    const pidAt = this.pos;
    const pidTag = b[pidAt];
    if (pidTag !== Tag.NEW_PID_EXT && pidTag !== Tag.PID_EXT) throw this.#err('ERR_ETF_BAD_FUN', 'fun Pid is not a pid', pidAt, pidTag);
    this.pos++;
    const pid = this.#pid(pidTag, pidAt);
    const free: Term[] = new Array(numFree);
    for (let i = 0; i < numFree; i++) free[i] = this.term();
    if (this.pos - start !== size) throw this.#err('ERR_ETF_BAD_FUN', `fun Size ${size} but ${this.pos - start} bytes used`, at, tag);
    this.#depth--;
    return new Fun(arity, uniq, index, module, oldIndex, oldUniq, pid, free);
  }

  /** An atom term where only an atom is allowed (pid/ref/port node, fun/export module). */
  #atomTerm(at: number): Atom {
    const t = this.term();
    if (t instanceof Atom) return t;
    if (typeof t === 'boolean') return t ? TRUE : FALSE;
    throw this.#err('ERR_ETF_EXPECTED_ATOM', 'an atom was expected', at, this.b[at]);
  }

  #nodeAtom(at: number): Atom {
    return this.#atomTerm(at);
  }

  #cacheRef(at: number): Atom {
    this.#need(1, at, Tag.ATOM_CACHE_REF);
    const i = this.b[this.pos++]!;
    const a = this.#opts.atomCache?.[i];
    if (a === undefined) throw this.#err('ERR_ETF_ATOM_CACHE', `atom cache reference ${i} with no such entry`, at, Tag.ATOM_CACHE_REF);
    return a;
  }

  #atomBody(n: number, utf8: boolean, at: number, tag: number): Atom | boolean {
    this.#need(n, at, tag);
    const b = this.b;
    const p = this.pos;
    this.pos = p + n;
    // Cache lookup on the raw bytes: valid for UTF-8 tags, and for Latin-1 ones when ASCII.
    let h = n;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const c = b[p + i]!;
      h = Math.imul(h ^ c, 0x01000193);
      if (c >= 0x80) ascii = false;
    }
    if (utf8 || ascii) {
      const slot = (h ^ (h >>> 16)) & ((1 << ATOM_CACHE_BITS) - 1);
      const cached = atomSlots[slot];
      if (cached !== undefined && cached.utf8.length === n && sameBytes(cached.utf8, b, p, n)) return boolOf(cached);
      const a = this.#makeAtom(p, n, utf8, ascii, at, tag);
      atomSlots[slot] = a;
      return boolOf(a);
    }
    return boolOf(this.#makeAtom(p, n, utf8, ascii, at, tag));
  }

  #makeAtom(p: number, n: number, utf8: boolean, ascii: boolean, at: number, tag: number): Atom {
    const b = this.b;
    let name: string;
    if (ascii) {
      name = n < 64 ? String.fromCharCode.apply(null, b.subarray(p, p + n) as unknown as number[]) : latin1(b, p, n);
    } else if (utf8) {
      try {
        name = utf8Decoder.decode(b.subarray(p, p + n));
      } catch (e) {
        throw this.#err('ERR_ETF_BAD_UTF8', 'atom text is not valid UTF-8', at, tag, e);
      }
    } else {
      name = latin1(b, p, n);
    }
    if (n > MAX_ATOM_CHARACTERS && [...name].length > MAX_ATOM_CHARACTERS) {
      throw this.#err('ERR_ETF_ATOM_TOO_LONG', `atom of more than ${MAX_ATOM_CHARACTERS} characters`, at, tag);
    }
    const existing = Atom.existing(name);
    if (existing !== undefined) return existing;
    if (this.#opts.existingAtoms === true) throw this.#err('ERR_ETF_NEW_ATOM', `atom '${name.slice(0, 40)}' does not exist (existing atoms only)`, at, tag);
    const maxAtoms = this.#opts.maxAtoms ?? DEFAULTS.maxAtoms;
    if (Atom.count >= maxAtoms) throw this.#err('ERR_ETF_ATOM_LIMIT', `atom table is full (${maxAtoms})`, at, tag);
    return Atom.of(name);
  }

  #compressed(opts: DecodeOptions | undefined): Term {
    const at = 1;
    const tag = Tag.COMPRESSED;
    this.pos = 2;
    this.#need(4, at, tag);
    const size = this.#u32();
    if (size > (this.#opts.maxBytes ?? DEFAULTS.maxBytes)) throw this.#err('ERR_ETF_TOO_LARGE', `compressed term expands to ${size} bytes, over the limit`, at, tag);
    let inflated: Uint8Array;
    try {
      inflated = inflateSync(this.b.subarray(this.pos, this.#end), { maxOutputLength: Math.max(size, 1) });
    } catch (e) {
      throw this.#err('ERR_ETF_BAD_COMPRESSED', 'compressed term does not inflate', at, tag, e);
    }
    if (inflated.length !== size) throw this.#err('ERR_ETF_BAD_COMPRESSED', `compressed term expands to ${inflated.length} bytes, not ${size}`, at, tag);
    const inner = new EtfDecoder();
    return inner.decode(new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length), { ...opts, versionByte: false });
  }
}

const EMPTY = new Uint8Array(0);

/** Below this depth containers recurse (fast); deeper ones use the explicit stack of #deep. */
const RECURSION_LIMIT = 200;

interface DeepFrame {
  /** 0 tuple, 1 list (last item is the tail), 2 map */
  kind: number;
  at: number;
  tag: number;
  items: Term[];
  left: number;
  map: TermMap | undefined;
}

/** `[...head | tail]` in canonical form: a proper array when the tail is a list. */
function joinTail(head: Term[], tail: Term): Term {
  if (Array.isArray(tail)) {
    for (const e of tail as Term[]) head.push(e);
    return head;
  }
  if (tail instanceof ImproperList) return new ImproperList([...head, ...tail.head], tail.tail);
  return head.length === 0 ? tail : new ImproperList(head, tail);
}

// Big-endian float64 through a scratch buffer: no DataView per input.
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function readF64(b: Uint8Array, p: number): number {
  if (littleEndian) for (let i = 0; i < 8; i++) f64b[i] = b[p + 7 - i]!;
  else for (let i = 0; i < 8; i++) f64b[i] = b[p + i]!;
  return f64[0]!;
}
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function boolOf(a: Atom): Atom | boolean {
  return a === TRUE ? true : a === FALSE ? false : a;
}

function floatOf(v: number, at: number, tag: number): number | ErlFloat {
  if (!Number.isFinite(v)) throw new DecodeError('ERR_ETF_NOT_FINITE', `float ${v} is not an Erlang float`, at, tag);
  return Number.isInteger(v) ? new ErlFloat(v) : v;
}

function sameBytes(a: Uint8Array, b: Uint8Array, p: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[p + i]) return false;
  return true;
}

function latin1(b: Uint8Array, p: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 4096) s += String.fromCharCode.apply(null, b.subarray(p + i, p + Math.min(n, i + 4096)) as unknown as number[]);
  return s;
}

const shared = new EtfDecoder();

/** `binary_to_term/1`. Throws `DecodeError` for malformed or over-limit input. */
export function decode(bytes: Uint8Array, opts?: DecodeOptions): Term {
  return shared.decode(bytes, opts);
}
