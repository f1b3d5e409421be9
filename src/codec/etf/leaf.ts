/**
 * Pieces of the ETF decoder with no nesting: number formats, the shared empty values, and the
 * estimate of what each decoded value costs on the JS heap (the allocation budget).
 */
import { Buffer } from 'node:buffer';
import { getHeapStatistics } from 'node:v8';
import { canonicalInt } from '../../term/ids.js';
import { TermMap } from '../../term/map.js';
import { ErlFloat, Tuple, type Term } from '../../term/types.js';
import { DecodeError } from '../errors.js';

/** `[]`, `{}`, `#{}` and `<<>>` are immutable: every occurrence decodes to the same object. */
export const EMPTY_LIST: readonly Term[] = Object.freeze([] as Term[]);
export const EMPTY_TUPLE: Tuple = Object.freeze(new Tuple(EMPTY_LIST));
export const EMPTY_MAP: TermMap = TermMap.sharedEmpty();
export const EMPTY_BINARY: Uint8Array = new Uint8Array(0);

/**
 * A Buffer made by a plain constructor call: `subarray` on a Buffer looks up its species and
 * validates its arguments, which is most of what a small binary costs to decode. Its
 * prototype chain goes through `Buffer.prototype` and its `constructor` is `Buffer`, so it is
 * a Buffer to `Buffer.isBuffer`, `instanceof`, every Buffer method, and species (its own
 * `subarray` gives Node's own Buffers).
 */
class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);
Object.defineProperty(BufferView.prototype, 'constructor', { value: Buffer, writable: true, configurable: true, enumerable: false });

/** A Buffer over `n` bytes of `ab` at `off` (see BufferView). */
export function bufferView(ab: ArrayBuffer, off: number, n: number): Uint8Array {
  return new BufferView(ab, off, n);
}

/**
 * Default allocation budget: a quarter of V8's heap limit, at most 1 GiB. Decoding never
 * allocates much more than its estimate, so under the default a hostile input gets a
 * DecodeError long before V8 would abort the process for lack of heap.
 */
export const DEFAULT_MAX_ALLOC = Math.min(1024 * 1024 * 1024, Math.floor(getHeapStatistics().heap_size_limit / 4));

/**
 * Estimated heap bytes (64-bit V8) per decoded value, charged against the budget before the
 * value is built. Slots are the 8-byte array cells a container holds its elements in.
 */
export const Cost = {
  SLOT: 8,
  ARRAY: 32,
  TUPLE: 64,
  MAP: 128,
  MAP_PAIR: 24,
  VIEW: 128,
  HEAP_NUMBER: 16,
  OBJECT: 64,
  FUN: 256,
} as const;

// Big-endian float64 through a scratch buffer: no DataView per input.
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
export function readF64(b: Uint8Array, p: number): number {
  if (littleEndian) for (let i = 0; i < 8; i++) f64b[i] = b[p + 7 - i]!;
  else for (let i = 0; i < 8; i++) f64b[i] = b[p + i]!;
  return f64[0]!;
}

export function floatOf(v: number, at: number, tag: number): number | ErlFloat {
  if (!Number.isFinite(v)) throw new DecodeError('ERR_ETF_NOT_FINITE', `float ${v} is not an Erlang float`, at, tag);
  return Number.isInteger(v) ? new ErlFloat(v) : v;
}

/**
 * FLOAT_EXT's 31 bytes: the text up to the first NUL is an optional sign, digits, a decimal
 * point — `.` or `,`, as the C library of the sender may have written — digits, and an
 * optional exponent. Nothing else; the value must be finite. Without a NUL in the 31 bytes
 * the BEAM reads on past the field (its answer depends on the bytes after it): we refuse.
 * // OTP erts sys_float.c: sys_chars_to_double
 */
export function floatText(b: Uint8Array, p: number, at: number, tag: number): number | ErlFloat {
  let n = 0;
  while (n < 31 && b[p + n] !== 0) n++;
  if (n === 31) throw new DecodeError('ERR_ETF_BAD_FLOAT', 'float text has no NUL within its 31 bytes', at, tag);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[p + i]!);
  if (!/^[-+]?\d+[.,]\d+(?:[eE][-+]?\d+)?$/.test(s)) throw new DecodeError('ERR_ETF_BAD_FLOAT', `bad float text "${s}"`, at, tag);
  return floatOf(Number.parseFloat(s.replace(',', '.')), at, tag);
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Magnitude of `n` little-endian digit bytes at `p`, with a sign: a number when safe. */
export function bigValue(b: Uint8Array, p: number, n: number, negative: boolean): number | bigint {
  if (n <= 6) {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
    return negative ? -v || 0 : v;
  }
  if (n <= 8) {
    let lo = 0;
    let hi = 0;
    for (let i = 3; i >= 0; i--) lo = lo * 256 + b[p + i]!;
    for (let i = n - 1; i >= 4; i--) hi = hi * 256 + b[p + i]!;
    if (hi < 0x200000) {
      const v = hi * 0x1_0000_0000 + lo;
      return negative ? -v || 0 : v;
    }
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    return negative ? -v : v;
  }
  let hex = '';
  for (let i = n - 1; i >= 0; i--) hex += HEX[b[p + i]!];
  const v = BigInt('0x' + hex);
  return canonicalInt(negative ? -v : v);
}

export function latin1(b: Uint8Array, p: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 4096) s += String.fromCharCode.apply(null, b.subarray(p + i, p + Math.min(n, i + 4096)) as unknown as number[]);
  return s;
}
