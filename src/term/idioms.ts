/**
 * Helpers for everyday Erlang idioms: charlists, `{ok, V}` / `{error, R}`, proplists and
 * records (tagged tuples).
 */
import { A, Atom, atom } from './atom.js';
import { equals } from './equal.js';
import { Tuple, type Term } from './types.js';

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** `"hello"` as Erlang source writes it: a list of code points. */
export function charlist(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

/**
 * The text of a charlist, or of a UTF-8 binary. Returns `undefined` when the term is neither
 * (a list holding anything but code points, invalid UTF-8).
 */
export function text(t: Term): string | undefined {
  if (typeof t === 'string') return t;
  if (t instanceof Uint8Array) {
    try {
      return textDecoder.decode(t);
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(t)) {
    let s = '';
    for (const c of t as readonly Term[]) {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return undefined;
      s += String.fromCodePoint(c);
    }
    return s;
  }
  return undefined;
}

/** `{ok, Value}` */
export function ok(value: Term): Tuple {
  return new Tuple([A.ok, value]);
}

/** `{error, Reason}` */
export function error(reason: Term): Tuple {
  return new Tuple([A.error, reason]);
}

/** The `V` of `{ok, V}`, else `undefined`. */
export function okValue(t: Term): Term | undefined {
  return t instanceof Tuple && t.elements.length === 2 && t.elements[0] === A.ok ? t.elements[1] : undefined;
}

/** The `R` of `{error, R}`, else `undefined`. */
export function errorReason(t: Term): Term | undefined {
  return t instanceof Tuple && t.elements.length === 2 && t.elements[0] === A.error ? t.elements[1] : undefined;
}

/** True for a tuple whose first element is `tag` (and, if given, of that size). */
export function isTagged(t: Term, tag: Atom | string, size?: number): t is Tuple {
  if (!(t instanceof Tuple) || t.elements.length === 0) return false;
  if (size !== undefined && t.elements.length !== size) return false;
  const first = t.elements[0];
  return first === (typeof tag === 'string' ? atom(tag) : tag);
}

// ---------------------------------------------------------------- proplists

/** `proplists:get_value(Key, List)`: the value of the first `{Key, V}`, `true` for a bare `Key`. */
export function propGet(list: Term, key: Term): Term | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const e of list as readonly Term[]) {
    if (e instanceof Tuple && e.elements.length >= 1 && equals(e.elements[0]!, key)) {
      return e.elements.length === 2 ? e.elements[1] : undefined;
    }
    if (equals(e, key)) return true;
  }
  return undefined;
}

/** Build a proplist from a JS object: `{a: 1, b: true}` → `[{a, 1}, b]` (bare atoms for `true`). */
export function proplist(obj: Record<string, Term>): Term[] {
  const out: Term[] = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k]!;
    out.push(v === true ? atom(k) : new Tuple([atom(k), v]));
  }
  return out;
}

// ---------------------------------------------------------------- records

/**
 * A record definition (`-record(person, {name, age})`): builds and reads the tagged tuples
 * `{person, Name, Age}` by field name.
 */
export class RecordDef<F extends string> {
  readonly tag: Atom;
  readonly fields: readonly F[];
  readonly #index: Map<string, number>;

  constructor(tag: string, fields: readonly F[]) {
    this.tag = atom(tag);
    this.fields = fields;
    this.#index = new Map(fields.map((f, i) => [f, i + 1]));
  }

  /** Missing fields are `undefined` (the atom), as Erlang's default. */
  make(values: Partial<Record<F, Term>>): Tuple {
    const el: Term[] = [this.tag];
    for (const f of this.fields) el.push(values[f] ?? A.undefined);
    return new Tuple(el);
  }

  is(t: Term): t is Tuple {
    return isTagged(t, this.tag, this.fields.length + 1);
  }

  get(t: Tuple, field: F): Term {
    const i = this.#index.get(field);
    if (i === undefined || !this.is(t)) throw new TypeError(`not a #${this.tag.name}{} record or no field ${field}`);
    return t.elements[i]!;
  }

  /** The record as a JS object keyed by field name. */
  toObject(t: Tuple): Record<F, Term> {
    if (!this.is(t)) throw new TypeError(`not a #${this.tag.name}{} record`);
    const o = {} as Record<F, Term>;
    this.fields.forEach((f, i) => (o[f] = t.elements[i + 1]!));
    return o;
  }
}

export function record<F extends string>(tag: string, fields: readonly F[]): RecordDef<F> {
  return new RecordDef(tag, fields);
}
