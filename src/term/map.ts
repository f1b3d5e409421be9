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

/** canonicalOrder()'s "as it is". */
const NO_ORDER: readonly number[] = Object.freeze([]);

/** OTP writes maps of up to this many keys ("flatmaps") with their keys in map-key order. */
export const FLATMAP_MAX = 32;

/** Shared by empty maps until their first key: an empty map costs one small object. */
const NONE: Term[] = [];

/** The entries of {@link TermMap.sharedEmpty}, which never gets any. */
const SHARED: Term[] = Object.freeze([]) as unknown as Term[];
let EMPTY: TermMap;

/** What a map builds only when asked: indexes and cached orders and hash. */
interface Aux {
  /** Index of the primitive keys (built past INDEX_AFTER keys). */
  prim: Map<unknown, number> | undefined;
  /** Index of the other keys by hash (built on the first lookup of such a key). */
  comp: Map<number, number | number[]> | undefined;
  /** Canonical order: null = not computed, [] = insertion order is already canonical. */
  order: readonly number[] | null;
  sorted: readonly number[] | null;
  hash: number | undefined;
}

export class TermMap extends MapTerm implements Iterable<[Term, Term]> {
  /** Keys and values interleaved: key i at 2i, its value at 2i + 1. */
  #kv: Term[] = NONE;
  #aux: Aux | undefined = undefined;

  constructor(entries?: Iterable<readonly [Term, Term]>) {
    super();
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  static {
    const m = new TermMap();
    m.#kv = SHARED;
    Object.freeze(m);
    EMPTY = m;
  }

  #x(): Aux {
    return (this.#aux ??= { prim: undefined, comp: undefined, order: null, sorted: null, hash: undefined });
  }

  /**
   * For decoders: a map over an array the caller hands over, keys and values interleaved
   * (`[k0, v0, k1, v1, …]`), keys already in normal form (safe integers as numbers,
   * `true`/`false` as booleans). Returns the map, or the index of the first pair whose key
   * repeats an earlier one.
   */
  static fromDecoded(kv: Term[]): TermMap | number {
    const m = new TermMap();
    const n = kv.length >> 1;
    if (n === 0) return m;
    m.#kv = kv;
    if (n === 1) return m;
    if (n <= INDEX_AFTER) {
      let hashes: number[] | undefined;
      for (let j = 1; j < n; j++) {
        const kj = kv[2 * j]!;
        if (isPrimitiveKey(kj)) {
          for (let i = 0; i < j; i++) if (kv[2 * i] === kj) return j;
          continue;
        }
        for (let i = 0; i < j; i++) {
          const ki = kv[2 * i]!;
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
      const k = kv[2 * i]!;
      if (isPrimitiveKey(k)) {
        if (prim.has(k)) return i;
        prim.set(k, i);
      } else if (m.#indexComp(i, k) !== i) return i;
    }
    m.#x().prim = prim;
    return m;
  }

  /**
   * The one immutable empty map that decoders give for every `#{}` (as `[]`, `{}` and
   * `<<>>` are shared too): a list of a million `#{}` is a million references, not a
   * million maps. `set` and `add` on it throw a `TypeError`.
   */
  static sharedEmpty(): TermMap {
    return EMPTY;
  }

  /** Build from a plain object: keys become atoms (`{a: 1}` → `#{a => 1}`). */
  static fromAtomKeys(obj: Record<string, Term>, atomOf: (name: string) => Term): TermMap {
    const m = new TermMap();
    for (const k of Object.keys(obj)) m.set(atomOf(k), obj[k]!);
    return m;
  }

  get size(): number {
    return this.#kv.length >> 1;
  }

  /** Adds key `i` to the hash index; returns the index of an equal key already there, or `i`. */
  #indexComp(i: number, k: Term): number {
    const x = this.#x();
    const comp = (x.comp ??= new Map());
    const h = hash(k);
    const slot = comp.get(h);
    if (slot === undefined) {
      comp.set(h, i);
      return i;
    }
    const list = typeof slot === 'number' ? [slot] : slot;
    for (const j of list) if (j !== i && equals(this.#kv[2 * j]!, k)) return j;
    list.push(i);
    if (typeof slot === 'number') comp.set(h, list);
    return i;
  }

  #find(key: Term): number {
    const k = normalKey(key);
    const kv = this.#kv;
    const x = this.#aux;
    if (isPrimitiveKey(k)) {
      if (x?.prim !== undefined) return x.prim.get(k) ?? -1;
      for (let i = 0; i < kv.length; i += 2) if (kv[i] === k) return i >> 1;
      return -1;
    }
    let comp = x?.comp;
    if (comp === undefined) {
      // First lookup of a non-primitive key: index every such key once.
      this.#x().comp = new Map();
      for (let i = 0; i < kv.length; i += 2) if (!isPrimitiveKey(kv[i]!)) this.#indexComp(i >> 1, kv[i]!);
      comp = this.#aux!.comp!;
    }
    const slot = comp.get(hash(k));
    if (slot === undefined) return -1;
    if (typeof slot === 'number') return equals(kv[2 * slot]!, k) ? slot : -1;
    for (const j of slot) if (equals(kv[2 * j]!, k)) return j;
    return -1;
  }

  #changed(): void {
    const x = this.#aux;
    if (x === undefined) return;
    x.order = null;
    x.sorted = null;
    x.hash = undefined;
  }

  #push(k: Term, value: Term): void {
    if (this.#kv === SHARED) throw new TypeError('this is the shared empty map (a decoded #{}): it cannot change; make a new TermMap');
    if (this.#kv === NONE) this.#kv = [];
    const i = this.#kv.length >> 1;
    this.#changed();
    this.#kv.push(k, value);
    const x = this.#aux;
    if (isPrimitiveKey(k)) {
      if (x?.prim !== undefined) x.prim.set(k, i);
      else if (i >= INDEX_AFTER) this.#reindexPrim();
    } else if (x?.comp !== undefined) this.#indexComp(i, k);
  }

  #reindexPrim(): void {
    const idx = new Map<unknown, number>();
    const kv = this.#kv;
    for (let i = 0; i < kv.length; i += 2) if (isPrimitiveKey(kv[i]!)) idx.set(kv[i], i >> 1);
    this.#x().prim = idx;
  }

  get(key: Term): Term | undefined {
    const i = this.#find(key);
    return i < 0 ? undefined : this.#kv[2 * i + 1];
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
      this.#kv[2 * i + 1] = value;
      if (this.#aux !== undefined) this.#aux.hash = undefined;
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
    this.#kv.splice(2 * i, 2);
    const x = this.#aux;
    if (x !== undefined) {
      x.comp = undefined;
      if (x.prim !== undefined) this.#reindexPrim();
    }
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
    const n = this.#kv.length >> 1;
    if (n <= 1 || n > FLATMAP_MAX) return NO_ORDER;
    const x = this.#x();
    if (x.order !== null) return x.order;
    const kv = this.#kv;
    let inOrder = true;
    for (let i = 2; i < kv.length; i += 2) {
      if (compareKeys(kv[i - 2]!, kv[i]!) > 0) {
        inOrder = false;
        break;
      }
    }
    x.order = inOrder ? NO_ORDER : this.sortedOrder();
    return x.order;
  }

  /** Key indices in map-key order, whatever the size (cached). */
  sortedOrder(): readonly number[] {
    const x = this.#x();
    if (x.sorted !== null) return x.sorted;
    const kv = this.#kv;
    const idx = Array.from({ length: kv.length >> 1 }, (_, i) => i);
    if (idx.length > 1) idx.sort((a, b) => compareKeys(kv[2 * a]!, kv[2 * b]!));
    x.sorted = idx;
    return idx;
  }

  cachedHash(): number | undefined {
    return this.#aux?.hash;
  }

  cacheHash(h: number): void {
    this.#x().hash = h;
  }

  /** The i-th key in insertion order (for encoders: no iterator allocation). */
  keyAt(i: number): Term {
    return this.#kv[2 * i]!;
  }

  /** The i-th value in insertion order. */
  valueAt(i: number): Term {
    return this.#kv[2 * i + 1]!;
  }

  *keys(): IterableIterator<Term> {
    const kv = this.#kv;
    for (let i = 0; i < kv.length; i += 2) yield kv[i]!;
  }

  *values(): IterableIterator<Term> {
    const kv = this.#kv;
    for (let i = 1; i < kv.length; i += 2) yield kv[i]!;
  }

  *entries(): IterableIterator<[Term, Term]> {
    const kv = this.#kv;
    for (let i = 0; i < kv.length; i += 2) yield [kv[i]!, kv[i + 1]!];
  }

  [Symbol.iterator](): IterableIterator<[Term, Term]> {
    return this.entries();
  }
}
