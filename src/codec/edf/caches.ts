/**
 * The three per-connection dictionaries of EDF (ergo net/edf/register.go, exchanged once in the
 * handshake's MessageIntroduce): atoms (ids ≥ 256), registered type names (ids ≥ 4096) and
 * errors (ids ≥ 32768). They are asymmetric: each side encodes with the ids it announced and
 * decodes with the ids the peer announced.
 *
 * - {@link EdfEncodeCache}: our own announced tables (encode side). Optional — with none, every
 *   atom, type name and error goes inline, which Go decodes fine.
 * - {@link EdfDecodeCache}: the peer's tables (decode side). Mandatory against Go, which always
 *   uses its ids (its node name in every PID, every framework type, the framework errors).
 */
import type { Atom } from '../../term/atom.js';
import { EncodeError } from '../errors.js';
import { defaultRegistry, foldHasReg, RegType, typeOf, writeFold, type EdfRegistry, type EdfType } from './types.js';
import { frameworkError, type EdfError } from './values.js';

const textEncoder = new TextEncoder();
const FIRST_ATOM_ID = 256;
const FIRST_REG_ID = 4096;
const FIRST_ERR_ID = 32768;
/** Go's addAtomCache keeps the last 1000 ids free. */
const LAST_ATOM_ID = 65535 - 1000;
const LAST_REG_ID = 65535;
/** 65535 is the nil error header. */
const LAST_ERR_ID = 65534;

/** The tables exactly as MessageIntroduce carries them (`map[uint16]gen.Atom`, `map[uint16]string`, `map[uint16]error`). */
export interface EdfTables {
  atoms?: ReadonlyMap<number, Atom> | null;
  types?: ReadonlyMap<number, string> | null;
  errors?: ReadonlyMap<number, EdfError> | null;
}

/**
 * Our announced tables, for encoding. Build it once per node (ids are per node, like Go's
 * process-global counters) and pass it in every connection's encode options; `tables()` gives
 * the maps to put in our MessageIntroduce.
 */
export class EdfEncodeCache {
  readonly atoms = new Map<Atom, number>();
  readonly types = new Map<RegType, number>();
  readonly errors = new Map<EdfError, number>();
  #nextAtom = FIRST_ATOM_ID;
  #nextReg = FIRST_REG_ID;
  #nextErr = FIRST_ERR_ID;
  /** Folds that mention registered types, rewritten with our ids. */
  #folds = new WeakMap<EdfType, Uint8Array>();
  /** `83 id` per cached type. */
  #regRefs = new Map<RegType, Uint8Array>();

  /** Types may be given as RegTypes or struct classes. */
  constructor(init?: { atoms?: Iterable<Atom>; types?: Iterable<RegType | { readonly edf: RegType }>; errors?: Iterable<EdfError> }) {
    if (init?.atoms) for (const a of init.atoms) this.addAtom(a);
    if (init?.types) for (const t of init.types) this.addType(t);
    if (init?.errors) for (const e of init.errors) this.addError(e);
  }

  /**
   * A cache with exactly these ids (e.g. to mirror a Go node's tables in tests). Type names
   * must be registered in `registry`; errors keep their identity (encode by `===`).
   */
  static fromTables(tables: EdfTables, registry: EdfRegistry = defaultRegistry): EdfEncodeCache {
    const c = new EdfEncodeCache();
    if (tables.atoms) for (const [id, a] of tables.atoms) c.#set(c.atoms, a, id, FIRST_ATOM_ID, 65535, 'atom');
    if (tables.types) {
      for (const [id, name] of tables.types) {
        const t = registry.get(name);
        if (t === undefined) throw new EncodeError('ERR_EDF_UNKNOWN_TYPE', `${name} is not registered`);
        c.#set(c.types, t, id, FIRST_REG_ID, LAST_REG_ID, 'type');
        c.#regRefs.set(t, Uint8Array.of(0x83, id >>> 8, id & 0xff));
      }
    }
    if (tables.errors) for (const [id, e] of tables.errors) c.#set(c.errors, e, id, FIRST_ERR_ID, LAST_ERR_ID, 'error');
    c.#nextAtom = Math.max(c.#nextAtom, ...[...c.atoms.values()].map((i) => i + 1));
    c.#nextReg = Math.max(c.#nextReg, ...[...c.types.values()].map((i) => i + 1));
    c.#nextErr = Math.max(c.#nextErr, ...[...c.errors.values()].map((i) => i + 1));
    return c;
  }

  #set<K>(m: Map<K, number>, k: K, id: number, lo: number, hi: number, what: string): void {
    if (!Number.isInteger(id) || id < lo || id > hi) throw new EncodeError('ERR_EDF_BAD_CACHE_ID', `${what} cache id ${id} outside ${lo}..${hi}`);
    m.set(k, id);
  }

  /** Give `a` the next atom id (256, 257, …); returns its id. Do this before announcing. */
  addAtom(a: Atom): number {
    const old = this.atoms.get(a);
    if (old !== undefined) return old;
    if (this.#nextAtom > LAST_ATOM_ID) throw new EncodeError('ERR_EDF_CACHE_FULL', 'too many cached atoms');
    if (a.utf8.length > 255) throw new EncodeError('ERR_EDF_ATOM_TOO_LONG', `atom of ${a.utf8.length} bytes cannot be encoded`);
    const id = this.#nextAtom++;
    this.atoms.set(a, id);
    return id;
  }

  addType(type: RegType | { readonly edf: RegType }): number {
    const t = typeOf(type);
    if (!(t instanceof RegType)) throw new EncodeError('ERR_EDF_BAD_TYPE', `${t.goName} is not a registered type`);
    const old = this.types.get(t);
    if (old !== undefined) return old;
    if (this.#nextReg > LAST_REG_ID) throw new EncodeError('ERR_EDF_CACHE_FULL', 'too many cached types');
    const id = this.#nextReg++;
    this.types.set(t, id);
    this.#regRefs.set(t, Uint8Array.of(0x83, id >>> 8, id & 0xff));
    return id;
  }

  addError(e: EdfError): number {
    const old = this.errors.get(e);
    if (old !== undefined) return old;
    if (this.#nextErr > LAST_ERR_ID) throw new EncodeError('ERR_EDF_CACHE_FULL', 'too many cached errors');
    if (textEncoder.encode(e.message).length > 32767) throw new EncodeError('ERR_EDF_ERROR_TOO_LONG', 'error message over 32767 bytes');
    const id = this.#nextErr++;
    this.errors.set(e, id);
    return id;
  }

  /** The id → value maps to announce in MessageIntroduce (null for an empty table, as Go sends). */
  tables(): { atoms: Map<number, Atom> | null; types: Map<number, string> | null; errors: Map<number, EdfError> | null } {
    const atoms = new Map<number, Atom>();
    for (const [a, id] of this.atoms) atoms.set(id, a);
    const types = new Map<number, string>();
    for (const [t, id] of this.types) types.set(id, t.name);
    const errors = new Map<number, EdfError>();
    for (const [e, id] of this.errors) errors.set(id, e);
    return { atoms: atoms.size ? atoms : null, types: types.size ? types : null, errors: errors.size ? errors : null };
  }

  /** @internal `83 id` for a cached type. */
  regRef(t: RegType): Uint8Array | undefined {
    return this.#regRefs.get(t);
  }

  /** @internal the fold of `t` using our type ids (Go's getEncoder with a RegCache). */
  fold(t: EdfType): Uint8Array {
    if (this.types.size === 0 || !foldHasReg(t)) return t.fold;
    let f = this.#folds.get(t);
    if (f === undefined) {
      const out: number[] = [];
      writeFold(t, out, (r) => this.types.get(r));
      f = Uint8Array.from(out);
      this.#folds.set(t, f);
    }
    return f;
  }
}

/**
 * The peer's announced tables, for decoding. Type names resolve against `registry` when the
 * cache is built; a name we do not know stays a name and fails only if a message uses it (as
 * in Go). Errors whose message equals one of ours (the framework catalogue, plus `local`) map
 * to our singleton, so `reason === GoErr.TerminateReasonNormal` holds (Go makeDecodeErrCache).
 */
export class EdfDecodeCache {
  /** Indexed by id. */
  readonly atoms: (Atom | undefined)[] = [];
  readonly types: (RegType | string | undefined)[] = [];
  readonly errors: (EdfError | undefined)[] = [];
  /** False when the peer announced no atoms (Go: "no AtomCache to decode id N"). */
  readonly hasAtoms: boolean;
  readonly hasTypes: boolean;
  readonly hasErrors: boolean;

  constructor(tables: EdfTables, registry: EdfRegistry = defaultRegistry, local?: Iterable<EdfError>) {
    const mine = new Map<string, EdfError>();
    if (local) for (const e of local) mine.set(e.message, e);
    this.hasAtoms = !!tables.atoms && tables.atoms.size > 0;
    this.hasTypes = !!tables.types && tables.types.size > 0;
    this.hasErrors = !!tables.errors && tables.errors.size > 0;
    if (tables.atoms) for (const [id, a] of tables.atoms) if (id >= FIRST_ATOM_ID && id <= 0xffff) this.atoms[id] = a;
    if (tables.types) for (const [id, name] of tables.types) if (id >= FIRST_REG_ID && id <= 0xffff) this.types[id] = registry.get(name) ?? name;
    if (tables.errors) {
      for (const [id, e] of tables.errors) {
        if (id < FIRST_ERR_ID || id > LAST_ERR_ID) continue;
        this.errors[id] = mine.get(e.message) ?? frameworkError(e.message) ?? e;
      }
    }
  }
}
