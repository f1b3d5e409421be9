/**
 * Static routes (ergo node/static.go, gen.NetworkRoute): a node-name pattern (a regular
 * expression tested unanchored, like Go's MatchString) → where and how to connect. Routes are
 * tried by descending weight before the registrar is asked.
 */
import type { NetworkFlags } from '../../codec/edf/index.js';
import type { Atom } from '../../term/atom.js';
import { ErgoNetCode, ErgoNetError } from './errors.js';
import type { Route } from './registrar-server.js';

export interface StaticRoute {
  /** Default: the host part of the node name. */
  host?: string;
  /** Needed unless `resolver` gives routes. */
  port?: number;
  tls?: boolean;
  /** Cookie for this route (default: the node's). */
  cookie?: string;
  /** Flags announced on connections made by this route (default: the node's). */
  flags?: NetworkFlags;
  /** Skip certificate verification on TLS (default: the node's setting). */
  insecureSkipVerify?: boolean;
  /** Ask this for routes instead (ergo NetworkRoute.Resolver); tried in order. */
  resolver?: (name: Atom) => Promise<Route[]>;
}

interface Entry {
  match: string;
  re: RegExp;
  route: StaticRoute;
  weight: number;
}

export class StaticRoutes {
  readonly #m = new Map<string, Entry>();

  /** Add a route for names matching `match`. Same pattern twice: `ERR_ERGO_…` NameTaken (Go: ErrTaken). */
  add(match: string, route: StaticRoute, weight = 0): void {
    if (this.#m.has(match)) throw new ErgoNetError(ErgoNetCode.NameTaken, `a static route for ${match} exists`);
    let re: RegExp;
    try {
      re = new RegExp(match);
    } catch (e) {
      throw new ErgoNetError(ErgoNetCode.BadNodeName, `bad route pattern ${match}`, { cause: e });
    }
    this.#m.set(match, { match, re, route, weight });
  }

  remove(match: string): boolean {
    return this.#m.delete(match);
  }

  /** Routes whose pattern matches `name`, heaviest first. */
  lookup(name: string): StaticRoute[] {
    const hits = [...this.#m.values()].filter((e) => e.re.test(name));
    hits.sort((a, b) => b.weight - a.weight);
    return hits.map((e) => e.route);
  }

  list(): { match: string; weight: number; route: StaticRoute }[] {
    return [...this.#m.values()].map(({ match, weight, route }) => ({ match, weight, route }));
  }
}
