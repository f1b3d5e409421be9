/**
 * Values with an explicit Go type, for `any` slots (and top-level values): JS numbers encode
 * as float64 and bigints as Go `int` by default, so anything else needs saying. Decoding an
 * `any` slot gives these same wrappers back, so a decoded value re-encodes to the same bytes.
 *
 * ```ts
 * encode([int32(7), uint8(255), float32(3.14), 42n, 'x'])   // Go receives []any{int32(7), uint8(255), float32(3.14), int(42), "x"}
 * encode(typed(T.slice(T.string), null))                     // a typed nil []string: 82 00 02 9d 8d ff
 * encode(typed(LogLevel, 2n))                                // a registered named scalar
 * ```
 */
import { EncodeError } from '../errors.js';
import { T, Typed, typeOf, type JsOf, type TypeExpr } from './types.js';

function int(v: number, lo: number, hi: number, what: string): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new EncodeError('ERR_EDF_RANGE', `${v} is not a ${what}`, v);
  return v;
}

function big(v: number | bigint, lo: bigint, hi: bigint, what: string): bigint {
  const b = typeof v === 'bigint' ? v : Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (b === undefined || b < lo || b > hi) throw new EncodeError('ERR_EDF_RANGE', `${v} is not a ${what}`, v);
  return b;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

export const int8 = (v: number): Typed<number> => new Typed(T.int8, int(v, -128, 127, 'int8'));
export const int16 = (v: number): Typed<number> => new Typed(T.int16, int(v, -32768, 32767, 'int16'));
export const int32 = (v: number): Typed<number> => new Typed(T.int32, int(v, -2147483648, 2147483647, 'int32'));
export const int64 = (v: number | bigint): Typed<bigint> => new Typed(T.int64, big(v, I64_MIN, I64_MAX, 'int64'));
export const uint8 = (v: number): Typed<number> => new Typed(T.uint8, int(v, 0, 255, 'uint8'));
export const uint16 = (v: number): Typed<number> => new Typed(T.uint16, int(v, 0, 65535, 'uint16'));
export const uint32 = (v: number): Typed<number> => new Typed(T.uint32, int(v, 0, 4294967295, 'uint32'));
export const uint64 = (v: number | bigint): Typed<bigint> => new Typed(T.uint64, big(v, 0n, U64_MAX, 'uint64'));
/** Go `uint` (tag 0x9b), distinct from uint64. */
export const goUint = (v: number | bigint): Typed<bigint> => new Typed(T.uint, big(v, 0n, U64_MAX, 'uint'));
export const float32 = (v: number): Typed<number> => new Typed(T.float32, v);
/** Go `int` (tag 0x96) is what a bigint already encodes as; this turns a number into that bigint. */
export const goInt = (v: number | bigint): bigint => big(v, I64_MIN, I64_MAX, 'int');

/** `value` with the exact Go type `type` (any type: composites, registered named types, typed nils). */
export function typed<E extends TypeExpr>(type: E, value: JsOf<E>): Typed<JsOf<E>> {
  return new Typed(typeOf(type), value);
}
