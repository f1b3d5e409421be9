/**
 * An Erlang map: any term can be a key, compared structurally (`=:=`), so `{1, 2}` built twice
 * finds the same entry and `1` and `1.0` are different keys. Iteration follows insertion order,
 * and decoders insert in wire order, so a decoded map re-encodes to the same bytes.
 *
 * Like BEAM's flatmaps, small maps are parallel arrays searched linearly; a hash index is
 * built once a map grows past {@link INDEX_AFTER} keys.
 */
import { compare, termKey } from './equal.js';
import type { Term } from './types.js';

const INDEX_AFTER = 8;

/** OTP writes maps of up to this many keys ("flatmaps") with their keys in term order. */
export const FLATMAP_MAX = 32;

export class TermMap implements Iterable<[Term, Term]> {
  #keys: Term[] = [];
  #vals: Term[] = [];
  /** termKey() of each key, so lookups compare with ===. */
  #tkeys: unknown[] = [];
  #index: Map<unknown, number> | undefined = undefined;
  /** Cached canonical order: null = not computed, [] = insertion order is already canonical. */
  #order: number[] | null = null;

  constructor(entries?: Iterable<readonly [Term, Term]>) {
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  /**
   * For decoders: a map over arrays the caller hands over. The caller guarantees the keys are
   * distinct and `tkeys[i] === termKey(keys[i])`.
   */
  static fromArrays(keys: Term[], vals: Term[], tkeys: unknown[]): TermMap {
    const m = new TermMap();
    m.#keys = keys;
    m.#vals = vals;
    m.#tkeys = tkeys;
    if (keys.length > INDEX_AFTER) m.#reindex();
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

  #find(tk: unknown): number {
    if (this.#index !== undefined) return this.#index.get(tk) ?? -1;
    const t = this.#tkeys;
    for (let i = 0; i < t.length; i++) if (t[i] === tk) return i;
    return -1;
  }

  #push(key: Term, tk: unknown, value: Term): void {
    const i = this.#keys.length;
    this.#order = null;
    this.#keys.push(key);
    this.#vals.push(value);
    this.#tkeys.push(tk);
    if (this.#index !== undefined) this.#index.set(tk, i);
    else if (i >= INDEX_AFTER) this.#reindex();
  }

  #reindex(): void {
    const idx = new Map<unknown, number>();
    this.#tkeys.forEach((tk, i) => idx.set(tk, i));
    this.#index = idx;
  }

  get(key: Term): Term | undefined {
    const i = this.#find(termKey(key));
    return i < 0 ? undefined : this.#vals[i];
  }

  has(key: Term): boolean {
    return this.#find(termKey(key)) >= 0;
  }

  /** Sets `key`; a key equal to an existing one replaces its value and keeps its position. */
  set(key: Term, value: Term): this {
    const tk = termKey(key);
    const i = this.#find(tk);
    if (i >= 0) this.#vals[i] = value;
    else this.#push(key, tk, value);
    return this;
  }

  /** Adds a key that must be new; returns false (and changes nothing) if it is already present. */
  add(key: Term, value: Term): boolean {
    const tk = termKey(key);
    if (this.#find(tk) >= 0) return false;
    this.#push(key, tk, value);
    return true;
  }

  delete(key: Term): boolean {
    const i = this.#find(termKey(key));
    if (i < 0) return false;
    this.#order = null;
    this.#keys.splice(i, 1);
    this.#vals.splice(i, 1);
    this.#tkeys.splice(i, 1);
    if (this.#index !== undefined) this.#reindex();
    return true;
  }

  /**
   * The order `term_to_binary` writes the entries in: for maps of up to 32 keys, the indices
   * sorted by key in term order; an empty array when insertion order already is that order,
   * or when the map is larger (OTP then uses its hash order, which any decoder accepts).
   * Cached until the map changes.
   */
  canonicalOrder(): readonly number[] {
    if (this.#order !== null) return this.#order;
    const k = this.#keys;
    let sorted = k.length > FLATMAP_MAX;
    if (!sorted) {
      sorted = true;
      for (let i = 1; i < k.length; i++) {
        if (compare(k[i - 1]!, k[i]!) > 0) {
          sorted = false;
          break;
        }
      }
    }
    this.#order = sorted ? [] : k.map((_, i) => i).sort((x, y) => compare(k[x]!, k[y]!));
    return this.#order;
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
