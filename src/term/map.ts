/**
 * An Erlang map: any term can be a key, compared structurally (`=:=`), so `{1, 2}` built twice
 * finds the same entry and `1` and `1.0` are different keys. Iteration follows insertion order,
 * and decoders insert in wire order, so a decoded map re-encodes to the same bytes.
 */
import { termKey } from './equal.js';
import type { Term } from './types.js';

export class TermMap implements Iterable<[Term, Term]> {
  // termKey(k) → [original key, value]
  readonly #entries = new Map<unknown, [Term, Term]>();

  constructor(entries?: Iterable<readonly [Term, Term]>) {
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  /** Build from a plain object: keys become atoms (`{a: 1}` → `#{a => 1}`). */
  static fromAtomKeys(obj: Record<string, Term>, atomOf: (name: string) => Term): TermMap {
    const m = new TermMap();
    for (const k of Object.keys(obj)) m.set(atomOf(k), obj[k]!);
    return m;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: Term): Term | undefined {
    return this.#entries.get(termKey(key))?.[1];
  }

  has(key: Term): boolean {
    return this.#entries.has(termKey(key));
  }

  /** Sets `key`; a key equal to an existing one replaces its value and keeps its position. */
  set(key: Term, value: Term): this {
    const k = termKey(key);
    const e = this.#entries.get(k);
    if (e) e[1] = value;
    else this.#entries.set(k, [key, value]);
    return this;
  }

  delete(key: Term): boolean {
    return this.#entries.delete(termKey(key));
  }

  *keys(): IterableIterator<Term> {
    for (const e of this.#entries.values()) yield e[0];
  }

  *values(): IterableIterator<Term> {
    for (const e of this.#entries.values()) yield e[1];
  }

  entries(): IterableIterator<[Term, Term]> {
    return this.#entries.values();
  }

  [Symbol.iterator](): IterableIterator<[Term, Term]> {
    return this.#entries.values();
  }
}
