/**
 * EDF decoder, accepting what ergo net/edf Encode (Ergo 3.x) produces.
 *
 * Hostile input: every length and count is checked against the bytes that remain before
 * anything is allocated (counts are bounded by `remaining / minimum element size`), nesting is
 * bounded by `maxDepth`, atoms by `maxAtoms`, and every failure is a `DecodeError` with the
 * offset and tag. Unknown registered types fail by name (Go: "unknown reg type X for decoding").
 *
 * Ownership: `[]byte` values are views into the input unless `copyBinaries` is set.
 */
import { Buffer } from 'node:buffer';
import { Atom } from '../../term/atom.js';
import { Alias, canonicalInt, Pid, Ref } from '../../term/ids.js';
import { ErlFloat } from '../../term/types.js';
import { DecodeError } from '../errors.js';
import type { EdfDecodeCache } from './caches.js';
// The framework's types must be in the default registry whenever anything decodes.
import './framework-types.gen.js';
import { Edt, Limit } from './tags.js';
import { checkMapKey, defaultRegistry, EdfType, RegType, T, Typed, typeOf, type EdfRegistry, type TypeExpr } from './types.js';
import { EdfError, Event, GoTime, ProcessID } from './values.js';

export interface EdfDecodeOptions {
  /** The peer's announced tables (atoms, types, errors by id). */
  cache?: EdfDecodeCache;
  /** Where registered type names resolve (default: the default registry, with the framework types). */
  registry?: EdfRegistry;
  /** Peer atom → local atom, applied after the cache (ergo AtomMapping, reverse direction). */
  atomMapping?: ReadonlyMap<Atom, Atom>;
  /** Deepest nesting of `any`, composites and structs (default 1000). */
  maxDepth?: number;
  /** Most elements of zero-size types (`struct{}`, `[0]T`) one value may hold (default 65536). */
  maxEmptyElements?: number;
  /** Refuse to intern a new atom once this many exist (default 1,048,576, as the ETF decoder). */
  maxAtoms?: number;
  /** Copy `[]byte` values out of the input instead of returning views. */
  copyBinaries?: boolean;
  /** `decode()`: accept bytes after the value (Go returns them; ENP accepts them with a warning). */
  allowTrailing?: boolean;
}

const EMPTY = new Uint8Array(0);

// Big-endian reads through one shared 8-byte scratch: cheaper than a DataView per input.
// Typed arrays use the host's byte order, so the copy reverses on little-endian hosts.
const scratch = new ArrayBuffer(8);
const su8 = new Uint8Array(scratch);
const sI64 = new BigInt64Array(scratch);
const sU64 = new BigUint64Array(scratch);
const sF64 = new Float64Array(scratch);
const sF32 = new Float32Array(scratch, 0, 1);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function load8(b: Uint8Array, p: number): void {
  if (LITTLE) {
    su8[0] = b[p + 7]!;
    su8[1] = b[p + 6]!;
    su8[2] = b[p + 5]!;
    su8[3] = b[p + 4]!;
    su8[4] = b[p + 3]!;
    su8[5] = b[p + 2]!;
    su8[6] = b[p + 1]!;
    su8[7] = b[p]!;
  } else for (let i = 0; i < 8; i++) su8[i] = b[p + i]!;
}

function load4(b: Uint8Array, p: number): void {
  if (LITTLE) {
    su8[0] = b[p + 3]!;
    su8[1] = b[p + 2]!;
    su8[2] = b[p + 1]!;
    su8[3] = b[p]!;
  } else for (let i = 0; i < 4; i++) su8[i] = b[p + i]!;
}

const fcc = String.fromCharCode;

/** ASCII bytes b[s..s+n) (n ≤ 8, already checked < 0x80) as a string, without a native call. */
function ascii8(b: Uint8Array, s: number, n: number): string {
  switch (n) {
    case 0:
      return '';
    case 1:
      return fcc(b[s]!);
    case 2:
      return fcc(b[s]!, b[s + 1]!);
    case 3:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    default:
      return fcc(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
  }
}
const ANY_SLICE = T.any.sliceOf();
const ANY_MAP = T.any.mapOf(T.any);
const utf8Slice = Buffer.prototype.utf8Slice as (this: Uint8Array, start: number, end: number) => string;

/**
 * Interned types live as long as their element type. A peer can fold unboundedly many shapes
 * (`map[int]map[int]…`, arrays of any length), so the decoder interns only `[]L` and
 * `map[L1]L2` over leaves (simple kinds and declared registered types: a bounded set) and builds
 * deeper composites afresh per message.
 */
function isLeaf(t: EdfType): boolean {
  return t.kind !== Edt.Slice && t.kind !== Edt.Map && t.kind !== Edt.Array;
}

/** The type each simple fold/tag byte stands for. */
const simple: (EdfType | undefined)[] = [];
for (const t of [
  T.bool, T.int8, T.int16, T.int32, T.int64, T.int, T.uint8, T.uint16, T.uint32, T.uint64, T.uint,
  T.float32, T.float64, T.string, T.binary, T.atom, T.error, T.any, T.pid, T.processId, T.alias, T.event, T.ref, T.time,
]) {
  simple[t.kind] = t;
}

// A direct-mapped cache from atom bytes to Atom, so hot atoms decode without building a string.
const ATOM_SLOTS = 4096;
const atomSlots: (Atom | undefined)[] = new Array(ATOM_SLOTS).fill(undefined);

/** Strings of up to 16 bytes: ASCII without a native call (msgpackr's trick), else UTF-8. */
function shortString(b: Uint8Array, s: number, n: number): string {
  let or = 0;
  for (let i = s; i < s + n; i++) or |= b[i]!;
  if (or >= 0x80) return utf8Slice.call(b, s, s + n);
  return n <= 8 ? ascii8(b, s, n) : ascii8(b, s, 8) + ascii8(b, s + 8, n - 8);
}


export class EdfDecoder {
  b: Uint8Array = EMPTY;
  pos = 0;
  end = 0;
  #depth = 0;
  #maxDepth = 1000;
  #empty = 65536;
  #maxAtoms = 1_048_576;
  #copy = false;
  #cache: EdfDecodeCache | undefined = undefined;
  #registry: EdfRegistry = defaultRegistry;
  #mapping: ReadonlyMap<Atom, Atom> | undefined = undefined;

  #setup(bytes: Uint8Array, offset: number, end: number, opts: EdfDecodeOptions | undefined): void {
    this.b = bytes;
    this.pos = offset;
    this.end = end;
    this.#depth = 0;
    if (opts === undefined) {
      this.#maxDepth = 1000;
      this.#empty = 65536;
      this.#maxAtoms = 1_048_576;
      this.#copy = false;
      this.#cache = undefined;
      this.#registry = defaultRegistry;
      this.#mapping = undefined;
    } else {
      this.#maxDepth = opts.maxDepth ?? 1000;
      this.#empty = opts.maxEmptyElements ?? 65536;
      this.#maxAtoms = opts.maxAtoms ?? 1_048_576;
      this.#copy = opts.copyBinaries ?? false;
      this.#cache = opts.cache;
      this.#registry = opts.registry ?? defaultRegistry;
      this.#mapping = opts.atomMapping !== undefined && opts.atomMapping.size > 0 ? opts.atomMapping : undefined;
    }
  }

  #release(): void {
    this.b = EMPTY;
  }

  /** Decode one top-level (tagged) value filling `bytes` (see `allowTrailing`). */
  decode(bytes: Uint8Array, opts?: EdfDecodeOptions): unknown {
    this.#setup(bytes, 0, bytes.length, opts);
    try {
      const v = this.any();
      if (this.pos !== this.end && opts?.allowTrailing !== true) {
        throw this.#err('ERR_EDF_TRAILING', `${this.end - this.pos} bytes after the value`, this.pos);
      }
      return v;
    } catch (e) {
      throw this.#wrap(e);
    } finally {
      this.#release();
    }
  }

  /** Decode one top-level value starting at `offset`; returns it and where it ended (the tail is the caller's). */
  decodeAt(bytes: Uint8Array, offset: number, opts?: EdfDecodeOptions, end = bytes.length): { value: unknown; end: number } {
    this.#setup(bytes, offset, end, opts);
    try {
      const value = this.any();
      return { value, end: this.pos };
    } catch (e) {
      throw this.#wrap(e);
    } finally {
      this.#release();
    }
  }

  /** Decode a bare value of static type `type` filling `bytes` (e.g. one struct field read alone). */
  decodeBody(type: TypeExpr, bytes: Uint8Array, opts?: EdfDecodeOptions): unknown {
    const t = typeOf(type);
    this.#setup(bytes, 0, bytes.length, opts);
    try {
      const v = this.body(t);
      if (this.pos !== this.end && opts?.allowTrailing !== true) {
        throw this.#err('ERR_EDF_TRAILING', `${this.end - this.pos} bytes after the value`, this.pos);
      }
      return v;
    } catch (e) {
      throw this.#wrap(e);
    } finally {
      this.#release();
    }
  }

  #wrap(e: unknown): unknown {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return this.#err('ERR_EDF_TOO_DEEP', 'nesting exhausted the stack', this.pos, undefined, e);
    }
    return e;
  }

  #err(code: string, message: string, offset: number, tag?: number, cause?: unknown): DecodeError {
    return new DecodeError(code, message, offset, tag, cause === undefined ? undefined : { cause });
  }

  #truncated(n: number, at: number, tag?: number): DecodeError {
    return this.#err('ERR_EDF_TRUNCATED', `needs ${n} more bytes, ${Math.max(0, this.end - this.pos)} left`, at, tag);
  }

  #need(n: number, tag?: number): void {
    if (this.pos + n > this.end) throw this.#truncated(n, this.pos, tag);
  }

  #enter(): void {
    if (++this.#depth > this.#maxDepth) throw this.#err('ERR_EDF_TOO_DEEP', `nested deeper than ${this.#maxDepth}`, this.pos);
  }

  // ---------------------------------------------------------------------------------------
  // Tagged positions

  /** One tagged value (top level or `any` slot). */
  any(): unknown {
    const at = this.pos;
    if (at >= this.end) throw this.#err('ERR_EDF_TRUNCATED', 'a value was expected', at);
    const tag = this.b[at]!;
    this.pos = at + 1;
    switch (tag) {
      case 0xff:
        return null;
      case 0x8d:
        return this.str();
      case 0x96:
        // Go int in an any slot: a number when it is a safe integer (so it re-encodes as int),
        // else a bigint (proto-spec/term-mapping.md).
        return this.#int64();
      case 0x8c:
        return this.atom();
      case 0x90: {
        // An integral float64 keeps its kind (a plain integral number would re-encode as int).
        const f = this.f64();
        return Number.isInteger(f) ? new ErlFloat(f) : f;
      }
      case 0x91:
        return this.bool();
      case 0x8e:
        return this.bin();
      case 0x9c:
        return this.err();
      case 0xaa:
        return this.pid();
      case 0xab:
        return this.processId();
      case 0xac:
        return this.alias();
      case 0xad:
        return this.event();
      case 0xae:
        return this.ref();
      case 0xaf:
        return this.time();
      // Kinds a bare JS value would not re-encode as: keep the type.
      case 0x92:
        return new Typed(T.int8, this.i8());
      case 0x93:
        return new Typed(T.int16, this.i16());
      case 0x94:
        return new Typed(T.int32, this.i32());
      case 0x95:
        return new Typed(T.int64, this.i64());
      case 0x97:
        return new Typed(T.uint8, this.u8());
      case 0x98:
        return new Typed(T.uint16, this.u16());
      case 0x99:
        return new Typed(T.uint32, this.u32());
      case 0x9a:
        return new Typed(T.uint64, this.u64());
      case 0x9b:
        return new Typed(T.uint, this.u64());
      case 0x8f:
        return new Typed(T.float32, this.f32());
      case 0x83: {
        const rt = this.#regRef(at, tag);
        return this.#regTagged(rt);
      }
      case 0x82:
        return this.#folded(at);
      case 0x84: {
        // Never emitted; Go's decoder reads it as "a tagged value follows".
        this.#enter();
        const v = this.any();
        this.#depth--;
        return v;
      }
    }
    throw this.#err('ERR_EDF_UNKNOWN_TAG', `unknown type ${tag} for decoding`, at, tag);
  }

  #regTagged(rt: RegType): unknown {
    const v = this.reg(rt);
    if (rt.regKind === 'struct' || (rt.regKind === 'custom' && rt.cls !== undefined)) return v;
    return new Typed(rt, v);
  }

  /** `82 u16 FOLD body`: only unregistered slices, arrays and maps (Go never folds anything else). */
  #folded(at: number): unknown {
    this.#need(2, Edt.Type);
    const b = this.b;
    const n = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    this.#need(n, Edt.Type);
    const foldEnd = this.pos + n;
    const end = this.end;
    this.end = foldEnd;
    let t: EdfType;
    try {
      t = this.#fold();
      if (this.pos !== foldEnd) throw this.#err('ERR_EDF_BAD_FOLD', `${foldEnd - this.pos} extra bytes in the folded type`, this.pos, Edt.Type);
    } finally {
      this.end = end;
    }
    if (t.kind !== Edt.Slice && t.kind !== Edt.Array && t.kind !== Edt.Map) {
      throw this.#err('ERR_EDF_BAD_FOLD', `type header around ${t.goName}: Go folds only unregistered slices, arrays and maps`, at, Edt.Type);
    }
    const v = this.body(t);
    if (v !== null && (t === ANY_SLICE || t === ANY_MAP)) return v;
    return new Typed(t, v);
  }

  /** Parse one fold (FOLD grammar, digest §1.3) within `this.end`. */
  #fold(): EdfType {
    const at = this.pos;
    if (at >= this.end) throw this.#err('ERR_EDF_BAD_FOLD', 'folded type ends early', at, Edt.Type);
    const tag = this.b[at]!;
    this.pos = at + 1;
    this.#enter();
    let t: EdfType;
    switch (tag) {
      case Edt.Slice: {
        const e = this.#fold();
        t = isLeaf(e) ? e.sliceOf() : new EdfType(Edt.Slice, e);
        break;
      }
      case Edt.Array: {
        if (this.pos + 4 > this.end) throw this.#err('ERR_EDF_BAD_FOLD', 'array length missing in folded type', at, tag);
        const n = this.#u32();
        // Not interned: the length comes from the input.
        t = new EdfType(Edt.Array, this.#fold(), undefined, n);
        break;
      }
      case Edt.Map: {
        const k = this.#fold();
        const v = this.#fold();
        try {
          // strict: Go's decodeType refuses an array key ("extra data in folded type").
          checkMapKey(k, true);
        } catch (e) {
          throw this.#err('ERR_EDF_BAD_FOLD', (e as Error).message, at, tag);
        }
        t = isLeaf(k) && isLeaf(v) ? v.mapOf(k) : new EdfType(Edt.Map, v, k);
        break;
      }
      case Edt.Reg:
        t = this.#regRef(at, tag);
        break;
      default: {
        const s = simple[tag];
        if (s === undefined) throw this.#err('ERR_EDF_BAD_FOLD', `no decoder for type ${tag} in a folded type`, at, tag);
        t = s;
      }
    }
    this.#depth--;
    return t;
  }

  /** REGREF after a 0x83: u16 name length + name, or u16 RegCache id (≥ 4096). */
  #regRef(at: number, tag: number): RegType {
    this.#need(2, tag);
    const b = this.b;
    const n = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    let found: RegType | string | undefined;
    if (n > Limit.REG_NAME_MAX) {
      const c = this.#cache;
      if (c === undefined || !c.hasTypes) throw this.#err('ERR_EDF_UNKNOWN_CACHE_ID', `no RegCache to decode cached id ${n}`, at, tag);
      found = c.types[n];
      if (found === undefined) throw this.#err('ERR_EDF_UNKNOWN_CACHE_ID', `unknown RegCache id ${n}`, at, tag);
      // A name not declared when the peer's table arrived may be declared since: Go resolves
      // id → name → decoder on every decode (getRegDecoder).
      if (typeof found === 'string') found = this.#registry.get(found) ?? found;
    } else {
      this.#need(n, tag);
      const name = utf8Slice.call(b, this.pos, this.pos + n);
      this.pos += n;
      found = this.#registry.get(name) ?? name;
    }
    if (typeof found === 'string') throw this.#err('ERR_EDF_UNKNOWN_TYPE', `unknown reg type ${found} for decoding`, at, tag);
    return found;
  }

  // ---------------------------------------------------------------------------------------
  // Bare bodies

  /** The bare body of static type `t`. */
  body(t: EdfType): unknown {
    switch (t.kind) {
      case 0x91:
        return this.bool();
      case 0x92:
        return this.i8();
      case 0x93:
        return this.i16();
      case 0x94:
        return this.i32();
      case 0x95:
      case 0x96:
        return this.i64();
      case 0x97:
        return this.u8();
      case 0x98:
        return this.u16();
      case 0x99:
        return this.u32();
      case 0x9a:
      case 0x9b:
        return this.u64();
      case 0x8f:
        return this.f32();
      case 0x90:
        return this.f64();
      case 0x8d:
        return this.str();
      case 0x8e:
        return this.bin();
      case 0x8c:
        return this.atom();
      case 0x9c:
        return this.err();
      case 0x84:
        return this.any();
      case 0xaa:
        return this.pid();
      case 0xab:
        return this.processId();
      case 0xac:
        return this.alias();
      case 0xad:
        return this.event();
      case 0xae:
        return this.ref();
      case 0xaf:
        return this.time();
      case 0x9d:
        return this.slice(t);
      case 0x9e:
        return this.array(t);
      case 0x9f:
        return this.map(t);
      case 0x83:
        return this.reg(t as RegType);
    }
    throw this.#err('ERR_EDF_BAD_TYPE', `no decoder for ${t.goName}`, this.pos);
  }

  /** Only `01` is true (Go decodeBool). */
  bool(): boolean {
    if (this.pos >= this.end) throw this.#truncated(1, this.pos, Edt.Bool);
    return this.b[this.pos++] === 1;
  }

  i8(): number {
    if (this.pos >= this.end) throw this.#truncated(1, this.pos, Edt.Int8);
    return (this.b[this.pos++]! << 24) >> 24;
  }

  u8(): number {
    if (this.pos >= this.end) throw this.#truncated(1, this.pos, Edt.Uint8);
    return this.b[this.pos++]!;
  }

  i16(): number {
    const p = this.pos;
    if (p + 2 > this.end) throw this.#truncated(2, p, Edt.Int16);
    this.pos = p + 2;
    return ((this.b[p]! << 24) | (this.b[p + 1]! << 16)) >> 16;
  }

  u16(): number {
    const p = this.pos;
    if (p + 2 > this.end) throw this.#truncated(2, p, Edt.Uint16);
    this.pos = p + 2;
    return (this.b[p]! << 8) | this.b[p + 1]!;
  }

  i32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.#truncated(4, p, Edt.Int32);
    const b = this.b;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  u32(): number {
    return this.i32() >>> 0;
  }

  #u32(): number {
    const b = this.b;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** int64 / Go int → bigint. */
  i64(): bigint {
    const p = this.pos;
    if (p + 8 > this.end) throw this.#truncated(8, p, Edt.Int64);
    this.pos = p + 8;
    load8(this.b, p);
    return sI64[0]!;
  }

  /** uint64 / Go uint → bigint. */
  u64(): bigint {
    const p = this.pos;
    if (p + 8 > this.end) throw this.#truncated(8, p, Edt.Uint64);
    this.pos = p + 8;
    load8(this.b, p);
    return sU64[0]!;
  }

  f32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.#truncated(4, p, Edt.Float32);
    this.pos = p + 4;
    load4(this.b, p);
    return sF32[0]!;
  }

  f64(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw this.#truncated(8, p, Edt.Float64);
    this.pos = p + 8;
    load8(this.b, p);
    return sF64[0]!;
  }

  /** An int64 as a number when it is safe, else a bigint (PID/Ref creation, like the term model). */
  #creation(): number | bigint {
    const p = this.pos;
    const b = this.b;
    const hi = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
    const lo = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
    this.pos = p + 8;
    // |hi| < 2^21 keeps |value| < 2^53; the rest of the safe range goes through canonicalInt.
    if (hi >= -0x1fffff && hi <= 0x1fffff) return hi * 4294967296 + lo;
    load8(b, p);
    return canonicalInt(sI64[0]!);
  }

  /** A tagged Go int: {@link #creation} after the bounds check. */
  #int64(): number | bigint {
    if (this.pos + 8 > this.end) throw this.#truncated(8, this.pos, Edt.Int);
    return this.#creation();
  }

  /** u16 length + UTF-8 (invalid sequences become U+FFFD; Go does not validate). */
  str(): string {
    const p = this.pos;
    if (p + 2 > this.end) throw this.#truncated(2, p, Edt.String);
    const b = this.b;
    const n = (b[p]! << 8) | b[p + 1]!;
    const s = p + 2;
    if (s + n > this.end) throw this.#truncated(n, s, Edt.String);
    this.pos = s + n;
    return n <= 16 ? shortString(b, s, n) : utf8Slice.call(b, s, s + n);
  }

  /** u32 length + bytes: a view unless `copyBinaries`. */
  bin(): Uint8Array {
    const p = this.pos;
    if (p + 4 > this.end) throw this.#truncated(4, p, Edt.Binary);
    const n = this.#u32();
    if (this.pos + n > this.end) throw this.#truncated(n, this.pos, Edt.Binary);
    const s = this.pos;
    this.pos = s + n;
    return this.#copy ? this.b.slice(s, s + n) : this.b.subarray(s, s + n);
  }

  /** ATOMREF: u16 ≤ 255 is a length, larger is a peer AtomCache id. */
  atom(): Atom {
    const p = this.pos;
    if (p + 2 > this.end) throw this.#truncated(2, p, Edt.Atom);
    const b = this.b;
    const n = (b[p]! << 8) | b[p + 1]!;
    this.pos = p + 2;
    let a: Atom | undefined;
    if (n > Limit.ATOM_INLINE_MAX) {
      const c = this.#cache;
      if (c === undefined || !c.hasAtoms) throw this.#err('ERR_EDF_UNKNOWN_CACHE_ID', `no AtomCache to decode id ${n}`, p, Edt.Atom);
      a = c.atoms[n];
      if (a === undefined) throw this.#err('ERR_EDF_UNKNOWN_CACHE_ID', `unknown AtomCache id ${n}`, p, Edt.Atom);
    } else {
      const s = p + 2;
      if (s + n > this.end) throw this.#truncated(n, s, Edt.Atom);
      this.pos = s + n;
      a = this.#atomBytes(s, n);
    }
    if (this.#mapping !== undefined) return this.#mapping.get(a) ?? a;
    return a;
  }

  #atomBytes(s: number, n: number): Atom {
    const b = this.b;
    let h = n;
    for (let i = s; i < s + n; i++) h = (Math.imul(h, 31) + b[i]!) | 0;
    const slot = h & (ATOM_SLOTS - 1);
    const hit = atomSlots[slot];
    if (hit !== undefined && hit.utf8.length === n) {
      const u = hit.utf8;
      let same = true;
      for (let i = 0; i < n; i++) {
        if (u[i] !== b[s + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit;
    }
    let name = utf8Slice.call(b, s, s + n);
    // Go keeps a gen.Atom's bytes as they are: text that is not UTF-8 keeps them too (as
    // escapes in the name, see term/atom.ts), so the atom encodes back to the same bytes.
    if (name.includes('\ufffd')) name = Atom.nameOf(b.subarray(s, s + n));
    let a = Atom.existing(name);
    if (a === undefined) {
      if (Atom.count >= this.#maxAtoms) throw this.#err('ERR_EDF_TOO_MANY_ATOMS', `atom table is full (${this.#maxAtoms})`, s - 2, Edt.Atom);
      a = Atom.of(name);
    }
    atomSlots[slot] = a;
    return a;
  }

  /** ERRHDR: 65535 nil, > 32767 a peer ErrCache id, else an inline message. */
  err(): EdfError | null {
    const p = this.pos;
    if (p + 2 > this.end) throw this.#truncated(2, p, Edt.Error);
    const b = this.b;
    const n = (b[p]! << 8) | b[p + 1]!;
    this.pos = p + 2;
    if (n === Limit.ERR_NIL) return null;
    if (n > Limit.ERR_INLINE_MAX) {
      const c = this.#cache;
      if (c === undefined || !c.hasErrors) throw this.#err('ERR_EDF_UNKNOWN_CACHE_ID', `no ErrCache to decode id ${n}`, p, Edt.Error);
      const e = c.errors[n];
      if (e === undefined) throw this.#err('ERR_EDF_UNKNOWN_CACHE_ID', `unknown ErrCache id ${n}`, p, Edt.Error);
      return e;
    }
    const s = p + 2;
    if (s + n > this.end) throw this.#truncated(n, s, Edt.Error);
    this.pos = s + n;
    return new EdfError(utf8Slice.call(b, s, s + n));
  }

  pid(): Pid {
    const node = this.atom();
    const p = this.pos;
    if (p + 16 > this.end) throw this.#truncated(16, p, Edt.PID);
    const b = this.b;
    const hi = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
    const lo = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
    this.pos = p + 8;
    return new Pid(node, lo, hi, this.#creation());
  }

  processId(): ProcessID {
    const node = this.atom();
    return new ProcessID(this.atom(), node);
  }

  event(): Event {
    const node = this.atom();
    return new Event(this.atom(), node);
  }

  #refParts(tag: number): [Atom, number | bigint, number[]] {
    const node = this.atom();
    if (this.pos + 32 > this.end) throw this.#truncated(32, this.pos, tag);
    const creation = this.#creation();
    const w = new Array<number>(6);
    for (let i = 0; i < 6; i += 2) {
      w[i + 1] = this.#u32();
      w[i] = this.#u32();
    }
    // The shortest form with at least 3 words (trailing zero words dropped), as Ref.ergo
    // builds it: a ref made here with 3 words (the runtime's, an Erlang one) comes back equal
    // to itself, so call replies and DOWNs match over Ergo (proto-spec/term-mapping.md).
    let n = 6;
    while (n > 3 && w[n - 1] === 0) n--;
    if (n < 6) w.length = n;
    return [node, creation, w];
  }

  ref(): Ref {
    const [node, creation, ids] = this.#refParts(Edt.Ref);
    return new Ref(node, creation, ids);
  }

  alias(): Alias {
    const [node, creation, ids] = this.#refParts(Edt.Alias);
    return new Alias(node, creation, ids);
  }

  /** u8 n + Go MarshalBinary: n must be 15 (V1) or 16 (V2), as Time.UnmarshalBinary demands. */
  time(): GoTime {
    const p = this.pos;
    if (p + 1 > this.end) throw this.#truncated(1, p, Edt.Time);
    const b = this.b;
    const n = b[p]!;
    if (p + 1 + n > this.end) throw this.#truncated(n, p + 1, Edt.Time);
    const version = b[p + 1];
    if (n === 0 || (version !== 1 && version !== 2) || n !== (version === 2 ? 16 : 15)) {
      throw this.#err('ERR_EDF_BAD_TIME', `time of ${n} bytes, version ${version ?? 'none'}: Go accepts only V1 (15) or V2 (16)`, p, Edt.Time);
    }
    load8(b, p + 2);
    const sec = sI64[0]!;
    const nsec = (b[p + 10]! << 24) | (b[p + 11]! << 16) | (b[p + 12]! << 8) | b[p + 13]!;
    const offMin = ((b[p + 14]! << 24) | (b[p + 15]! << 16)) >> 16;
    const offSec = version === 2 ? (b[p + 16]! << 24) >> 24 : 0;
    this.pos = p + 1 + n;
    return new GoTime(sec, nsec, offMin, offSec, version);
  }

  /** `count` elements of minimum size `min` must fit in what is left (or the empty-element budget). */
  #count(count: number, min: number, at: number, tag: number): void {
    if (min === 0) {
      this.#empty -= count;
      if (this.#empty < 0) throw this.#err('ERR_EDF_TOO_LARGE', `more zero-size elements than maxEmptyElements`, at, tag);
    } else if (count * min > this.end - this.pos) {
      throw this.#err('ERR_EDF_TRUNCATED', `${count} elements need at least ${count * min} bytes, ${this.end - this.pos} left`, at, tag);
    }
  }

  /** Unregistered slice body: `ff` (nil) or `9d` u32 count + elements. */
  slice(t: EdfType): unknown[] | null {
    return this.#list(t.elem!, Edt.Slice);
  }

  #list(e: EdfType, marker: number): unknown[] | null {
    const at = this.pos;
    if (at >= this.end) throw this.#truncated(1, at, marker);
    const m = this.b[at]!;
    if (m === Edt.Nil) {
      this.pos = at + 1;
      return null;
    }
    if (m !== marker) throw this.#err('ERR_EDF_BAD_MARKER', `incorrect slice type ${m}`, at, m);
    this.pos = at + 1;
    this.#need(4, marker);
    const n = this.#u32();
    this.#count(n, e.minSize, at, marker);
    this.#enter();
    const out = new Array<unknown>(n);
    switch (e.kind) {
      case 0x8d:
        for (let i = 0; i < n; i++) out[i] = this.str();
        break;
      case 0x96:
      case 0x95:
        for (let i = 0; i < n; i++) out[i] = this.i64();
        break;
      case 0x84:
        for (let i = 0; i < n; i++) out[i] = this.any();
        break;
      case 0x83: {
        const r = e as RegType;
        for (let i = 0; i < n; i++) out[i] = this.reg(r);
        break;
      }
      default:
        for (let i = 0; i < n; i++) out[i] = this.body(e);
    }
    this.#depth--;
    return out;
  }

  /** Unregistered (or registered) array body: exactly N elements. */
  array(t: EdfType): unknown[] {
    const n = t.len;
    const e = t.elem!;
    this.#count(n, e.minSize, this.pos, Edt.Array);
    this.#enter();
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = this.body(e);
    this.#depth--;
    return out;
  }

  /** Unregistered map body: `ff` (nil) or `9f` u32 count + pairs. Duplicate keys: the last wins, as in Go. */
  map(t: EdfType): Map<unknown, unknown> | null {
    return this.#pairs(t, Edt.Map);
  }

  #pairs(t: EdfType, marker: number): Map<unknown, unknown> | null {
    const at = this.pos;
    if (at >= this.end) throw this.#truncated(1, at, marker);
    const m = this.b[at]!;
    if (m === Edt.Nil) {
      this.pos = at + 1;
      return null;
    }
    if (m !== marker) throw this.#err('ERR_EDF_BAD_MARKER', `incorrect map type ${m}`, at, m);
    this.pos = at + 1;
    this.#need(4, marker);
    const n = this.#u32();
    const kt = t.key!;
    const vt = t.elem!;
    this.#count(n, kt.minSize + vt.minSize, at, marker);
    this.#enter();
    const out = new Map<unknown, unknown>();
    for (let i = 0; i < n; i++) {
      const k = this.body(kt);
      out.set(k, this.body(vt));
    }
    this.#depth--;
    return out;
  }

  /** The bare body of a registered type. */
  reg(rt: RegType): unknown {
    switch (rt.regKind) {
      case 'struct': {
        this.#enter();
        const v = (rt.decodeBody ?? compileStructDecoder(rt))(this);
        this.#depth--;
        return v;
      }
      case 'named':
        return this.body(rt.under!);
      case 'slice':
        return this.#list(rt.elem!, Edt.Reg);
      case 'array':
        return this.array(rt);
      case 'map':
        return this.#pairs(rt, Edt.Reg);
      case 'custom': {
        const p = this.pos;
        if (p + 4 > this.end) throw this.#truncated(4, p, Edt.Reg);
        const n = this.#u32();
        if (this.pos + n > this.end) throw this.#truncated(n, this.pos, Edt.Reg);
        const s = this.pos;
        this.pos = s + n;
        try {
          return rt.codec!.decode(this.b.subarray(s, s + n));
        } catch (e) {
          if (e instanceof DecodeError) throw e;
          throw this.#err('ERR_EDF_CUSTOM', `${rt.name}: ${(e as Error).message}`, p, Edt.Reg, e);
        }
      }
    }
  }
}

const methodOf: Record<number, string> = {
  [Edt.Bool]: 'bool',
  [Edt.Int8]: 'i8',
  [Edt.Int16]: 'i16',
  [Edt.Int32]: 'i32',
  [Edt.Int64]: 'i64',
  [Edt.Int]: 'i64',
  [Edt.Uint8]: 'u8',
  [Edt.Uint16]: 'u16',
  [Edt.Uint32]: 'u32',
  [Edt.Uint64]: 'u64',
  [Edt.Uint]: 'u64',
  [Edt.Float32]: 'f32',
  [Edt.Float64]: 'f64',
  [Edt.String]: 'str',
  [Edt.Binary]: 'bin',
  [Edt.Atom]: 'atom',
  [Edt.Error]: 'err',
  [Edt.Any]: 'any',
  [Edt.PID]: 'pid',
  [Edt.ProcessID]: 'processId',
  [Edt.Alias]: 'alias',
  [Edt.Ref]: 'ref',
  [Edt.Event]: 'event',
  [Edt.Time]: 'time',
};

/**
 * Generate `(d) => new F(d.str(), d.i64(), d.reg(t2), …)` for a struct: fields are read in
 * declaration order (JS evaluates arguments left to right) straight into the positional
 * constructor, so a decoded struct is one allocation with a stable hidden class.
 */
function compileStructDecoder(rt: RegType): (d: EdfDecoder) => unknown {
  const types = rt.fields.map((f) => f.type);
  const args = rt.fields.map((f, i) => {
    const m = methodOf[f.type.kind];
    if (m !== undefined) return `d.${m}()`;
    switch (f.type.kind) {
      case Edt.Slice:
        return `d.slice(t${i})`;
      case Edt.Array:
        return `d.array(t${i})`;
      case Edt.Map:
        return `d.map(t${i})`;
      default:
        return `d.reg(t${i})`;
    }
  });
  const decl = types.map((_, i) => `const t${i} = types[${i}];`).join('\n');
  const fn = new Function('types', 'F', `${decl}\nreturn function decode_${rt.shortName.replace(/[^\w$]/g, '_')}(d) {\nreturn new F(${args.join(', ')});\n};`)(
    types,
    rt.factory,
  ) as (d: EdfDecoder) => unknown;
  rt.decodeBody = fn;
  return fn;
}

const shared = new EdfDecoder();

/** The shared decoder, or a fresh one when it is mid-decode (a custom codec decoding inside). */
function decoder(): EdfDecoder {
  return shared.b === EMPTY ? shared : new EdfDecoder();
}

/** Decode one top-level EDF value that fills `bytes`. Throws `DecodeError`. */
export function decode(bytes: Uint8Array, opts?: EdfDecodeOptions): unknown {
  return decoder().decode(bytes, opts);
}

/** Decode one top-level EDF value at `offset`; returns the value and the offset after it. */
export function decodeAt(bytes: Uint8Array, offset: number, opts?: EdfDecodeOptions, end?: number): { value: unknown; end: number } {
  return decoder().decodeAt(bytes, offset, opts, end);
}
