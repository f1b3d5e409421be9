/**
 * The receive hot path's shortcut for the commonest control message, SEND_SENDER
 * `{22, From, To}` (every `Pid ! Msg` from OTP 21+): read from the bytes instead of decoding a
 * tuple, and hand back the same `Pid` objects while sender and target repeat — a stream of
 * messages between two processes then allocates no control term at all. Anything in another
 * form (a pid whose node is not an atom cache reference, another op) returns undefined and
 * goes through the ordinary decoder, which checks everything.
 */
import type { Atom } from '../../term/atom.js';
import { Pid } from '../../term/ids.js';

/** `104, 3, 97, 22`: SMALL_TUPLE_EXT of 3, SMALL_INTEGER_EXT 22 (SEND_SENDER). */
export function isSendSender(b: Uint8Array, p: number, end: number): boolean {
  return end - p >= 4 + 30 && b[p] === 104 && b[p + 1] === 3 && b[p + 2] === 97 && b[p + 3] === 22;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/** The last pid read in one position (sender or target). */
class Slot {
  node: Atom | undefined = undefined;
  id = -1;
  serial = -1;
  creation = -1;
  pid: Pid | undefined = undefined;
}

export class FastControl {
  readonly #from = new Slot();
  readonly #to = new Slot();
  /** Where the last {@link sendSender} stopped: the payload starts here. */
  end = 0;
  from: Pid | undefined = undefined;
  to: Pid | undefined = undefined;

  /**
   * `{22, From, To}` at `p` with both pids as NEW_PID_EXT whose node is an atom cache
   * reference into `atoms` (the header's list): true, with `from`, `to` and `end` set.
   */
  sendSender(b: Uint8Array, p: number, end: number, atoms: readonly (Atom | undefined)[]): boolean {
    const a = this.#pid(b, p + 4, end, atoms, this.#from);
    if (a < 0) return false;
    const c = this.#pid(b, a, end, atoms, this.#to);
    if (c < 0) return false;
    this.from = this.#from.pid;
    this.to = this.#to.pid;
    this.end = c;
    return true;
  }

  // NEW_PID_EXT (88), ATOM_CACHE_REF (82) index, ID, Serial, Creation: 15 bytes.
  #pid(b: Uint8Array, p: number, end: number, atoms: readonly (Atom | undefined)[], s: Slot): number {
    if (p + 15 > end || b[p] !== 88 || b[p + 1] !== 82) return -1;
    const node = atoms[b[p + 2]!];
    if (node === undefined) return -1;
    const id = u32(b, p + 3);
    const serial = u32(b, p + 7);
    const creation = u32(b, p + 11);
    if (s.node !== node || s.id !== id || s.serial !== serial || s.creation !== creation) {
      s.node = node;
      s.id = id;
      s.serial = serial;
      s.creation = creation;
      s.pid = new Pid(node, id, serial, creation);
    }
    return p + 15;
  }
}
