/**
 * Environment variables: a chain of scopes, innermost first — process, parent (as it was at
 * spawn), application, node. Scopes are shared until written (copy on write), so spawning a
 * process costs no copy.
 */
import type { ProcessImpl } from './process.js';

/** A chain of environment maps, innermost first. Shared between processes until written. */
export interface EnvScope {
  vars: Map<string, unknown>;
  up: EnvScope | undefined;
}

export class Env {
  readonly root: EnvScope;

  constructor(vars: Record<string, unknown> | undefined) {
    this.root = { vars: new Map(Object.entries(vars ?? {})), up: undefined };
  }

  lookup(s: EnvScope | undefined, name: string): unknown {
    for (let e = s; e !== undefined; e = e.up) {
      if (e.vars.has(name)) return e.vars.get(name);
    }
    return undefined;
  }

  flatten(s: EnvScope | undefined): Record<string, unknown> {
    const chain: EnvScope[] = [];
    for (let e = s; e !== undefined; e = e.up) chain.push(e);
    const out: Record<string, unknown> = {};
    for (let i = chain.length - 1; i >= 0; i--) for (const [k, v] of chain[i]!.vars) out[k] = v;
    return out;
  }

  /** Set (or, with `undefined`, remove) a variable in the process's own layer. */
  set(p: ProcessImpl, name: string, value: unknown): void {
    const x = p.ext();
    // Copy on write: a scope shared with the parent gets a private layer on top.
    if (x.env === undefined || !x.ownEnv) {
      x.env = { vars: new Map(), up: x.env ?? this.root };
      x.ownEnv = true;
    }
    if (value === undefined) x.env.vars.delete(name);
    else x.env.vars.set(name, value);
  }

  /** A process's own layer over `up` (spawn option `env`). */
  layer(vars: Record<string, unknown>, up: EnvScope | undefined): EnvScope {
    return { vars: new Map(Object.entries(vars)), up: up ?? this.root };
  }

  /** A scope for an application: its env over the node's. */
  appScope(env: Record<string, unknown> | undefined): EnvScope {
    return { vars: new Map(Object.entries(env ?? {})), up: this.root };
  }
}
