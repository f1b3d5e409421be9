/** fast-check arbitraries for canonical terms (the forms decoders produce). */
import fc from 'fast-check';
import { Atom, BitBinary, Export, ImproperList, Pid, Port, Ref, TermMap, Tuple, canonicalInt, float, termKey, type Term } from '../../src/term/index.js';

const atomText = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9_@]{0,15}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

export const atomArb: fc.Arbitrary<Term> = atomText
  .filter((s) => [...s].length <= 255 && !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')))
  .map((s) => (s === 'true' ? true : s === 'false' ? false : Atom.of(s)));

// Not nonode@nohost: BEAM validates the shape of its own node's refs (word counts) and rejects random ones.
const nodeArb = fc.constantFrom('a@b', 'ts@127.0.0.1', 'erl@host', 'ñ@h').map((n) => Atom.of(n));
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });

export const integerArb: fc.Arbitrary<Term> = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }).map(canonicalInt),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53 - 1), 2n ** 53n, -(2n ** 64n), 2n ** 64n - 1n),
);

export const floatArb: fc.Arbitrary<Term> = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => float(v));

export const pidArb: fc.Arbitrary<Term> = fc.tuple(nodeArb, u32, u32, u32).map(([n, i, s, c]) => new Pid(n, i, s, c));
export const refArb: fc.Arbitrary<Term> = fc
  .tuple(nodeArb, u32, fc.array(u32, { minLength: 1, maxLength: 5 }))
  .map(([n, c, ids]) => new Ref(n, c, ids));
export const portArb: fc.Arbitrary<Term> = fc
  .tuple(nodeArb, fc.oneof(u32, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(canonicalInt)), u32)
  .map(([n, id, c]) => new Port(n, id, c));

const bitsArb: fc.Arbitrary<Term> = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.integer({ min: 1, max: 7 }))
  .map(([b, bits]) => {
    b[b.length - 1]! &= (0xff << (8 - bits)) & 0xff;
    return new BitBinary(b, bits);
  });

const exportArb: fc.Arbitrary<Term> = fc
  .tuple(atomText.filter((s) => [...s].length <= 255), fc.stringMatching(/^[a-z]{1,8}$/), fc.integer({ min: 0, max: 255 }))
  .map(([m, f, a]) => new Export(Atom.of(m), Atom.of(f), a));

export const leafArb: fc.Arbitrary<Term> = fc.oneof(
  { weight: 4, arbitrary: integerArb },
  { weight: 2, arbitrary: floatArb },
  { weight: 3, arbitrary: atomArb },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: bitsArb },
  { weight: 1, arbitrary: pidArb },
  { weight: 1, arbitrary: refArb },
  { weight: 1, arbitrary: portArb },
  { weight: 1, arbitrary: exportArb },
  { weight: 1, arbitrary: fc.constant<Term>([]) },
);

export const termArb: fc.Arbitrary<Term> = fc.letrec<{ term: Term }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: leafArb },
    { weight: 2, arbitrary: fc.array(tie('term'), { maxLength: 6 }) },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }) },
    { weight: 2, arbitrary: fc.array(tie('term'), { maxLength: 6 }).map((a) => new Tuple(a)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.array(tie('term'), { minLength: 1, maxLength: 4 }), tie('term'))
        .filter(([, tail]) => !Array.isArray(tail) && !(tail instanceof ImproperList))
        .map(([h, t]) => new ImproperList(h, t)),
    },
    {
      weight: 2,
      arbitrary: fc
        .uniqueArray(fc.tuple(tie('term'), tie('term')), { maxLength: 6, selector: ([k]) => termKey(k) })
        .map((entries) => new TermMap(entries)),
    },
  ),
})).term;
