/**
 * Identities besides pids that both protocols address: a registered name on a node (Erlang's
 * `{Name, Node}`, Ergo's `gen.ProcessID`) and an event on a node (Ergo's `gen.Event`). The
 * runtime and the EDF codec share these classes.
 */
import { atom, type Atom } from './atom.js';
import { Tuple } from './types.js';

/** A registered name on a node: Erlang's `{Name, Node}`, Ergo's `gen.ProcessID`. */
export class ProcessID {
  constructor(
    readonly name: Atom,
    readonly node: Atom,
  ) {}
  equals(o: unknown): boolean {
    return o instanceof ProcessID && o.name === this.name && o.node === this.node;
  }
  /** The Erlang form, `{Name, Node}`. */
  toTerm(): Tuple {
    return new Tuple([this.name, this.node]);
  }
  toString(): string {
    return `{${this.name.name}, ${this.node.name}}`;
  }
}

/** `processId('db', 'n1@host')` */
export function processId(name: Atom | string, node: Atom | string): ProcessID {
  return new ProcessID(typeof name === 'string' ? atom(name) : name, typeof node === 'string' ? atom(node) : node);
}

/** An event registered by a process on a node (Ergo's `gen.Event`). */
export class Event {
  constructor(
    readonly name: Atom,
    readonly node: Atom,
  ) {}
  equals(o: unknown): boolean {
    return o instanceof Event && o.name === this.name && o.node === this.node;
  }
  toString(): string {
    return `Event<${this.name.name}@${this.node.name}>`;
  }
}

/** `event('prices', 'n1@host')` */
export function event(name: Atom | string, node: Atom | string): Event {
  return new Event(typeof name === 'string' ? atom(name) : name, typeof node === 'string' ? atom(node) : node);
}
