/**
 * The term model both wire formats share. See proto-spec/term-mapping.md for the full table
 * of Erlang ↔ JS ↔ Go correspondences and the wrappers for what JS cannot tell apart.
 */
import type { Atom } from './atom.js';
import type { Alias, Pid, Port, Ref } from './ids.js';
import type { TermMap } from './map.js';

/**
 * Any Erlang term, in its canonical JS form.
 *
 * - integers: `number` for safe integers (|i| ≤ 2^53−1), `bigint` beyond;
 * - floats: `number` when not integral, `ErlFloat` when integral (1.0, −0.0, 1e20), since a
 *   plain integral `number` encodes as an integer;
 * - atoms: `Atom`, except `true`/`false`, which are JS booleans;
 * - binaries: `Uint8Array` (a JS `string` is accepted on encode as a UTF-8 binary);
 * - proper lists: JS arrays (a charlist is an array of code points); improper lists: `ImproperList`.
 */
export type Term =
  | number
  | bigint
  | boolean
  | string
  | Atom
  | ErlFloat
  | Uint8Array
  | BitBinary
  | Tuple
  | readonly Term[]
  | ImproperList
  | TermMap
  | Pid
  | Ref
  | Alias
  | Port
  | Fun
  | Export
  | NativeRecord
  | LocalTerm;

/**
 * What every map is, declared here so that equality, hashing and order (equal.ts) recognise
 * maps without importing map.ts (which imports them): no runtime import cycle.
 */
export abstract class MapTerm {
  abstract get size(): number;
  /** The i-th key in insertion order. */
  abstract keyAt(i: number): Term;
  /** The i-th value in insertion order. */
  abstract valueAt(i: number): Term;
  /** Index (insertion order) of the key equal to `key`, or -1. */
  abstract indexOf(key: Term): number;
  /** Key indices sorted in map-key order (cached). */
  abstract sortedOrder(): readonly number[];
  /** Cached structural hash: see equal.ts `hash`. */
  abstract cachedHash(): number | undefined;
  abstract cacheHash(h: number): void;
}

/** A tuple. `elements` is owned by the tuple; treat it as immutable. */
export class Tuple {
  readonly elements: readonly Term[];
  constructor(elements: readonly Term[]) {
    this.elements = elements;
  }
  get size(): number {
    return this.elements.length;
  }
  /** Element `i`, zero-based (Erlang's `element(i + 1, T)`). */
  at(i: number): Term {
    const v = this.elements[i];
    if (v === undefined) throw new RangeError(`tuple index ${i} out of range (size ${this.elements.length})`);
    return v;
  }
}

/** `tuple(a, b, c)` → `{a, b, c}`. */
export function tuple(...elements: Term[]): Tuple {
  return new Tuple(elements);
}

/** A list whose tail is not `[]`, e.g. `[alias | Ref]` in gen_server call tags. */
export class ImproperList {
  constructor(
    /** At least one element. */
    readonly head: readonly Term[],
    /** Anything except a proper list. */
    readonly tail: Term,
  ) {
    if (head.length === 0) throw new RangeError('an improper list needs at least one element');
    if (Array.isArray(tail)) throw new TypeError('the tail is a proper list: use improperList() to join them');
  }
}

/** `[h1, h2 | tail]`; returns a proper array when `tail` is `[]`. */
export function improperList(head: readonly Term[], tail: Term): ImproperList | readonly Term[] {
  if (Array.isArray(tail)) return [...head, ...(tail as Term[])];
  return new ImproperList(head, tail);
}

/**
 * A float whose value is integral (`1.0`, `-0.0`, `1.0e20`): a plain integral JS number
 * would be encoded as an Erlang integer. Decoders produce it for exactly those floats;
 * use {@link float} to send one. Non-integral floats are plain numbers.
 */
export class ErlFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

/** Force a float: `float(1)` is `1.0` on the wire. Returns a plain number when that is enough. */
export function float(value: number): ErlFloat | number {
  return Number.isInteger(value) || Object.is(value, -0) ? new ErlFloat(value) : value;
}

/** A bitstring whose length is not a whole number of bytes. */
export class BitBinary {
  constructor(
    /** The bytes; unused low bits of the last byte are zero. */
    readonly bytes: Uint8Array,
    /** Bits used in the last byte, 1..8 (8 only in non-canonical input). */
    readonly bits: number,
  ) {}
  /** Length in bits. */
  get bitLength(): number {
    return this.bytes.length === 0 ? 0 : (this.bytes.length - 1) * 8 + this.bits;
  }
}

/** `fun Module:Function/Arity` (EXPORT_EXT). */
export class Export {
  constructor(
    readonly module: Atom,
    readonly fn: Atom,
    readonly arity: number,
  ) {}
}

/**
 * A closure from a BEAM node (NEW_FUN_EXT). It cannot run here; it is kept field by field so
 * it can be sent back unchanged.
 */
export class Fun {
  constructor(
    readonly arity: number,
    /** 16 bytes, MD5 of the module's code. */
    readonly uniq: Uint8Array,
    readonly index: number,
    readonly module: Atom,
    readonly oldIndex: number,
    readonly oldUniq: number,
    readonly pid: Pid,
    readonly freeVars: readonly Term[],
  ) {}
}

/**
 * An OTP 29 native record (EEP 79, RECORD_EXT): `#Module:Name{Field = Value, …}`. Decoded
 * whatever the link negotiated and written back byte for byte: the fields keep their order,
 * `exported` is the flags byte (1 when the defining module exports the record).
 */
export class NativeRecord {
  constructor(
    readonly module: Atom,
    readonly name: Atom,
    /** Field names in definition order; distinct. */
    readonly fields: readonly Atom[],
    /** One value per field. */
    readonly values: readonly Term[],
    readonly exported: boolean = false,
  ) {
    if (fields.length !== values.length) throw new RangeError(`record with ${fields.length} fields and ${values.length} values`);
  }

  /** The value of `field`, or undefined. */
  get(field: Atom): Term | undefined {
    const i = this.fields.indexOf(field);
    return i < 0 ? undefined : this.values[i];
  }
}

/**
 * LOCAL_EXT (`term_to_binary(T, [local])`, OTP 26+): only the VM that made it can read it, so
 * the decoder refuses it like every other node does and the encoder does not write it. The
 * class remains for code that names it; nothing produces one.
 * @deprecated
 */
export class LocalTerm {
  constructor(readonly raw: Uint8Array) {}
}
