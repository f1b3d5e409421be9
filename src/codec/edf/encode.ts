/**
 * EDF encoder, byte-compatible with ergo net/edf Encode (Ergo 3.x).
 *
 * Two contexts, as in Go (`stateEncode.encodeType`): the top level and `any` slots are
 * *tagged* (tag byte, `83`+REGREF, or `82`+fold before the body); struct fields, elements and
 * map keys/values of static types are *bare* (body only). What a JS value becomes in a tagged
 * position is decided by {@link EdfEncoder.any}; see proto-spec/edf.md for the table.
 *
 * Bytes returned by `encode()` are a view into the encoder's writer; see Writer.finish.
 */
import { Buffer } from 'node:buffer';
import { Atom } from '../../term/atom.js';
import { Alias, Pid, Ref } from '../../term/ids.js';
import { ErlFloat } from '../../term/types.js';
import { EncodeError } from '../errors.js';
import { Writer } from '../writer.js';
import type { EdfEncodeCache } from './caches.js';
import { Edt, Limit } from './tags.js';
import { EDF_TYPE, EdfType, RegType, T, Typed, typeOf, zeroOf, type TypeExpr } from './types.js';
import { EdfError, Event, GoTime, ProcessID } from './values.js';
import { compileStructEncoder } from './struct-encoder.js';

export interface EdfEncodeOptions {
  /** Our announced tables: atoms, types and errors in them go as 2-byte ids. */
  cache?: EdfEncodeCache;
  /** Replace atoms before writing them (ergo's AtomMapping; applied before the cache lookup). */
  atomMapping?: ReadonlyMap<Atom, Atom>;
}

const MAX_DEPTH = 2_000;
const TWO63 = 2n ** 63n;
const TWO64 = 2n ** 64n;
const utf8Write = Buffer.prototype.utf8Write as (this: Uint8Array, s: string, offset: number, length: number) => number;
const ANY_SLICE = T.any.sliceOf();
const ANY_MAP = T.any.mapOf(T.any);

/** Go's math.NaN(): the bits Go writes for NaN (JS would write 7ff8…00). */
const GO_NAN_HI = 0x7ff80000;
const GO_NAN_LO = 0x00000001;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return `${typeof v} ${String(v).slice(0, 40)}`;
  const c = (v as { constructor?: { name?: string } }).constructor?.name;
  return c ? `an instance of ${c}` : 'an object';
}

/** A stack overflow from a cyclic or absurdly deep value becomes an EncodeError. */
function tooDeep(e: unknown): unknown {
  if (e instanceof RangeError && /call stack/i.test(e.message)) return new EncodeError('ERR_EDF_TOO_DEEP', 'value nested too deep (or cyclic)', undefined, { cause: e });
  return e;
}

/**
 * A GoTime whose fields fit Go's MarshalBinary layout (i64 sec, 32-bit nsec, i16 minutes, V2's
 * seconds byte), so nothing is cut or dropped silently. Anything decoded passes.
 */
function timeFits(t: GoTime): boolean {
  const { sec, nsec, offsetMin, offsetSec, version } = t;
  return (
    typeof sec === 'bigint' &&
    sec >= -TWO63 &&
    sec < TWO63 &&
    Number.isInteger(nsec) &&
    nsec >= -0x80000000 &&
    nsec <= 0xffffffff &&
    Number.isInteger(offsetMin) &&
    offsetMin >= -32768 &&
    offsetMin <= 32767 &&
    (version === 1 ? offsetSec === 0 : version === 2 && Number.isInteger(offsetSec) && offsetSec >= -128 && offsetSec <= 255)
  );
}

function bad(what: string, v: unknown): EncodeError {
  return new EncodeError('ERR_EDF_RANGE', `cannot encode ${describe(v)} as ${what}`, v);
}

/**
 * Writer.finish with a plain Uint8Array view: a Buffer's subarray goes through Node's Buffer
 * subclass constructor, which costs more than encoding a short message (measured ~80 vs ~30 ns).
 * Same contract: the bytes since begin(), never written over again, next value 8-aligned.
 */
function finish(w: Writer): Uint8Array {
  const b = w.buf;
  const out = new Uint8Array(b.buffer, b.byteOffset + w.start, w.pos - w.start);
  let p = (w.pos + 7) & ~7;
  if (p > b.length) p = b.length;
  w.pos = p;
  w.start = p;
  return out;
}

export class EdfEncoder {
  readonly w: Writer;
  #cache: EdfEncodeCache | undefined = undefined;
  #atomIds: Map<Atom, number> | undefined = undefined;
  #errIds: Map<EdfError, number> | undefined = undefined;
  #typeIds: boolean = false;
  #mapping: ReadonlyMap<Atom, Atom> | undefined = undefined;
  #depth = 0;

  constructor(writer: Writer = new Writer()) {
    this.w = writer;
  }

  #setup(opts: EdfEncodeOptions | undefined): void {
    this.#depth = 0;
    const c = opts?.cache;
    this.#cache = c;
    this.#atomIds = c !== undefined && c.atoms.size > 0 ? c.atoms : undefined;
    this.#errIds = c !== undefined && c.errors.size > 0 ? c.errors : undefined;
    this.#typeIds = c !== undefined && c.types.size > 0;
    this.#mapping = opts?.atomMapping !== undefined && opts.atomMapping.size > 0 ? opts.atomMapping : undefined;
  }

  /**
   * Encode `value` as a top-level (tagged) EDF value, inferring its type (proto-spec/edf.md,
   * "any"). Returns a view of the bytes.
   */
  encode(value: unknown, opts?: EdfEncodeOptions): Uint8Array {
    const w = this.w;
    w.begin();
    this.#setup(opts);
    try {
      this.any(value);
    } catch (e) {
      w.abort();
      throw tooDeep(e);
    }
    return finish(w);
  }

  /** Encode `value` as a top-level value of the static type `type` (like Go `Encode(x)` with x of that type). */
  encodeAs(type: TypeExpr, value: unknown, opts?: EdfEncodeOptions): Uint8Array {
    const t = typeOf(type);
    const w = this.w;
    w.begin();
    this.#setup(opts);
    try {
      this.tagged(t, value);
    } catch (e) {
      w.abort();
      throw tooDeep(e);
    }
    return finish(w);
  }

  /** Encode `value` as a bare body of static type `type` (no tag), e.g. one struct field alone. */
  encodeBody(type: TypeExpr, value: unknown, opts?: EdfEncodeOptions): Uint8Array {
    const t = typeOf(type);
    const w = this.w;
    w.begin();
    this.#setup(opts);
    try {
      this.body(t, value);
    } catch (e) {
      w.abort();
      throw tooDeep(e);
    }
    return finish(w);
  }

  /**
   * Append `value` (tagged) at the writer's position, for framers building a packet around it
   * (ENP header, then this, then the length patched). If it throws, the caller aborts its writer.
   */
  write(value: unknown, opts?: EdfEncodeOptions): void {
    this.#setup(opts);
    try {
      this.any(value);
    } catch (e) {
      throw tooDeep(e);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Tagged positions

  /** A value in a tagged position (top level or `any` slot), its type inferred from the JS value. */
  any(v: unknown): void {
    const w = this.w;
    switch (typeof v) {
      case 'string':
        w.u8(Edt.String);
        this.str(v);
        return;
      case 'number':
        // An integral JS number is an integer, as in the ETF mapping: a Go handler switching on
        // `int` must see one (proto-spec/term-mapping.md). -0, fractions, NaN, ±Inf and integers
        // beyond ±(2^53−1) (already rounded) stay float64; `float(1)` forces a float.
        if (Number.isSafeInteger(v) && (v !== 0 || 1 / v > 0)) {
          w.u8(Edt.Int);
          w.i64n(v);
        } else {
          w.u8(Edt.Float64);
          this.f64(v);
        }
        return;
      case 'bigint':
        w.u8(Edt.Int);
        this.i64(v);
        return;
      case 'boolean':
        w.u8(Edt.Bool);
        w.u8(v ? 1 : 0);
        return;
      case 'undefined':
        w.u8(Edt.Nil);
        return;
      case 'object':
        if (v === null) {
          w.u8(Edt.Nil);
          return;
        }
        break;
      default:
        throw new EncodeError('ERR_EDF_UNENCODABLE', `cannot encode a JS ${typeof v}`, v);
    }
    if (v instanceof Atom) {
      w.u8(Edt.Atom);
      this.atom(v);
      return;
    }
    const rt = (v as { [EDF_TYPE]?: RegType })[EDF_TYPE];
    if (rt !== undefined) {
      this.regTagged(rt, v);
      return;
    }
    if (v instanceof Typed) {
      this.tagged(v.type, v.value);
      return;
    }
    if (v instanceof ErlFloat) {
      w.u8(Edt.Float64);
      this.f64(v.value);
      return;
    }
    if (v instanceof Pid) {
      w.u8(Edt.PID);
      this.pid(v);
      return;
    }
    if (v instanceof Ref) {
      w.u8(v instanceof Alias ? Edt.Alias : Edt.Ref);
      this.ref(v);
      return;
    }
    if (v instanceof ProcessID) {
      w.u8(Edt.ProcessID);
      this.processId(v);
      return;
    }
    if (v instanceof Event) {
      w.u8(Edt.Event);
      this.event(v);
      return;
    }
    if (v instanceof Uint8Array) {
      w.u8(Edt.Binary);
      this.bin(v);
      return;
    }
    if (Array.isArray(v)) {
      this.tagged(ANY_SLICE, v);
      return;
    }
    if (v instanceof Map) {
      this.tagged(ANY_MAP, v);
      return;
    }
    if (v instanceof EdfError || v instanceof Error) {
      w.u8(Edt.Error);
      this.err(v);
      return;
    }
    if (v instanceof GoTime || v instanceof Date) {
      w.u8(Edt.Time);
      this.time(v);
      return;
    }
    throw new EncodeError(
      'ERR_EDF_UNENCODABLE',
      `cannot encode ${describe(v)} in an any slot: declare its Go type (edf.struct / edf.typed) or use a Map`,
      v,
    );
  }

  /** `value` of static type `t` in a tagged position. */
  tagged(t: EdfType, v: unknown): void {
    const w = this.w;
    const k = t.kind;
    switch (k) {
      case Edt.Reg:
        this.regTagged(t as RegType, v);
        return;
      case Edt.Any:
        this.any(v);
        return;
      case Edt.Slice:
      case Edt.Array:
      case Edt.Map: {
        const f = this.#cache !== undefined ? this.#cache.fold(t) : t.fold;
        // Go writes uint16(len) unchecked; a longer fold would be cut, and the bytes garbage.
        if (f.length > 0xffff) throw new EncodeError('ERR_EDF_BAD_TYPE', `the type description of ${t.goName.slice(0, 200)} is ${f.length} bytes; EDF's u16 header allows 65535`, v);
        w.u8(Edt.Type);
        w.u16(f.length);
        w.bytes(f);
        this.body(t, v);
        return;
      }
      case Edt.Error:
        // A nil error in an interface is a nil interface (Go writes the lone ff).
        if (v === null || v === undefined) {
          w.u8(Edt.Nil);
          return;
        }
        break;
    }
    w.u8(k);
    this.body(t, v);
  }

  /** `83` + REGREF (our cache id, or the name) + the body of a registered type. */
  regTagged(rt: RegType, v: unknown): void {
    const w = this.w;
    const ref = this.#typeIds ? this.#cache!.regRef(rt) : undefined;
    w.bytes(ref !== undefined ? ref : rt.taggedRef);
    // A Typed(named, x) or a struct instance: the body takes the plain value.
    this.reg(rt, v instanceof Typed ? v.value : v);
  }

  // ---------------------------------------------------------------------------------------
  // Bare bodies

  /** The bare body of `v` as static type `t`. */
  body(t: EdfType, v: unknown): void {
    switch (t.kind) {
      case 0x91:
        return this.bool(v);
      case 0x92:
        return this.i8(v);
      case 0x93:
        return this.i16(v);
      case 0x94:
        return this.i32(v);
      case 0x95:
      case 0x96:
        return this.i64(v);
      case 0x97:
        return this.u8(v);
      case 0x98:
        return this.u16(v);
      case 0x99:
        return this.u32(v);
      case 0x9a:
      case 0x9b:
        return this.u64(v);
      case 0x8f:
        return this.f32(v);
      case 0x90:
        return this.f64(v);
      case 0x8d:
        return this.str(v);
      case 0x8e:
        return this.bin(v);
      case 0x8c:
        return this.atom(v);
      case 0x9c:
        return this.err(v);
      case 0x84:
        return this.any(v);
      case 0xaa:
        return this.pid(v);
      case 0xab:
        return this.processId(v);
      case 0xac:
      case 0xae:
        return this.ref(v);
      case 0xad:
        return this.event(v);
      case 0xaf:
        return this.time(v);
      case 0x9d:
        return this.slice(t, v);
      case 0x9e:
        return this.array(t, v);
      case 0x9f:
        return this.map(t, v);
      case 0x83:
        return this.reg(t as RegType, v);
    }
    throw new EncodeError('ERR_EDF_BAD_TYPE', `no encoder for ${t.goName}`);
  }

  bool(v: unknown): void {
    if (v === true) this.w.u8(1);
    else if (v === false || v === undefined) this.w.u8(0);
    else throw bad('bool', v);
  }

  #int(v: unknown, lo: number, hi: number, what: string): number {
    if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v;
    if (v === undefined) return 0;
    if (typeof v === 'bigint' && v >= BigInt(lo) && v <= BigInt(hi)) return Number(v);
    if (v instanceof Typed) return this.#int(v.value, lo, hi, what);
    throw bad(what, v);
  }

  i8(v: unknown): void {
    this.w.u8(typeof v === 'number' && v >= -128 && v <= 127 && (v | 0) === v ? v : this.#int(v, -128, 127, 'int8'));
  }

  i16(v: unknown): void {
    this.w.u16(typeof v === 'number' && v >= -32768 && v <= 32767 && (v | 0) === v ? v : this.#int(v, -32768, 32767, 'int16'));
  }

  i32(v: unknown): void {
    this.w.u32(typeof v === 'number' && (v | 0) === v ? v : this.#int(v, -2147483648, 2147483647, 'int32'));
  }

  u8(v: unknown): void {
    this.w.u8(typeof v === 'number' && (v & 0xff) === v ? v : this.#int(v, 0, 255, 'uint8'));
  }

  u16(v: unknown): void {
    this.w.u16(typeof v === 'number' && (v & 0xffff) === v ? v : this.#int(v, 0, 65535, 'uint16'));
  }

  u32(v: unknown): void {
    this.w.u32(typeof v === 'number' && v >>> 0 === v ? v : this.#int(v, 0, 4294967295, 'uint32'));
  }

  /** int64 and Go int: bigint, or a safe-integer number. */
  i64(v: unknown): void {
    if (typeof v === 'bigint') {
      // Most values are small: the number path avoids the BigInt DataView store, and one
      // Number() conversion is cheaper than two bigint comparisons (beyond ±(2^53−1) the
      // conversion rounds to something no longer safe, so exactness is kept).
      const n = Number(v);
      if ((n >>> 0) === n) this.w.u32as64(n);
      else if (n <= 9007199254740991 && n >= -9007199254740991) this.w.i64n(n);
      else if (v < -TWO63 || v >= TWO63) throw bad('int64', v);
      else this.w.i64(v);
    } else if (typeof v === 'number' && Number.isSafeInteger(v)) this.w.i64n(v);
    else if (v === undefined) this.w.i64n(0);
    else if (v instanceof Typed) this.i64(v.value);
    else throw bad('int64', v);
  }

  /** uint64 and Go uint: bigint, or a non-negative safe-integer number. */
  u64(v: unknown): void {
    if (typeof v === 'bigint') {
      const n = Number(v);
      if (n <= 9007199254740991 && n >= 0) this.w.i64n(n);
      else if (v < 0n || v >= TWO64) throw bad('uint64', v);
      else this.w.u64(v);
    } else if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) this.w.i64n(v);
    else if (v === undefined) this.w.i64n(0);
    else if (v instanceof Typed) this.u64(v.value);
    else throw bad('uint64', v);
  }

  f32(v: unknown): void {
    if (typeof v === 'number') this.w.f32(v);
    else if (v === undefined) this.w.f32(0);
    else if (v instanceof Typed || v instanceof ErlFloat) this.f32(v.value);
    else throw bad('float32', v);
  }

  f64(v: unknown): void {
    if (typeof v !== 'number') {
      if (v === undefined) v = 0;
      else if (v instanceof Typed || v instanceof ErlFloat) return this.f64(v.value);
      else throw bad('float64', v);
    }
    const n = v as number;
    if (n !== n) {
      this.w.u32(GO_NAN_HI);
      this.w.u32(GO_NAN_LO);
    } else this.w.f64(n);
  }

  /**
   * u16 length + UTF-8. At most 65533 bytes: Go's encoder allows 65535, but its decoder
   * (decodeString, `2+l` in uint16) fails on 65534 and 65535, so such a message would be dropped.
   */
  str(v: unknown): void {
    if (typeof v !== 'string') {
      if (v === undefined) v = '';
      else if (v instanceof Typed) return this.str(v.value);
      else throw bad('string', v);
    }
    const w = this.w;
    const str = v as string;
    const len = str.length;
    let n: number;
    if (len <= 24) {
      // Short ASCII straight into the buffer behind the length (cheaper than a native call up
      // to about two dozen characters); anything else restarts natively.
      if (w.pos + 2 + len * 3 > w.buf.length) w.ensure(2 + len * 3);
      const b = w.buf;
      const p = w.pos;
      let q = p + 2;
      let i = 0;
      for (; i < len; i++) {
        const c = str.charCodeAt(i);
        if (c >= 0x80) break;
        b[q++] = c;
      }
      if (i === len) {
        b[p] = len >>> 8;
        b[p + 1] = len;
        w.pos = q;
        return;
      }
      n = utf8Write.call(b, str, p + 2, len * 3);
      b[p] = n >>> 8;
      b[p + 1] = n;
      w.pos = p + 2 + n;
    } else {
      // Longer strings: Node's native UTF-8 writer beats a JS loop.
      const room = str.length * 3;
      w.ensure(room + 2);
      const p = w.pos;
      n = utf8Write.call(w.buf, str, p + 2, room);
      w.buf[p] = n >>> 8;
      w.buf[p + 1] = n;
      w.pos = p + 2 + n;
    }
    if (n > Limit.STRING_GO_SAFE_MAX) {
      throw new EncodeError('ERR_EDF_STRING_TOO_LONG', `string of ${n} bytes; Go's EDF decoder reads at most 65533 (65534 and 65535 overflow its uint16 arithmetic)`, v);
    }
  }

  /** u32 length + bytes; nil/undefined is the empty slice (Go has no nil form for []byte). */
  bin(v: unknown): void {
    const w = this.w;
    if (v instanceof Uint8Array) {
      w.u32(v.length);
      w.bytes(v);
    } else if (v === null || v === undefined) w.u32(0);
    else throw bad('[]byte', v);
  }

  /** ATOMREF: our cache id if announced, else u16 length + name (memoised on the atom). */
  atom(v: unknown): void {
    let a: Atom;
    if (v instanceof Atom) a = v;
    else if (typeof v === 'string') a = Atom.of(v);
    else if (v === undefined) a = Atom.of('');
    else throw bad('gen.Atom', v);
    if (this.#mapping !== undefined) a = this.#mapping.get(a) ?? a;
    if (this.#atomIds !== undefined) {
      const id = this.#atomIds.get(a);
      if (id !== undefined) {
        this.w.u16(id);
        return;
      }
    }
    let e = a.edf;
    if (e === undefined) {
      const n = a.utf8.length;
      if (n > Limit.ATOM_INLINE_MAX) throw new EncodeError('ERR_EDF_ATOM_TOO_LONG', `atom of ${n} bytes; EDF allows at most 255`, a);
      e = new Uint8Array(2 + n);
      e[1] = n;
      e.set(a.utf8, 2);
      a.edf = e;
    }
    this.w.bytes(e);
  }

  /** ERRHDR: `ff ff` nil, our ErrCache id, or u16 length + message. */
  err(v: unknown): void {
    const w = this.w;
    if (v === null || v === undefined) {
      w.u16(Limit.ERR_NIL);
      return;
    }
    if (v instanceof EdfError) {
      if (this.#errIds !== undefined) {
        const id = this.#errIds.get(v);
        if (id !== undefined) {
          w.u16(id);
          return;
        }
      }
    } else if (!(v instanceof Error)) throw bad('error', v);
    const msg = (v as EdfError | Error).message;
    const at = w.reserveU16();
    const n = w.utf8(msg);
    if (n > Limit.ERR_INLINE_MAX) throw new EncodeError('ERR_EDF_ERROR_TOO_LONG', `error message of ${n} bytes; EDF allows at most 32767`, v);
    w.patchU16(at, n);
  }

  /** PID: ATOMREF(node) · u64 ID (serial<<32 | id) · i64 creation. */
  pid(v: unknown): void {
    // A missing field (plain object in a struct position) is Go's zero value.
    const p = v instanceof Pid ? v : v === undefined ? (zeroOf(T.pid) as Pid) : undefined;
    if (p === undefined) throw bad('gen.PID', v);
    const w = this.w;
    this.atom(p.node);
    w.u32(p.serial);
    w.u32(p.id);
    this.#creation(p.creation);
  }

  #creation(c: number | bigint): void {
    if (typeof c === 'number') this.w.i64n(c);
    else this.i64(c);
  }

  /** ProcessID: ATOMREF(node) · ATOMREF(name) — node first, unlike the Go declaration. */
  processId(v: unknown): void {
    const p = v instanceof ProcessID ? v : v === undefined ? (zeroOf(T.processId) as ProcessID) : undefined;
    if (p === undefined) throw bad('gen.ProcessID', v);
    this.atom(p.node);
    this.atom(p.name);
  }

  /** Event: ATOMREF(node) · ATOMREF(name). */
  event(v: unknown): void {
    const e = v instanceof Event ? v : v === undefined ? (zeroOf(T.event) as Event) : undefined;
    if (e === undefined) throw bad('gen.Event', v);
    this.atom(e.node);
    this.atom(e.name);
  }

  /**
   * Ref and Alias: ATOMREF(node) · i64 creation · u64 ID[0..2]. An Erlang ref (1..5 words) is
   * widened the way `Ref.ergoIds()` does (word 2i low half, word 2i+1 high half).
   */
  ref(v: unknown): void {
    // (A missing Alias field gets the zero Ref: the same bytes.)
    const r = v instanceof Ref ? v : v === undefined ? (zeroOf(T.ref) as Ref) : undefined;
    if (r === undefined) throw bad('gen.Ref', v);
    const w = this.w;
    this.atom(r.node);
    this.#creation(r.creation);
    const ids = r.ids;
    for (let i = 0; i < 6; i += 2) {
      w.u32(ids[i + 1] ?? 0);
      w.u32(ids[i] ?? 0);
    }
  }

  /** time.Time: u8 n + Go MarshalBinary bytes (15, or 16 for V2). */
  time(v: unknown): void {
    let t: GoTime;
    if (v instanceof GoTime) t = v;
    else if (v instanceof Date) {
      if (Number.isNaN(v.getTime())) throw bad('time.Time (invalid Date)', v);
      t = GoTime.fromDate(v);
    } else if (v === undefined) t = GoTime.zero;
    else throw bad('time.Time', v);
    if (!timeFits(t)) throw bad('time.Time (fields outside their MarshalBinary widths, or V1 with sub-minute offset seconds)', v);
    const w = this.w;
    const v2 = t.version === 2;
    w.u8(v2 ? 16 : 15);
    w.u8(t.version);
    w.i64(t.sec);
    w.u32(t.nsec);
    w.u16(t.offsetMin);
    if (v2) w.u8(t.offsetSec);
  }

  #enter(): void {
    if (++this.#depth > MAX_DEPTH) throw new EncodeError('ERR_EDF_TOO_DEEP', `value nested deeper than ${MAX_DEPTH}`);
  }

  /** @internal entering a nested value (generated struct encoders); pairs with {@link leave}. */
  enter(): void {
    this.#enter();
  }

  /** @internal */
  leave(): void {
    this.#depth--;
  }

  /** Unregistered slice: `ff` or `9d` u32 count + bare elements. */
  slice(t: EdfType, v: unknown): void {
    const w = this.w;
    if (v === null || v === undefined) {
      w.u8(Edt.Nil);
      return;
    }
    if (!Array.isArray(v)) throw bad(t.goName, v);
    this.#enter();
    w.u8(Edt.Slice);
    this.#items(t.elem!, v);
    this.#depth--;
  }

  #items(e: EdfType, v: readonly unknown[]): void {
    const n = v.length;
    this.w.u32(n);
    switch (e.kind) {
      // The common element kinds skip the per-element dispatch.
      case 0x8d:
        for (let i = 0; i < n; i++) this.str(v[i]);
        return;
      case 0x95:
      case 0x96:
        this.#int64s(v, n);
        return;
      case 0x84:
        for (let i = 0; i < n; i++) this.any(v[i]);
        return;
      case 0x83: {
        const r = e as RegType;
        for (let i = 0; i < n; i++) this.reg(r, v[i]);
        return;
      }
    }
    for (let i = 0; i < n; i++) this.body(e, v[i]);
  }

  /**
   * n 64-bit ints into room reserved once: small non-negative values (the common case) are a
   * zero high word and one 32-bit store; anything else takes the general path.
   */
  #int64s(v: readonly unknown[], n: number): void {
    const w = this.w;
    if (w.pos + 8 * n > w.buf.length) w.ensure(8 * n);
    for (let i = 0; i < n; i++) {
      const x = v[i];
      const m = typeof x === 'bigint' ? Number(x) : x;
      if (typeof m === 'number' && m >= 0 && m <= 0xffffffff && (m >>> 0) === m) {
        const b = w.buf;
        const p = w.pos;
        b[p] = 0;
        b[p + 1] = 0;
        b[p + 2] = 0;
        b[p + 3] = 0;
        b[p + 4] = m >>> 24;
        b[p + 5] = m >>> 16;
        b[p + 6] = m >>> 8;
        b[p + 7] = m;
        w.pos = p + 8;
      } else this.i64(x);
    }
  }

  /** Unregistered array: exactly N bare elements, no marker, no count. */
  array(t: EdfType, v: unknown): void {
    const n = t.len;
    if (v === undefined) v = zeroOf(t);
    if (!Array.isArray(v) || v.length !== n) throw new EncodeError('ERR_EDF_ARRAY_LENGTH', `${t.goName} needs an array of exactly ${n} elements`, v);
    this.#enter();
    const e = t.elem!;
    for (let i = 0; i < n; i++) this.body(e, v[i]);
    this.#depth--;
  }

  /** Unregistered map: `ff` or `9f` u32 count + bare key/value pairs (insertion order). */
  map(t: EdfType, v: unknown): void {
    const w = this.w;
    if (v === null || v === undefined) {
      w.u8(Edt.Nil);
      return;
    }
    this.#enter();
    w.u8(Edt.Map);
    this.#pairs(t, v);
    this.#depth--;
  }

  #pairs(t: EdfType, v: unknown): void {
    const kt = t.key!;
    const vt = t.elem!;
    if (v instanceof Map) {
      this.w.u32(v.size);
      // forEach: no [key, value] array per entry, unlike for…of.
      (v as Map<unknown, unknown>).forEach((x, k) => {
        this.body(kt, k);
        this.body(vt, x);
      });
      return;
    }
    // Convenience input: a plain object for string- or atom-keyed maps.
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && (kt.kind === Edt.String || kt.kind === Edt.Atom)) {
      const keys = Object.keys(v);
      this.w.u32(keys.length);
      for (const k of keys) {
        this.body(kt, k);
        this.body(vt, (v as Record<string, unknown>)[k]);
      }
      return;
    }
    throw bad(t.goName, v);
  }

  /** The bare body of a registered type. */
  reg(rt: RegType, v: unknown): void {
    const w = this.w;
    switch (rt.regKind) {
      case 'struct': {
        if (v === undefined || v === null) v = zeroOf(rt);
        else if (typeof v !== 'object') throw bad(rt.name, v);
        this.#enter();
        (rt.encodeBody ?? compileStructEncoder(rt))(this, v);
        this.#depth--;
        return;
      }
      case 'named':
        this.body(rt.under!, v instanceof Typed ? v.value : v);
        return;
      case 'slice':
        if (v === null || v === undefined) {
          w.u8(Edt.Nil);
          return;
        }
        if (!Array.isArray(v)) throw bad(rt.name, v);
        this.#enter();
        w.u8(Edt.Reg);
        this.#items(rt.elem!, v);
        this.#depth--;
        return;
      case 'array': {
        const n = rt.len;
        if (v === undefined) v = zeroOf(rt);
        if (!Array.isArray(v) || v.length !== n) throw new EncodeError('ERR_EDF_ARRAY_LENGTH', `${rt.name} needs an array of exactly ${n} elements`, v);
        this.#enter();
        for (let i = 0; i < n; i++) this.body(rt.elem!, v[i]);
        this.#depth--;
        return;
      }
      case 'map':
        if (v === null || v === undefined) {
          w.u8(Edt.Nil);
          return;
        }
        this.#enter();
        w.u8(Edt.Reg);
        this.#pairs(rt, v);
        this.#depth--;
        return;
      case 'custom': {
        const codec = rt.codec!;
        let bytes: Uint8Array;
        try {
          bytes = codec.encode((v === undefined ? codec.zero() : v) as never);
        } catch (e) {
          if (e instanceof EncodeError || (e instanceof RangeError && /call stack/i.test(e.message))) throw e;
          throw new EncodeError('ERR_EDF_CUSTOM', `${rt.name}: ${(e as Error)?.message ?? String(e)}`, v, { cause: e });
        }
        if (!(bytes instanceof Uint8Array)) throw new EncodeError('ERR_EDF_CUSTOM', `${rt.name}: its codec returned ${describe(bytes)}, not a Uint8Array`, v);
        if (bytes.length > 0xfffffffe) throw new EncodeError('ERR_EDF_BINARY_TOO_LONG', `${rt.name} marshalled to ${bytes.length} bytes`, v);
        w.u32(bytes.length);
        w.bytes(bytes);
        return;
      }
    }
  }
}

const shared = new EdfEncoder();
let busy = false;


/**
 * Encode `value` as a top-level EDF value (tagged; type inferred as for `any` slots). The
 * result is a view into a shared writer's chunk that is never written again (Writer.finish).
 */
export function encode(value: unknown, opts?: EdfEncodeOptions): Uint8Array {
  // A custom codec that encodes from inside an encode gets its own encoder.
  if (busy) return new EdfEncoder().encode(value, opts);
  busy = true;
  try {
    return shared.encode(value, opts);
  } finally {
    busy = false;
  }
}

/** Encode `value` as a top-level value of static type `type`; see {@link encode} for ownership. */
export function encodeAs(type: TypeExpr, value: unknown, opts?: EdfEncodeOptions): Uint8Array {
  if (busy) return new EdfEncoder().encodeAs(type, value, opts);
  busy = true;
  try {
    return shared.encodeAs(type, value, opts);
  } finally {
    busy = false;
  }
}

