/**
 * Loading proto-spec/vectors/edf/*.json: the registry of the Go test types a file declares and
 * the per-connection caches its cases name, built the way a connection builds them; and the
 * scalar arbitraries the EDF property tests share.
 */
import fc from 'fast-check';
import { DecodeError, EncodeError } from '../../../src/codec/errors.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultRegistry,
  EdfDecodeCache,
  EdfEncodeCache,
  EdfError,
  EdfRegistry,
  frameworkError,
  typeFromJson,
  type EdfDecodeOptions,
  type EdfEncodeOptions,
  type EJson,
  type ETypeJson,
} from '../../../src/codec/edf/index.js';
import { Atom } from '../../../src/term/index.js';

export const vectorDir = join(import.meta.dirname, '../../../proto-spec/vectors/edf');

export interface EdfCase {
  name: string;
  hex: string;
  value?: EJson;
  source: string;
  caches?: string;
  type?: ETypeJson;
  encode?: false;
  mapOrder?: true;
  error?: string;
  encodeFrom?: EJson;
  atomMapping?: Record<string, string>;
  note?: string;
  /** Rejections: what Go's edf.Decode said. */
  goError?: string;
  /** Go's edf.Decode fails on these bytes although Go's encoder wrote them (a Go quirk). */
  goDecodeError?: string;
}

export interface CacheJson {
  atoms?: Record<string, string>;
  types?: Record<string, string>;
  errors?: Record<string, string>;
}

export interface TypeDeclJson {
  name: string;
  struct?: [string, ETypeJson][];
  named?: string;
  slice?: ETypeJson;
  array?: [number, ETypeJson];
  map?: [ETypeJson, ETypeJson];
  custom?: 'opaque';
}

export interface EdfVectorFile {
  format: 'edf';
  origin: string;
  /** The Ergo release whose net/edf made the file (go.json). */
  release?: string;
  /** What Go's encoder does with values no byte vector can carry (go.json). */
  facts?: { what: string; result: string }[];
  types?: TypeDeclJson[];
  caches?: Record<string, CacheJson>;
  cases: EdfCase[];
}

export function loadVectorFiles(): { file: string; data: EdfVectorFile }[] {
  return readdirSync(vectorDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, data: JSON.parse(readFileSync(join(vectorDir, file), 'utf8')) as EdfVectorFile }))
    // framework-types.json is the Go layout dump (format edf-framework-types), not vectors.
    .filter((f) => f.data.format === 'edf');
}

/** The default registry plus the Go test types the file declares. */
export function registryFor(data: EdfVectorFile): EdfRegistry {
  const r = new EdfRegistry(defaultRegistry);
  for (const t of data.types ?? []) {
    if (t.struct) r.struct(t.name, t.struct.map(([n, ty]) => [n, typeFromJson(ty, r)] as const));
    else if (t.named) r.named(t.name, t.named as 'int');
    else if (t.slice) r.namedSlice(t.name, typeFromJson(t.slice, r));
    else if (t.array) r.namedArray(t.name, t.array[0], typeFromJson(t.array[1], r));
    else if (t.map) r.namedMap(t.name, typeFromJson(t.map[0], r), typeFromJson(t.map[1], r));
    else if (t.custom === 'opaque') {
      // A Go type whose MarshalEDF bytes we cannot interpret: keep them.
      class Opaque {
        Raw: Uint8Array = new Uint8Array(0);
      }
      r.custom(t.name, {
        encode: (v: Opaque) => v.Raw,
        decode: (b) => Object.assign(new Opaque(), { Raw: b.slice() }),
        zero: () => new Opaque(),
        cls: Opaque,
      });
    }
  }
  return r;
}

export interface CaseOptions {
  dec: EdfDecodeOptions;
  enc: EdfEncodeOptions;
  errorOf: (m: string) => EdfError | undefined;
}

/** Decode options from the peer's tables and encode options from the same tables as ours. */
export function optionsFor(data: EdfVectorFile, registry: EdfRegistry, c: EdfCase): CaseOptions {
  const j = c.caches === undefined ? undefined : data.caches?.[c.caches];
  if (c.caches !== undefined && j === undefined) throw new Error(`${c.name}: no caches named ${c.caches}`);
  const errs = new Map<string, EdfError>();
  const errorOf = (m: string) => errs.get(m);
  const atomMapping = c.atomMapping ? new Map(Object.entries(c.atomMapping).map(([a, b]) => [Atom.of(a), Atom.of(b)])) : undefined;
  if (j === undefined) return { dec: { registry }, enc: { atomMapping }, errorOf };
  const atoms = new Map(Object.entries(j.atoms ?? {}).map(([id, a]) => [Number(id), Atom.of(a)]));
  const types = new Map(Object.entries(j.types ?? {}).map(([id, n]) => [Number(id), n]));
  const errors = new Map(
    Object.entries(j.errors ?? {}).map(([id, m]) => {
      const e = frameworkError(m) ?? new EdfError(m);
      errs.set(m, e);
      return [Number(id), e] as const;
    }),
  );
  const tables = { atoms, types, errors };
  return {
    dec: { registry, cache: new EdfDecodeCache(tables, registry) },
    enc: { cache: EdfEncodeCache.fromTables(tables, registry), atomMapping },
    errorOf,
  };
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

/** The EncodeError `f` throws; fails the test when it throws nothing or something else. */
export function encodeError(f: () => unknown): EncodeError {
  try {
    f();
  } catch (e) {
    if (e instanceof EncodeError) return e;
    throw e;
  }
  throw new Error('expected an EncodeError');
}

/** The DecodeError `f` throws; fails the test when it throws nothing or something else. */
export function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
}

/**
 * Values of EDF's fixed-size kinds (bool, the ints, the floats) and of []byte, for property
 * tests; undefined for every other kind. `i64` / `u64` give the 64-bit ones.
 */
export function scalarArb(kind: number, i64: fc.Arbitrary<bigint>, u64: fc.Arbitrary<bigint>): fc.Arbitrary<unknown> | undefined {
  switch (kind) {
    case 0x91:
      return fc.boolean();
    case 0x92:
      return fc.integer({ min: -128, max: 127 });
    case 0x93:
      return fc.integer({ min: -32768, max: 32767 });
    case 0x94:
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 0x95:
    case 0x96:
      return i64;
    case 0x97:
      return fc.integer({ min: 0, max: 255 });
    case 0x98:
      return fc.integer({ min: 0, max: 65535 });
    case 0x99:
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 0x9a:
    case 0x9b:
      return u64;
    case 0x8f:
      return fc.float();
    case 0x90:
      return fc.double();
    case 0x8e:
      return fc.uint8Array({ maxLength: 16 });
  }
  return undefined;
}
