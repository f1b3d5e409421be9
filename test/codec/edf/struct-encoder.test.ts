/**
 * The generated struct encoders (src/codec/edf/struct-encoder.ts) take fast paths for strings,
 * 64-bit ints, int32, float64, bool, []int, []string and nested structs: whatever value a field
 * holds, the struct's bytes must equal its fields encoded one by one by the general encoder,
 * and every value the general encoder refuses must be refused with the same error code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncodeError } from '../../../src/codec/errors.js';
import { EdfEncoder, EdfRegistry, T, int64, type EdfType } from '../../../src/codec/edf/index.js';
import { float } from '../../../src/term/index.js';
import { hex } from './support.js';

const r = new EdfRegistry();
const Leaf = r.struct('#ergo-ts/test/Leaf', { S: 'string', N: 'int64' });
const Wide = r.struct('#ergo-ts/test/Wide', {
  S: 'string',
  I: 'int',
  J: 'int64',
  U: 'uint',
  V: 'uint64',
  K: 'int32',
  F: 'float64',
  B: 'bool',
  Is: T.slice('int'),
  Ss: T.slice('string'),
  L: Leaf,
  Ls: T.slice(Leaf),
});
const fieldTypes: [string, EdfType][] = Wide.edf.fields.map((f) => [f.name, f.type]);

const anyValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constant('x'.repeat(21845)),
  fc.constant('é'.repeat(30000)),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.bigInt({ min: 0n, max: 2n ** 32n }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(NaN, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 1.5, true, false, null, undefined, 'str', [], {}),
  fc.constant(float(3)),
  fc.constant(int64(5)),
  fc.array(fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
  fc.record({ S: fc.string({ maxLength: 5 }), N: fc.bigInt({ min: 0n, max: 99n }) }).map((x) => new Leaf(x)),
  fc.array(fc.oneof(fc.constant(null), fc.record({ S: fc.string({ maxLength: 5 }), N: fc.bigInt({ min: 0n, max: 99n }) }).map((x) => new Leaf(x))), { maxLength: 3 }),
);

/** Encode, or the error code. */
function attempt(f: () => Uint8Array): string {
  try {
    return hex(f());
  } catch (e) {
    if (e instanceof EncodeError) return `error ${e.code}`;
    throw e;
  }
}

describe('generated struct encoders', () => {
  const enc = new EdfEncoder();
  const ref = new EdfEncoder();

  it('write exactly what the general encoder writes field by field, or fail the same way', () => {
    fc.assert(
      fc.property(fc.array(anyValue, { minLength: fieldTypes.length, maxLength: fieldTypes.length }), fc.nat({ max: fieldTypes.length - 1 }), (vals, wild) => {
        // One field gets an arbitrary value; the others a valid one of their own kind.
        const init: Record<string, unknown> = {};
        const valid: Record<string, unknown> = { S: 'ok', I: 1n, J: -2n, U: 3n, V: 4n, K: 5, F: 0.5, B: true, Is: [1n], Ss: ['a'], L: new Leaf({ S: 's', N: 1n }), Ls: [] };
        fieldTypes.forEach(([name], i) => (init[name] = i === wild ? vals[i] : valid[name]));
        const v = Object.assign(new Wide(), init);
        const got = attempt(() => enc.encodeBody(Wide, v));
        let want = '';
        for (const [name, t] of fieldTypes) {
          const part = attempt(() => ref.encodeBody(t, init[name]));
          if (part.startsWith('error')) {
            want = part;
            break;
          }
          want += part;
        }
        expect(got).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });
});
