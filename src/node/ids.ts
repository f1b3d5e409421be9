/**
 * The node's identifiers: pids (ids from 1000 up; the serial bumps when the id wraps at 2^32)
 * and references (three words: a 53-bit counter and a per-node salt), plus the keys the
 * runtime files them under. The creation can still change while the network starts (EPMD
 * assigns one); the first pid or reference handed out fixes it.
 */
import { Pid, Ref, type Atom, type Creation } from '../term/index.js';
import { Err } from '../gen/index.js';
import type { RefKey } from './relations.js';

const TWO32 = 0x1_0000_0000;

export class Ids {
  readonly name: Atom;
  #creation: Creation;
  #sealed = false;
  #nextId = 1000;
  #serial = 0;
  #refCounter = 0;
  /** Never 0, so a reference's third word tells ours from a zero-padded stranger. */
  readonly #salt = (((Math.random() * TWO32) >>> 0) | 1) >>> 0;
  #pid: Pid | undefined = undefined;

  constructor(name: Atom, creation: Creation) {
    this.name = name;
    this.#creation = creation;
  }

  get creation(): Creation {
    return this.#creation;
  }

  /** Replace the creation; only before the first pid or reference exists. */
  setCreation(c: Creation): void {
    if (this.#sealed) throw Err.notAllowed('the creation cannot change once the node has handed out pids or references');
    this.#creation = c;
  }

  /** The node's own pid (Ergo's core pid): sender of node-originated messages, parent of top-level processes. */
  get pid(): Pid {
    if (this.#pid === undefined) {
      this.#sealed = true;
      this.#pid = new Pid(this.name, 1, 0, this.#creation);
    }
    return this.#pid;
  }

  newPid(): Pid {
    this.#sealed = true;
    const id = this.#nextId++;
    if (this.#nextId >= TWO32) {
      this.#nextId = 1000;
      this.#serial++;
    }
    return new Pid(this.name, id, this.#serial, this.#creation);
  }

  /** A fresh reference of this node. */
  makeRef(): Ref {
    this.#sealed = true;
    const n = ++this.#refCounter;
    return new Ref(this.name, this.#creation, [n % TWO32, Math.floor(n / TWO32), this.#salt]);
  }

  /**
   * The key of a reference (or alias): a number for our own, its identity string for anyone
   * else's. Trailing zero words do not count, so our reference comes back to the same key
   * after a trip through an Ergo peer (which widens it to 3×u64).
   */
  refKey(r: Ref): RefKey {
    const ids = r.ids;
    if (r.node === this.name && r.creation === this.#creation && ids[2] === this.#salt && r.significantWords === 3) {
      return ids[0]! + ids[1]! * TWO32;
    }
    return r.identity;
  }

  /** Whether `p` is a pid of this node's current incarnation. */
  isLocal(p: Pid): boolean {
    return p.node === this.name && p.creation === this.#creation;
  }
}
