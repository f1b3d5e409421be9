/**
 * Structural equality (Erlang's `=:=`), hashing, and the two orders of the BEAM: term order
 * (`<`, `==`: arithmetic, so `1 == 1.0`) and map-key order (exact: every integer before every
 * float), which is how OTP sorts the keys of a small map. All of them walk terms with explicit
 * stacks, so nesting is bounded by the decoder's maxDepth, never by the JS stack.
 *
 * Rules taken from the BEAM (OTP erts utils.c `eq` and `erts_cmp_compound`, checked against
 * OTP 25, 27 and 29 by test/codec/etf-order.test.ts through the real VMs):
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
import { hash } from './hash.js';
import { Pid, Port, Ref } from './ids.js';
import { refWordsCompare } from './order.js';
import { asBytes, bytesEqual, isPrimitiveKey, listParts } from './term-parts.js';
import { BitBinary, ErlFloat, Export, Fun, ImproperList, LocalTerm, MapTerm, NativeRecord, Tuple, type Term } from './types.js';

export { hash, termKey } from './hash.js';
export { compare, compareKeys, compareCodePoints } from './order.js';
export { isPrimitiveKey, normalKey } from './term-parts.js';

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

