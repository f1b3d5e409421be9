/**
 * Property tests: random values of random declared schemas round-trip (decode(encode(v)) has
 * the same typed value, and re-encodes to the same bytes), in tagged and bare positions; random
 * and mutated bytes give a value or a DecodeError, never anything else.
 *
 * (The Go half of the property — TS bytes → Go decode → Go encode → TS — needs the Go
 * program in interop/go, which cannot be built here: the module proxy refuses ergo.services/ergo.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/codec/errors.js';
import {
  EdfDecoder,
  EdfEncoder,
  EdfError,
  EdfRegistry,
  Event,
  GoTime,
  ProcessID,
  RegType,
  T,
  toEJson,
  Typed,
  typed,
  type EdfType,
} from '../../../src/codec/edf/index.js';
import { Alias, atom, Pid, Ref } from '../../../src/term/index.js';
import { loadVectorFiles, scalarArb, unhex } from './support.js';

// ---- random schemas -------------------------------------------------------------------------

const scalarKinds = [
  'bool', 'int8', 'int16', 'int32', 'int64', 'int', 'uint8', 'uint16', 'uint32', 'uint64', 'uint',
  'float32', 'float64', 'string', 'binary', 'atom', 'error', 'any', 'pid', 'processId', 'alias', 'event', 'ref', 'time',
] as const;
const keyKinds = ['bool', 'int8', 'int16', 'int32', 'int64', 'int', 'uint8', 'uint16', 'uint32', 'uint64', 'uint', 'string', 'atom'] as const;
const namedKinds = ['bool', 'int8', 'int32', 'int', 'uint16', 'uint64', 'float32', 'float64', 'string'] as const;

type Spec =
  | { k: 'scalar'; name: (typeof scalarKinds)[number] }
  | { k: 'slice'; elem: Spec }
  | { k: 'array'; len: number; elem: Spec }
  | { k: 'map'; key: (typeof keyKinds)[number] | 'named'; value: Spec }
  | { k: 'struct'; fields: Spec[] }
  | { k: 'named'; under: (typeof namedKinds)[number] }
  | { k: 'nslice'; elem: Spec }
  | { k: 'narray'; len: number; elem: Spec }
  | { k: 'nmap'; key: (typeof keyKinds)[number]; value: Spec };

const specArb: fc.Arbitrary<Spec> = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...scalarKinds).map((name) => ({ k: 'scalar', name }) as Spec),
    fc.constantFrom(...namedKinds).map((under) => ({ k: 'named', under }) as Spec),
    tie('spec').map((elem) => ({ k: 'slice', elem }) as Spec),
    fc.record({ len: fc.integer({ min: 0, max: 3 }), elem: tie('spec') }).map(({ len, elem }) => ({ k: 'array', len, elem }) as Spec),
    fc.record({ key: fc.constantFrom(...keyKinds, 'named' as const), value: tie('spec') }).map(({ key, value }) => ({ k: 'map', key, value }) as Spec),
    fc.array(tie('spec'), { maxLength: 5 }).map((fields) => ({ k: 'struct', fields }) as Spec),
    tie('spec').map((elem) => ({ k: 'nslice', elem }) as Spec),
    fc.record({ len: fc.integer({ min: 0, max: 3 }), elem: tie('spec') }).map(({ len, elem }) => ({ k: 'narray', len, elem }) as Spec),
    fc.record({ key: fc.constantFrom(...keyKinds), value: tie('spec') }).map(({ key, value }) => ({ k: 'nmap', key, value }) as Spec),
  ),
})).spec;

/** Build the types of a spec into a fresh registry (names are unique within it). */
function build(spec: Spec, r: EdfRegistry, n = { i: 0 }): EdfType {
  const name = () => `#ergo-ts/prop/T${n.i++}`;
  switch (spec.k) {
    case 'scalar':
      return T[spec.name];
    case 'named':
      return r.named(name(), spec.under);
    case 'slice':
      return T.slice(build(spec.elem, r, n));
    case 'array':
      return T.array(spec.len, build(spec.elem, r, n));
    case 'map':
      return T.map(spec.key === 'named' ? r.named(name(), 'string') : T[spec.key], build(spec.value, r, n));
    case 'struct':
      return r.struct(
        name(),
        spec.fields.map((f, i) => [`F${i}`, build(f, r, n)] as const),
      ).edf;
    case 'nslice':
      return r.namedSlice(name(), build(spec.elem, r, n));
    case 'narray':
      return r.namedArray(name(), spec.len, build(spec.elem, r, n));
    case 'nmap':
      return r.namedMap(name(), T[spec.key], build(spec.value, r, n));
  }
}

// ---- random values of a type ------------------------------------------------------------------

/** No lone surrogates (they have no UTF-8 form, so they cannot round-trip). */
const isWellFormed = (s: string) => !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
const wellFormed = (max: number) => fc.string({ unit: 'binary', maxLength: max }).filter(isWellFormed);
const atomArb = fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map((s) => atom(s));
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const creation = i64;
const refArb = (alias: boolean) =>
  fc.tuple(atomArb, creation, u64, u64, u64).map(([n, c, a, b, d]) => (alias ? Alias.ergo(n, c, a, b, d) : Ref.ergo(n, c, a, b, d)));
const timeArb = fc.oneof(
  fc.tuple(i64, fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: -32768, max: 32767 }).filter((m) => m !== -1)).map(([s, ns, m]) => new GoTime(s, ns, m)),
  fc.tuple(i64, fc.integer({ min: 0, max: 999_999_999 })).map(([s, ns]) => new GoTime(s, ns, -1)),
  fc.tuple(i64, fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -59, max: 59 }).filter((x) => x !== 0)).map(([s, m, x]) => new GoTime(s, 0, m, x)),
);

/** Values for `any` slots: the default kinds plus typed wrappers and nested composites. */
const anyArb: fc.Arbitrary<unknown> = fc.letrec<{ any: unknown }>((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    i64,
    fc.double(),
    wellFormed(20),
    atomArb,
    fc.uint8Array({ maxLength: 8 }),
    fc.integer({ min: -128, max: 127 }).map((v) => new Typed(T.int8, v)),
    fc.integer({ min: 0, max: 65535 }).map((v) => new Typed(T.uint16, v)),
    u64.map((v) => new Typed(T.uint64, v)),
    fc.float().map((v) => new Typed(T.float32, v)),
    wellFormed(10).map((m) => new EdfError(m)),
    fc.tuple(atomArb, u64, creation).map(([n, id, c]) => Pid.ergo(n, id, c)),
    fc.array(tie('any'), { maxLength: 4 }),
    fc.array(fc.tuple(wellFormed(6), tie('any')), { maxLength: 3 }).map((es) => new Map<unknown, unknown>(es)),
    fc.array(i64, { maxLength: 3 }).map((v) => typed(T.slice('int'), v)),
    fc.constant(typed(T.slice('string'), null)),
  ),
})).any;

function valueArb(t: EdfType): fc.Arbitrary<unknown> {
  const scalar = scalarArb(t.kind, i64, u64);
  if (scalar !== undefined) return scalar;
  switch (t.kind) {
    case 0x8d:
      return wellFormed(30);
    case 0x8c:
      return atomArb;
    case 0x9c:
      return fc.option(wellFormed(10).map((m) => new EdfError(m)), { nil: null });
    case 0x84:
      return anyArb;
    case 0xaa:
      return fc.tuple(atomArb, u64, creation).map(([n, id, c]) => Pid.ergo(n, id, c));
    case 0xab:
      return fc.tuple(atomArb, atomArb).map(([a, b]) => new ProcessID(a, b));
    case 0xad:
      return fc.tuple(atomArb, atomArb).map(([a, b]) => new Event(a, b));
    case 0xac:
      return refArb(true);
    case 0xae:
      return refArb(false);
    case 0xaf:
      return timeArb;
    case 0x9d:
      return fc.option(fc.array(valueArb(t.elem!), { maxLength: 4 }), { nil: null });
    case 0x9e:
      return fc.array(valueArb(t.elem!), { minLength: t.len, maxLength: t.len });
    case 0x9f:
      return fc.option(mapArb(t.key!, t.elem!), { nil: null });
    case 0x83: {
      const r = t as RegType;
      switch (r.regKind) {
        case 'named':
          return valueArb(r.under!);
        case 'slice':
          return fc.option(fc.array(valueArb(r.elem!), { maxLength: 4 }), { nil: null });
        case 'array':
          return fc.array(valueArb(r.elem!), { minLength: r.len, maxLength: r.len });
        case 'map':
          return fc.option(mapArb(r.key!, r.elem!), { nil: null });
        case 'struct': {
          const cls = r.cls as new (init: Record<string, unknown>) => unknown;
          if (r.fields.length === 0) return fc.constant(new cls({}));
          return fc.tuple(...r.fields.map((f) => valueArb(f.type))).map((vs) => new cls(Object.fromEntries(r.fields.map((f, i) => [f.name, vs[i]]))));
        }
        case 'custom':
          return fc.constant(r.codec!.zero());
      }
    }
  }
  throw new Error(`no arbitrary for ${t.goName}`);
}

/** Keys unique by value (JS Map would merge equal bigints/strings and keep equal atoms apart anyway). */
function mapArb(k: EdfType, v: EdfType): fc.Arbitrary<Map<unknown, unknown>> {
  return fc
    .uniqueArray(fc.tuple(valueArb(k), valueArb(v)), { maxLength: 4, selector: ([key]) => (key instanceof Object ? String(key) : typeof key + String(key)) })
    .map((es) => new Map(es));
}

// ---- properties -------------------------------------------------------------------------------

const enc = new EdfEncoder();
const dec = new EdfDecoder();

const caseArb = specArb.chain((spec) => {
  const r = new EdfRegistry();
  const t = build(spec, r);
  return fc.tuple(fc.constant(r), fc.constant(t), valueArb(t));
});

describe('random values of random schemas', () => {
  it('round-trip in a tagged position (top level)', () => {
    fc.assert(
      fc.property(caseArb, ([registry, t, v]) => {
        const b = Uint8Array.from(enc.encode(typed(t, v as never)));
        const back = dec.decode(b, { registry });
        expect(toEJson(back)).toEqual(toEJson(v, t));
        expect(Buffer.from(enc.encode(back)).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('round-trip as a bare body of the static type', () => {
    fc.assert(
      fc.property(caseArb, ([registry, t, v]) => {
        const b = Uint8Array.from(enc.encodeBody(t, v));
        const back = dec.decodeBody(t, b, { registry });
        expect(toEJson(back, t)).toEqual(toEJson(v, t));
        expect(Buffer.from(enc.encodeBody(t, back)).equals(Buffer.from(b))).toBe(true);
        // Truncated bodies fail cleanly (zero-length bodies excepted).
        for (const n of [0, b.length >> 1, b.length - 1]) {
          if (n < 0 || n >= b.length) continue;
          try {
            dec.decodeBody(t, b.subarray(0, n), { registry });
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e;
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('round-trip in any slots', () => {
    fc.assert(
      fc.property(anyArb, (v) => {
        const b = Uint8Array.from(enc.encode(v));
        const back = dec.decode(b);
        expect(toEJson(back)).toEqual(toEJson(v));
        expect(Buffer.from(enc.encode(back)).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('hostile bytes', () => {
  const onlyDecodeError = (b: Uint8Array) => {
    try {
      dec.decode(b, { allowTrailing: true });
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  };

  it('random bytes give a value or a DecodeError', () => {
    const tag = fc.constantFrom(0x82, 0x83, 0x84, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x96, 0x9c, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xff);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.tuple(tag, fc.uint8Array({ maxLength: 64 })).map(([t, r]) => Uint8Array.of(t, ...r))), (b) => {
        onlyDecodeError(b);
      }),
      { numRuns: 20_000 },
    );
  });

  it('mutated real Go bytes give a value or a DecodeError', () => {
    const seeds = loadVectorFiles()
      .flatMap((f) => f.data.cases)
      .filter((c) => c.caches === undefined && c.type === undefined && c.hex.length < 2000)
      .map((c) => unhex(c.hex));
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (seed, edits) => {
          const b = Uint8Array.from(seed);
          for (const [at, v] of edits) b[at % b.length] = v;
          onlyDecodeError(b);
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
