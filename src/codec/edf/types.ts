/**
 * EDF schemas: the static Go types a TS program declares so that its values encode exactly as
 * the Go `edf` package encodes the same Go types.
 *
 * - Built-in kinds are the singletons of {@link T} (`T.int`, `T.atom`, …) and the composites
 *   `T.slice(e)`, `T.array(n, e)`, `T.map(k, v)` (unregistered Go `[]E`, `[N]E`, `map[K]V`).
 * - Registered types ({@link RegType}) mirror `edf.RegisterTypeOf`: structs (ordered fields),
 *   named scalars (`type LogLevel int`), named slices/arrays/maps, and custom-marshalled types
 *   (MarshalEDF/MarshalBinary: a u32 length and opaque bytes). They are known by their Go name
 *   `#<package path>/<TypeName>`, kept in an {@link EdfRegistry}.
 *
 * Type nodes are interned where that is bounded (`T.slice(x)` twice is the same object), so the
 * codec can compare types by identity.
 */
import { Atom } from '../../term/atom.js';
import { Alias, Pid, Ref } from '../../term/ids.js';
import { EncodeError } from '../errors.js';
import type { EdfDecoder } from './decode.js';
import type { EdfEncoder } from './encode.js';
import { Edt, Limit } from './tags.js';
import { EdfError, Event, GoTime, ProcessID } from './values.js';

const textEncoder = new TextEncoder();

/** Symbol on the prototype of struct classes (and custom classes): their {@link RegType}. */
export const EDF_TYPE: unique symbol = Symbol.for('ergo-ts.edf.type');

/**
 * A static Go type. `kind` is the EDF tag byte of the type (0x96 for int, 0x9d for an
 * unregistered slice, 0x83 for any registered type, 0x84 for `any`, …).
 */
export class EdfType<V = unknown> {
  /** Phantom: the JS type of values of this type (decoded form). */
  declare readonly __value?: V;
  readonly kind: number;
  /** Slice/array element, map value, named slice/array element. */
  readonly elem: EdfType | undefined;
  /** Map key. */
  readonly key: EdfType | undefined;
  /** Array length. */
  readonly len: number;
  /** Fewest bytes a value of this type takes in a bare position (bounds allocations on decode). */
  minSize = 0;
  #fold: Uint8Array | undefined;
  #slice: EdfType | undefined;
  #maps: Map<EdfType, EdfType> | undefined;

  constructor(kind: number, elem?: EdfType, key?: EdfType, len = 0) {
    this.kind = kind;
    this.elem = elem;
    this.key = key;
    this.len = len;
    this.minSize = computeMinSize(this);
  }

  /** The fold (type description after `0x82 u16`) without any RegCache ids. */
  get fold(): Uint8Array {
    if (this.#fold === undefined) {
      const out: number[] = [];
      writeFold(this, out, undefined);
      this.#fold = Uint8Array.from(out);
    }
    return this.#fold;
  }

  /** Go spelling of the type, for messages: `[]int`, `map[string]any`, `#pkg/Name`. */
  get goName(): string {
    switch (this.kind) {
      case Edt.Slice:
        return `[]${this.elem!.goName}`;
      case Edt.Array:
        return `[${this.len}]${this.elem!.goName}`;
      case Edt.Map:
        return `map[${this.key!.goName}]${this.elem!.goName}`;
      default:
        return scalarNames.get(this.kind) ?? `tag ${this.kind}`;
    }
  }

  /** @internal interned `[]this` (no Go-equivalence rewrite; see {@link T.slice}). */
  sliceOf(): EdfType {
    return (this.#slice ??= new EdfType(Edt.Slice, this));
  }

  /** @internal interned `map[key]this`. */
  mapOf(key: EdfType): EdfType {
    const maps = (this.#maps ??= new Map());
    let t = maps.get(key);
    if (t === undefined) {
      t = new EdfType(Edt.Map, this, key);
      maps.set(key, t);
    }
    return t;
  }

  toString(): string {
    return this.goName;
  }
}

/** What a registered type is, as in ergo net/edf/register.go `registerType`. */
export type RegKind = 'struct' | 'named' | 'slice' | 'array' | 'map' | 'custom';

/** One struct field: Go name and static type. Order is Go declaration order. */
export interface Field {
  readonly name: string;
  readonly type: EdfType;
}

/**
 * A MarshalEDF / MarshalBinary type: the body is a u32 length and these bytes. `decode` gets a
 * view into the input, valid only during the call.
 */
export interface CustomCodec<V> {
  encode(value: V): Uint8Array;
  decode(bytes: Uint8Array): V;
  /** Go's zero value of the type. */
  zero(): V;
  /** Values that are instances of this class encode as this type in `any` slots. */
  cls?: abstract new (...args: never[]) => V;
}

type EncodeBody = (e: EdfEncoder, v: unknown) => void;
type DecodeBody = (d: EdfDecoder) => unknown;

/** A type registered by name, like Go's `edf.RegisterTypeOf`. */
export class RegType<V = unknown> extends EdfType<V> {
  readonly name: string;
  /** UTF-8 of the name. */
  readonly nameBytes: Uint8Array;
  /** REGREF with the inline name: `u16 len` + name (after the 0x83). */
  readonly inlineRef: Uint8Array;
  /** The whole tag with the inline name: `83 u16 len` + name. */
  readonly taggedRef: Uint8Array;
  readonly regKind: RegKind;
  /** Struct fields (struct only). */
  readonly fields: readonly Field[];
  /** Named scalar: the underlying kind. */
  readonly under: EdfType | undefined;
  readonly codec: CustomCodec<V> | undefined;
  /** The class decoded structs (or custom values) are instances of. */
  cls: (abstract new (...args: never[]) => unknown) | undefined = undefined;
  /** @internal compiled by the encoder/decoder on first use. */
  encodeBody: EncodeBody | undefined = undefined;
  /** @internal */
  decodeBody: DecodeBody | undefined = undefined;
  /** @internal constructor building a struct instance from its field values, in field order. */
  factory: (new (...values: unknown[]) => unknown) | undefined = undefined;

  constructor(
    name: string,
    regKind: RegKind,
    parts: { fields?: readonly Field[]; under?: EdfType; elem?: EdfType; key?: EdfType; len?: number; codec?: CustomCodec<V> },
  ) {
    super(Edt.Reg, parts.elem, parts.key, parts.len ?? 0);
    this.name = name;
    this.regKind = regKind;
    this.fields = parts.fields ?? [];
    this.under = parts.under;
    this.codec = parts.codec;
    const nb = textEncoder.encode(name);
    if (name[0] !== '#') throw new EncodeError('ERR_EDF_BAD_NAME', `registered name ${JSON.stringify(name)} must start with '#' ("#<pkg path>/<Type>")`);
    if (nb.length > Limit.REG_NAME_MAX) throw new EncodeError('ERR_EDF_BAD_NAME', `registered name is ${nb.length} bytes; Go allows at most 4095`);
    this.nameBytes = nb;
    const ref = new Uint8Array(2 + nb.length);
    ref[0] = nb.length >>> 8;
    ref[1] = nb.length & 0xff;
    ref.set(nb, 2);
    this.inlineRef = ref;
    const tagged = new Uint8Array(3 + nb.length);
    tagged[0] = Edt.Reg;
    tagged.set(ref, 1);
    this.taggedRef = tagged;
    this.minSize = regMinSize(this);
  }

  /** The Go type name without the package path (`MessageHello`). */
  get shortName(): string {
    return this.name.slice(this.name.lastIndexOf('/') + 1);
  }

  override get goName(): string {
    return this.name;
  }
}

/**
 * A value together with its exact EDF type, for `any` slots: `int8(5)`, `typed(T.slice(T.int),
 * [1n, 2n])`, `named(LogLevel, 2n)`, a typed nil `typed(T.slice(MessageEvent.edf), null)`.
 * Decoding an `any` slot gives a `Typed` whenever the JS value alone would re-encode differently
 * (see proto-spec/edf.md, "any").
 */
export class Typed<V = unknown> {
  constructor(
    readonly type: EdfType,
    readonly value: V,
  ) {}
  valueOf(): V {
    return this.value;
  }
  toString(): string {
    return `${this.type.goName}(${String(this.value)})`;
  }
}

function scalar<V>(kind: number, name: string): EdfType<V> {
  const t = new EdfType<V>(kind);
  scalarNames.set(kind, name);
  return t;
}
const scalarNames = new Map<number, string>();

/** The built-in Go kinds and the unregistered composites. */
export const T: {
  readonly [K in ScalarName]: EdfType<ScalarValues[K]>;
} & {
  slice<E extends TypeExpr>(elem: E): EdfType<JsOf<E>[] | null>;
  array<E extends TypeExpr>(len: number, elem: E): EdfType<JsOf<E>[]>;
  map<K extends TypeExpr, V extends TypeExpr>(key: K, value: V): EdfType<Map<JsOf<K>, JsOf<V>> | null>;
} = {
  bool: scalar<boolean>(Edt.Bool, 'bool'),
  int8: scalar<number>(Edt.Int8, 'int8'),
  int16: scalar<number>(Edt.Int16, 'int16'),
  int32: scalar<number>(Edt.Int32, 'int32'),
  int64: scalar<bigint>(Edt.Int64, 'int64'),
  /** Go `int`: 8 bytes on the wire, a different tag from int64. */
  int: scalar<bigint>(Edt.Int, 'int'),
  uint8: scalar<number>(Edt.Uint8, 'uint8'),
  uint16: scalar<number>(Edt.Uint16, 'uint16'),
  uint32: scalar<number>(Edt.Uint32, 'uint32'),
  uint64: scalar<bigint>(Edt.Uint64, 'uint64'),
  /** Go `uint`: 8 bytes on the wire, a different tag from uint64. */
  uint: scalar<bigint>(Edt.Uint, 'uint'),
  float32: scalar<number>(Edt.Float32, 'float32'),
  float64: scalar<number>(Edt.Float64, 'float64'),
  string: scalar<string>(Edt.String, 'string'),
  /** Go `[]byte`: u32 length + bytes, no nil form. */
  binary: scalar<Uint8Array>(Edt.Binary, '[]byte'),
  atom: scalar<Atom>(Edt.Atom, 'gen.Atom'),
  /** Go `error`: ERRHDR (inline message, ErrCache id, or `ff ff` for nil). */
  error: scalar<EdfError | null>(Edt.Error, 'error'),
  /** Go `any` (interface{}): a tagged value. */
  any: scalar<unknown>(Edt.Any, 'any'),
  pid: scalar<Pid>(Edt.PID, 'gen.PID'),
  processId: scalar<ProcessID>(Edt.ProcessID, 'gen.ProcessID'),
  alias: scalar<Alias>(Edt.Alias, 'gen.Alias'),
  event: scalar<Event>(Edt.Event, 'gen.Event'),
  ref: scalar<Ref>(Edt.Ref, 'gen.Ref'),
  time: scalar<GoTime>(Edt.Time, 'time.Time'),

  /**
   * Unregistered `[]E`. `T.slice(T.uint8)` is `T.binary`: in Go `[]uint8` and `[]byte` are one
   * type and encode as binary.
   */
  slice<E extends TypeExpr>(elem: E): EdfType<JsOf<E>[] | null> {
    const e = typeOf(elem);
    if (e === T.uint8) return T.binary as unknown as EdfType<JsOf<E>[] | null>;
    return e.sliceOf() as EdfType<JsOf<E>[] | null>;
  },

  /** Unregistered `[N]E`: exactly N elements, no nil form. */
  array<E extends TypeExpr>(len: number, elem: E): EdfType<JsOf<E>[]> {
    if (!Number.isInteger(len) || len < 0 || len > 0xffffffff) throw new EncodeError('ERR_EDF_BAD_TYPE', `array length ${len} out of range`);
    return new EdfType(Edt.Array, typeOf(elem), undefined, len) as EdfType<JsOf<E>[]>;
  },

  /**
   * Unregistered `map[K]V`. Keys must be comparable in Go (no slices, maps, `[]byte`); arrays as
   * keys are refused because Go's decoder cannot read their fold (proto-spec/edf.md, quirks).
   */
  map<K extends TypeExpr, V extends TypeExpr>(key: K, value: V): EdfType<Map<JsOf<K>, JsOf<V>> | null> {
    const k = typeOf(key);
    checkMapKey(k, true);
    return typeOf(value).mapOf(k) as EdfType<Map<JsOf<K>, JsOf<V>> | null>;
  },
} as const;

/** @internal Go rejects these key kinds; `strict` also refuses array keys (Go cannot decode them). */
export function checkMapKey(k: EdfType, strict: boolean): void {
  let bad = k.kind === Edt.Slice || k.kind === Edt.Map || k.kind === Edt.Binary;
  if (k instanceof RegType && (k.regKind === 'slice' || k.regKind === 'map')) bad = true;
  if (bad) throw new EncodeError('ERR_EDF_BAD_TYPE', `${k.goName} cannot be a Go map key`);
  if (strict && k.kind === Edt.Array) {
    throw new EncodeError('ERR_EDF_BAD_TYPE', `map with array key ${k.goName}: Go's decoder rejects its fold ("extra data in folded type")`);
  }
}

/** The decoded JS type of each built-in kind, by its name in {@link T}. */
export interface ScalarValues {
  bool: boolean;
  int8: number;
  int16: number;
  int32: number;
  int64: bigint;
  int: bigint;
  uint8: number;
  uint16: number;
  uint32: number;
  uint64: bigint;
  uint: bigint;
  float32: number;
  float64: number;
  string: string;
  binary: Uint8Array;
  atom: Atom;
  error: EdfError | null;
  any: unknown;
  pid: Pid;
  processId: ProcessID;
  alias: Alias;
  event: Event;
  ref: Ref;
  time: GoTime;
}

export type ScalarName = keyof ScalarValues;

/** Anything that names a type: a kind name (`'int32'`), a type node, or a struct class. */
export type TypeExpr = ScalarName | EdfType<any> | { readonly edf: RegType<any> };

/** The decoded JS type of a {@link TypeExpr}. */
export type JsOf<E> = E extends ScalarName
  ? ScalarValues[E]
  : E extends { readonly edf: RegType<infer V> }
    ? V
    : E extends EdfType<infer V>
      ? V
      : never;

/** Resolve a {@link TypeExpr} to its node. */
export function typeOf(x: TypeExpr): EdfType {
  if (typeof x === 'string') {
    const t = (T as Record<string, unknown>)[x];
    if (t instanceof EdfType) return t;
    throw new EncodeError('ERR_EDF_BAD_TYPE', `unknown EDF kind ${JSON.stringify(x)}`);
  }
  if (x instanceof EdfType) return x;
  if (x !== null && typeof x === 'object' || typeof x === 'function') {
    const e = (x as { edf?: unknown }).edf;
    if (e instanceof RegType) return e;
  }
  throw new EncodeError('ERR_EDF_BAD_TYPE', `not an EDF type: ${String(x)}`);
}

const EMPTY_ATOM = Atom.of('');
const ZERO_PID = new Pid(EMPTY_ATOM, 0, 0, 0);
const ZERO_PROCESS_ID = new ProcessID(EMPTY_ATOM, EMPTY_ATOM);
const ZERO_EVENT = new Event(EMPTY_ATOM, EMPTY_ATOM);
const ZERO_REF = new Ref(EMPTY_ATOM, 0, [0, 0, 0, 0, 0, 0]);
const ZERO_ALIAS = new Alias(EMPTY_ATOM, 0, [0, 0, 0, 0, 0, 0]);

/** Go's zero value of `t` in its JS form (fresh objects for mutable kinds). */
export function zeroOf(t: EdfType): unknown {
  switch (t.kind) {
    case Edt.Bool:
      return false;
    case Edt.Int8:
    case Edt.Int16:
    case Edt.Int32:
    case Edt.Uint8:
    case Edt.Uint16:
    case Edt.Uint32:
    case Edt.Float32:
    case Edt.Float64:
      return 0;
    case Edt.Int64:
    case Edt.Int:
    case Edt.Uint64:
    case Edt.Uint:
      return 0n;
    case Edt.String:
      return '';
    case Edt.Binary:
      return new Uint8Array(0);
    case Edt.Atom:
      return EMPTY_ATOM;
    case Edt.Error:
    case Edt.Any:
    case Edt.Slice:
    case Edt.Map:
      return null;
    case Edt.PID:
      return ZERO_PID;
    case Edt.ProcessID:
      return ZERO_PROCESS_ID;
    case Edt.Event:
      return ZERO_EVENT;
    case Edt.Ref:
      return ZERO_REF;
    case Edt.Alias:
      return ZERO_ALIAS;
    case Edt.Time:
      return GoTime.zero;
    case Edt.Array: {
      const out = new Array<unknown>(t.len);
      for (let i = 0; i < t.len; i++) out[i] = zeroOf(t.elem!);
      return out;
    }
    case Edt.Reg: {
      const r = t as RegType;
      switch (r.regKind) {
        case 'struct':
          return new (r.cls as new () => unknown)();
        case 'named':
          return zeroOf(r.under!);
        case 'slice':
        case 'map':
          return null;
        case 'array': {
          const out = new Array<unknown>(r.len);
          for (let i = 0; i < r.len; i++) out[i] = zeroOf(r.elem!);
          return out;
        }
        case 'custom':
          return r.codec!.zero();
      }
    }
  }
  return null;
}

function computeMinSize(t: EdfType): number {
  switch (t.kind) {
    case Edt.Bool:
    case Edt.Int8:
    case Edt.Uint8:
    case Edt.Any:
    case Edt.Slice:
    case Edt.Map:
      return 1;
    case Edt.Int16:
    case Edt.Uint16:
    case Edt.String:
    case Edt.Atom:
    case Edt.Error:
      return 2;
    case Edt.Int32:
    case Edt.Uint32:
    case Edt.Float32:
    case Edt.Binary:
    case Edt.ProcessID:
    case Edt.Event:
      return 4;
    case Edt.Int64:
    case Edt.Int:
    case Edt.Uint64:
    case Edt.Uint:
    case Edt.Float64:
      return 8;
    case Edt.PID:
      return 18;
    case Edt.Ref:
    case Edt.Alias:
      return 34;
    case Edt.Time:
      return 16;
    case Edt.Array:
      return Math.min(t.len * t.elem!.minSize, 0x7fffffff);
  }
  return 0; // registered: set by RegType
}

function regMinSize(r: RegType): number {
  switch (r.regKind) {
    case 'struct': {
      let n = 0;
      for (const f of r.fields) n += f.type.minSize;
      return n;
    }
    case 'named':
      return r.under!.minSize;
    case 'slice':
    case 'map':
      return 1;
    case 'array':
      return Math.min(r.len * r.elem!.minSize, 0x7fffffff);
    case 'custom':
      return 4;
  }
}

/** A RegCache for folds: registered type → its `83 id` bytes, or undefined for the name. */
export type RegIdOf = ((t: RegType) => number | undefined) | undefined;

/** @internal append the fold of `t` (REGREF by id where `regId` has one, else by name). */
export function writeFold(t: EdfType, out: number[], regId: RegIdOf): void {
  switch (t.kind) {
    case Edt.Slice:
      out.push(Edt.Slice);
      writeFold(t.elem!, out, regId);
      return;
    case Edt.Array:
      out.push(Edt.Array, (t.len >>> 24) & 0xff, (t.len >>> 16) & 0xff, (t.len >>> 8) & 0xff, t.len & 0xff);
      writeFold(t.elem!, out, regId);
      return;
    case Edt.Map:
      out.push(Edt.Map);
      writeFold(t.key!, out, regId);
      writeFold(t.elem!, out, regId);
      return;
    case Edt.Reg: {
      const r = t as RegType;
      const id = regId?.(r);
      out.push(Edt.Reg);
      if (id !== undefined) out.push(id >>> 8, id & 0xff);
      else for (const b of r.inlineRef) out.push(b);
      return;
    }
    default:
      out.push(t.kind);
  }
}

/** True when `t`'s fold mentions a registered type (its bytes then depend on the RegCache). */
export function foldHasReg(t: EdfType): boolean {
  switch (t.kind) {
    case Edt.Reg:
      return true;
    case Edt.Slice:
    case Edt.Array:
      return foldHasReg(t.elem!);
    case Edt.Map:
      return foldHasReg(t.key!) || foldHasReg(t.elem!);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Registration

/** Field list: an object (Go exported names never look like integers, so order is kept) or pairs. */
export type FieldSpec = { readonly [name: string]: TypeExpr } | readonly (readonly [string, TypeExpr])[];

type FieldsOf<F> = F extends readonly (readonly [string, TypeExpr])[]
  ? { -readonly [E in F[number] as E[0]]: JsOf<E[1]> }
  : { -readonly [K in keyof F]: JsOf<F[K]> };

/** What `new S(init)` accepts: any field may be left out (Go zero value); 64-bit ints may be numbers. */
export type InitOf<I> = { [K in keyof I]?: I[K] extends bigint ? bigint | number : I[K] };

/** A class made by {@link EdfRegistry.struct}: instances are the decoded form of the Go struct. */
export interface StructClass<I> {
  new (init?: InitOf<I>): I;
  readonly edf: RegType<I>;
  readonly prototype: I;
}

const GO_EXPORTED = /^\p{Lu}[\p{L}\p{N}_]*$/u;

/** The set of registered types a decoder can resolve by name (Go's process-global `decoders`). */
export class EdfRegistry {
  #byName = new Map<string, RegType>();

  /** A registry holding everything `base` holds (e.g. `new EdfRegistry(defaultRegistry)`). */
  constructor(base?: EdfRegistry) {
    if (base !== undefined) for (const t of base.#byName.values()) this.#byName.set(t.name, t);
  }

  get(name: string): RegType | undefined {
    return this.#byName.get(name);
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  get size(): number {
    return this.#byName.size;
  }

  /** Every registered type, in registration order. */
  types(): IterableIterator<RegType> {
    return this.#byName.values();
  }

  /** Add a type made elsewhere (e.g. share one between registries). Same name twice: `ERR_EDF_TYPE_TAKEN`. */
  add<R extends RegType<any>>(t: R): R {
    const old = this.#byName.get(t.name);
    if (old === t) return t;
    if (old !== undefined) throw new EncodeError('ERR_EDF_TYPE_TAKEN', `${t.name} is already registered (Go: gen.ErrTaken)`);
    this.#byName.set(t.name, t);
    return t;
  }

  /**
   * Declare a Go struct registered as `name` ("#" + Go package path + "/" + type name).
   * Fields in Go declaration order with their exact Go kinds; an embedded struct is one field
   * of its registered type. Returns a class whose instances are the decoded values.
   *
   * ```ts
   * const Point = registry.struct('#main/Point', { X: 'int32', Y: 'int32' });
   * encode(new Point({ X: 1, Y: 2 })) // 83 00 0b "#main/Point" 00 00 00 01 00 00 00 02
   * ```
   */
  struct<const F extends FieldSpec>(name: string, fields: F): StructClass<FieldsOf<F>> {
    const list: Field[] = [];
    const pairs: readonly (readonly [string, TypeExpr])[] = Array.isArray(fields)
      ? (fields as readonly (readonly [string, TypeExpr])[])
      : Object.entries(fields as Record<string, TypeExpr>);
    const seen = new Set<string>();
    for (const [fname, fexpr] of pairs) {
      if (!GO_EXPORTED.test(fname)) throw new EncodeError('ERR_EDF_BAD_FIELD', `${name}: field ${JSON.stringify(fname)} is not an exported Go identifier`);
      if (seen.has(fname)) throw new EncodeError('ERR_EDF_BAD_FIELD', `${name}: field ${fname} declared twice`);
      seen.add(fname);
      list.push({ name: fname, type: typeOf(fexpr) });
    }
    const rt = new RegType<FieldsOf<F>>(name, 'struct', { fields: list });
    const cls = makeStructClass(rt);
    this.add(rt);
    return cls as unknown as StructClass<FieldsOf<F>>;
  }

  /** A named scalar, e.g. `named('#ergo.services/ergo/gen/LogLevel', 'int')`. Its body is the underlying kind's. */
  named<const E extends ScalarName>(name: string, underlying: E): RegType<JsOf<E>> {
    const u = typeOf(underlying);
    const ok = [Edt.Bool, Edt.Int8, Edt.Int16, Edt.Int32, Edt.Int64, Edt.Int, Edt.Uint8, Edt.Uint16, Edt.Uint32, Edt.Uint64, Edt.Uint, Edt.Float32, Edt.Float64, Edt.String] as number[];
    if (!ok.includes(u.kind)) throw new EncodeError('ERR_EDF_BAD_TYPE', `${name}: a named type must be bool, a number kind or string (got ${u.goName})`);
    return this.add(new RegType<JsOf<E>>(name, 'named', { under: u }));
  }

  /** A registered slice `type S []E`: value marker 0x83 (not 0x9d). A `type B []byte` is this with `'uint8'`, not binary. */
  namedSlice<E extends TypeExpr>(name: string, elem: E): RegType<JsOf<E>[] | null> {
    return this.add(new RegType<JsOf<E>[] | null>(name, 'slice', { elem: typeOf(elem) }));
  }

  /** A registered array `type A [N]E`: N bare elements, no marker. */
  namedArray<E extends TypeExpr>(name: string, len: number, elem: E): RegType<JsOf<E>[]> {
    if (!Number.isInteger(len) || len < 0 || len > 0xffffffff) throw new EncodeError('ERR_EDF_BAD_TYPE', `array length ${len} out of range`);
    return this.add(new RegType<JsOf<E>[]>(name, 'array', { elem: typeOf(elem), len }));
  }

  /** A registered map `type M map[K]V`: value marker 0x83 (not 0x9f). */
  namedMap<K extends TypeExpr, V extends TypeExpr>(name: string, key: K, value: V): RegType<Map<JsOf<K>, JsOf<V>> | null> {
    const k = typeOf(key);
    // Not strict: a registered map has no fold, and Go registers `map[[2]int8]string` fine.
    checkMapKey(k, false);
    return this.add(new RegType<Map<JsOf<K>, JsOf<V>> | null>(name, 'map', { key: k, elem: typeOf(value) }));
  }

  /** A type with its own MarshalEDF/UnmarshalEDF (or MarshalBinary): u32 length + the codec's bytes. */
  custom<V>(name: string, codec: CustomCodec<V>): RegType<V> {
    const rt = new RegType<V>(name, 'custom', { codec });
    if (codec.cls !== undefined) {
      rt.cls = codec.cls;
      Object.defineProperty(codec.cls.prototype, EDF_TYPE, { value: rt, configurable: true });
    }
    return this.add(rt);
  }
}

/**
 * The registry decoders use unless told otherwise; the framework's own types (src/codec/edf/
 * framework.ts) are registered here when the EDF module loads.
 */
export const defaultRegistry = new EdfRegistry();

/** Declare a struct in {@link defaultRegistry}; see {@link EdfRegistry.struct}. */
export function struct<const F extends FieldSpec>(name: string, fields: F): StructClass<FieldsOf<F>> {
  return defaultRegistry.struct(name, fields);
}
/** {@link EdfRegistry.named} in the default registry. */
export function named<const E extends ScalarName>(name: string, underlying: E): RegType<JsOf<E>> {
  return defaultRegistry.named(name, underlying);
}
/** {@link EdfRegistry.namedSlice} in the default registry. */
export function namedSlice<E extends TypeExpr>(name: string, elem: E): RegType<JsOf<E>[] | null> {
  return defaultRegistry.namedSlice(name, elem);
}
/** {@link EdfRegistry.namedArray} in the default registry. */
export function namedArray<E extends TypeExpr>(name: string, len: number, elem: E): RegType<JsOf<E>[]> {
  return defaultRegistry.namedArray(name, len, elem);
}
/** {@link EdfRegistry.namedMap} in the default registry. */
export function namedMap<K extends TypeExpr, V extends TypeExpr>(name: string, key: K, value: V): RegType<Map<JsOf<K>, JsOf<V>> | null> {
  return defaultRegistry.namedMap(name, key, value);
}
/** {@link EdfRegistry.custom} in the default registry. */
export function custom<V>(name: string, codec: CustomCodec<V>): RegType<V> {
  return defaultRegistry.custom(name, codec);
}

function isBig(t: EdfType): boolean {
  let k = t.kind;
  if (t instanceof RegType && t.regKind === 'named') k = t.under!.kind;
  return k === Edt.Int64 || k === Edt.Int || k === Edt.Uint64 || k === Edt.Uint;
}

/**
 * Build the JS class of a registered struct. The class's constructor and the positional factory
 * the decoder uses are generated code that assigns every field in declaration order, so
 * instances get one stable shape per constructor and the codec's property loads stay
 * monomorphic. Field names are Go identifiers (checked above), emitted as JSON string literals.
 */
function makeStructClass(rt: RegType): new (init?: Record<string, unknown>) => unknown {
  const fs = rt.fields;
  const types = fs.map((f) => f.type);
  const big = fs.map((f) => isBig(f.type));
  const lines: string[] = [];
  fs.forEach((f, i) => {
    const k = JSON.stringify(f.name);
    const src = `init === undefined ? undefined : init[${k}]`;
    const conv = big[i] ? `(Number.isSafeInteger(v${i}) ? BigInt(v${i}) : v${i})` : `v${i}`;
    lines.push(`const v${i} = ${src}; o[${k}] = v${i} === undefined ? zeroOf(types[${i}]) : ${conv};`);
  });
  const init = new Function('zeroOf', 'types', `return function init(o, init) {\n${lines.join('\n')}\n}`)(zeroOf, types) as (
    o: object,
    init: Record<string, unknown> | undefined,
  ) => void;

  const cls = class {
    constructor(init?: Record<string, unknown>) {
      initFn(this, init);
    }
  };
  const initFn = init;
  Object.defineProperty(cls, 'name', { value: rt.shortName });
  Object.defineProperty(cls, 'edf', { value: rt });
  Object.defineProperty(cls.prototype, EDF_TYPE, { value: rt });

  const args = fs.map((_, i) => `a${i}`);
  const assigns = fs.map((f, i) => `this[${JSON.stringify(f.name)}] = a${i};`);
  const F = new Function(`return function Decoded(${args.join(', ')}) {\n${assigns.join('\n')}\n}`)() as new (...a: unknown[]) => unknown;
  F.prototype = cls.prototype;
  rt.cls = cls;
  rt.factory = F;
  return cls;
}
