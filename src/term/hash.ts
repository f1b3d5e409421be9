/**
 * The structural hash of terms (equal terms hash equal; maps cache theirs) and `termKey`.
 * Iterative: nesting is bounded by the decoder's maxDepth, never by the JS stack.
 */
import { Atom } from './atom.js';
import { Pid, Port, Ref } from './ids.js';
import { isSafe, listParts, normalKey } from './term-parts.js';
import { BitBinary, ErlFloat, Export, Fun, ImproperList, LocalTerm, MapTerm, NativeRecord, Tuple, type Term } from './types.js';

const textEncoder = new TextEncoder();
const TRUE = Atom.of('true');
const FALSE = Atom.of('false');

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

export function fingerprint(root: Term): string {
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

