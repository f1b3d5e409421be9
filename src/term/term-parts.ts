/**
 * Small helpers that equality, hashing and order (equal.ts, hash.ts, order.ts) share.
 */
import { Atom } from './atom.js';
import { ErlFloat, ImproperList, type Term } from './types.js';

const textEncoder = new TextEncoder();
const TRUE = Atom.of('true');
const FALSE = Atom.of('false');

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

export function isSafe(v: bigint): boolean {
  return v >= -9007199254740991n && v <= 9007199254740991n;
}

export function asBytes(v: string | Uint8Array): Uint8Array {
  return typeof v === 'string' ? textEncoder.encode(v) : v;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A list as (elements, tail), with nested improper tails joined: `[1 | [2 | t]]` → ([1, 2], t). */
export function listParts(t: ImproperList): [readonly Term[], Term] {
  if (!(t.tail instanceof ImproperList)) return [t.head, t.tail];
  const head = [...t.head];
  let tail: Term = t.tail;
  while (tail instanceof ImproperList) {
    for (const e of tail.head) head.push(e);
    tail = tail.tail;
  }
  return [head, tail];
}

