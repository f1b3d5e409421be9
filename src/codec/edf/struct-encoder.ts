/**
 * Generated encoders for registered structs: one straight-line function per type, so a struct
 * body costs what hand-written code would. Strings (short ASCII copied in place), 64-bit ints
 * (values below 2^32 written without a division), []int/[]int64 and nested structs (a call site
 * of their own per field, so it stays monomorphic) are written by small helpers here; every other
 * kind, and every value the fast paths do not take (wrong type, Typed, out of range), goes to the
 * encoder's general method, which also raises the errors. Field names are checked Go identifiers,
 * emitted as JSON string literals.
 */
import { Buffer } from 'node:buffer';
import type { Writer } from '../writer.js';
import type { EdfEncoder } from './encode.js';
import { Edt } from './tags.js';
import type { EdfType, RegType } from './types.js';

type Body = (e: EdfEncoder, v: unknown) => void;

const utf8Write = Buffer.prototype.utf8Write as (this: Uint8Array, s: string, offset: number, length: number) => number;

/** A string field: ASCII up to 24 chars in place, else the native writer (e.str for the rest). */
function str(e: EdfEncoder, w: Writer, x: unknown): void {
  if (typeof x !== 'string') {
    e.str(x);
    return;
  }
  const len = x.length;
  if (w.pos + 2 + len * 3 > w.buf.length) w.ensure(2 + len * 3);
  const b = w.buf;
  const p = w.pos;
  if (len <= 24) {
    let q = p + 2;
    let i = 0;
    for (; i < len; i++) {
      const c = x.charCodeAt(i);
      if (c >= 0x80) break;
      b[q++] = c;
    }
    if (i === len) {
      b[p] = 0;
      b[p + 1] = len;
      w.pos = q;
      return;
    }
  }
  if (len > 21844) {
    // Possibly over Go's 65533-byte limit: the general path checks and throws.
    e.str(x);
    return;
  }
  const n = utf8Write.call(b, x, p + 2, len * 3);
  b[p] = n >>> 8;
  b[p + 1] = n;
  w.pos = p + 2 + n;
}

function i64(e: EdfEncoder, w: Writer, x: unknown): void {
  const n = typeof x === 'bigint' ? Number(x) : x;
  if (typeof n === 'number' && n >>> 0 === n) w.u32as64(n);
  else e.i64(x);
}

function u64(e: EdfEncoder, w: Writer, x: unknown): void {
  const n = typeof x === 'bigint' ? Number(x) : x;
  if (typeof n === 'number' && n >>> 0 === n) w.u32as64(n);
  else e.u64(x);
}

/** A slice or map marker and its u32 count. */
function count(w: Writer, marker: number, n: number): void {
  if (w.pos + 5 > w.buf.length) w.ensure(5);
  const b = w.buf;
  const p = w.pos;
  b[p] = marker;
  b[p + 1] = n >>> 24;
  b[p + 2] = n >>> 16;
  b[p + 3] = n >>> 8;
  b[p + 4] = n;
  w.pos = p + 5;
}

/** An unregistered []int / []int64 field. */
function i64s(e: EdfEncoder, w: Writer, t: EdfType, x: unknown): void {
  if (!Array.isArray(x)) {
    e.slice(t, x);
    return;
  }
  count(w, Edt.Slice, x.length);
  for (let i = 0; i < x.length; i++) i64(e, w, x[i]);
}

/** An unregistered []string field. */
function strs(e: EdfEncoder, w: Writer, t: EdfType, x: unknown): void {
  if (!Array.isArray(x)) {
    e.slice(t, x);
    return;
  }
  count(w, Edt.Slice, x.length);
  for (let i = 0; i < x.length; i++) str(e, w, x[i]);
}

function i32(e: EdfEncoder, w: Writer, x: unknown): void {
  if (typeof x !== 'number' || (x | 0) !== x) {
    e.i32(x);
    return;
  }
  if (w.pos + 4 > w.buf.length) w.ensure(4);
  const b = w.buf;
  const p = w.pos;
  b[p] = x >>> 24;
  b[p + 1] = x >>> 16;
  b[p + 2] = x >>> 8;
  b[p + 3] = x;
  w.pos = p + 4;
}

function f64(e: EdfEncoder, w: Writer, x: unknown): void {
  // NaN (Go's bits) and the rest go the general way.
  if (typeof x !== 'number' || x !== x) {
    e.f64(x);
    return;
  }
  if (w.pos + 8 > w.buf.length) w.ensure(8);
  w.view.setFloat64(w.pos, x);
  w.pos += 8;
}

function bool(e: EdfEncoder, w: Writer, x: unknown): void {
  if (x !== true && x !== false) {
    e.bool(x);
    return;
  }
  if (w.pos + 1 > w.buf.length) w.ensure(1);
  w.buf[w.pos++] = x ? 1 : 0;
}

/** Encoder method for the kinds without a helper here. */
const methodOf: Record<number, string> = {
  [Edt.Bool]: 'bool',
  [Edt.Int8]: 'i8',
  [Edt.Int16]: 'i16',
  [Edt.Int32]: 'i32',
  [Edt.Uint8]: 'u8',
  [Edt.Uint16]: 'u16',
  [Edt.Uint32]: 'u32',
  [Edt.Float32]: 'f32',
  [Edt.Float64]: 'f64',
  [Edt.Binary]: 'bin',
  [Edt.Atom]: 'atom',
  [Edt.Error]: 'err',
  [Edt.Any]: 'any',
  [Edt.PID]: 'pid',
  [Edt.ProcessID]: 'processId',
  [Edt.Alias]: 'ref',
  [Edt.Ref]: 'ref',
  [Edt.Event]: 'event',
  [Edt.Time]: 'time',
};

/** Compile (once) and remember the body encoder of a registered struct. */
export function compileStructEncoder(rt: RegType): Body {
  const types = rt.fields.map((f) => f.type);
  const lines = rt.fields.map((f, i) => {
    const get = `v[${JSON.stringify(f.name)}]`;
    const t = f.type;
    switch (t.kind) {
      case Edt.String:
        return `str(e, w, ${get});`;
      case Edt.Int:
      case Edt.Int64:
        return `i64(e, w, ${get});`;
      case Edt.Uint:
      case Edt.Uint64:
        return `u64(e, w, ${get});`;
      case Edt.Int32:
        return `i32(e, w, ${get});`;
      case Edt.Float64:
        return `f64(e, w, ${get});`;
      case Edt.Bool:
        return `bool(e, w, ${get});`;
      case Edt.Slice: {
        const el = t.elem!;
        if (el.kind === Edt.Int || el.kind === Edt.Int64) return `i64s(e, w, t${i}, ${get});`;
        if (el.kind === Edt.String) return `strs(e, w, t${i}, ${get});`;
        if (el.kind === Edt.Reg && (el as RegType).regKind === 'struct') {
          // []Struct: the element encoder called from here, one call site per field.
          return `{ const x = ${get}; if (Array.isArray(x)) { const el = t${i}.elem; const f = el.encodeBody ?? compile(el); count(w, ${Edt.Slice}, x.length); e.enter(); for (let j = 0; j < x.length; j++) { const y = x[j]; if (y !== null && typeof y === 'object') { e.enter(); f(e, y); e.leave(); } else e.reg(el, y); } e.leave(); } else e.slice(t${i}, x); }`;
        }
        return `e.slice(t${i}, ${get});`;
      }
      case Edt.Array:
        return `e.array(t${i}, ${get});`;
      case Edt.Map:
        return `e.map(t${i}, ${get});`;
      case Edt.Reg:
        if ((t as RegType).regKind === 'struct') {
          // Its own call site: the shared one in e.reg() sees every struct type.
          return `{ const x = ${get}; if (x !== null && typeof x === 'object') { e.enter(); (t${i}.encodeBody ?? compile(t${i}))(e, x); e.leave(); } else e.reg(t${i}, x); }`;
        }
        return `e.reg(t${i}, ${get});`;
    }
    return `e.${methodOf[t.kind]}(${get});`;
  });
  const decl = types.map((_, i) => `const t${i} = types[${i}];`).join('\n');
  const name = `encode_${rt.shortName.replace(/[^\w$]/g, '_')}`;
  const fn = new Function('types', 'compile', 'str', 'i64', 'u64', 'i64s', 'strs', 'count', 'i32', 'f64', 'bool', `${decl}\nreturn function ${name}(e, v) {\nconst w = e.w;\n${lines.join('\n')}\n};`)(
    types,
    compileStructEncoder,
    str,
    i64,
    u64,
    i64s,
    strs,
    count,
    i32,
    f64,
    bool,
  ) as Body;
  rt.encodeBody = fn;
  return fn;
}
