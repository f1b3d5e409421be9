/**
 * Structural equality (Erlang's `=:=`), hashing, and the two orders of the BEAM: term order
 * (`<`, `==`: arithmetic, so `1 == 1.0`) and map-key order (exact: every integer before every
 * float), which is how OTP sorts the keys of a small map. All of them walk terms with explicit
 * stacks, so nesting is bounded by the decoder's maxDepth, never by the JS stack.
 *
 * Rules taken from the BEAM (OTP erts utils.c `eq` and `erts_cmp_compound`, checked against
 * OTP 25, 27 and 29 by test/term/order.test.ts through the real VMs):
 * - pids order by serial, then number, then node name, then node creation;
 * - ports and references order by node name, creation, then the id (a reference's 32-bit
 *   words from the most significant one down, a missing word counting as 0, so `[1]` and
 *   `[1,0,0]` are the same reference);
 * - local funs (NEW_FUN_EXT) order by module, index, old uniq, free-variable count, free
 *   variables, and those fields are their identity (arity, uniq, old index and the creator
 *   pid are not); they come before exports (EXPORT_EXT: module, function, arity);
 * - types: number < atom < reference < fun < port < pid < tuple < record < map < [] < list
 *   < bitstring.
 */
import { Atom } from './atom.js';
import { Pid, Port, Ref } from './ids.js';
import { BitBinary, ErlFloat, Export, Fun, ImproperList, LocalTerm, MapTerm, NativeRecord, Tuple, type Term } from './types.js';

const textEncoder = new TextEncoder();
const TRUE = Atom.of('true');
const FALSE = Atom.of('false');

// ---------------------------------------------------------------- equality

/** `a =:= b`: same type and same value. `1` and `float(1)` differ; `true` equals `atom('true')`. */
export function equals(a: Term, b: Term): boolean {
  if (a === b) return true;
  // Pairs still to compare; an explicit stack, so deep terms cannot exhaust the JS stack.
  const todo: Term[] = [a, b];
  while (todo.length > 0) {
    const y = todo.pop()!;
    const x = todo.pop()!;
    if (x !== y && !shallowEquals(x, y, todo)) return false;
  }
  return true;
}

/** Compares `a` and `b` at the top level; pushes pairs of children that must also be equal. */
function shallowEquals(a: Term, b: Term, todo: Term[]): boolean {
  switch (typeof a) {
    case 'number':
      if (typeof b === 'number') return a === b; // !== already; -0 === 0 for integers
      if (Number.isInteger(a)) return typeof b === 'bigint' && BigInt(a) === b;
      return b instanceof ErlFloat && Object.is(a, b.value);
    case 'bigint':
      return typeof b === 'number' ? Number.isInteger(b) && BigInt(b) === a : false;
    case 'boolean':
      return b instanceof Atom && b.name === (a ? 'true' : 'false');
    case 'string':
      return (typeof b === 'string' || b instanceof Uint8Array) && bytesEqual(asBytes(a), asBytes(b));
  }
  if (typeof b !== 'object') {
    if (typeof b === 'boolean') return a instanceof Atom && a.name === (b ? 'true' : 'false');
    if (typeof b === 'number' && a instanceof ErlFloat) return !Number.isInteger(b) && Object.is(a.value, b);
    if (typeof b === 'string') return a instanceof Uint8Array && bytesEqual(a, asBytes(b));
    return false;
  }
  if (a instanceof Atom) return false; // interned
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return false;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) todo.push(a[i] as Term, b[i] as Term);
    return true;
  }
  if (a instanceof Tuple) {
    if (!(b instanceof Tuple) || a.elements.length !== b.elements.length) return false;
    for (let i = 0; i < a.elements.length; i++) todo.push(a.elements[i]!, b.elements[i]!);
    return true;
  }
  if (a instanceof Uint8Array) return b instanceof Uint8Array && bytesEqual(a, b);
  if (a instanceof ErlFloat) return b instanceof ErlFloat && Object.is(a.value, b.value);
  if (a instanceof Pid) return b instanceof Pid && a.node === b.node && a.id === b.id && a.serial === b.serial && a.creation === b.creation;
  if (a instanceof Ref) return b instanceof Ref && a.node === b.node && a.creation === b.creation && refWordsCompare(a.ids, b.ids) === 0;
  if (a instanceof Port) return b instanceof Port && a.node === b.node && a.creation === b.creation && a.id === b.id;
  if (a instanceof MapTerm) return b instanceof MapTerm && mapEquals(a, b, todo);
  if (a instanceof ImproperList) {
    if (!(b instanceof ImproperList)) return false;
    const [ha, ta] = listParts(a);
    const [hb, tb] = listParts(b);
    if (ha.length !== hb.length) return false;
    for (let i = 0; i < ha.length; i++) todo.push(ha[i]!, hb[i]!);
    todo.push(ta, tb);
    return true;
  }
  if (a instanceof BitBinary) return b instanceof BitBinary && a.bitLength === b.bitLength && bytesEqual(a.bytes, b.bytes);
  if (a instanceof Export) return b instanceof Export && a.module === b.module && a.fn === b.fn && a.arity === b.arity;
  if (a instanceof Fun) {
    if (!(b instanceof Fun) || !funFieldsEqual(a, b)) return false;
    todo.push(a.freeVars, b.freeVars);
    return true;
  }
  if (a instanceof NativeRecord) {
    if (!(b instanceof NativeRecord) || a.module !== b.module || a.name !== b.name || a.exported !== b.exported || a.fields.length !== b.fields.length) return false;
    for (let i = 0; i < a.fields.length; i++) if (a.fields[i] !== b.fields[i]) return false;
    todo.push(a.values, b.values);
    return true;
  }
  if (a instanceof LocalTerm) return b instanceof LocalTerm && bytesEqual(a.raw, b.raw);
  return false;
}

/**
 * A fun's identity, as the BEAM's term order and map keys see it (OTP 25 and 27 alike):
 * module, index, old uniq and the free variables. Arity, uniq, old index and the creator pid
 * are not part of it (OTP 27's `=:=` alone also compares arity and uniq; etf.md §4).
 */
function funFieldsEqual(a: Fun, b: Fun): boolean {
  return a.module === b.module && a.index === b.index && a.oldUniq === b.oldUniq && a.freeVars.length === b.freeVars.length;
}

/**
 * Maps are equal when every key of `a` has an equal key in `b` with an equal value. Keys are
 * matched through their hashes, so the key pair and the value pair go on the work stack
 * instead of being compared by a nested call; only a hash collision inside `b` falls back to
 * a nested `equals`.
 */
function mapEquals(a: MapTerm, b: MapTerm, todo: Term[]): boolean {
  const n = a.size;
  if (n !== b.size) return false;
  for (let i = 0; i < n; i++) {
    const k = a.keyAt(i);
    if (isPrimitiveKey(k)) {
      const j = b.indexOf(k);
      if (j < 0) return false;
      todo.push(a.valueAt(i), b.valueAt(j));
      continue;
    }
    const h = hash(k);
    let match = -1;
    let several = false;
    for (let j = 0; j < n; j++) {
      const kb = b.keyAt(j);
      if (!isPrimitiveKey(kb) && hash(kb) === h) {
        if (match >= 0) several = true;
        else match = j;
      }
    }
    if (match < 0) return false;
    if (several) {
      match = b.indexOf(k);
      if (match < 0) return false;
    } else todo.push(k, b.keyAt(match));
    todo.push(a.valueAt(i), b.valueAt(match));
  }
  return true;
}

/** Keys a map can find with `===` after {@link normalKey}: integers, non-integral floats, atoms, booleans. */
export function isPrimitiveKey(k: Term): boolean {
  const t = typeof k;
  return t === 'number' || t === 'boolean' || k instanceof Atom || (t === 'bigint' && isSafe(k as bigint));
}

/** The form a key is stored and found in: safe bigints as numbers, atoms true/false as booleans. */
export function normalKey(k: Term): Term {
  if (typeof k === 'bigint') return isSafe(k) ? Number(k) : k;
  if (k === TRUE) return true;
  if (k === FALSE) return false;
  if (k instanceof ErlFloat && !Number.isInteger(k.value)) return k.value;
  return k;
}

function isSafe(v: bigint): boolean {
  return v >= -9007199254740991n && v <= 9007199254740991n;
}

function asBytes(v: string | Uint8Array): Uint8Array {
  return typeof v === 'string' ? textEncoder.encode(v) : v;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A list as (elements, tail), with nested improper tails joined: `[1 | [2 | t]]` → ([1, 2], t). */
function listParts(t: ImproperList): [readonly Term[], Term] {
  if (!(t.tail instanceof ImproperList)) return [t.head, t.tail];
  const head = [...t.head];
  let tail: Term = t.tail;
  while (tail instanceof ImproperList) {
    for (const e of tail.head) head.push(e);
    tail = tail.tail;
  }
  return [head, tail];
}

// ---------------------------------------------------------------- hashing

/**
 * A 32-bit structural hash: terms that are `equals` hash equal. A map caches its hash (so
 * nested map keys cost their size once, not once per level); do not change a map after
 * using it, or anything containing it, as a key.
 */
export function hash(t: Term): number {
  t = normalKey(t);
  switch (typeof t) {
    case 'number':
      return Number.isInteger(t) ? intHash(t) : floatHash(t);
    case 'boolean':
      return atomHash(t ? 'true' : 'false');
  }
  if (t instanceof Atom) return atomHash(t.name);
  prepareMaps(t);
  return sequenceHash(t);
}

const SEED_INT = 0x2b7e1516;
const SEED_FLOAT = 0x28aed2a6;

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x5bd1e995);
  return (h ^ (h >>> 15)) | 0;
}

function intHash(v: number): number {
  if (v >= -0x80000000 && v <= 0x7fffffff) return mix(SEED_INT, v | 0);
  const hi = Math.floor(v / 0x1_0000_0000);
  return mix(mix(SEED_INT, hi | 0), (v - hi * 0x1_0000_0000) | 0);
}

function bigHash(v: bigint): number {
  if (isSafe(v)) return intHash(Number(v));
  const s = v.toString(16);
  let h = SEED_INT ^ 0x55;
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return h;
}

const f64 = new Float64Array(1);
const f64w = new Int32Array(f64.buffer);
function floatHash(v: number): number {
  f64[0] = v;
  return mix(mix(SEED_FLOAT, f64w[0]!), f64w[1]!);
}

function atomHash(name: string): number {
  let h = 0x3c6ef372 ^ name.length;
  for (let i = 0; i < name.length; i++) h = mix(h, name.charCodeAt(i));
  return h;
}

function bytesHash(seed: number, b: Uint8Array): number {
  let h = mix(seed, b.length);
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h | 0;
}

/** Hash a term whose maps all have cached hashes: a pre-order walk, maps as leaves. */
function sequenceHash(root: Term): number {
  let h = 0x9e3779b9 | 0;
  const todo: Term[] = [root];
  while (todo.length > 0) {
    const t = todo.pop()!;
    switch (typeof t) {
      case 'number':
        h = mix(h, Number.isInteger(t) ? intHash(t) : floatHash(t));
        continue;
      case 'bigint':
        h = mix(h, bigHash(t));
        continue;
      case 'boolean':
        h = mix(h, atomHash(t ? 'true' : 'false'));
        continue;
      case 'string':
        h = mix(h, bytesHash(11, textEncoder.encode(t)));
        continue;
    }
    if (t instanceof Atom) h = mix(h, atomHash(t.name));
    else if (Array.isArray(t)) {
      h = mix(mix(h, 1), t.length);
      for (let i = t.length - 1; i >= 0; i--) todo.push(t[i] as Term);
    } else if (t instanceof Tuple) {
      h = mix(mix(h, 2), t.elements.length);
      for (let i = t.elements.length - 1; i >= 0; i--) todo.push(t.elements[i]!);
    } else if (t instanceof MapTerm) h = mix(mix(h, 3), t.cachedHash()!);
    else if (t instanceof Uint8Array) h = mix(h, bytesHash(11, t));
    else if (t instanceof ErlFloat) h = mix(h, Number.isInteger(t.value) ? floatHash(t.value) : floatHash(t.value));
    else if (t instanceof Pid) h = mix(mix(mix(mix(mix(h, 4), atomHash(t.node.name)), t.id), t.serial), creationHash(t.creation));
    else if (t instanceof Ref) {
      h = mix(mix(mix(h, 5), atomHash(t.node.name)), creationHash(t.creation));
      let n = t.ids.length;
      while (n > 0 && t.ids[n - 1] === 0) n--; // [1] and [1, 0, 0] are the same reference
      for (let i = 0; i < n; i++) h = mix(h, t.ids[i]!);
    } else if (t instanceof Port) h = mix(mix(mix(mix(h, 6), atomHash(t.node.name)), typeof t.id === 'number' ? intHash(t.id) : bigHash(t.id)), creationHash(t.creation));
    else if (t instanceof ImproperList) {
      const [head, tail] = listParts(t);
      h = mix(mix(h, 7), head.length);
      todo.push(tail);
      for (let i = head.length - 1; i >= 0; i--) todo.push(head[i]!);
    } else if (t instanceof BitBinary) h = mix(mix(h, t.bitLength), bytesHash(12, t.bytes));
    else if (t instanceof Export) h = mix(mix(mix(mix(h, 8), atomHash(t.module.name)), atomHash(t.fn.name)), t.arity);
    else if (t instanceof Fun) {
      h = mix(mix(mix(mix(mix(h, 9), atomHash(t.module.name)), t.index), t.oldUniq), t.freeVars.length);
      for (let i = t.freeVars.length - 1; i >= 0; i--) todo.push(t.freeVars[i]!);
    } else if (t instanceof NativeRecord) {
      h = mix(mix(mix(mix(h, 10), atomHash(t.module.name)), atomHash(t.name.name)), t.fields.length);
      for (const f of t.fields) h = mix(h, atomHash(f.name));
      for (let i = t.values.length - 1; i >= 0; i--) todo.push(t.values[i]!);
    } else if (t instanceof LocalTerm) h = mix(h, bytesHash(13, t.raw));
    else throw new TypeError(`not a term: ${Object.prototype.toString.call(t)}`);
  }
  return h;
}

function creationHash(c: number | bigint): number {
  return typeof c === 'number' ? intHash(c) : bigHash(c);
}

/** Computes and caches the hash of every map in `root` that has none, innermost first. */
function prepareMaps(root: Term): void {
  let found: MapTerm[] | undefined;
  const todo: Term[] = [root];
  while (todo.length > 0) {
    const t = todo.pop()!;
    if (typeof t !== 'object' || t instanceof Atom || t instanceof Uint8Array) continue;
    if (Array.isArray(t)) {
      for (const e of t as readonly Term[]) if (typeof e === 'object') todo.push(e);
    } else if (t instanceof Tuple) {
      for (const e of t.elements) if (typeof e === 'object') todo.push(e);
    } else if (t instanceof MapTerm) {
      if (t.cachedHash() !== undefined) continue;
      (found ??= []).push(t);
      for (let i = 0; i < t.size; i++) todo.push(t.keyAt(i), t.valueAt(i));
    } else if (t instanceof ImproperList) {
      for (const e of t.head) if (typeof e === 'object') todo.push(e);
      todo.push(t.tail);
    } else if (t instanceof Fun) {
      for (const e of t.freeVars) todo.push(e);
    } else if (t instanceof NativeRecord) {
      for (const e of t.values) todo.push(e);
    }
  }
  if (found === undefined) return;
  // Pre-order lists a map before the maps inside it: hash in reverse.
  for (let i = found.length - 1; i >= 0; i--) {
    const m = found[i]!;
    if (m.cachedHash() !== undefined) continue; // the same map twice
    let h = mix(0x1b873593, m.size);
    for (let j = 0; j < m.size; j++) h = (h + mix(sequenceHash(m.keyAt(j)), sequenceHash(m.valueAt(j)))) | 0;
    m.cacheHash(h);
  }
}

// ---------------------------------------------------------------- termKey

/**
 * A value that is `===`-equal for two terms exactly when they are `equals`: the term itself for
 * integers, booleans and atoms, a fingerprint string for everything else. Costs the size of
 * the term per call; maps find keys by {@link hash} instead.
 */
export function termKey(t: Term): unknown {
  switch (typeof t) {
    case 'number':
      return Number.isInteger(t) ? t + 0 /* -0 → 0 */ : fingerprint(t);
    case 'bigint':
      return isSafe(t) ? Number(t) : t;
    case 'boolean':
      return t;
  }
  if (t instanceof Atom) return t === TRUE ? true : t === FALSE ? false : t;
  return fingerprint(t);
}

function fingerprint(root: Term): string {
  const out: string[] = [];
  // Strings are emitted as-is; terms are expanded. Iterative over everything but map keys.
  const todo: (Term | { s: string })[] = [root];
  while (todo.length > 0) {
    const t = todo.pop()!;
    if (t !== null && typeof t === 'object' && 's' in t && Object.keys(t).length === 1) {
      out.push((t as { s: string }).s);
      continue;
    }
    const x = t as Term;
    switch (typeof x) {
      case 'number':
        out.push(Number.isInteger(x) ? `i${x + 0};` : `f${x};`);
        continue;
      case 'bigint':
        out.push(`i${termKey(x)};`);
        continue;
      case 'boolean':
        out.push(`a${x ? 4 : 5}:${x}`);
        continue;
      case 'string':
        bytesFp('b', textEncoder.encode(x), out);
        continue;
    }
    if (x instanceof Atom) out.push(`a${x.name.length}:${x.name}`);
    else if (Array.isArray(x)) {
      out.push(`l${x.length}(`);
      todo.push({ s: ')' });
      for (let i = x.length - 1; i >= 0; i--) todo.push(x[i] as Term);
    } else if (x instanceof Tuple) {
      out.push(`t${x.elements.length}(`);
      todo.push({ s: ')' });
      for (let i = x.elements.length - 1; i >= 0; i--) todo.push(x.elements[i]!);
    } else if (x instanceof Uint8Array) bytesFp('b', x, out);
    else if (x instanceof ErlFloat) out.push(Number.isInteger(x.value) || Object.is(x.value, -0) ? (Object.is(x.value, -0) ? 'f-0;' : `F${x.value};`) : `f${x.value};`);
    else if (x instanceof Pid) out.push(`p${x.node.name.length}:${x.node.name}.${x.id}.${x.serial}.${x.creation};`);
    else if (x instanceof Ref) {
      let n = x.ids.length;
      while (n > 0 && x.ids[n - 1] === 0) n--;
      out.push(`r${x.node.name.length}:${x.node.name}.${x.creation}.${x.ids.slice(0, n).join('.')};`);
    } else if (x instanceof Port) out.push(`o${x.node.name.length}:${x.node.name}.${x.id}.${x.creation};`);
    else if (x instanceof MapTerm) {
      // Order-insensitive: entries sorted by their key fingerprints.
      const entries: [string, Term][] = [];
      for (let i = 0; i < x.size; i++) entries.push([fingerprint(x.keyAt(i)), x.valueAt(i)]);
      entries.sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
      out.push(`m${entries.length}(`);
      todo.push({ s: ')' });
      for (let i = entries.length - 1; i >= 0; i--) todo.push(entries[i]![1], { s: entries[i]![0] });
    } else if (x instanceof ImproperList) {
      const [head, tail] = listParts(x);
      out.push(`L${head.length}(`);
      todo.push({ s: ')' }, tail);
      for (let i = head.length - 1; i >= 0; i--) todo.push(head[i]!);
    } else if (x instanceof BitBinary) bytesFp(`B${x.bitLength & 7}`, x.bytes, out);
    else if (x instanceof Export) out.push(`e${x.module.name.length}:${x.module.name}${x.fn.name.length}:${x.fn.name}/${x.arity};`);
    else if (x instanceof Fun) {
      out.push(`F${x.module.name.length}:${x.module.name}.${x.index}.${x.oldIndex}.${x.oldUniq}.${x.arity}`);
      bytesFp('u', x.uniq, out);
      todo.push(x.freeVars);
    } else if (x instanceof NativeRecord) {
      out.push(`R${x.module.name.length}:${x.module.name}${x.name.name.length}:${x.name.name}${x.exported ? 'x' : ''}`);
      for (const f of x.fields) out.push(`${f.name.length}:${f.name}`);
      todo.push(x.values);
    } else if (x instanceof LocalTerm) bytesFp('X', x.raw, out);
    else throw new TypeError(`not a term: ${Object.prototype.toString.call(x)}`);
  }
  return out.join('');
}

function bytesFp(prefix: string, b: Uint8Array, out: string[]): void {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  out.push(`${prefix}${b.length}:`, s);
}

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
function refWordsCompare(x: readonly number[], y: readonly number[]): number {
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
