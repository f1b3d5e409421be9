/**
 * An Erlang map: any term can be a key, compared structurally (`=:=`), so `{1, 2}` built twice
 * finds the same entry and `1` and `1.0` are different keys. Iteration follows insertion order,
 * and decoders insert in wire order, so a decoded map re-encodes to the same bytes.
 *
 * Like BEAM's flatmaps, small maps are parallel arrays searched linearly. Integer, float, atom
 * and boolean keys are found with `===`; other keys through their structural hash (cached per
 * map, see equal.ts) and `equals`. An index is built once a map grows past 8 keys.
 */
import { compareKeys, equals, hash, isPrimitiveKey, normalKey } from './equal.js';
import { MapTerm, type Term } from './types.js';

const INDEX_AFTER = 8;

/** OTP writes maps of up to this many keys ("flatmaps") with their keys in map-key order. */
export const FLATMAP_MAX = 32;

/** Shared by empty maps until their first key: an empty map costs one small object. */
const NONE: Term[] = [];

export class TermMap extends MapTerm implements Iterable<[Term, Term]> {
  #keys: Term[] = NONE;
  #vals: Term[] = NONE;
  /** Index of the primitive keys (built past INDEX_AFTER keys). */
  #prim: Map<unknown, number> | undefined = undefined;
  /** Index of the other keys by hash (built on the first lookup of such a key). */
  #comp: Map<number, number | number[]> | undefined = undefined;
  /** Canonical order: null = not computed, [] = insertion order is already canonical. */
  #order: readonly number[] | null = null;
  #sorted: readonly number[] | null = null;
  #hash: number | undefined = undefined;

  constructor(entries?: Iterable<readonly [Term, Term]>) {
    super();
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  /**
   * For decoders: a map over arrays the caller hands over, keys already in normal form (safe
   * integers as numbers, `true`/`false` as booleans). Returns the map, or the index of the
   * first key that repeats an earlier one.
   */
  static fromDecoded(keys: Term[], vals: Term[]): TermMap | number {
    const m = new TermMap();
    const n = keys.length;
    if (n === 0) return m;
    m.#keys = keys;
    m.#vals = vals;
    if (n === 1) return m;
    if (n <= INDEX_AFTER) {
      let hashes: number[] | undefined;
      for (let j = 1; j < n; j++) {
        const kj = keys[j]!;
        if (isPrimitiveKey(kj)) {
          for (let i = 0; i < j; i++) if (keys[i] === kj) return j;
          continue;
        }
        for (let i = 0; i < j; i++) {
          const ki = keys[i]!;
          if (isPrimitiveKey(ki)) continue;
          hashes ??= new Array(n);
          const hi = (hashes[i] ??= hash(ki));
          const hj = (hashes[j] ??= hash(kj));
          if (hi === hj && equals(ki, kj)) return j;
        }
      }
      return m;
    }
    const prim = new Map<unknown, number>();
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      if (isPrimitiveKey(k)) {
        if (prim.has(k)) return i;
        prim.set(k, i);
      } else if (m.#indexComp(i, k) !== i) return i;
    }
    m.#prim = prim;
    return m;
  }

  /** Build from a plain object: keys become atoms (`{a: 1}` → `#{a => 1}`). */
  static fromAtomKeys(obj: Record<string, Term>, atomOf: (name: string) => Term): TermMap {
    const m = new TermMap();
    for (const k of Object.keys(obj)) m.set(atomOf(k), obj[k]!);
    return m;
  }

  get size(): number {
    return this.#keys.length;
  }

  /** Adds key `i` to the hash index; returns the index of an equal key already there, or `i`. */
  #indexComp(i: number, k: Term): number {
    const comp = (this.#comp ??= new Map());
    const h = hash(k);
    const slot = comp.get(h);
    if (slot === undefined) {
      comp.set(h, i);
      return i;
    }
    const list = typeof slot === 'number' ? [slot] : slot;
    for (const j of list) if (j !== i && equals(this.#keys[j]!, k)) return j;
    list.push(i);
    if (typeof slot === 'number') comp.set(h, list);
    return i;
  }

  #find(key: Term): number {
    const k = normalKey(key);
    const keys = this.#keys;
    if (isPrimitiveKey(k)) {
      if (this.#prim !== undefined) return this.#prim.get(k) ?? -1;
      for (let i = 0; i < keys.length; i++) if (keys[i] === k) return i;
      return -1;
    }
    if (this.#comp === undefined) {
      // First lookup of a non-primitive key: index every such key once.
      this.#comp = new Map();
      for (let i = 0; i < keys.length; i++) if (!isPrimitiveKey(keys[i]!)) this.#indexComp(i, keys[i]!);
    }
    const slot = this.#comp.get(hash(k));
    if (slot === undefined) return -1;
    if (typeof slot === 'number') return equals(keys[slot]!, k) ? slot : -1;
    for (const j of slot) if (equals(keys[j]!, k)) return j;
    return -1;
  }

  #changed(): void {
    this.#order = null;
    this.#sorted = null;
    this.#hash = undefined;
  }

  #push(k: Term, value: Term): void {
    if (this.#keys === NONE) {
      this.#keys = [];
      this.#vals = [];
    }
    const i = this.#keys.length;
    this.#changed();
    this.#keys.push(k);
    this.#vals.push(value);
    if (isPrimitiveKey(k)) {
      if (this.#prim !== undefined) this.#prim.set(k, i);
      else if (i >= INDEX_AFTER) this.#reindexPrim();
    } else if (this.#comp !== undefined) this.#indexComp(i, k);
  }

  #reindexPrim(): void {
    const idx = new Map<unknown, number>();
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) if (isPrimitiveKey(keys[i]!)) idx.set(keys[i], i);
    this.#prim = idx;
  }

  get(key: Term): Term | undefined {
    const i = this.#find(key);
    return i < 0 ? undefined : this.#vals[i];
  }

  has(key: Term): boolean {
    return this.#find(key) >= 0;
  }

  indexOf(key: Term): number {
    return this.#find(key);
  }

  /** Sets `key`; a key equal to an existing one replaces its value and keeps its position. */
  set(key: Term, value: Term): this {
    const i = this.#find(key);
    if (i >= 0) {
      this.#vals[i] = value;
      this.#hash = undefined;
    } else this.#push(normalKey(key), value);
    return this;
  }

  /** Adds a key that must be new; returns false (and changes nothing) if it is already present. */
  add(key: Term, value: Term): boolean {
    if (this.#find(key) >= 0) return false;
    this.#push(normalKey(key), value);
    return true;
  }

  delete(key: Term): boolean {
    const i = this.#find(key);
    if (i < 0) return false;
    this.#changed();
    this.#keys.splice(i, 1);
    this.#vals.splice(i, 1);
    this.#comp = undefined;
    if (this.#prim !== undefined) this.#reindexPrim();
    return true;
  }

  /**
   * The order `term_to_binary` writes the entries in: for maps of up to 32 keys, the indices
   * sorted in map-key order (see equal.ts `compareKeys`); an empty array when insertion order
   * already is that order, or when the map is larger (OTP then uses its hash order, which
   * any decoder accepts; a decoded map keeps the order it came in). Cached until the map
   * changes.
   */
  canonicalOrder(): readonly number[] {
    if (this.#order !== null) return this.#order;
    const k = this.#keys;
    let inOrder = k.length > FLATMAP_MAX;
    if (!inOrder) {
      inOrder = true;
      for (let i = 1; i < k.length; i++) {
        if (compareKeys(k[i - 1]!, k[i]!) > 0) {
          inOrder = false;
          break;
        }
      }
    }
    this.#order = inOrder ? [] : this.sortedOrder();
    return this.#order;
  }

  /** Key indices in map-key order, whatever the size (cached). */
  sortedOrder(): readonly number[] {
    if (this.#sorted !== null) return this.#sorted;
    const k = this.#keys;
    const idx = k.map((_, i) => i);
    if (k.length > 1) idx.sort((x, y) => compareKeys(k[x]!, k[y]!));
    this.#sorted = idx;
    return idx;
  }

  cachedHash(): number | undefined {
    return this.#hash;
  }

  cacheHash(h: number): void {
    this.#hash = h;
  }

  /** The i-th key in insertion order (for encoders: no iterator allocation). */
  keyAt(i: number): Term {
    return this.#keys[i]!;
  }

  /** The i-th value in insertion order. */
  valueAt(i: number): Term {
    return this.#vals[i]!;
  }

  *keys(): IterableIterator<Term> {
    yield* this.#keys;
  }

  *values(): IterableIterator<Term> {
    yield* this.#vals;
  }

  *entries(): IterableIterator<[Term, Term]> {
    for (let i = 0; i < this.#keys.length; i++) yield [this.#keys[i]!, this.#vals[i]!];
  }

  [Symbol.iterator](): IterableIterator<[Term, Term]> {
    return this.entries();
  }
}
