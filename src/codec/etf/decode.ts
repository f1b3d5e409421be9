/**
 * ETF decoder. Accepts what `binary_to_term/1` of OTP 25–29 accepts (proto-spec/etf.md §6 has
 * the rules and the few deliberate differences), checks every length against the bytes that
 * remain and against an allocation budget before allocating, and reports malformed or
 * over-limit input as a `DecodeError` with the offset and tag.
 *
 * Time is linear in the input: containers nested up to {@link RECURSION_LIMIT} recurse (fast),
 * deeper ones go through the explicit stack of decode-deep.ts (so any nesting within maxDepth
 * decodes, whatever its shape); flat items are read by decode-parts.ts; a chain of list tails is one list, not nested ones; map keys are checked for
 * duplicates through cached hashes.
 *
 * Ownership: binaries are returned as views into the input (no copy) unless `copyBinaries` is
 * set, so the caller must not reuse the input buffer while it holds decoded binaries.
 */
import { Buffer } from 'node:buffer';
import { inflateSync } from 'node:zlib';
import { Atom } from '../../term/atom.js';
import { Pid } from '../../term/ids.js';
import { TermMap } from '../../term/map.js';
import { ImproperList, NativeRecord, Tuple, type Term } from '../../term/types.js';
import { DecodeError } from '../errors.js';
import { makeFun, newerAtom, readAtom, readBits, recentAtom, readExport, readFunHead, readPort, readRecordHead, readRef, type Cursor } from './decode-parts.js';
import { bigValue, Cost, DEFAULT_MAX_ALLOC, EMPTY_BINARY, EMPTY_LIST, EMPTY_MAP, EMPTY_TUPLE, floatOf, floatText, readF64, bufferView } from './leaf.js';
import { Tag } from './tags.js';
import { decodeDeep } from './decode-deep.js';

export interface DecodeOptions {
  /** Expect the 131 version byte first (default true). Off for terms inside a dist message. */
  versionByte?: boolean;
  /** Largest input, and largest decompressed size of a compressed term (default 256 MiB). */
  maxBytes?: number;
  /** Deepest nesting of lists, tuples, maps, funs and records (default 20,000). */
  maxDepth?: number;
  /** Refuse to create an atom once this many are interned (default 1,048,576, BEAM's limit). */
  maxAtoms?: number;
  /** Only accept atoms that already exist (`binary_to_term(B, [safe])`). */
  existingAtoms?: boolean;
  /** Largest big integer, in bytes of magnitude (default 1 MiB). */
  maxBigBytes?: number;
  /**
   * Estimated heap bytes one decode may allocate (default: a quarter of V8's heap limit, at
   * most 1 GiB). Bounds what a small input can make us build (`{}` × 10^8 is 200 MB of input
   * but gigabytes of objects); over it, `ERR_ETF_ALLOC_LIMIT`.
   */
  maxAlloc?: number;
  /** Copy binaries out of the input instead of returning views. */
  copyBinaries?: boolean;
  /** The atom cache references of the enclosing distribution header, for ATOM_CACHE_REF. */
  atomCache?: readonly Atom[];
}

const DEFAULTS = {
  maxDepth: 20_000,
  maxAtoms: 1_048_576,
  maxBytes: 256 * 1024 * 1024,
  maxBigBytes: 1024 * 1024,
  maxAlloc: DEFAULT_MAX_ALLOC,
};

/** How binaries are cut from the input (see {@link EtfDecoder.view}). */
const enum Views {
  /** No binary cut from this input yet. */
  Undecided,
  /** One binary cut (with `subarray`); not decided yet. */
  First,
  /** `new Uint8Array(buffer, offset, n)`. */
  Plain,
  /** `bufferView(buffer, offset, n)`. */
  Buffers,
  /** `subarray`. */
  Subarray,
}

/** Below this depth containers recurse (fast); deeper ones use the explicit stack of #deep. */
const RECURSION_LIMIT = 200;

export class EtfDecoder implements Cursor {
  b: Uint8Array = EMPTY_BINARY;
  pos = 0;
  #end = 0;
  #depth = 0;
  #maxDepth = DEFAULTS.maxDepth;
  #budget = DEFAULTS.maxAlloc;
  #copy = false;
  #opts: DecodeOptions = DEFAULTS;
  /** How binaries are cut from this input, decided at the first one; its ArrayBuffer. */
  #views = Views.Undecided;
  #ab: ArrayBuffer | undefined = undefined;
  #abOff = 0;

  /** @internal (for decode-parts.ts) */
  get end(): number {
    return this.#end;
  }

  /** @internal */
  get opts(): DecodeOptions {
    return this.#opts;
  }

  /** @internal */
  get copy(): boolean {
    return this.#copy;
  }

  #setup(bytes: Uint8Array, offset: number, end: number, opts: DecodeOptions | undefined): void {
    this.b = bytes;
    this.pos = offset;
    this.#end = end;
    this.#depth = 0;
    this.#views = Views.Undecided;
    // Only the limits read per element get fields; the rest are read from the options.
    if (opts === undefined) {
      this.#opts = DEFAULTS;
      this.#maxDepth = DEFAULTS.maxDepth;
      this.#budget = DEFAULTS.maxAlloc;
      this.#copy = false;
    } else {
      this.#opts = opts;
      this.#maxDepth = opts.maxDepth ?? DEFAULTS.maxDepth;
      this.#budget = opts.maxAlloc ?? DEFAULTS.maxAlloc;
      this.#copy = opts.copyBinaries ?? false;
    }
  }

  /** Decode one whole term from `bytes`; every byte must belong to it. */
  decode(bytes: Uint8Array, opts?: DecodeOptions): Term {
    this.#setup(bytes, 0, bytes.length, opts);
    if (bytes.length > (this.#opts.maxBytes ?? DEFAULTS.maxBytes)) throw this.err('ERR_ETF_TOO_LARGE', `input of ${bytes.length} bytes is over the limit`, 0);
    try {
      if (opts?.versionByte !== false) {
        if (bytes.length === 0) throw this.err('ERR_ETF_TRUNCATED', 'empty input', 0);
        if (bytes[0] !== Tag.VERSION) throw this.err('ERR_ETF_BAD_VERSION', `version byte ${bytes[0]} is not 131`, 0, bytes[0]);
        this.pos = 1;
        if (bytes[1] === Tag.COMPRESSED) return this.#compressed(opts, undefined);
      }
      const t = this.term();
      if (this.pos !== this.#end) throw this.err('ERR_ETF_TRAILING', `${this.#end - this.pos} bytes after the term`, this.pos);
      return t;
    } finally {
      this.b = EMPTY_BINARY;
      this.#ab = undefined;
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
    } finally {
      this.b = EMPTY_BINARY;
      this.#ab = undefined;
    }
  }

  /**
   * A compressed term (`131, 80, Size, zlib…`) whose payload was inflated elsewhere (e.g. off
   * the main thread by decodeAsync): checks it as decode() would and decodes the payload.
   */
  decodeInflated(bytes: Uint8Array, inflated: Uint8Array, consumed: number, opts?: DecodeOptions): Term {
    this.#setup(bytes, 2, bytes.length, opts);
    try {
      return this.#compressed(opts, { inflated, consumed });
    } finally {
      this.b = EMPTY_BINARY;
      this.#ab = undefined;
    }
  }

  err(code: string, message: string, offset: number, tag?: number, cause?: unknown): DecodeError {
    return new DecodeError(code, message, offset, tag, cause === undefined ? undefined : { cause });
  }

  need(n: number, at: number, tag: number): void {
    if (this.pos + n > this.#end) throw this.err('ERR_ETF_TRUNCATED', `needs ${n} more bytes, ${this.#end - this.pos} left`, at, tag);
  }

  charge(bytes: number, at: number, tag: number): void {
    if ((this.#budget -= bytes) < 0) {
      const max = this.#opts.maxAlloc ?? DEFAULTS.maxAlloc;
      throw this.err('ERR_ETF_ALLOC_LIMIT', `decoding would allocate more than ${max} bytes (maxAlloc)`, at, tag);
    }
  }

  u16(): number {
    const b = this.b;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u32(): number {
    const b = this.b;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** One term at `pos`. Containers recurse while shallow; see #deep. */
  term(): Term {
    const at = this.pos;
    if (at >= this.#end) throw this.err('ERR_ETF_TRUNCATED', 'a term was expected', at);
    const b = this.b;
    const tag = b[at]!;
    this.pos = at + 1;
    switch (tag) {
      case Tag.SMALL_INTEGER_EXT:
        this.need(1, at, tag);
        return b[this.pos++]!;
      case Tag.INTEGER_EXT: {
        this.need(4, at, tag);
        const p = this.pos;
        this.pos = p + 4;
        return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
      }
      case Tag.SMALL_ATOM_UTF8_EXT: {
        this.need(1, at, tag);
        const n = b[at + 1]!;
        const p = at + 2;
        this.pos = p;
        // Atoms seen lately are found here, the rest past that cache.
        let a: Atom | undefined;
        if (p + n > this.#end) a = readAtom(this, n, true, at, tag);
        else if ((a = recentAtom(b, p, n)) !== undefined) this.pos = p + n;
        else a = newerAtom(this, n, true, at, tag);
        return a === TRUE ? true : a === FALSE ? false : a;
      }
      case Tag.NIL_EXT:
        return EMPTY_LIST;
      case Tag.SMALL_TUPLE_EXT:
        this.need(1, at, tag);
        return this.#tuple(b[this.pos++]!, at, tag);
      case Tag.LARGE_TUPLE_EXT:
        this.need(4, at, tag);
        return this.#tuple(this.u32(), at, tag);
      case Tag.MAP_EXT:
        this.need(4, at, tag);
        return this.#map(this.u32(), at, tag);
      case Tag.LIST_EXT:
        this.need(4, at, tag);
        return this.#list(this.u32(), at, tag);
      case Tag.NEW_FUN_EXT:
        return this.#fun(at);
      case Tag.RECORD_EXT:
        return this.#record(at);
      case Tag.ATOM_UTF8_EXT:
        this.need(2, at, tag);
        return boolOf(readAtom(this, this.u16(), true, at, tag));
      case Tag.SMALL_ATOM_EXT:
        this.need(1, at, tag);
        return boolOf(readAtom(this, b[this.pos++]!, false, at, tag));
      case Tag.ATOM_EXT:
        this.need(2, at, tag);
        return boolOf(readAtom(this, this.u16(), false, at, tag));
      case Tag.ATOM_CACHE_REF:
        return boolOf(this.cacheRef(at));
      case Tag.BINARY_EXT: {
        this.need(4, at, tag);
        const n = this.u32();
        this.need(n, at, tag);
        const p = this.pos;
        this.pos = p + n;
        if (n === 0) return EMPTY_BINARY;
        this.charge(this.#copy ? Cost.VIEW + n : Cost.VIEW, at, tag);
        return this.#views === Views.Plain ? new Uint8Array(this.#ab!, this.#abOff + p, n) : this.view(p, n);
      }
      case Tag.STRING_EXT: {
        this.need(2, at, tag);
        const n = this.u16();
        this.need(n, at, tag);
        if (n === 0) return EMPTY_LIST;
        this.charge(Cost.ARRAY + Cost.SLOT * n, at, tag);
        const out: number[] = new Array(n);
        const p = this.pos;
        for (let i = 0; i < n; i++) out[i] = b[p + i]!;
        this.pos = p + n;
        return out;
      }
      case Tag.NEW_FLOAT_EXT: {
        this.need(8, at, tag);
        const p = this.pos;
        this.pos = p + 8;
        this.charge(Cost.OBJECT, at, tag);
        return floatOf(readF64(b, p), at, tag);
      }
      case Tag.FLOAT_EXT: {
        this.need(31, at, tag);
        const p = this.pos;
        this.pos = p + 31;
        this.charge(Cost.OBJECT, at, tag);
        return floatText(b, p, at, tag);
      }
      case Tag.SMALL_BIG_EXT:
        this.need(2, at, tag);
        return this.#big(b[this.pos++]!, at, tag);
      case Tag.LARGE_BIG_EXT:
        this.need(5, at, tag);
        return this.#big(this.u32(), at, tag);
      case Tag.NEW_PID_EXT:
      case Tag.PID_EXT:
        return this.pid(tag, at);
      case Tag.NEWER_REFERENCE_EXT:
      case Tag.NEW_REFERENCE_EXT:
      case Tag.REFERENCE_EXT:
        return readRef(this, tag, at);
      case Tag.NEW_PORT_EXT:
      case Tag.PORT_EXT:
      case Tag.V4_PORT_EXT:
        return readPort(this, tag, at);
      case Tag.BIT_BINARY_EXT:
        return readBits(this, at);
      case Tag.EXPORT_EXT:
        return readExport(this, at);
      case Tag.LOCAL_EXT:
        // Only the VM that wrote it can check its hash and read it; every other node refuses it.
        throw this.err('ERR_ETF_LOCAL', 'LOCAL_EXT can only be decoded by the node that encoded it', at, tag);
      case Tag.COMPRESSED:
        throw this.err('ERR_ETF_NESTED_COMPRESSED', 'a compressed term is only allowed right after the version byte', at, tag);
      default:
        throw this.err('ERR_ETF_UNKNOWN_TAG', `unknown tag ${tag}`, at, tag);
    }
  }

  /**
   * @internal A binary of `n` input bytes at `p`: a view of the input, of the input's class
   * (a Buffer gives Buffers), or a copy with `copyBinaries`. `subarray` looks up the species
   * and, for a Buffer, validates its arguments, which is most of what a small binary costs;
   * from the second binary of an input on, views are made with the constructor over the
   * input's ArrayBuffer instead (fetched once: the `buffer` getter is itself a call). Small
   * inputs and other subclasses keep `subarray`: V8 holds a typed array of up to 64 bytes
   * inside the object, and reaching its `buffer` would first move it out.
   */
  view(p: number, n: number): Uint8Array {
    const b = this.b;
    if (this.#copy) return b.slice(p, p + n);
    const v = this.#views;
    if (v === Views.Plain) return new Uint8Array(this.#ab!, this.#abOff + p, n);
    if (v === Views.Buffers) return bufferView(this.#ab!, this.#abOff + p, n);
    if (v === Views.Undecided) this.#views = Views.First;
    else if (v === Views.First) {
      const c = b.constructor;
      const w = b.length <= 64 ? Views.Subarray : c === Uint8Array ? Views.Plain : c === Buffer ? Views.Buffers : Views.Subarray;
      this.#views = w;
      if (w !== Views.Subarray) {
        this.#ab = b.buffer as ArrayBuffer;
        this.#abOff = b.byteOffset;
        return this.view(p, n);
      }
    }
    return b.subarray(p, p + n);
  }

  /** The term at `at` whose tag is `tag`, read by term() (never a container here). */
  /** @internal */
  leaf(tag: number, at: number): Term {
    this.pos = at;
    return this.term();
  }

  /** PID_EXT, PORT_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT: an 8-bit creation of which OTP keeps 2 bits. */
  oldCreation(at: number, tag: number): number {
    const c = this.b[this.pos++]!;
    if (c > 3) throw this.err('ERR_ETF_BAD_CREATION', `creation ${c} does not fit the 2 bits of tag ${tag}`, at, tag);
    return c;
  }

  /**
   * An integer term in a place that takes only integers (export arity, fun OldIndex and
   * OldUniq): its value if it is a safe integer, NaN for a larger one, undefined if the term
   * is no integer (nothing read then).
   */
  smallInt(): number | undefined {
    const v = this.intTerm();
    return v === undefined ? undefined : typeof v === 'number' ? v : Number.NaN;
  }

  intTerm(): number | bigint | undefined {
    const p = this.pos;
    if (p >= this.#end) throw this.err('ERR_ETF_TRUNCATED', 'an integer was expected', p);
    const t = this.b[p]!;
    if (t !== Tag.SMALL_INTEGER_EXT && t !== Tag.INTEGER_EXT && t !== Tag.SMALL_BIG_EXT && t !== Tag.LARGE_BIG_EXT) return undefined;
    this.pos = p + 1;
    return this.leaf(t, p) as number | bigint;
  }

  /**
   * Fun OldIndex/OldUniq: any integer, of which the BEAM keeps the low 32 bits as a signed
   * word (and writes that back). // OTP erts external.c: dec_term NEW_FUN_EXT
   */
  int32(): number | undefined {
    const v = this.intTerm();
    if (v === undefined) return undefined;
    if (typeof v === 'number') return v | 0;
    // It must be a "small" of the BEAM (60-bit signed); bigger ones are refused.
    if (v < -(1n << 59n) || v >= 1n << 59n) return undefined;
    return Number(BigInt.asIntN(32, v));
  }

  /** @internal One level deeper (maxDepth is checked). */
  enter(at: number, tag: number): void {
    this.#enter(at, tag);
  }

  /** @internal `levels` levels back up. */
  leave(levels = 1): void {
    this.#depth -= levels;
  }

  #enter(at: number, tag: number): void {
    if (++this.#depth > this.#maxDepth) throw this.err('ERR_ETF_TOO_DEEP', `nesting deeper than ${this.#maxDepth}`, at, tag);
  }

  #tuple(n: number, at: number, tag: number): Term {
    // Every element takes at least one byte: refuse counts the input cannot hold.
    if (n > this.#end - this.pos) throw this.err('ERR_ETF_TRUNCATED', `tuple of ${n} elements in ${this.#end - this.pos} bytes`, at, tag);
    if (n === 0) return EMPTY_TUPLE;
    if (this.#depth >= RECURSION_LIMIT) return decodeDeep(this, at);
    this.charge(Cost.TUPLE + Cost.SLOT * n, at, tag);
    this.#enter(at, tag);
    const el: Term[] = new Array(n);
    const b = this.b;
    for (let i = 0; i < n; i++) {
      const p = this.pos;
      const t = b[p];
      if (t === Tag.SMALL_INTEGER_EXT && p + 2 <= this.#end) {
        el[i] = b[p + 1]!;
        this.pos = p + 2;
      } else if (t === Tag.SMALL_TUPLE_EXT && b[p + 1] === 0 && p + 2 <= this.#end) {
        el[i] = EMPTY_TUPLE;
        this.pos = p + 2;
      } else el[i] = this.term();
    }
    this.#depth--;
    return new Tuple(el);
  }

  #list(n: number, at: number, tag: number): Term {
    if (n + 1 > this.#end - this.pos) throw this.err('ERR_ETF_TRUNCATED', `list of ${n} elements in ${this.#end - this.pos} bytes`, at, tag);
    if (this.#depth >= RECURSION_LIMIT) return decodeDeep(this, at);
    this.charge(Cost.ARRAY + Cost.SLOT * n, at, tag);
    this.#enter(at, tag);
    const el: Term[] = new Array(n);
    const b = this.b;
    let count = n;
    let i = 0;
    for (;;) {
      for (; i < count; i++) {
        // Integer elements are the common case: read them without the generic dispatch.
        const p = this.pos;
        const t = b[p];
        if (t === Tag.SMALL_INTEGER_EXT && p + 2 <= this.#end) {
          el[i] = b[p + 1]!;
          this.pos = p + 2;
        } else if (t === Tag.INTEGER_EXT && p + 5 <= this.#end) {
          el[i] = (b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!;
          this.pos = p + 5;
        } else if (t === Tag.NIL_EXT) {
          // A run of [] (one byte each) in one tight loop.
          el[i] = EMPTY_LIST;
          let q = p + 1;
          const end = this.#end;
          while (i + 1 < count && q < end && b[q] === Tag.NIL_EXT) {
            el[++i] = EMPTY_LIST;
            q++;
          }
          this.pos = q;
        } else el[i] = this.term();
      }
      // The tail. A list tail is more of the same list ([1 | [2 | T]] is [1, 2 | T]), read
      // in this loop: a chain of tails costs no depth and no copying.
      const p = this.pos;
      const t = p < this.#end ? b[p] : undefined;
      if (t === Tag.NIL_EXT) {
        this.pos = p + 1;
        this.#depth--;
        return count === 0 ? EMPTY_LIST : el;
      }
      if (t === Tag.LIST_EXT && p + 5 <= this.#end) {
        const more = ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
        this.pos = p + 5;
        if (more + 1 > this.#end - this.pos) throw this.err('ERR_ETF_TRUNCATED', `list of ${more} elements in ${this.#end - this.pos} bytes`, p, Tag.LIST_EXT);
        this.charge(Cost.SLOT * more, p, Tag.LIST_EXT);
        count += more;
        continue;
      }
      if (t === Tag.STRING_EXT) {
        const s = this.leaf(Tag.STRING_EXT, (this.pos = p + 1) - 1) as readonly number[];
        for (const c of s) el.push(c);
        this.#depth--;
        return el.length === 0 ? EMPTY_LIST : el;
      }
      const tail = this.term();
      this.#depth--;
      return count === 0 ? tail : new ImproperList(el, tail);
    }
  }

  #map(n: number, at: number, tag: number): Term {
    if (n > (this.#end - this.pos) / 2) throw this.err('ERR_ETF_TRUNCATED', `map of ${n} pairs in ${this.#end - this.pos} bytes`, at, tag);
    if (n === 0) return EMPTY_MAP;
    if (this.#depth >= RECURSION_LIMIT) return decodeDeep(this, at);
    this.charge(Cost.MAP + Cost.MAP_PAIR * n, at, tag);
    this.#enter(at, tag);
    const kv: Term[] = new Array(2 * n);
    for (let i = 0; i < 2 * n; i++) kv[i] = this.term();
    this.#depth--;
    return this.makeMap(kv, at, tag);
  }

  /** @internal A decoded map (duplicate keys refused). */
  makeMap(kv: Term[], at: number, tag: number): TermMap {
    const m = TermMap.fromDecoded(kv);
    // binary_to_term refuses a map with two equal keys, flat and hash maps alike.
    if (typeof m === 'number') throw this.err('ERR_ETF_DUPLICATE_KEY', `map has a duplicate key (pair ${m + 1})`, at, tag);
    return m;
  }

  #fun(at: number): Term {
    const head = readFunHead(this, at);
    if (head.free === 0) return makeFun(head, EMPTY_LIST as Term[]);
    if (this.#depth >= RECURSION_LIMIT) return decodeDeep(this, at, head);
    this.#enter(at, Tag.NEW_FUN_EXT);
    const free: Term[] = new Array(head.free);
    for (let i = 0; i < head.free; i++) free[i] = this.term();
    this.#depth--;
    return makeFun(head, free);
  }

  #record(at: number): Term {
    const head = readRecordHead(this, at);
    const n = head.fields.length;
    if (n === 0) return new NativeRecord(head.module, head.name, [], [], head.exported);
    if (this.#depth >= RECURSION_LIMIT) return decodeDeep(this, at, head);
    this.#enter(at, Tag.RECORD_EXT);
    const values: Term[] = new Array(n);
    for (let i = 0; i < n; i++) values[i] = this.term();
    this.#depth--;
    return new NativeRecord(head.module, head.name, head.fields, values, head.exported);
  }

  #big(n: number, at: number, tag: number): number | bigint {
    if (n > (this.#opts.maxBigBytes ?? DEFAULTS.maxBigBytes)) throw this.err('ERR_ETF_TOO_LARGE', `big integer of ${n} bytes is over the limit`, at, tag);
    this.need(1 + n, at, tag);
    const b = this.b;
    // OTP reads any non-zero sign byte as negative.
    const sign = b[this.pos++]!;
    const p = this.pos;
    this.pos = p + n;
    if (n > 6) this.charge(Cost.OBJECT + n, at, tag);
    return bigValue(b, p, n, sign !== 0);
  }

  pid(tag: number, at: number): Pid {
    const node = this.atomAt();
    const newer = tag === Tag.NEW_PID_EXT;
    this.need(newer ? 12 : 9, at, tag);
    const id = this.u32();
    const serial = this.u32();
    const creation = newer ? this.u32() : this.oldCreation(at, tag);
    this.charge(Cost.OBJECT, at, tag);
    return new Pid(node, id, serial, creation);
  }

  /** An atom where only an atom is allowed (node, module, function, field): nothing else is read. */
  atomAt(): Atom {
    const at = this.pos;
    if (at >= this.#end) throw this.err('ERR_ETF_TRUNCATED', 'an atom was expected', at);
    const b = this.b;
    const tag = b[at]!;
    this.pos = at + 1;
    switch (tag) {
      case Tag.SMALL_ATOM_UTF8_EXT:
        this.need(1, at, tag);
        return readAtom(this, b[this.pos++]!, true, at, tag);
      case Tag.ATOM_UTF8_EXT:
        this.need(2, at, tag);
        return readAtom(this, this.u16(), true, at, tag);
      case Tag.SMALL_ATOM_EXT:
        this.need(1, at, tag);
        return readAtom(this, b[this.pos++]!, false, at, tag);
      case Tag.ATOM_EXT:
        this.need(2, at, tag);
        return readAtom(this, this.u16(), false, at, tag);
      case Tag.ATOM_CACHE_REF:
        return this.cacheRef(at);
      default:
        throw this.err('ERR_ETF_EXPECTED_ATOM', 'an atom was expected', at, tag);
    }
  }

  cacheRef(at: number): Atom {
    this.need(1, at, Tag.ATOM_CACHE_REF);
    const i = this.b[this.pos++]!;
    const a = this.#opts.atomCache?.[i];
    if (a === undefined) throw this.err('ERR_ETF_ATOM_CACHE', `atom cache reference ${i} with no such entry`, at, Tag.ATOM_CACHE_REF);
    return a;
  }

  /**
   * `131, 80, Size:u32, zlib…`: the zlib stream must inflate to exactly Size bytes and end
   * exactly at the end of the input; the payload is one term with nothing after it. Errors
   * inside the payload are reported at the compressed term (offset 1, tag 80), with the
   * offset inside the inflated payload in the message and the inner error as `cause`.
   */
  #compressed(opts: DecodeOptions | undefined, pre: { inflated: Uint8Array; consumed: number } | undefined): Term {
    const at = 1;
    const tag = Tag.COMPRESSED;
    this.pos = 2;
    this.need(4, at, tag);
    const size = this.u32();
    if (size > (this.#opts.maxBytes ?? DEFAULTS.maxBytes)) throw this.err('ERR_ETF_TOO_LARGE', `compressed term expands to ${size} bytes, over the limit`, at, tag);
    const zipped = this.b.subarray(this.pos, this.#end);
    let inflated: Uint8Array;
    let consumed: number;
    if (pre !== undefined) ({ inflated, consumed } = pre);
    else {
      try {
        const r = inflateSync(zipped, { maxOutputLength: Math.max(size, 1), info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
        inflated = r.buffer;
        consumed = r.engine.bytesWritten;
      } catch (e) {
        throw this.err('ERR_ETF_BAD_COMPRESSED', 'compressed term does not inflate', at, tag, e);
      }
    }
    if (inflated.length !== size) throw this.err('ERR_ETF_BAD_COMPRESSED', `compressed term expands to ${inflated.length} bytes, not ${size}`, at, tag);
    if (consumed !== zipped.length) throw this.err('ERR_ETF_TRAILING', `${zipped.length - consumed} bytes after the end of the zlib stream`, 2 + 4 + consumed);
    const inner = new EtfDecoder();
    try {
      return inner.decode(new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length), { ...opts, versionByte: false });
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      throw this.err(e.code, `${e.message.replace(/ \(at offset.*\)$/, '')} (at offset ${e.offset} of the inflated term)`, at, tag, e);
    }
  }
}

function boolOf(a: Atom): Atom | boolean {
  return a === TRUE ? true : a === FALSE ? false : a;
}

const TRUE = Atom.of('true');
const FALSE = Atom.of('false');


const shared = new EtfDecoder();

/** `binary_to_term/1`. Throws `DecodeError` for malformed or over-limit input. */
export function decode(bytes: Uint8Array, opts?: DecodeOptions): Term {
  return shared.decode(bytes, opts);
}
