/**
 * ETF encoder. Writes the canonical forms: the bytes of OTP 26+'s
 * `term_to_binary(T, [deterministic])` (proto-spec/etf.md §3): smallest integer tag,
 * NEW_FLOAT_EXT, UTF-8 atom tags, NEW_PID_EXT, NEWER_REFERENCE_EXT, V4_PORT_EXT, STRING_EXT for
 * byte lists up to 65535 elements, maps of up to 32 keys in map-key order (larger ones in the
 * order they were built or decoded), RECORD_EXT for OTP 29 native records. Nesting is
 * bounded by MAX_DEPTH, never by the JS stack.
 */
import { Atom } from '../../term/atom.js';
import { Pid, Port, Ref } from '../../term/ids.js';
import { compareCodePoints } from '../../term/equal.js';
import { FLATMAP_MAX, TermMap } from '../../term/map.js';
import { BitBinary, ErlFloat, Export, Fun, ImproperList, LocalTerm, NativeRecord, Tuple, type Term } from '../../term/types.js';
import { Buffer } from 'node:buffer';
import { EncodeError } from '../errors.js';
import { Writer } from '../writer.js';
import { Tag } from './tags.js';

export interface EncodeOptions {
  /** Write the 131 version byte first (default true). Off for terms inside a dist message. */
  versionByte?: boolean;
  /**
   * For the distribution atom cache: the index of `atom` in the current header's cache
   * references, or -1 to write it inline.
   */
  atomIndex?: (atom: Atom) => number;
}

const TRUE = Atom.of('true');
const FALSE = Atom.of('false');
// Deeper than any real term; also how a cyclic JS structure is caught.
const MAX_DEPTH = 1_000_000;

export class EtfEncoder {
  readonly w: Writer;
  #atomIndex: ((atom: Atom) => number) | undefined;
  #depth = 0;

  constructor(writer: Writer = new Writer()) {
    this.w = writer;
  }

  /** Encode `t` and return a view of its bytes (see {@link Writer.finish} for ownership). */
  encode(t: Term, opts?: EncodeOptions): Uint8Array {
    const w = this.w;
    w.begin();
    this.#atomIndex = opts?.atomIndex;
    this.#depth = 0;
    try {
      if (opts?.versionByte !== false) w.u8(Tag.VERSION);
      this.term(t);
    } catch (e) {
      w.abort();
      throw e;
    }
    return w.finish();
  }

  /** Append `t` (no version byte) at the writer's position; for framers that build packets. */
  write(t: Term, atomIndex?: (atom: Atom) => number): void {
    this.#atomIndex = atomIndex;
    this.#depth = 0;
    this.term(t);
  }

  term(t: Term): void {
    const w = this.w;
    switch (typeof t) {
      case 'number':
        if (Number.isInteger(t)) this.integer(t);
        else this.float(t);
        return;
      case 'boolean':
        this.atom(t ? TRUE : FALSE);
        return;
      case 'string': {
        w.u8(Tag.BINARY_EXT);
        const at = w.reserveU32();
        const n = w.utf8(t);
        w.patchU32(at, n);
        return;
      }
      case 'bigint':
        this.bigint(t);
        return;
      case 'object':
        if (t === null) throw new EncodeError('ERR_ETF_UNENCODABLE', 'cannot encode null as a term', t);
        break;
      default:
        throw new EncodeError('ERR_ETF_UNENCODABLE', `cannot encode a JS ${typeof t} as a term`, t);
    }
    // Exact-class dispatch for the common kinds; subclasses and the rest fall through.
    const c = (t as object).constructor;
    if (c === Atom) return this.atom(t as Atom);
    if (c === Uint8Array || c === Buffer) {
      const b = t as Uint8Array;
      w.u8(Tag.BINARY_EXT);
      w.u32(b.length);
      w.bytes(b);
      return;
    }
    if (c === Pid) return this.pid(t as Pid);
    if (c === ErlFloat) return this.float((t as ErlFloat).value);
    if (c === Ref) return this.ref(t as Ref);
    if (c === Tuple || c === Array || c === ImproperList) {
      // The commonest containers without the chain of instanceof tests below.
      if (this.#depth >= RECURSION_LIMIT) return this.#deep(t);
      if (++this.#depth > MAX_DEPTH) throw new EncodeError('ERR_ETF_TOO_DEEP', `term nested deeper than ${MAX_DEPTH}`);
      if (c === Tuple) this.tuple((t as Tuple).elements);
      else if (c === Array) this.list(t as readonly Term[]);
      else this.#improper(t as ImproperList);
      this.#depth--;
      return;
    }
    if (this.#depth >= RECURSION_LIMIT && isContainer(t)) return this.#deep(t);
    if (++this.#depth > MAX_DEPTH) throw new EncodeError('ERR_ETF_TOO_DEEP', `term nested deeper than ${MAX_DEPTH}`);
    if (Array.isArray(t)) this.list(t as readonly Term[]);
    else if (t instanceof Tuple) this.tuple(t.elements);
    else if (t instanceof TermMap) {
      const n = t.size;
      w.u8(Tag.MAP_EXT);
      w.u32(n);
      const order = t.canonicalOrder();
      if (order.length === 0) {
        for (let i = 0; i < n; i++) {
          this.term(t.keyAt(i));
          this.term(t.valueAt(i));
        }
      } else {
        for (let j = 0; j < n; j++) {
          const i = order[j]!;
          this.term(t.keyAt(i));
          this.term(t.valueAt(i));
        }
      }
    } else if (t instanceof Uint8Array) {
      w.u8(Tag.BINARY_EXT);
      w.u32(t.length);
      w.bytes(t);
    } else if (t instanceof ErlFloat) this.float(t.value);
    else if (t instanceof Pid) this.pid(t);
    else if (t instanceof Ref) this.ref(t);
    else if (t instanceof ImproperList) this.#improper(t);
    else if (t instanceof Port) this.port(t);
    else if (t instanceof BitBinary) this.bitBinary(t);
    else if (t instanceof Export) {
      w.u8(Tag.EXPORT_EXT);
      this.atom(t.module);
      this.atom(t.fn);
      if (!(t.arity >= 0 && t.arity <= 255)) throw new EncodeError('ERR_ETF_BAD_ARITY', `export arity ${t.arity} out of range`, t);
      w.u8(Tag.SMALL_INTEGER_EXT);
      w.u8(t.arity);
    } else if (t instanceof Fun) {
      const sizeAt = this.funHead(t);
      for (const v of t.freeVars) this.term(v);
      this.funEnd(sizeAt);
    } else if (t instanceof NativeRecord) {
      this.recordHead(t);
      for (const v of t.values) this.term(v);
    } else if (t instanceof LocalTerm) {
      throw new EncodeError('ERR_ETF_UNENCODABLE', 'LOCAL_EXT is readable only by the VM that wrote it; it is not encoded', t);
    } else if (t instanceof Map) {
      this.term(new TermMap(t as Map<Term, Term>));
    } else if (isPlainObject(t)) {
      // Convenience input: a plain object is a map with atom keys, written in atom order.
      const keys = Object.keys(t);
      if (keys.length <= FLATMAP_MAX) keys.sort(compareCodePoints);
      w.u8(Tag.MAP_EXT);
      w.u32(keys.length);
      const o = t as unknown as Record<string, Term>;
      for (const k of keys) {
        this.atom(Atom.of(k));
        this.term(o[k]!);
      }
    } else {
      throw new EncodeError('ERR_ETF_UNENCODABLE', `cannot encode ${Object.prototype.toString.call(t)} as a term`, t);
    }
    this.#depth--;
  }

  /**
   * Encodes a deeply nested container with an explicit work stack instead of recursion, so
   * nesting is bounded by MAX_DEPTH rather than by the JS stack.
   */
  #deep(root: Term): void {
    const w = this.w;
    const work: (Term | typeof NIL_MARK | DepthMark | FunEnd)[] = [root];
    const base = this.#depth;
    while (work.length > 0) {
      const t = work.pop()!;
      if (t === NIL_MARK) {
        w.u8(Tag.NIL_EXT);
        continue;
      }
      if (t instanceof DepthMark) {
        this.#depth = t.depth;
        continue;
      }
      if (t instanceof FunEnd) {
        this.funEnd(t.sizeAt);
        continue;
      }
      if (!isContainer(t as Term)) {
        this.term(t as Term);
        continue;
      }
      if (this.#depth >= MAX_DEPTH) throw new EncodeError('ERR_ETF_TOO_DEEP', `term nested deeper than ${MAX_DEPTH}`);
      // Children are pushed in reverse so they pop in order; the mark restores the depth after them.
      work.push(new DepthMark(this.#depth));
      this.#depth++;
      if (Array.isArray(t)) {
        const a = t as readonly Term[];
        if (a.length === 0 || (a.length <= 65535 && isByteList(a))) {
          this.list(a);
          continue;
        }
        w.u8(Tag.LIST_EXT);
        w.u32(a.length);
        work.push(NIL_MARK);
        for (let i = a.length - 1; i >= 0; i--) work.push(a[i]!);
      } else if (t instanceof Tuple) {
        const el = t.elements;
        if (el.length <= 255) {
          w.u8(Tag.SMALL_TUPLE_EXT);
          w.u8(el.length);
        } else {
          w.u8(Tag.LARGE_TUPLE_EXT);
          w.u32(el.length);
        }
        for (let i = el.length - 1; i >= 0; i--) work.push(el[i]!);
      } else if (t instanceof ImproperList) {
        const [head, tail] = improperParts(t);
        w.u8(Tag.LIST_EXT);
        w.u32(head.length);
        work.push(tail);
        for (let i = head.length - 1; i >= 0; i--) work.push(head[i]!);
      } else if (t instanceof Fun) {
        work.push(new FunEnd(this.funHead(t)));
        for (let i = t.freeVars.length - 1; i >= 0; i--) work.push(t.freeVars[i]!);
      } else if (t instanceof NativeRecord) {
        this.recordHead(t);
        for (let i = t.values.length - 1; i >= 0; i--) work.push(t.values[i]!);
      } else if (t instanceof TermMap) {
        w.u8(Tag.MAP_EXT);
        w.u32(t.size);
        const order = t.canonicalOrder();
        for (let j = t.size - 1; j >= 0; j--) {
          const i = order.length === 0 ? j : order[j]!;
          work.push(t.valueAt(i), t.keyAt(i));
        }
      }
    }
    this.#depth = base;
  }

  atom(a: Atom): void {
    if (this.#atomIndex !== undefined) {
      const i = this.#atomIndex(a);
      if (i >= 0) {
        this.w.u8(Tag.ATOM_CACHE_REF);
        this.w.u8(i);
        return;
      }
    }
    const w = this.w;
    if (w.pos + 1023 > w.buf.length) w.ensure(1023);
    const end = Atom.writeEtf(a, w.buf, w.pos);
    if (end < 0) throw new EncodeError('ERR_ETF_BAD_ATOM', `atom '${a.name}' is not UTF-8 text and has no ETF form`, a);
    w.pos = end;
  }

  integer(v: number): void {
    const w = this.w;
    if (v >= 0 && v <= 255) {
      if (w.pos + 2 > w.buf.length) w.ensure(2);
      w.buf[w.pos] = Tag.SMALL_INTEGER_EXT;
      w.buf[w.pos + 1] = v;
      w.pos += 2;
    } else if (v >= -2147483648 && v <= 2147483647) {
      w.u8(Tag.INTEGER_EXT);
      w.u32(v);
    } else if (Number.isSafeInteger(v)) {
      // |v| < 2^53: at most 7 digit bytes, computed without bigint.
      let m = Math.abs(v);
      w.ensure(10);
      w.u8(Tag.SMALL_BIG_EXT);
      const nAt = w.pos;
      w.pos += 1;
      w.u8(v < 0 ? 1 : 0);
      let n = 0;
      while (m > 0) {
        const byte = m % 256;
        w.buf[w.pos++] = byte;
        m = (m - byte) / 256;
        n++;
      }
      w.buf[nAt] = n;
    } else {
      throw new EncodeError('ERR_ETF_UNSAFE_INTEGER', `integer ${v} is beyond 2^53: pass a bigint`, v);
    }
  }

  bigint(v: bigint): void {
    if (v >= -2147483648n && v <= 2147483647n) return this.integer(Number(v));
    const w = this.w;
    const neg = v < 0n;
    const m = neg ? -v : v;
    if (m <= 0xffff_ffff_ffff_ffffn) {
      let lo = Number(m & 0xffff_ffffn);
      let hi = Number(m >> 32n);
      const n = hi === 0 ? byteLen(lo) : 4 + byteLen(hi);
      w.ensure(3 + n);
      w.buf[w.pos++] = Tag.SMALL_BIG_EXT;
      w.buf[w.pos++] = n;
      w.buf[w.pos++] = neg ? 1 : 0;
      for (let i = 0; i < n; i++) {
        if (i < 4) {
          w.buf[w.pos++] = lo & 0xff;
          lo >>>= 8;
        } else {
          w.buf[w.pos++] = hi & 0xff;
          hi >>>= 8;
        }
      }
      return;
    }
    let hex = m.toString(16);
    if (hex.length & 1) hex = '0' + hex;
    const n = hex.length >> 1;
    if (n <= 255) {
      w.ensure(3 + n);
      w.buf[w.pos++] = Tag.SMALL_BIG_EXT;
      w.buf[w.pos++] = n;
    } else {
      w.ensure(6 + n);
      w.u8(Tag.LARGE_BIG_EXT);
      w.u32(n);
    }
    w.buf[w.pos++] = neg ? 1 : 0;
    // Little-endian digits: walk the hex from its end.
    for (let i = hex.length - 2; i >= 0; i -= 2) w.buf[w.pos++] = parseInt(hex.substring(i, i + 2), 16);
  }

  float(v: number): void {
    if (!Number.isFinite(v)) throw new EncodeError('ERR_ETF_NOT_FINITE', `${v} has no Erlang float`, v);
    this.w.u8(Tag.NEW_FLOAT_EXT);
    this.w.f64(v);
  }

  list(a: readonly Term[]): void {
    const w = this.w;
    const n = a.length;
    if (n === 0) return w.u8(Tag.NIL_EXT);
    if (n <= 65535 && isByteList(a)) {
      w.ensure(3 + n);
      const b = w.buf;
      let p = w.pos;
      b[p++] = Tag.STRING_EXT;
      b[p++] = n >>> 8;
      b[p++] = n;
      for (let i = 0; i < n; i++) b[p++] = a[i] as number;
      w.pos = p;
      return;
    }
    w.u8(Tag.LIST_EXT);
    w.u32(n);
    for (let i = 0; i < n; i++) {
      const e = a[i]!;
      // Integers are the common element: write them without the generic dispatch.
      if (typeof e === 'number' && (e | 0) === e) {
        if (w.pos + 5 > w.buf.length) w.ensure(5);
        const b = w.buf;
        const p = w.pos;
        if (e >= 0 && e <= 255) {
          b[p] = Tag.SMALL_INTEGER_EXT;
          b[p + 1] = e;
          w.pos = p + 2;
        } else {
          b[p] = Tag.INTEGER_EXT;
          b[p + 1] = e >>> 24;
          b[p + 2] = e >>> 16;
          b[p + 3] = e >>> 8;
          b[p + 4] = e;
          w.pos = p + 5;
        }
      } else this.term(e);
    }
    w.u8(Tag.NIL_EXT);
  }

  #improper(t: ImproperList): void {
    const w = this.w;
    const [head, tail] = improperParts(t);
    w.u8(Tag.LIST_EXT);
    w.u32(head.length);
    for (let i = 0; i < head.length; i++) this.term(head[i]!);
    this.term(tail);
  }

  tuple(el: readonly Term[]): void {
    const w = this.w;
    const n = el.length;
    if (n <= 255) {
      w.u8(Tag.SMALL_TUPLE_EXT);
      w.u8(n);
    } else {
      w.u8(Tag.LARGE_TUPLE_EXT);
      w.u32(n);
    }
    for (let i = 0; i < n; i++) this.term(el[i]!);
  }

  pid(p: Pid): void {
    const w = this.w;
    w.u8(Tag.NEW_PID_EXT);
    this.atom(p.node);
    w.u32(p.id);
    w.u32(p.serial);
    w.u32(u32Creation(p.creation, p));
  }

  ref(r: Ref): void {
    const w = this.w;
    const n = r.ids.length;
    if (n > 5) {
      throw new EncodeError('ERR_ETF_BAD_REF', `a reference of ${n} words has no ETF form (Ergo refs need a mapping)`, r);
    }
    w.u8(Tag.NEWER_REFERENCE_EXT);
    w.u16(n);
    this.atom(r.node);
    w.u32(u32Creation(r.creation, r));
    for (let i = 0; i < n; i++) w.u32(r.ids[i]!);
  }

  port(p: Port): void {
    const w = this.w;
    const big = BigInt(p.id);
    if (big < 0n || big > 0xffff_ffff_ffff_ffffn) throw new EncodeError('ERR_ETF_BAD_PORT', `port id ${p.id} out of range`, p);
    // OTP 26+ writes every port as V4_PORT_EXT (OTP 25 used NEW_PORT_EXT below 2^28).
    w.u8(Tag.V4_PORT_EXT);
    this.atom(p.node);
    w.u32(Number(big >> 32n));
    w.u32(Number(big & 0xffff_ffffn));
    w.u32(u32Creation(p.creation, p));
  }

  bitBinary(b: BitBinary): void {
    const w = this.w;
    if (b.bits === 8 || b.bytes.length === 0) {
      // A whole number of bytes is a binary.
      w.u8(Tag.BINARY_EXT);
      w.u32(b.bytes.length);
      w.bytes(b.bytes);
      return;
    }
    if (!(b.bits >= 1 && b.bits <= 7)) throw new EncodeError('ERR_ETF_BAD_BITS', `bitstring with ${b.bits} bits in its last byte`, b);
    w.u8(Tag.BIT_BINARY_EXT);
    w.u32(b.bytes.length);
    w.u8(b.bits);
    const start = w.pos;
    w.bytes(b.bytes);
    // Canonical form keeps the unused low bits zero.
    w.buf[start + b.bytes.length - 1]! &= (0xff << (8 - b.bits)) & 0xff;
  }

  /** NEW_FUN_EXT up to its free variables; returns where Size goes (see {@link funEnd}). */
  funHead(f: Fun): number {
    const w = this.w;
    if (f.uniq.length !== 16) throw new EncodeError('ERR_ETF_BAD_FUN', 'fun uniq must be 16 bytes', f);
    if (!(f.arity >= 0 && f.arity <= 255)) throw new EncodeError('ERR_ETF_BAD_FUN', `fun arity ${f.arity} out of range`, f);
    w.u8(Tag.NEW_FUN_EXT);
    // Relative to the value's start: the writer may move it to a new chunk as it grows.
    const sizeAt = w.reserveU32();
    w.u8(f.arity);
    w.bytes(f.uniq);
    w.u32(f.index);
    w.u32(f.freeVars.length);
    this.atom(f.module);
    this.integer(f.oldIndex);
    this.integer(f.oldUniq);
    this.pid(f.pid);
    return sizeAt;
  }

  /** Size counts itself and everything after the tag, free variables included. */
  funEnd(sizeAt: number): void {
    this.w.patchU32(sizeAt, this.w.offset - sizeAt);
  }

  /** RECORD_EXT up to its values. */
  recordHead(r: NativeRecord): void {
    const w = this.w;
    w.u8(Tag.RECORD_EXT);
    w.u32(r.fields.length);
    w.u8(r.exported ? 1 : 0);
    this.atom(r.module);
    this.atom(r.name);
    for (const f of r.fields) this.atom(f);
  }
}

/** Below this depth containers recurse (fast); deeper ones go through the work stack of #deep. */
const RECURSION_LIMIT = 200;
const NIL_MARK = Symbol('nil');

class DepthMark {
  constructor(readonly depth: number) {}
}

class FunEnd {
  constructor(readonly sizeAt: number) {}
}

function isContainer(t: Term): boolean {
  return Array.isArray(t) || t instanceof Tuple || t instanceof TermMap || t instanceof ImproperList || t instanceof Fun || t instanceof NativeRecord;
}

/** `[1 | [2 | T]]` built as nested ImproperLists is written as the one list it is. */
function improperParts(t: ImproperList): [readonly Term[], Term] {
  if (!(t.tail instanceof ImproperList)) return [t.head, t.tail];
  const head = [...t.head];
  let tail: Term = t.tail;
  while (tail instanceof ImproperList) {
    for (const e of tail.head) head.push(e);
    tail = tail.tail;
  }
  return [head, tail];
}

function byteLen(v: number): number {
  return v >= 0x1000000 ? 4 : v >= 0x10000 ? 3 : v >= 0x100 ? 2 : v > 0 ? 1 : 0;
}

function isByteList(a: readonly Term[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 255) || (v | 0) !== v) return false;
  }
  return true;
}

function isPlainObject(t: object): boolean {
  const p = Object.getPrototypeOf(t);
  return p === Object.prototype || p === null;
}

function u32Creation(c: number | bigint, owner: unknown): number {
  if (typeof c === 'number' && c >= 0 && c <= 0xffff_ffff) return c;
  throw new EncodeError('ERR_ETF_BAD_CREATION', `creation ${c} does not fit ETF's 32 bits`, owner);
}

const shared = new EtfEncoder();

/**
 * `term_to_binary/1`: the bytes of `t`, with the 131 version byte unless told otherwise.
 * The result is a view into a shared chunk that is never written again; copy it only if you
 * need a separate ArrayBuffer. Throws `EncodeError` for values with no term form.
 */
export function encode(t: Term, opts?: EncodeOptions): Uint8Array {
  return shared.encode(t, opts);
}
