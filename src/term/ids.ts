/**
 * Process identifiers, references, aliases and ports, in one form that holds both
 * Erlang's and Ergo's without loss:
 *
 * | concept | Erlang (ETF)                               | Ergo (EDF)                                   | here                                   |
 * |---------|--------------------------------------------|----------------------------------------------|----------------------------------------|
 * | pid     | node, ID u32, Serial u32, Creation u32     | node, ID u64, Creation i64                   | `id` = low 32 bits, `serial` = high 32 |
 * | ref     | node, Creation u32, 1..5 u32 words         | node, Creation i64, ID [3]u64                | `ids`: 1..5 words, 3..6 for Ergo       |
 * | alias   | a ref                                      | node, Creation i64, ID [3]u64 (own tag)      | `Alias` (a `Ref` subclass)             |
 * | port    | node, ID u32 or u64 (V4), Creation u32     | —                                            | `id` number or bigint                  |
 *
 * `creation` is a number whenever it is a safe integer (always, for Erlang's u32 and for
 * Ergo's Unix-time creations) and a bigint only beyond ±(2^53−1), so `===` compares it.
 *
 * **Identity across wires.** The same pid, reference or alias can reach us in either format: a
 * reference we made (three 32-bit words) comes back from an Ergo peer as three u64s (six
 * words, the top ones zero), and an alias that went through a BEAM node comes back as a plain
 * reference (Erlang has no alias type). `equals` and {@link Ref.identity} compare the identity,
 * not the wire form: node, creation and the words with trailing zero words ignored, and an
 * `Alias` equals the `Ref` with the same identity. The `ids` array keeps the exact wire form,
 * so a decoded value still re-encodes to the same bytes.
 */
import type { Atom } from './atom.js';

export type Creation = number | bigint;

const TWO32 = 0x1_0000_0000;

/** A safe integer as a number, anything larger as a bigint: the canonical form we store. */
export function canonicalInt(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

export class Pid {
  constructor(
    readonly node: Atom,
    /** Erlang ID (u32); for Ergo, the low 32 bits of the u64 ID. */
    readonly id: number,
    /** Erlang Serial (u32); for Ergo, the high 32 bits of the u64 ID. */
    readonly serial: number,
    readonly creation: Creation,
  ) {}

  /** An Ergo `gen.PID{Node, ID uint64, Creation int64}`. */
  static ergo(node: Atom, id: bigint, creation: bigint | number): Pid {
    const lo = Number(id & 0xffff_ffffn);
    const hi = Number((id >> 32n) & 0xffff_ffffn);
    return new Pid(node, lo, hi, typeof creation === 'bigint' ? canonicalInt(creation) : creation);
  }

  /** The 64-bit identity Ergo uses (`serial << 32 | id`). */
  get ergoId(): bigint {
    return (BigInt(this.serial) << 32n) | BigInt(this.id);
  }

  /** Same as {@link ergoId} as a number when it is below 2^53 (always true for local pids). */
  get number(): number {
    return this.serial * TWO32 + this.id;
  }

  /**
   * A string naming this pid and nothing else (node, id, serial, creation), for use as a map
   * key; equal for pids that are {@link equals}.
   */
  get identity(): string {
    return `${this.node.name}|${this.id}|${this.serial}|${String(this.creation)}`;
  }

  equals(o: unknown): boolean {
    return (
      o instanceof Pid &&
      o.node === this.node &&
      o.id === this.id &&
      o.serial === this.serial &&
      o.creation === this.creation
    );
  }

  toString(): string {
    return `<${this.node.name}.${this.id}.${this.serial}>`;
  }
}

export class Ref {
  constructor(
    readonly node: Atom,
    readonly creation: Creation,
    /**
     * Erlang: 1..5 u32 words as received, first word first (never padded or trimmed).
     * Ergo: the low then high half of ID[0], ID[1], ID[2], without trailing zero words beyond
     * the third (3 to 6 words; `Ref.ergo` and the EDF decoder both build this form).
     */
    readonly ids: readonly number[],
  ) {}

  /** An Ergo `gen.Ref{Node, Creation int64, ID [3]uint64}`. */
  static ergo(node: Atom, creation: bigint | number, id0: bigint, id1: bigint, id2: bigint): Ref {
    return new Ref(node, typeof creation === 'bigint' ? canonicalInt(creation) : creation, ergoWords(id0, id1, id2));
  }

  /** True when this reference needs all six words of Ergo's 3×u64 layout (no Erlang form has six). */
  get isErgo(): boolean {
    return this.ids.length === 6;
  }

  /** The three u64 IDs of Ergo's layout; an Erlang ref is widened (word i → ID[i>>1] half i&1). */
  ergoIds(): [bigint, bigint, bigint] {
    const w = this.ids;
    const word = (i: number) => BigInt(w[i] ?? 0);
    return [word(0) | (word(1) << 32n), word(2) | (word(3) << 32n), word(4) | (word(5) << 32n)];
  }

  /**
   * How many words carry the identity: the length without trailing zero words (at least 1).
   * A 3-word Erlang reference and the same reference widened to Ergo's 3×u64 have the same.
   */
  get significantWords(): number {
    const w = this.ids;
    let n = w.length;
    while (n > 1 && w[n - 1] === 0) n--;
    return n;
  }

  /**
   * A string naming this identity and nothing else, for use as a map key: the same for every
   * wire form of one reference (3 or 6 words; `Ref` or `Alias`). See the module comment.
   */
  get identity(): string {
    const n = this.significantWords;
    let s = `${this.node.name}|${String(this.creation)}|${this.ids[0] ?? 0}`;
    for (let i = 1; i < n; i++) s += '.' + this.ids[i]!;
    return s;
  }

  /**
   * Same identity: same node and creation, and the same words once trailing zero words are
   * dropped. A `Ref` and an `Alias` with the same identity are equal (an Erlang alias is a
   * reference, and a BEAM peer gives our aliases back as plain references).
   */
  equals(o: unknown): boolean {
    if (o === this) return true;
    if (!(o instanceof Ref) || o.node !== this.node || o.creation !== this.creation) return false;
    const n = this.significantWords;
    if (o.significantWords !== n) return false;
    const a = this.ids;
    const b = o.ids;
    for (let i = 0; i < n; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return false;
    return true;
  }

  /** Erlang's form, `#Ref<node.W2.W1.W0>` (most significant word first, as BEAM prints). */
  toString(): string {
    return `#Ref<${this.node.name}.${[...this.ids].reverse().join('.')}>`;
  }
}

/**
 * An alias (Ergo `gen.Alias`; in Erlang an alias is an ordinary reference, and ETF decodes it
 * as a `Ref`). Encodes in ETF as a reference.
 */
export class Alias extends Ref {
  static override ergo(node: Atom, creation: bigint | number, id0: bigint, id1: bigint, id2: bigint): Alias {
    return new Alias(node, typeof creation === 'bigint' ? canonicalInt(creation) : creation, ergoWords(id0, id1, id2));
  }

  /** The same identity viewed as a plain `Ref` (what a BEAM peer sees). */
  toRef(): Ref {
    return new Ref(this.node, this.creation, this.ids);
  }

  override toString(): string {
    return `#Alias<${this.node.name}.${[...this.ids].reverse().join('.')}>`;
  }
}

export class Port {
  constructor(
    readonly node: Atom,
    /** u64 in V4_PORT_EXT; a number when safe, else a bigint. */
    readonly id: number | bigint,
    readonly creation: Creation,
  ) {}

  equals(o: unknown): boolean {
    return o instanceof Port && o.node === this.node && o.id === this.id && o.creation === this.creation;
  }

  toString(): string {
    return `#Port<${this.node.name}.${this.id}>`;
  }
}

/**
 * Ergo's three u64 IDs as words, in the shortest form with at least 3 words (trailing zero
 * words dropped), which is also what the EDF decoder returns: a 3-word ref made here (our
 * runtime's, or an Erlang one) that travels to an Ergo node and back equals itself again.
 */
function ergoWords(id0: bigint, id1: bigint, id2: bigint): number[] {
  const out: number[] = [];
  for (const v of [id0, id1, id2]) {
    out.push(Number(v & 0xffff_ffffn), Number((v >> 32n) & 0xffff_ffffn));
  }
  while (out.length > 3 && out[out.length - 1] === 0) out.pop();
  return out;
}
