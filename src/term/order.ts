/**
 * The BEAM's two orders: term order (`<`, `==`) and map-key order (exact). Rules in
 * equal.ts's header and proto-spec/etf.md §4. Iterative, like equality and hashing.
 */
import { Atom } from './atom.js';
import { Pid, Port, Ref } from './ids.js';
import { fingerprint } from './hash.js';
import { listParts } from './term-parts.js';
import { BitBinary, ErlFloat, Export, Fun, ImproperList, MapTerm, NativeRecord, Tuple, type Term } from './types.js';

const textEncoder = new TextEncoder();

// ---------------------------------------------------------------- order

/** Erlang's order of types; records (OTP 29) sit between tuples and maps. */
function rank(t: Term): number {
  switch (typeof t) {
    case 'number':
    case 'bigint':
      return 0;
    case 'boolean':
      return 1;
    case 'string':
      return 11;
  }
  if (t instanceof Atom) return 1;
  if (t instanceof ErlFloat) return 0;
  if (t instanceof Ref) return 2;
  if (t instanceof Fun || t instanceof Export) return 3;
  if (t instanceof Port) return 4;
  if (t instanceof Pid) return 5;
  if (t instanceof Tuple) return 6;
  if (t instanceof NativeRecord) return 7;
  if (t instanceof MapTerm) return 8;
  if (Array.isArray(t)) return t.length === 0 ? 9 : 10;
  if (t instanceof ImproperList) return 10;
  if (t instanceof Uint8Array || t instanceof BitBinary) return 11;
  return 12;
}

function isFloat(t: Term): boolean {
  return t instanceof ErlFloat || (typeof t === 'number' && !Number.isInteger(t));
}

function numeric(t: Term): number | bigint {
  return t instanceof ErlFloat ? t.value : (t as number | bigint);
}

function cmp(a: number | bigint, b: number | bigint): number {
  // Mixed bigint/number comparisons are exact in JS.
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Erlang term order (`<`, `==`): negative, 0 or positive. Arithmetic: `compare(1, float(1))`
 * is 0, as `1 == 1.0`. For a total order that tells them apart use {@link compareKeys}.
 */
export function compare(a: Term, b: Term): number {
  return order(a, b, false);
}

/**
 * Map-key order, OTP's exact order (`erts_cmp` with exact comparison): like term order, but
 * every integer sorts before every float, and it is 0 only for terms that are `equals`
 * (`-0.0` before `0.0`). `term_to_binary` writes a map of up to 32 keys in this order.
 */
export function compareKeys(a: Term, b: Term): number {
  return order(a, b, true);
}

/** Sentinel on the work stack: the pairs above it (map keys) are compared exactly. */
const EXACT_ON = Symbol('exact-on');
const EXACT_OFF = Symbol('exact-off');
type Work = Term | typeof EXACT_ON | typeof EXACT_OFF;

function order(a0: Term, b0: Term, exact0: boolean): number {
  // Pairs to compare in order (popped from the end); mode switches are pushed as markers.
  const todo: Work[] = [a0, b0];
  const modes: boolean[] = [];
  let exact = exact0;
  while (todo.length > 0) {
    const b = todo.pop()!;
    if (b === EXACT_ON) {
      modes.push(exact);
      exact = true;
      continue;
    }
    if (b === EXACT_OFF) {
      exact = modes.pop()!;
      continue;
    }
    const a = todo.pop() as Term;
    if (a === b) continue;
    const c = orderStep(a, b as Term, exact, todo);
    if (c !== 0) return c;
  }
  return 0;
}

/** Compares the top level of `a` and `b`; pushes child pairs (in reverse) when it is a tie so far. */
function orderStep(a: Term, b: Term, exact: boolean, todo: Work[]): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: {
      const fa = isFloat(a);
      const fb = isFloat(b);
      if (exact && fa !== fb) return fa ? 1 : -1;
      const x = numeric(a);
      const y = numeric(b);
      const c = cmp(x, y);
      if (c !== 0 || !exact) return c;
      // Exact order tells -0.0 from 0.0 (OTP 27+: they are different terms).
      if (fa && Object.is(x, -0) !== Object.is(y, -0)) return Object.is(x, -0) ? -1 : 1;
      return 0;
    }
    case 1:
      return compareCodePoints(atomName(a), atomName(b));
    case 2: {
      const x = a as Ref;
      const y = b as Ref;
      return cmpAtom(x.node, y.node) || cmp(x.creation, y.creation) || refWordsCompare(x.ids, y.ids);
    }
    case 3:
      return funOrder(a as Fun | Export, b as Fun | Export, todo);
    case 4: {
      const x = a as Port;
      const y = b as Port;
      return cmpAtom(x.node, y.node) || cmp(x.creation, y.creation) || cmp(x.id, y.id);
    }
    case 5: {
      const x = a as Pid;
      const y = b as Pid;
      return cmp(x.serial, y.serial) || cmp(x.id, y.id) || cmpAtom(x.node, y.node) || cmp(x.creation, y.creation);
    }
    case 6: {
      const x = (a as Tuple).elements;
      const y = (b as Tuple).elements;
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = x.length - 1; i >= 0; i--) todo.push(x[i]!, y[i]!);
      return 0;
    }
    case 7: {
      const x = a as NativeRecord;
      const y = b as NativeRecord;
      const c = cmpAtom(x.module, y.module) || cmpAtom(x.name, y.name) || cmp(x.fields.length, y.fields.length);
      if (c) return c;
      for (let i = 0; i < x.fields.length; i++) {
        const d = cmpAtom(x.fields[i]!, y.fields[i]!);
        if (d) return d;
      }
      for (let i = x.values.length - 1; i >= 0; i--) todo.push(x.values[i]!, y.values[i]!);
      return 0;
    }
    case 8: {
      // Size, then the keys in map-key order (compared exactly), then the values in key order.
      const x = a as MapTerm;
      const y = b as MapTerm;
      if (x.size !== y.size) return x.size < y.size ? -1 : 1;
      const ox = x.sortedOrder();
      const oy = y.sortedOrder();
      for (let i = x.size - 1; i >= 0; i--) todo.push(x.valueAt(ox[i]!), y.valueAt(oy[i]!));
      todo.push(EXACT_OFF);
      for (let i = x.size - 1; i >= 0; i--) todo.push(x.keyAt(ox[i]!), y.keyAt(oy[i]!));
      todo.push(EXACT_ON);
      return 0;
    }
    case 9:
      return 0;
    case 10: {
      const [ha, ta] = Array.isArray(a) ? [a as readonly Term[], [] as Term] : listParts(a as ImproperList);
      const [hb, tb] = Array.isArray(b) ? [b as readonly Term[], [] as Term] : listParts(b as ImproperList);
      const n = Math.min(ha.length, hb.length);
      // After the common elements: what is left of the longer list against the other's tail.
      const restA: Term = ha.length > n ? rest(ha, n, ta) : ta;
      const restB: Term = hb.length > n ? rest(hb, n, tb) : tb;
      todo.push(restA, restB);
      for (let i = n - 1; i >= 0; i--) todo.push(ha[i]!, hb[i]!);
      return 0;
    }
    case 11: {
      const [ab, abits] = bitsOf(a);
      const [bb, bbits] = bitsOf(b);
      return cmpBits(ab, abits, bb, bbits);
    }
    default:
      return cmpStr(fingerprint(a), fingerprint(b));
  }
}

function rest(head: readonly Term[], from: number, tail: Term): Term {
  const h = head.slice(from);
  return Array.isArray(tail) && (tail as Term[]).length === 0 ? h : new ImproperList(h, tail);
}

/**
 * Local funs before exports; funs by module, index, old uniq, free count, then free variables
 * (OTP 25 and 27; OTP 29 skips old uniq and breaks ties by VM identity). That is also what
 * makes two funs the same term here (see funFieldsEqual).
 */
function funOrder(a: Fun | Export, b: Fun | Export, todo: Work[]): number {
  if (a instanceof Export) {
    if (!(b instanceof Export)) return 1;
    return cmpAtom(a.module, b.module) || cmpAtom(a.fn, b.fn) || cmp(a.arity, b.arity);
  }
  if (b instanceof Export) return -1;
  const f = a as Fun;
  const g = b as Fun;
  const c = cmpAtom(f.module, g.module) || cmp(f.index, g.index) || cmp(f.oldUniq, g.oldUniq) || cmp(f.freeVars.length, g.freeVars.length);
  if (c) return c;
  for (let i = f.freeVars.length - 1; i >= 0; i--) todo.push(f.freeVars[i]!, g.freeVars[i]!);
  return 0;
}

function atomName(t: Term): string {
  return typeof t === 'boolean' ? (t ? 'true' : 'false') : (t as Atom).name;
}

/** Reference ids: from the most significant word down, a missing word counting as 0. */
export function refWordsCompare(x: readonly number[], y: readonly number[]): number {
  for (let i = Math.max(x.length, y.length) - 1; i >= 0; i--) {
    const p = x[i] ?? 0;
    const q = y[i] ?? 0;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

function bitsOf(t: Term): [Uint8Array, number] {
  if (typeof t === 'string') return [textEncoder.encode(t), 8];
  if (t instanceof BitBinary) return [t.bytes, t.bits];
  return [t as Uint8Array, 8];
}

function cmpBits(a: Uint8Array, abits: number, b: Uint8Array, bbits: number): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  const la = a.length === 0 ? 0 : (a.length - 1) * 8 + abits;
  const lb = b.length === 0 ? 0 : (b.length - 1) * 8 + bbits;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function cmpAtom(a: Atom, b: Atom): number {
  return a === b ? 0 : compareCodePoints(a.name, b.name);
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

