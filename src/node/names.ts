/**
 * Registered names and aliases: the two ways to address a local process besides its pid.
 * Deleting an alias fires the links and monitors made on it (as if it died, reason `normal`).
 */
import { A, Alias, type Atom } from '../term/index.js';
import { Err, ErrCode, RuntimeError } from '../gen/index.js';
import type { ProcessImpl } from './process.js';
import type { RefKey } from './relations.js';
import type { Core } from './core.js';

export class Names {
  readonly #core: Core;
  readonly #names = new Map<Atom, ProcessImpl>();
  readonly #aliases = new Map<RefKey, ProcessImpl>();

  constructor(core: Core) {
    this.#core = core;
  }

  whereis(name: Atom): ProcessImpl | undefined {
    return this.#names.get(name);
  }

  has(name: Atom): boolean {
    return this.#names.has(name);
  }

  register(name: Atom, p: ProcessImpl): void {
    if (this.#names.has(name)) throw Err.taken(name.name);
    if (p.name !== undefined) throw Err.taken(`${p.pid} already registered as ${p.name.name}`);
    this.#names.set(name, p);
    p.name = name;
  }

  unregister(name: Atom): void {
    const p = this.#names.get(name);
    if (p === undefined) throw Err.nameUnknown(name.name);
    this.#names.delete(name);
    p.name = undefined;
  }

  /** Drop `p`'s name, if it still holds it (the process ended). */
  release(p: ProcessImpl): void {
    if (p.name !== undefined && this.#names.get(p.name) === p) this.#names.delete(p.name);
  }

  list(): Atom[] {
    return [...this.#names.keys()];
  }

  createAlias(p: ProcessImpl): Alias {
    const r = this.#core.ids.makeRef();
    const a = new Alias(r.node, r.creation, r.ids);
    const k = this.#core.ids.refKey(a);
    const x = p.ext();
    (x.aliases ?? (x.aliases = new Map())).set(k, a);
    this.#aliases.set(k, p);
    return a;
  }

  deleteAlias(p: ProcessImpl, a: Alias): void {
    const k = this.#core.ids.refKey(a);
    const owner = this.#aliases.get(k);
    if (owner === undefined) throw Err.aliasUnknown(a);
    if (owner !== p) throw new RuntimeError(ErrCode.AliasOwner, `${p.pid} does not own ${a}`);
    this.#aliases.delete(k);
    p.x?.aliases?.delete(k);
    // Links and monitors on the alias fire as if it died (Ergo: the alias is gone).
    this.#core.targets.aliasGone(p, a, A.normal);
  }

  /** Drop every alias of `p` (the process ended). */
  releaseAliases(p: ProcessImpl): void {
    const own = p.x?.aliases;
    if (own !== undefined) for (const k of own.keys()) this.#aliases.delete(k);
  }

  /** The process an alias (or a reference with an alias's identity) belongs to. */
  aliasOwner(a: Alias): ProcessImpl | undefined {
    return this.#aliases.get(this.#core.ids.refKey(a));
  }

  aliasCount(): number {
    return this.#aliases.size;
  }
}
