/**
 * Structural equality (Erlang's `=:=`), term order (Erlang's `<`), and the key function that
 * lets any term key a {@link TermMap}.
 */
import { Atom } from './atom.js';
import { Alias, Pid, Port, Ref } from './ids.js';
import { TermMap } from './map.js';
import { BitBinary, ErlFloat, Export, Fun, ImproperList, LocalTerm, Tuple, type Term } from './types.js';

const textEncoder = new TextEncoder();
const TRUE = Atom.of('true');
const FALSE = Atom.of('false');

/** `a =:= b`: same type and same value. `1` and `float(1)` differ; `true` equals `atom('true')`. */
export function equals(a: Term, b: Term): boolean {
  // Pairs still to compare; an explicit stack, so deep terms cannot exhaust the JS stack.
  const todo: Term[] = [a, b];
  while (todo.length > 0) {
    const y = todo.pop()!;
    const x = todo.pop()!;
    if (!shallowEquals(x, y, todo)) return false;
  }
  return true;
}

/**
 * Compares `a` and `b` at the top level; pushes pairs of children that must also be equal.
 */
function shallowEquals(a: Term, b: Term, todo: Term[]): boolean {
  if (a === b) return true;
  switch (typeof a) {
    case 'number':
      if (typeof b === 'bigint') return Number.isInteger(a) && BigInt(a) === b;
      return false; // === failed; NaN is not a term
    case 'bigint':
      return typeof b === 'number' && Number.isInteger(b) && BigInt(b) === a;
    case 'boolean':
      return b instanceof Atom && b.name === String(a);
    case 'string':
      return (typeof b === 'string' || b instanceof Uint8Array) && bytesEqual(asBytes(a), asBytes(b));
  }
  if (typeof b !== 'object') return typeof b === 'boolean' && a instanceof Atom && a.name === String(b);
  if (a instanceof Atom) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) todo.push(a[i] as Term, b[i] as Term);
    return true;
  }
  if (a instanceof Tuple) {
    if (!(b instanceof Tuple) || a.elements.length !== b.elements.length) return false;
    for (let i = 0; i < a.elements.length; i++) todo.push(a.elements[i]!, b.elements[i]!);
    return true;
  }
  if (a instanceof Uint8Array) return (b instanceof Uint8Array || typeof b === 'string') && bytesEqual(a, asBytes(b));
  if (a instanceof ErlFloat) return b instanceof ErlFloat && Object.is(a.value, b.value);
  if (a instanceof Pid || a instanceof Ref || a instanceof Port) return a.equals(b);
  if (a instanceof TermMap) {
    if (!(b instanceof TermMap) || a.size !== b.size) return false;
    for (let i = 0; i < a.size; i++) {
      const k = a.keyAt(i);
      if (!b.has(k)) return false;
      todo.push(a.valueAt(i), b.get(k)!);
    }
    return true;
  }
  if (a instanceof ImproperList) {
    if (!(b instanceof ImproperList) || a.head.length !== b.head.length) return false;
    for (let i = 0; i < a.head.length; i++) todo.push(a.head[i]!, b.head[i]!);
    todo.push(a.tail, b.tail);
    return true;
  }
  if (a instanceof BitBinary) return b instanceof BitBinary && a.bits === b.bits && bytesEqual(a.bytes, b.bytes);
  if (a instanceof Export) return b instanceof Export && a.module === b.module && a.fn === b.fn && a.arity === b.arity;
  if (a instanceof Fun) {
    if (
      !(b instanceof Fun) ||
      a.arity !== b.arity ||
      a.index !== b.index ||
      a.module !== b.module ||
      a.oldIndex !== b.oldIndex ||
      a.oldUniq !== b.oldUniq ||
      !bytesEqual(a.uniq, b.uniq) ||
      !a.pid.equals(b.pid)
    ) {
      return false;
    }
    todo.push(a.freeVars, b.freeVars);
    return true;
  }
  if (a instanceof LocalTerm) return b instanceof LocalTerm && bytesEqual(a.raw, b.raw);
  return false;
}

function asBytes(v: string | Uint8Array): Uint8Array {
  return typeof v === 'string' ? textEncoder.encode(v) : v;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A value that is `===`-equal for two terms exactly when they are `equals`: the term itself for
 * integers, booleans and atoms, a fingerprint string for everything else.
 */
export function termKey(t: Term): unknown {
  switch (typeof t) {
    case 'number':
      return Number.isInteger(t) ? t + 0 /* -0 → 0 */ : fingerprint(t);
    case 'bigint':
      return t >= -9007199254740991n && t <= 9007199254740991n ? Number(t) : t;
    case 'boolean':
      return t;
  }
  if (t instanceof Atom) return t === TRUE ? true : t === FALSE ? false : t;
  return fingerprint(t);
}

/** A 32-bit structural hash: equal terms hash equal. */
export function hash(t: Term): number {
  const k = termKey(t);
  const s = typeof k === 'string' ? k : k instanceof Atom ? 'a' + k.name : String(k);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function fingerprint(t: Term): string {
  const out: string[] = [];
  fp(t, out);
  return out.join('');
}

function fp(t: Term, out: string[]): void {
  switch (typeof t) {
    case 'number':
      out.push(Number.isInteger(t) ? `i${t + 0};` : `f${t};`);
      return;
    case 'bigint': {
      const k = termKey(t);
      out.push(`i${k};`);
      return;
    }
    case 'boolean':
      out.push(`a${t ? 4 : 5}:${t}`);
      return;
    case 'string':
      bytesFp('b', textEncoder.encode(t), out);
      return;
  }
  if (t instanceof Atom) {
    out.push(`a${t.name.length}:${t.name}`);
  } else if (Array.isArray(t)) {
    out.push(`l${t.length}(`);
    for (const e of t) fp(e, out);
    out.push(')');
  } else if (t instanceof Tuple) {
    out.push(`t${t.elements.length}(`);
    for (const e of t.elements) fp(e, out);
    out.push(')');
  } else if (t instanceof Uint8Array) {
    bytesFp('b', t, out);
  } else if (t instanceof ErlFloat) {
    out.push(Object.is(t.value, -0) ? 'f-0;' : `f${t.value};`);
  } else if (t instanceof Pid) {
    out.push(`p${t.node.name.length}:${t.node.name}.${t.id}.${t.serial}.${t.creation};`);
  } else if (t instanceof Ref) {
    out.push(`${t instanceof Alias ? 'A' : 'r'}${t.node.name.length}:${t.node.name}.${t.creation}.${t.ids.join('.')};`);
  } else if (t instanceof Port) {
    out.push(`o${t.node.name.length}:${t.node.name}.${t.id}.${t.creation};`);
  } else if (t instanceof TermMap) {
    // Order-insensitive: sort the entries by their key fingerprints.
    const entries: [string, Term][] = [];
    for (const [k, v] of t) entries.push([fingerprint(k), v]);
    entries.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    out.push(`m${entries.length}(`);
    for (const [k, v] of entries) {
      out.push(k);
      fp(v, out);
    }
    out.push(')');
  } else if (t instanceof ImproperList) {
    out.push(`L${t.head.length}(`);
    for (const e of t.head) fp(e, out);
    fp(t.tail, out);
    out.push(')');
  } else if (t instanceof BitBinary) {
    bytesFp(`B${t.bits}`, t.bytes, out);
  } else if (t instanceof Export) {
    out.push(`e${t.module.name.length}:${t.module.name}${t.fn.name.length}:${t.fn.name}/${t.arity};`);
  } else if (t instanceof Fun) {
    out.push(`F${t.module.name.length}:${t.module.name}.${t.index}.${t.oldIndex}.${t.oldUniq}.${t.arity}`);
    bytesFp('u', t.uniq, out);
    fp(t.pid, out);
    fp(t.freeVars, out);
  } else if (t instanceof LocalTerm) {
    bytesFp('X', t.raw, out);
  } else {
    throw new TypeError(`not a term: ${Object.prototype.toString.call(t)}`);
  }
}

function bytesFp(prefix: string, b: Uint8Array, out: string[]): void {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  out.push(`${prefix}${b.length}:`, s);
}

// ---------------------------------------------------------------- term order

/** Erlang's order of types: number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring. */
function rank(t: Term): number {
  switch (typeof t) {
    case 'number':
    case 'bigint':
      return 0;
    case 'boolean':
      return 1;
    case 'string':
      return 10;
  }
  if (t instanceof Atom) return 1;
  if (t instanceof ErlFloat) return 0;
  if (t instanceof Ref) return 2;
  if (t instanceof Fun || t instanceof Export) return 3;
  if (t instanceof Port) return 4;
  if (t instanceof Pid) return 5;
  if (t instanceof Tuple) return 6;
  if (t instanceof TermMap) return 7;
  if (Array.isArray(t)) return t.length === 0 ? 8 : 9;
  if (t instanceof ImproperList) return 9;
  if (t instanceof Uint8Array || t instanceof BitBinary) return 10;
  return 11;
}

function numeric(t: Term): number | bigint {
  return t instanceof ErlFloat ? t.value : (t as number | bigint);
}

function isFloat(t: Term): boolean {
  return t instanceof ErlFloat || (typeof t === 'number' && !Number.isInteger(t));
}

function cmpNum(a: number | bigint, b: number | bigint): number {
  // Mixed bigint/number comparisons are exact in JS.
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpBits(a: Uint8Array, abits: number, b: Uint8Array, bbits: number): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  const la = a.length === 0 ? 0 : (a.length - 1) * 8 + abits;
  const lb = b.length === 0 ? 0 : (b.length - 1) * 8 + bbits;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/**
 * Erlang term order, made total: when two numbers are `==` but not `=:=` (1 and 1.0), the
 * integer sorts first, as in map key order.
 */
export function compare(a: Term, b: Term): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: {
      const c = cmpNum(numeric(a), numeric(b));
      if (c !== 0) return c;
      const fa = isFloat(a);
      return fa === isFloat(b) ? 0 : fa ? 1 : -1;
    }
    case 1: {
      const na = typeof a === 'boolean' ? String(a) : (a as Atom).name;
      const nb = typeof b === 'boolean' ? String(b) : (b as Atom).name;
      return compareCodePoints(na, nb);
    }
    case 2: {
      const x = a as Ref;
      const y = b as Ref;
      const c = cmpAtom(x.node, y.node) || cmpNum(x.creation, y.creation);
      if (c) return c;
      // OTP compares the words from the most significant (last) one down.
      if (x.ids.length !== y.ids.length) return x.ids.length < y.ids.length ? -1 : 1;
      for (let i = x.ids.length - 1; i >= 0; i--) if (x.ids[i] !== y.ids[i]) return x.ids[i]! < y.ids[i]! ? -1 : 1;
      return 0;
    }
    case 4: {
      const x = a as Port;
      const y = b as Port;
      return cmpAtom(x.node, y.node) || cmpNum(x.id, y.id) || cmpNum(x.creation, y.creation);
    }
    case 5: {
      const x = a as Pid;
      const y = b as Pid;
      return cmpAtom(x.node, y.node) || cmpNum(x.serial, y.serial) || cmpNum(x.id, y.id) || cmpNum(x.creation, y.creation);
    }
    case 6: {
      const x = (a as Tuple).elements;
      const y = (b as Tuple).elements;
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = 0; i < x.length; i++) {
        const c = compare(x[i]!, y[i]!);
        if (c) return c;
      }
      return 0;
    }
    case 7: {
      const x = a as TermMap;
      const y = b as TermMap;
      if (x.size !== y.size) return x.size < y.size ? -1 : 1;
      const kx = [...x.keys()].sort(compare);
      const ky = [...y.keys()].sort(compare);
      for (let i = 0; i < kx.length; i++) {
        const c = compare(kx[i]!, ky[i]!);
        if (c) return c;
      }
      for (let i = 0; i < kx.length; i++) {
        const c = compare(x.get(kx[i]!)!, y.get(ky[i]!)!);
        if (c) return c;
      }
      return 0;
    }
    case 8:
      return 0;
    case 9:
      return cmpList(a, b);
    case 10: {
      const [ab, abits] = bitsOf(a);
      const [bb, bbits] = bitsOf(b);
      return cmpBits(ab, abits, bb, bbits);
    }
    default:
      return cmpStr(fingerprint(a), fingerprint(b));
  }
}

function bitsOf(t: Term): [Uint8Array, number] {
  if (typeof t === 'string') return [textEncoder.encode(t), 8];
  if (t instanceof BitBinary) return [t.bytes, t.bits];
  return [t as Uint8Array, 8];
}

function cmpList(a: Term, b: Term): number {
  const [ha, ta] = Array.isArray(a) ? [a as readonly Term[], [] as Term] : [(a as ImproperList).head, (a as ImproperList).tail];
  const [hb, tb] = Array.isArray(b) ? [b as readonly Term[], [] as Term] : [(b as ImproperList).head, (b as ImproperList).tail];
  const n = Math.min(ha.length, hb.length);
  for (let i = 0; i < n; i++) {
    const c = compare(ha[i]!, hb[i]!);
    if (c) return c;
  }
  const restA: Term = ha.length > n ? improperRest(ha.slice(n), ta) : ta;
  const restB: Term = hb.length > n ? improperRest(hb.slice(n), tb) : tb;
  return compare(restA, restB);
}

function improperRest(head: readonly Term[], tail: Term): Term {
  return Array.isArray(tail) ? [...head, ...(tail as Term[])] : new ImproperList(head, tail);
}

function cmpAtom(a: Atom, b: Atom): number {
  return compareCodePoints(a.name, b.name);
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders strings by code point (= UTF-8 byte order, how BEAM orders atom text). JS `<` uses
 * UTF-16 units, which differs only when a surrogate pair meets a character above U+D7FF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1;
    const cx = a.codePointAt(i)!;
    const cy = b.codePointAt(i)!;
    return cx < cy ? -1 : cx > cy ? 1 : 0;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}
