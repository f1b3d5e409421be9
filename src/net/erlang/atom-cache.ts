/**
 * The distribution header's atom cache (erl_ext_dist.md "Distribution Header"), one per
 * direction per connection: 2048 slots, addressed as SegmentIndex (3 bits, in the flag
 * nibble) and InternalSegmentIndex (1 byte). A header lists the atoms a message uses; each is
 * a new entry (text included, stored in its slot for the rest of the connection) or a
 * reference to a slot set earlier. In the terms, ATOM_CACHE_REF (82) points at a position in
 * that list, not at a slot.
 *
 * Flag nibble k (k = 0..N−1 per atom, k = N for the header flags) is in byte k>>1, the low
 * nibble when k is even; nibble bit 3 = new entry, bits 0–2 = segment; header flag bit 0 =
 * LongAtoms (2-byte atom lengths).
 */
import { Atom, MAX_ATOM_CHARACTERS } from '../../term/atom.js';
import type { Writer } from '../../codec/writer.js';
import { DistCode, DistError } from './errors.js';

export const CACHE_SLOTS = 2048;
/** OTP uses 2039 slots (ERTS_USE_ATOM_CACHE_SIZE, a prime) of the 2048 the format allows. */
const USED_SLOTS = 2039;
export const MAX_REFS = 255;

interface OutEntry {
  atom: Atom;
  slot: number;
  /** The message this entry was last listed in, and its position there. */
  msg: number;
  index: number;
  isNew: boolean;
}

function slotOf(a: Atom): number {
  let h = 0x811c9dc5;
  const b = a.utf8;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return (h >>> 0) % USED_SLOTS;
}

/**
 * Our side of the cache: decides, atom by atom while a message is encoded, whether the atom
 * goes into the header (and where) or stays inline, then writes the header and commits the new
 * entries. An atom shorter than 2 bytes is always inline: a reference would cost more.
 */
export class OutAtomCache {
  readonly #slots: (Atom | undefined)[] = new Array(CACHE_SLOTS).fill(undefined);
  readonly #slotMsg = new Int32Array(CACHE_SLOTS);
  readonly #entries = new Map<Atom, OutEntry>();
  readonly #refs: OutEntry[] = [];
  #n = 0;
  #msg = 0;
  #long = false;
  #textBytes = 0;
  /** Atoms sent as new cache entries, and as references to entries sent before. */
  newEntries = 0;
  hits = 0;

  /** The encoder's `atomIndex` hook: position in this message's header, or −1 for inline. */
  readonly index = (a: Atom): number => {
    const len = a.utf8.length;
    if (len < 2) return -1;
    let e = this.#entries.get(a);
    if (e === undefined) {
      e = { atom: a, slot: slotOf(a), msg: -1, index: 0, isNew: true };
      this.#entries.set(a, e);
    } else if (e.msg === this.#msg) return e.index;
    if (this.#n >= MAX_REFS) return -1;
    const slot = e.slot;
    // Two atoms of one message in one slot would leave the peer's slot ambiguous mid-header.
    if (this.#slotMsg[slot] === this.#msg) return -1;
    this.#slotMsg[slot] = this.#msg;
    e.msg = this.#msg;
    e.index = this.#n;
    e.isNew = this.#slots[slot] !== a;
    if (e.isNew) {
      this.#textBytes += len;
      if (len > 255) this.#long = true;
    }
    this.#refs[this.#n++] = e;
    return e.index;
  };

  /** Start a message. */
  begin(): void {
    // Stamps start at 1 so the zero-filled slot stamps never match.
    this.#msg = this.#msg === 0x7fffffff ? 1 : this.#msg + 1;
    if (this.#msg === 1) this.#slotMsg.fill(0);
    this.#n = 0;
    this.#long = false;
    this.#textBytes = 0;
  }

  /** Atoms listed in the current message. */
  get count(): number {
    return this.#n;
  }

  /** Bytes of N, the flags and the references (everything after `131, 68`). */
  headerSize(): number {
    const n = this.#n;
    if (n === 0) return 1;
    let size = 1 + (n >> 1) + 1 + n;
    for (let i = 0; i < n; i++) {
      const e = this.#refs[i]!;
      if (e.isNew) size += (this.#long ? 2 : 1) + e.atom.utf8.length;
    }
    return size;
  }

  /** Write N, the flags and the references; commits the new entries to our view of the peer's cache. */
  writeHeader(w: Writer): void {
    const n = this.#n;
    w.u8(n);
    if (n === 0) return;
    const flagBytes = (n >> 1) + 1;
    w.ensure(flagBytes);
    const fp = w.pos;
    const b = w.buf;
    for (let i = 0; i < flagBytes; i++) b[fp + i] = 0;
    for (let i = 0; i < n; i++) {
      const e = this.#refs[i]!;
      const nib = (e.isNew ? 8 : 0) | ((e.slot >> 8) & 7);
      b[fp + (i >> 1)]! |= (i & 1) === 0 ? nib : nib << 4;
    }
    if (this.#long) b[fp + (n >> 1)]! |= (n & 1) === 0 ? 1 : 1 << 4;
    w.pos = fp + flagBytes;
    for (let i = 0; i < n; i++) {
      const e = this.#refs[i]!;
      w.u8(e.slot & 0xff);
      if (!e.isNew) this.hits++;
      else {
        this.newEntries++;
        const t = e.atom.utf8;
        if (this.#long) w.u16(t.length);
        else w.u8(t.length);
        w.bytes(t);
        this.#slots[e.slot] = e.atom;
      }
    }
  }
}

/** The peer's side as we receive it: slots filled by new entries, read by references. */
export class InAtomCache {
  readonly #slots: (Atom | undefined)[] = new Array(CACHE_SLOTS).fill(undefined);
  #maxAtoms: number;
  /** New entries received, and references to earlier ones. */
  newEntries = 0;
  hits = 0;
  /** How many references the last header read listed. */
  count = 0;

  constructor(maxAtoms = 1_048_576) {
    this.#maxAtoms = maxAtoms;
  }

  /**
   * Read N, the flags and the references at `pos` (just after `131, 68` or the fragment ids)
   * into `out[0..N)`; returns the offset after the header, and leaves N in `count`. Throws
   * DistError BadHeader for anything OTP's erts_prepare_dist_ext refuses.
   */
  readHeader(b: Uint8Array, pos: number, end: number, out: Atom[]): number {
    if (pos >= end) throw badHeader('no atom count');
    const n = b[pos++]!;
    this.count = 0;
    if (n === 0) return pos;
    const flagBytes = (n >> 1) + 1;
    if (pos + flagBytes > end) throw badHeader('atom cache flags cut short');
    const fp = pos;
    pos += flagBytes;
    const long = ((b[fp + (n >> 1)]! >> ((n & 1) << 2)) & 1) === 1;
    for (let i = 0; i < n; i++) {
      const nib = (b[fp + (i >> 1)]! >> ((i & 1) << 2)) & 0xf;
      if (pos >= end) throw badHeader('atom cache reference cut short');
      const slot = ((nib & 7) << 8) | b[pos++]!;
      if ((nib & 8) === 0) {
        const a = this.#slots[slot];
        if (a === undefined) throw badHeader(`atom cache reference to empty slot ${slot}`);
        out[i] = a;
        this.hits++;
      } else {
        let len: number;
        if (long) {
          if (pos + 2 > end) throw badHeader('atom length cut short');
          len = (b[pos]! << 8) | b[pos + 1]!;
          pos += 2;
        } else {
          if (pos >= end) throw badHeader('atom length cut short');
          len = b[pos++]!;
        }
        if (pos + len > end) throw badHeader('atom text cut short');
        const a = this.#intern(b, pos, len);
        pos += len;
        this.#slots[slot] = a;
        out[i] = a;
        this.newEntries++;
      }
      this.count = i + 1;
    }
    return pos;
  }

  #intern(b: Uint8Array, pos: number, len: number): Atom {
    let name: string;
    try {
      name = utf8.decode(b.subarray(pos, pos + len));
    } catch (e) {
      throw badHeader('atom text is not UTF-8', e);
    }
    const found = Atom.existing(name);
    if (found) return found;
    if (len > MAX_ATOM_CHARACTERS && [...name].length > MAX_ATOM_CHARACTERS) throw badHeader('atom of more than 255 characters');
    if (Atom.count >= this.#maxAtoms) throw badHeader('atom table is full');
    return Atom.of(name);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function badHeader(what: string, cause?: unknown): DistError {
  return new DistError(DistCode.BadHeader, `bad distribution header: ${what}`, cause === undefined ? undefined : { cause });
}
