/**
 * What remote nodes may start here: factories by spawn name (Ergo's `EnableSpawn`, also
 * reachable from Erlang as an `{M, F, A}`) and applications (Ergo's
 * `EnableApplicationStart`), each allowed for every node or for listed nodes only.
 */
import { atom, Atom } from '../term/index.js';
import { Err, type Mfa } from '../gen/index.js';
import type { Factory } from './types.js';

interface SpawnEntry {
  factory: Factory;
  /** Nodes allowed; undefined = any node. */
  nodes: Set<Atom> | undefined;
}

export interface EnableSpawnOptions {
  /** Only these nodes may spawn it (default: any node). Calling again adds nodes. */
  nodes?: readonly (Atom | string)[];
  /**
   * The Erlang `{Module, Function}` that reaches it from BEAM (`erlang:spawn(Node, M, F, Args)`);
   * default `{Name, start}`. Args become the `init` arguments.
   */
  erlang?: { module: Atom | string; function: Atom | string };
}

const asAtom = (a: Atom | string): Atom => (typeof a === 'string' ? atom(a) : a);
const mfaKey = (m: Atom, f: Atom): string => `${m.name}\u0000${f.name}`;

export class SpawnRegistry {
  readonly #byName = new Map<Atom, SpawnEntry>();
  readonly #byMfa = new Map<string, Atom>();
  readonly #apps = new Map<Atom, Set<Atom> | undefined>();

  enableSpawn(name: Atom, factory: Factory, o: EnableSpawnOptions | undefined): void {
    const old = this.#byName.get(name);
    const nodes = o?.nodes === undefined ? undefined : new Set(o.nodes.map(asAtom));
    if (old !== undefined && old.factory === factory) {
      // Ergo: enabling again widens the list (or opens it to every node).
      if (nodes === undefined) old.nodes = undefined;
      else if (old.nodes !== undefined) for (const n of nodes) old.nodes.add(n);
    } else {
      this.#byName.set(name, { factory, nodes });
    }
    const m = asAtom(o?.erlang?.module ?? name);
    const f = asAtom(o?.erlang?.function ?? 'start');
    this.#byMfa.set(mfaKey(m, f), name);
  }

  /** Disallow `name` for the listed nodes, or entirely. */
  disableSpawn(name: Atom, nodes?: readonly (Atom | string)[]): void {
    const e = this.#byName.get(name);
    if (e === undefined) return;
    if (nodes === undefined || nodes.length === 0) {
      this.#byName.delete(name);
      for (const [k, v] of this.#byMfa) if (v === name) this.#byMfa.delete(k);
      return;
    }
    if (e.nodes !== undefined) for (const n of nodes) e.nodes.delete(asAtom(n));
  }

  /** The factory `requester` may spawn as `name`; throws `ERR_NOT_ALLOWED` otherwise. */
  resolve(requester: Atom, name: Atom | Mfa): Factory {
    const spawnName = name instanceof Atom ? name : this.#byMfa.get(mfaKey(name.module, name.function));
    const e = spawnName === undefined ? undefined : this.#byName.get(spawnName);
    const what = name instanceof Atom ? name.name : `${name.module.name}:${name.function.name}`;
    if (e === undefined) throw Err.notAllowed(`${what} is not enabled for remote spawn`);
    if (e.nodes !== undefined && !e.nodes.has(requester)) throw Err.notAllowed(`${what} is not enabled for remote spawn from ${requester.name}`);
    return e.factory;
  }

  enableApplicationStart(name: Atom, nodes?: readonly (Atom | string)[]): void {
    const set = nodes === undefined || nodes.length === 0 ? undefined : new Set(nodes.map(asAtom));
    if (this.#apps.has(name)) {
      const old = this.#apps.get(name);
      if (set === undefined) this.#apps.set(name, undefined);
      else if (old !== undefined) for (const n of set) old.add(n);
      return;
    }
    this.#apps.set(name, set);
  }

  disableApplicationStart(name: Atom, nodes?: readonly (Atom | string)[]): void {
    if (nodes === undefined || nodes.length === 0) {
      this.#apps.delete(name);
      return;
    }
    const set = this.#apps.get(name);
    if (set !== undefined) for (const n of nodes) set.delete(asAtom(n));
  }

  checkApplicationStart(requester: Atom, name: Atom): void {
    if (!this.#apps.has(name)) throw Err.notAllowed(`application ${name.name} is not enabled for remote start`);
    const set = this.#apps.get(name);
    if (set !== undefined && !set.has(requester)) throw Err.notAllowed(`application ${name.name} is not enabled for remote start from ${requester.name}`);
  }
}
