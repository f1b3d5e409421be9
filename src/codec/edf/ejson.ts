/**
 * A typed JSON form of EDF values ("EJSON"), used by proto-spec/vectors/edf/*.json to state
 * what a byte sequence decodes to, and handy for logging. Every value carries its Go kind, so
 * the same JSON describes a value in a static field and in an `any` slot:
 *
 * | Go                     | EJSON                                                               |
 * |------------------------|---------------------------------------------------------------------|
 * | nil (any, slice, map, error) | `null`                                                        |
 * | bool                   | `{"bool": true}`                                                    |
 * | int8/16/32, uint8/16/32 | `{"int8": -5}` …                                                   |
 * | int, int64, uint, uint64 | `{"int": "42"}` (decimal string)                                  |
 * | float32 / float64      | `{"float32": "4048f5c3"}` (IEEE bits, hex)                          |
 * | string / []byte / atom | `{"string": "…"}` / `{"binary": "hex"}` / `{"atom": "…"}`           |
 * | error                  | `{"error": "message"}`                                              |
 * | gen.PID                | `{"pid": {"node", "id": "…", "creation": "…"}}`                      |
 * | gen.ProcessID / Event  | `{"processId": {"name", "node"}}` / `{"event": {…}}`                |
 * | gen.Ref / Alias        | `{"ref": {"node", "creation": "…", "id": ["…","…","…"]}}` / `alias` |
 * | time.Time              | `{"time": {"version", "sec", "nsec", "offsetMin", "offsetSec"}}`    |
 * | []T / [N]T / map[K]V   | `{"slice": TYPE, "items": [...]}` / `{"array": TYPE, "items"}` / `{"map": TYPE, "entries": [[k, v], …]}` |
 * | registered struct      | `{"struct": "#name", "fields": {"Field": …}}`                       |
 * | registered named type  | `{"named": "#name", "value" | "items" | "entries": …}`               |
 *
 * TYPE is `"int"`, `{"slice": TYPE}`, `{"array": [N, TYPE]}`, `{"map": [K, V]}`, `{"reg": "#name"}`.
 */
import { Atom } from '../../term/atom.js';
import { Alias, canonicalInt, Pid, Ref } from '../../term/ids.js';
import { ErlFloat } from '../../term/types.js';
import { Edt } from './tags.js';
import { defaultRegistry, EDF_TYPE, EdfType, RegType, T, Typed, type EdfRegistry } from './types.js';
import { EdfError, Event, GoTime, ProcessID } from './values.js';

export type EJson = null | { [k: string]: unknown };
export type ETypeJson = string | { slice: ETypeJson } | { array: [number, ETypeJson] } | { map: [ETypeJson, ETypeJson] } | { reg: string };

const kindName = new Map<number, string>([
  [Edt.Bool, 'bool'],
  [Edt.Int8, 'int8'],
  [Edt.Int16, 'int16'],
  [Edt.Int32, 'int32'],
  [Edt.Int64, 'int64'],
  [Edt.Int, 'int'],
  [Edt.Uint8, 'uint8'],
  [Edt.Uint16, 'uint16'],
  [Edt.Uint32, 'uint32'],
  [Edt.Uint64, 'uint64'],
  [Edt.Uint, 'uint'],
  [Edt.Float32, 'float32'],
  [Edt.Float64, 'float64'],
  [Edt.String, 'string'],
  [Edt.Binary, 'binary'],
  [Edt.Atom, 'atom'],
  [Edt.Error, 'error'],
  [Edt.Any, 'any'],
  [Edt.PID, 'pid'],
  [Edt.ProcessID, 'processId'],
  [Edt.Alias, 'alias'],
  [Edt.Event, 'event'],
  [Edt.Ref, 'ref'],
  [Edt.Time, 'time'],
]);
const byName = new Map<string, EdfType>([...kindName].map(([k, n]) => [n, (T as unknown as Record<string, EdfType>)[n]!]));

/** The JSON name of a type. */
export function typeToJson(t: EdfType): ETypeJson {
  switch (t.kind) {
    case Edt.Slice:
      return { slice: typeToJson(t.elem!) };
    case Edt.Array:
      return { array: [t.len, typeToJson(t.elem!)] };
    case Edt.Map:
      return { map: [typeToJson(t.key!), typeToJson(t.elem!)] };
    case Edt.Reg:
      return { reg: (t as RegType).name };
  }
  return kindName.get(t.kind)!;
}

/** The type a JSON name stands for (registered names resolve in `registry`). */
export function typeFromJson(j: ETypeJson, registry: EdfRegistry = defaultRegistry): EdfType {
  if (typeof j === 'string') {
    const t = byName.get(j);
    if (t === undefined) throw new TypeError(`unknown kind ${j}`);
    return t;
  }
  if ('slice' in j) return typeFromJson(j.slice, registry).sliceOf();
  if ('array' in j) return new EdfType(Edt.Array, typeFromJson(j.array[1], registry), undefined, j.array[0]);
  if ('map' in j) return typeFromJson(j.map[1], registry).mapOf(typeFromJson(j.map[0], registry));
  if ('reg' in j) {
    const r = registry.get(j.reg);
    if (r === undefined) throw new TypeError(`unregistered type ${j.reg}`);
    return r;
  }
  throw new TypeError(`bad type JSON ${JSON.stringify(j)}`);
}

function bits32(v: number): string {
  const b = Buffer.alloc(4);
  b.writeFloatBE(v);
  return b.toString('hex');
}

function bits64(v: number): string {
  // Go's NaN (what the encoder writes) rather than whatever NaN JS holds.
  if (v !== v) return '7ff8000000000001';
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b.toString('hex');
}

function atomName(a: unknown): string {
  return a instanceof Atom ? a.name : String(a);
}

function refJson(r: Ref): { node: string; creation: string; id: string[] } {
  const w = r.ids;
  const id: string[] = [];
  for (let i = 0; i < 6; i += 2) id.push(String(BigInt(w[i] ?? 0) | (BigInt(w[i + 1] ?? 0) << 32n)));
  return { node: r.node.name, creation: String(r.creation), id };
}

/** EJSON of `v`, as a value of static type `t` (omitted: an `any` slot). */
export function toEJson(v: unknown, t?: EdfType): EJson {
  if (t === undefined || t.kind === Edt.Any) return anyToEJson(v);
  switch (t.kind) {
    case Edt.Bool:
      return { bool: v === true };
    case Edt.Int8:
    case Edt.Int16:
    case Edt.Int32:
    case Edt.Uint8:
    case Edt.Uint16:
    case Edt.Uint32:
      return { [kindName.get(t.kind)!]: Number(v ?? 0) };
    case Edt.Int64:
    case Edt.Int:
    case Edt.Uint64:
    case Edt.Uint:
      return { [kindName.get(t.kind)!]: String(v ?? 0) };
    case Edt.Float32:
      return { float32: bits32(Number(v ?? 0)) };
    case Edt.Float64:
      return { float64: bits64(Number(v ?? 0)) };
    case Edt.String:
      return { string: String(v ?? '') };
    case Edt.Binary:
      return { binary: Buffer.from((v as Uint8Array | null) ?? new Uint8Array(0)).toString('hex') };
    case Edt.Atom:
      return { atom: atomName(v ?? '') };
    case Edt.Error:
      return v === null || v === undefined ? null : { error: (v as EdfError).message };
    case Edt.PID: {
      const p = v as Pid;
      return { pid: { node: p.node.name, id: String(p.ergoId), creation: String(p.creation) } };
    }
    case Edt.ProcessID: {
      const p = v as ProcessID;
      return { processId: { name: p.name.name, node: p.node.name } };
    }
    case Edt.Event: {
      const p = v as Event;
      return { event: { name: p.name.name, node: p.node.name } };
    }
    case Edt.Ref:
      return { ref: refJson(v as Ref) };
    case Edt.Alias:
      return { alias: refJson(v as Ref) };
    case Edt.Time: {
      const g = v instanceof Date ? GoTime.fromDate(v) : (v as GoTime);
      return { time: { version: g.version, sec: String(g.sec), nsec: g.nsec, offsetMin: g.offsetMin, offsetSec: g.offsetSec } };
    }
    case Edt.Slice:
      return { slice: typeToJson(t.elem!), items: v == null ? null : (v as unknown[]).map((x) => toEJson(x, t.elem)) };
    case Edt.Array:
      return { array: typeToJson(t), items: (v as unknown[]).map((x) => toEJson(x, t.elem)) };
    case Edt.Map:
      return { map: typeToJson(t), entries: mapEntries(v, t) };
    case Edt.Reg:
      return regToEJson(t as RegType, v instanceof Typed ? v.value : v);
  }
  throw new TypeError(`no EJSON for ${t.goName}`);
}

function mapEntries(v: unknown, t: EdfType): [EJson, EJson][] | null {
  if (v === null || v === undefined) return null;
  const out: [EJson, EJson][] = [];
  for (const [k, x] of v as Map<unknown, unknown>) out.push([toEJson(k, t.key), toEJson(x, t.elem)]);
  return out;
}

function regToEJson(r: RegType, v: unknown): EJson {
  switch (r.regKind) {
    case 'struct': {
      const fields: Record<string, EJson> = {};
      for (const f of r.fields) fields[f.name] = toEJson((v as Record<string, unknown>)[f.name], f.type);
      return { struct: r.name, fields };
    }
    case 'custom': {
      const fields: Record<string, EJson> = {};
      for (const [k, x] of Object.entries(v as object)) fields[k] = anyToEJson(x);
      return { struct: r.name, fields };
    }
    case 'named':
      return { named: r.name, value: toEJson(v, r.under) };
    case 'slice':
    case 'array':
      return { named: r.name, items: v == null ? null : (v as unknown[]).map((x) => toEJson(x, r.elem)) };
    case 'map':
      return { named: r.name, entries: mapEntries(v, r) };
  }
}

function anyToEJson(v: unknown): EJson {
  switch (typeof v) {
    case 'undefined':
      return null;
    case 'boolean':
      return { bool: v };
    case 'bigint':
      return { int: String(v) };
    case 'number':
      // The encoder's rule: a safe integral number is a Go int, anything else a float64.
      return Number.isSafeInteger(v) && (v !== 0 || 1 / v > 0) ? { int: String(v) } : { float64: bits64(v) };
    case 'string':
      return { string: v };
  }
  if (v === null) return null;
  if (v instanceof Atom) return { atom: v.name };
  if (v instanceof Typed) return toEJson(v.value, v.type);
  if (v instanceof ErlFloat) return { float64: bits64(v.value) };
  const rt = (v as { [EDF_TYPE]?: RegType })[EDF_TYPE];
  if (rt !== undefined) return regToEJson(rt, v);
  if (v instanceof Pid) return toEJson(v, T.pid);
  if (v instanceof Alias) return toEJson(v, T.alias);
  if (v instanceof Ref) return toEJson(v, T.ref);
  if (v instanceof ProcessID) return toEJson(v, T.processId);
  if (v instanceof Event) return toEJson(v, T.event);
  if (v instanceof GoTime || v instanceof Date) return toEJson(v, T.time);
  if (v instanceof EdfError || v instanceof Error) return { error: v.message };
  if (v instanceof Uint8Array) return toEJson(v, T.binary);
  if (Array.isArray(v)) return toEJson(v, T.any.sliceOf());
  if (v instanceof Map) return toEJson(v, T.any.mapOf(T.any));
  throw new TypeError(`no EJSON for ${String(v)}`);
}

// ---------------------------------------------------------------------------------------------
// EJSON → JS value

function hexBytes(h: string): Uint8Array {
  return new Uint8Array(Buffer.from(h, 'hex'));
}

function refFrom(j: { node: string; creation: string; id: string[] }, alias: boolean): Ref {
  const ids = j.id.map(BigInt);
  return (alias ? Alias : Ref).ergo(Atom.of(j.node), BigInt(j.creation), ids[0]!, ids[1]!, ids[2]!);
}

export interface FromEJsonContext {
  /** Where `#names` resolve (default: the default registry). */
  registry?: EdfRegistry;
  /** The error object for a message (e.g. a cached singleton, so it encodes by id). */
  errorOf?: (message: string) => EdfError | undefined;
}

/**
 * The JS value the decoder produces for `j` in a position of static type `t` (omitted or
 * `T.any`: an `any` slot, where non-default kinds come back as {@link Typed}).
 */
export function fromEJson(j: EJson, t?: EdfType, ctx: FromEJsonContext = {}): unknown {
  const registry = ctx.registry ?? defaultRegistry;
  const inAny = t === undefined || t.kind === Edt.Any;
  if (j === null) return null;
  const [k] = Object.keys(j);
  const x = j[k!] as never;
  const wrap = (type: EdfType, v: unknown): unknown => (inAny ? new Typed(type, v) : v);
  switch (k) {
    case 'bool':
      return x as boolean;
    case 'int':
      // In an any slot a Go int decodes as a number when it is safe (else a bigint).
      return inAny ? canonicalInt(BigInt(x)) : BigInt(x);
    case 'int64':
      return wrap(T.int64, BigInt(x));
    case 'uint64':
      return wrap(T.uint64, BigInt(x));
    case 'uint':
      return wrap(T.uint, BigInt(x));
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint8':
    case 'uint16':
    case 'uint32':
      return wrap(byName.get(k)!, x as number);
    case 'float32':
      return wrap(T.float32, Buffer.from(x as string, 'hex').readFloatBE(0));
    case 'float64': {
      const f = Buffer.from(x as string, 'hex').readDoubleBE(0);
      // In an any slot an integral float64 decodes as ErlFloat (a plain one would mean int).
      return inAny && Number.isInteger(f) ? new ErlFloat(f) : f;
    }
    case 'string':
      return x as string;
    case 'binary':
      return hexBytes(x);
    case 'atom':
      return Atom.of(x);
    case 'error':
      return ctx.errorOf?.(x) ?? new EdfError(x);
    case 'pid': {
      const p = x as { node: string; id: string; creation: string };
      return Pid.ergo(Atom.of(p.node), BigInt(p.id), BigInt(p.creation));
    }
    case 'processId': {
      const p = x as { name: string; node: string };
      return new ProcessID(Atom.of(p.name), Atom.of(p.node));
    }
    case 'event': {
      const p = x as { name: string; node: string };
      return new Event(Atom.of(p.name), Atom.of(p.node));
    }
    case 'ref':
      return refFrom(x, false);
    case 'alias':
      return refFrom(x, true);
    case 'time': {
      const g = x as { version: 1 | 2; sec: string; nsec: number; offsetMin: number; offsetSec: number };
      return new GoTime(BigInt(g.sec), g.nsec, g.offsetMin, g.offsetSec, g.version);
    }
    case 'slice': {
      const st = typeFromJson(x, registry).sliceOf();
      const items = j.items as EJson[] | null;
      const v = items === null ? null : items.map((e) => fromEJson(e, st.elem, ctx));
      return inAny && !(st.elem === T.any && v !== null) ? new Typed(st, v) : v;
    }
    case 'array': {
      const at = typeFromJson(x, registry);
      const v = (j.items as EJson[]).map((e) => fromEJson(e, at.elem, ctx));
      return wrap(at, v);
    }
    case 'map': {
      const mt = typeFromJson(x, registry);
      const entries = j.entries as [EJson, EJson][] | null;
      const v = entries === null ? null : new Map(entries.map(([a, b]) => [fromEJson(a, mt.key, ctx), fromEJson(b, mt.elem, ctx)]));
      return inAny && !(mt.key === T.any && mt.elem === T.any && v !== null) ? new Typed(mt, v) : v;
    }
    case 'struct': {
      const r = registry.get(x);
      if (r === undefined) throw new TypeError(`unregistered type ${x}`);
      const fields = j.fields as Record<string, EJson>;
      if (r.regKind === 'custom') {
        const init: Record<string, unknown> = {};
        for (const [name, fj] of Object.entries(fields)) init[name] = fromEJson(fj, undefined, ctx);
        const v = r.codec!.zero() as object;
        Object.assign(v, init);
        return r.cls !== undefined || !inAny ? v : new Typed(r, v);
      }
      const init: Record<string, unknown> = {};
      for (const f of r.fields) if (f.name in fields) init[f.name] = fromEJson(fields[f.name]!, f.type, ctx);
      return new (r.cls as new (i: unknown) => unknown)(init);
    }
    case 'named': {
      const r = registry.get(x);
      if (r === undefined) throw new TypeError(`unregistered type ${x}`);
      let v: unknown;
      if (r.regKind === 'named') v = fromEJson(j.value as EJson, r.under, ctx);
      else if (r.regKind === 'map') {
        const entries = j.entries as [EJson, EJson][] | null;
        v = entries === null ? null : new Map(entries.map(([a, b]) => [fromEJson(a, r.key, ctx), fromEJson(b, r.elem, ctx)]));
      } else {
        const items = j.items as EJson[] | null;
        v = items === null ? null : items.map((e) => fromEJson(e, r.elem, ctx));
      }
      return inAny ? new Typed(r, v) : v;
    }
  }
  throw new TypeError(`bad EJSON ${JSON.stringify(j).slice(0, 80)}`);
}

// ---------------------------------------------------------------------------------------------
// Matching (tests): expected EJSON may be partial

/**
 * Compare actual EJSON with expected EJSON; returns null when they match, else the path and
 * both sides. In `expected`: map entries match in any order (Go's map order is random), a
 * struct with `"partial": true` checks only the fields it lists, `{"$count": n}` in place of
 * `items`/`entries` checks only the length, and `{"$any": "why"}` matches anything.
 */
export function matchEJson(actual: unknown, expected: unknown, path = '$'): string | null {
  if (isObj(expected) && '$any' in expected) return null;
  if (expected === null || typeof expected !== 'object') {
    return Object.is(actual, expected) ? null : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)?.slice(0, 60)}`;
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} elements, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const m = matchEJson(actual[i], expected[i], `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (!isObj(actual)) return `${path}: expected ${JSON.stringify(expected).slice(0, 60)}, got ${JSON.stringify(actual)?.slice(0, 60)}`;
  const exp = expected as Record<string, unknown>;
  for (const key of Object.keys(exp)) {
    if (key === 'partial') continue;
    const e = exp[key];
    const a = actual[key];
    const p = `${path}.${key}`;
    if (isObj(e) && '$count' in e) {
      const n = Array.isArray(a) ? a.length : -1;
      if (n !== e.$count) return `${p}: expected ${String(e.$count)} elements, got ${n}`;
      continue;
    }
    if (key === 'fields' && exp.partial === true) {
      if (!isObj(a)) return `${p}: missing`;
      for (const f of Object.keys(e as object)) {
        if (!(f in a)) return `${p}.${f}: missing`;
        const m = matchEJson(a[f], (e as Record<string, unknown>)[f], `${p}.${f}`);
        if (m) return m;
      }
      continue;
    }
    if (key === 'entries' && Array.isArray(e) && Array.isArray(a)) {
      if (a.length !== e.length) return `${p}: expected ${e.length} entries, got ${a.length}`;
      const left = [...a];
      for (const [i, pair] of e.entries()) {
        const j = left.findIndex((x) => matchEJson(x, pair, p) === null);
        if (j < 0) return `${p}[${i}]: no entry matches ${JSON.stringify(pair).slice(0, 100)}`;
        left.splice(j, 1);
      }
      continue;
    }
    if (!(key in actual)) return `${p}: missing`;
    const m = matchEJson(a, e, p);
    if (m) return m;
  }
  if (exp.partial !== true) {
    for (const key of Object.keys(actual)) if (!(key in exp)) return `${path}.${key}: unexpected`;
  }
  return null;
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
