/**
 * Random EDF values a Go peer can hold and give back unchanged: every dynamic kind, typed
 * wrappers, folded unregistered composites of random shape, and values of the registered types
 * a Go node knows (the framework's, plus our test types from interop/go/edfcases, declared from
 * the Go vector file).
 *
 * Left out on purpose, each a documented Go quirk (proto-spec/edf.md): `%` in error messages
 * (Go decodes them through fmt.Errorf), V2 times with negative sub-minute offsets (Go reads the
 * byte unsigned), slices and maps of zero-size elements (Go's count check), arrays as map keys
 * in folds, arrays of zero-size elements (Go wants bytes for them when they end the input),
 * float map keys (Go merges -0/0 and float32-equal keys).
 */
import fc from 'fast-check';
import {
  EdfError,
  EdfRegistry,
  Event,
  GoTime,
  NetworkFlags,
  ProcessID,
  RegType,
  T,
  Typed,
  typed,
  type EdfType,
} from '../../../src/codec/edf/index.js';
import { Alias, atom, float, Pid, Ref } from '../../../src/term/index.js';
import { scalarArb } from './support.js';

const isWellFormed = (s: string) => !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
const text = (max: number) => fc.string({ unit: 'binary', maxLength: max }).filter(isWellFormed);
const atomArb = fc.oneof(
  fc.constantFrom('go@127.0.0.1', 'ts@127.0.0.1', '', 'worker').map((s) => atom(s)),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map((s) => atom(s)),
  fc.string({ unit: 'grapheme', maxLength: 6 }).filter((s) => Buffer.byteLength(s) <= 255).map((s) => atom(s)),
);
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 1000n }));
const i64 = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -1000n, max: 1000n }));
const errArb = text(12)
  .filter((m) => !m.includes('%'))
  .map((m) => new EdfError(m));
const pidArb = fc.tuple(atomArb, u64, i64).map(([n, id, c]) => Pid.ergo(n, id, c));
/** Refs as Go makes them, as our runtime makes them (3 words), and anything else. */
const refArb = (alias: boolean) =>
  fc.oneof(
    fc.tuple(atomArb, i64, u64, u64, u64).map(([n, c, a, b, d]) => (alias ? Alias.ergo(n, c, a, b, d) : Ref.ergo(n, c, a, b, d))),
    fc.tuple(atomArb, fc.integer({ min: 1, max: 2 ** 31 }), fc.nat(), fc.nat({ max: 0x1fffff }), fc.nat())
      .map(([n, c, lo, hi, salt]) => new (alias ? Alias : Ref)(n, c, [lo >>> 0, hi, salt >>> 0])),
  );
const timeArb = fc.oneof(
  fc.tuple(i64, fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: -32768, max: 32767 }).filter((m) => m !== -1)).map(([s, ns, m]) => new GoTime(s, ns, m)),
  fc.tuple(i64, fc.integer({ min: 0, max: 999_999_999 })).map(([s, ns]) => new GoTime(s, ns, -1)),
  fc.tuple(i64, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 59 })).map(([s, m, x]) => new GoTime(s, 0, m, x)),
);

/** Kinds whose values never cost a byte: Go's decoder refuses many of them in a slice or map. */
const zeroSize = (t: EdfType) => t.minSize === 0;

function mapArb(k: EdfType, v: EdfType, reg: EdfRegistry): fc.Arbitrary<Map<unknown, unknown>> {
  return fc
    .uniqueArray(fc.tuple(valueArb(k, reg), valueArb(v, reg)), {
      maxLength: 4,
      // Conservative: keys Go might consider equal collapse to one.
      selector: ([key]) => (typeof key === 'object' && key !== null ? String(key) : typeof key + String(key)),
    })
    .map((es) => new Map(es));
}

/** A value of static type `t`. */
export function valueArb(t: EdfType, reg: EdfRegistry): fc.Arbitrary<unknown> {
  const scalar = scalarArb(t.kind, i64, u64);
  if (scalar !== undefined) return scalar;
  switch (t.kind) {
    case 0x8d:
      return text(30);
    case 0x8c:
      return atomArb;
    case 0x9c:
      return fc.option(errArb, { nil: null });
    case 0x84:
      return anyArb(reg);
    case 0xaa:
      return pidArb;
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
      if (zeroSize(t.elem!)) return fc.constantFrom(null, []);
      return fc.option(fc.array(valueArb(t.elem!, reg), { maxLength: 4 }), { nil: null });
    case 0x9e:
      return fc.array(valueArb(t.elem!, reg), { minLength: t.len, maxLength: t.len });
    case 0x9f:
      if (zeroSize(t.key!) && zeroSize(t.elem!)) return fc.constantFrom(null, new Map());
      return fc.option(mapArb(t.key!, t.elem!, reg), { nil: null });
    case 0x83:
      return regArb(t as RegType, reg);
  }
  throw new Error(`no arbitrary for ${t.goName}`);
}

/** Raw bodies our Go test types' UnmarshalEDF/UnmarshalBinary accept. */
function customArb(r: RegType, reg: EdfRegistry): fc.Arbitrary<unknown> {
  const opaque = (bytes: fc.Arbitrary<Uint8Array>) => bytes.map((raw) => Object.assign(r.codec!.zero() as object, { Raw: raw }));
  switch (r.shortName) {
    case 'NetworkFlags':
      return fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }).chain((b) =>
        fc.boolean().map((on) =>
          on
            ? new NetworkFlags({ Enable: true, EnableRemoteSpawn: b[0], EnableRemoteApplicationStart: b[1], EnableFragmentation: b[2], EnableProxyTransit: b[3], EnableProxyAccept: b[4], EnableImportantDelivery: b[5] })
            : new NetworkFlags(),
        ),
      );
    case 'Stamp':
      return opaque(fc.uint8Array({ minLength: 4, maxLength: 4 }));
    case 'Chunk':
      return opaque(fc.uint8Array({ maxLength: 40 }));
    case 'Blob':
      return opaque(
        fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.uint8Array({ maxLength: 20 })).map(([a, s]) => {
          const b = new Uint8Array(4 + s.length);
          b[0] = a >> 8;
          b[1] = a & 0xff;
          b[3] = s.length;
          b.set(s, 4);
          return b;
        }),
      );
  }
  void reg;
  return fc.constant(r.codec!.zero());
}

function regArb(r: RegType, reg: EdfRegistry): fc.Arbitrary<unknown> {
  switch (r.regKind) {
    case 'named':
      return valueArb(r.under!, reg);
    case 'slice':
      return fc.option(fc.array(valueArb(r.elem!, reg), { maxLength: 4 }), { nil: null });
    case 'array':
      return fc.array(valueArb(r.elem!, reg), { minLength: r.len, maxLength: r.len });
    case 'map':
      return fc.option(mapArb(r.key!, r.elem!, reg), { nil: null });
    case 'custom':
      return customArb(r, reg);
    case 'struct': {
      const cls = r.cls as new (init: Record<string, unknown>) => unknown;
      if (r.fields.length === 0) return fc.constant(new cls({}));
      return fc.tuple(...r.fields.map((f) => valueArb(f.type, reg))).map((vs) => new cls(Object.fromEntries(r.fields.map((f, i) => [f.name, vs[i]]))));
    }
  }
}

/** A registered type's value as it travels in an `any` slot (structs are their own tag). */
export function taggedRegArb(r: RegType, reg: EdfRegistry): fc.Arbitrary<unknown> {
  return regArb(r, reg).map((v) => (r.regKind === 'struct' || (r.regKind === 'custom' && r.cls !== undefined) ? v : typed(r, v as never)));
}

const leafKinds = [
  'bool', 'int8', 'int16', 'int32', 'int64', 'int', 'uint8', 'uint16', 'uint32', 'uint64', 'uint',
  'float32', 'float64', 'string', 'binary', 'atom', 'error', 'any', 'pid', 'processId', 'alias', 'event', 'ref', 'time',
] as const;
const keyKinds = ['bool', 'int8', 'int16', 'int32', 'int64', 'int', 'uint8', 'uint16', 'uint32', 'uint64', 'uint', 'string', 'atom', 'pid', 'processId', 'event'] as const;

/** A random unregistered composite type over leaf kinds and the registry's types. */
function foldArb(reg: EdfRegistry, leaves: RegType[]): fc.Arbitrary<EdfType> {
  const leaf = fc.oneof(
    fc.constantFrom(...leafKinds).map((k) => T[k] as EdfType),
    fc.constantFrom(...leaves) as fc.Arbitrary<EdfType>,
  );
  return fc.letrec<{ t: EdfType }>((tie) => ({
    t: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      tie('t').map((e) => (e === T.uint8 ? T.binary : T.slice(e)) as EdfType),
      // [N]E of zero-size E: Go's decoder wants bytes for each element when the value ends the input.
      fc.tuple(fc.integer({ min: 0, max: 3 }), tie('t')).map(([n, e]) => T.array(zeroSize(e) ? 0 : n, e) as EdfType),
      fc.tuple(fc.constantFrom(...keyKinds), tie('t')).map(([k, v]) => T.map(k, v) as EdfType),
    ),
  })).t.filter((t) => t.kind === 0x9d || t.kind === 0x9e || t.kind === 0x9f);
}

/** Values for `any` slots (and the top level). */
export function anyArb(reg: EdfRegistry, depth = 0): fc.Arbitrary<unknown> {
  const simple = fc.oneof(
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    i64,
    fc.double(),
    fc.double().map((d) => float(d)),
    text(20),
    atomArb,
    fc.uint8Array({ maxLength: 8 }),
    fc.integer({ min: -128, max: 127 }).map((v) => new Typed(T.int8, v)),
    fc.integer({ min: -32768, max: 32767 }).map((v) => new Typed(T.int16, v)),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((v) => new Typed(T.int32, v)),
    i64.map((v) => new Typed(T.int64, v)),
    fc.integer({ min: 0, max: 255 }).map((v) => new Typed(T.uint8, v)),
    fc.integer({ min: 0, max: 65535 }).map((v) => new Typed(T.uint16, v)),
    fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((v) => new Typed(T.uint32, v)),
    u64.map((v) => new Typed(T.uint64, v)),
    u64.map((v) => new Typed(T.uint, v)),
    fc.float().map((v) => new Typed(T.float32, v)),
    errArb,
    pidArb,
    refArb(false),
    refArb(true),
    fc.tuple(atomArb, atomArb).map(([a, b]) => new ProcessID(a, b)),
    fc.tuple(atomArb, atomArb).map(([a, b]) => new Event(a, b)),
    timeArb,
  );
  if (depth >= 2) return fc.oneof(fc.constant(null), simple);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 6, arbitrary: simple },
    { weight: 1, arbitrary: fc.array(anyArb(reg, depth + 1), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(fc.tuple(text(6), anyArb(reg, depth + 1)), { maxLength: 3 }).map((es) => new Map<unknown, unknown>(es)) },
  );
}

/** Any value the property sends: dynamic, folded composites, registered types. */
export function goValueArb(reg: EdfRegistry): fc.Arbitrary<unknown> {
  const types = [...reg.types()];
  const structs = types.filter((t) => t.regKind === 'struct' && t.fields.length > 0);
  return fc.oneof(
    { weight: 4, arbitrary: anyArb(reg) },
    { weight: 3, arbitrary: foldArb(reg, types).chain((t) => valueArb(t, reg).map((v) => typed(t, v as never))) },
    { weight: 4, arbitrary: fc.constantFrom(...types).chain((t) => taggedRegArb(t, reg)) },
    { weight: 2, arbitrary: fc.constantFrom(...structs).chain((t) => taggedRegArb(t, reg)) },
  );
}
