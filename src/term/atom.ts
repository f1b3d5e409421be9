/**
 * Atoms are interned: one `Atom` object per name for the life of the process, so atoms
 * compare with `===` and can key a plain `Map`. Each atom caches its UTF-8 bytes and its
 * ETF encoding (SMALL_ATOM_UTF8_EXT / ATOM_UTF8_EXT), which the encoders copy verbatim.
 */
const textEncoder = new TextEncoder();

/** OTP's limit: 255 characters (code points), up to 1020 bytes of UTF-8. */
export const MAX_ATOM_CHARACTERS = 255;

const table = new Map<string, Atom>();

export class Atom {
  /** The atom's text. */
  readonly name: string;
  /** UTF-8 bytes of `name`; shared, do not mutate. */
  readonly utf8: Uint8Array;
  /** The whole ETF encoding (tag, length, text); shared, do not mutate. */
  readonly etf: Uint8Array;
  /** Slot for codecs that want to memoise a per-format encoding (EDF atom reference, …). */
  edf: Uint8Array | undefined = undefined;

  private constructor(name: string) {
    this.name = name;
    const utf8 = textEncoder.encode(name);
    this.utf8 = utf8;
    // ETF: 119 = SMALL_ATOM_UTF8_EXT (len < 256 bytes), 118 = ATOM_UTF8_EXT otherwise.
    if (utf8.length < 256) {
      const e = new Uint8Array(2 + utf8.length);
      e[0] = 119;
      e[1] = utf8.length;
      e.set(utf8, 2);
      this.etf = e;
    } else {
      const e = new Uint8Array(3 + utf8.length);
      e[0] = 118;
      e[1] = utf8.length >>> 8;
      e[2] = utf8.length & 0xff;
      e.set(utf8, 3);
      this.etf = e;
    }
  }

  /**
   * The interned atom for `name`. Throws `RangeError` above 255 characters, like
   * `list_to_atom/1` raising `system_limit`.
   */
  static of(name: string): Atom {
    const found = table.get(name);
    if (found !== undefined) return found;
    if (name.length > MAX_ATOM_CHARACTERS && countCodePoints(name) > MAX_ATOM_CHARACTERS) {
      throw new RangeError(`atom longer than ${MAX_ATOM_CHARACTERS} characters`);
    }
    const a = new Atom(name);
    table.set(name, a);
    return a;
  }

  /** The interned atom if it exists already; never creates one (like `list_to_existing_atom`). */
  static existing(name: string): Atom | undefined {
    return table.get(name);
  }

  /** Number of interned atoms, for limits (`DecodeOptions.maxAtoms`). */
  static get count(): number {
    return table.size;
  }

  toString(): string {
    return this.name;
  }

  /** Erlang source form: `ok`, `'Hello world'`. */
  inspect(): string {
    return /^[a-z][A-Za-z0-9_@]*$/.test(this.name) ? this.name : `'${this.name.replace(/[\\']/g, (c) => '\\' + c)}'`;
  }
}

function countCodePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Shorthand for {@link Atom.of}. */
export function atom(name: string): Atom {
  return Atom.of(name);
}

/** Atoms the runtime and the protocols use constantly. */
export const A = {
  ok: atom('ok'),
  error: atom('error'),
  undefined: atom('undefined'),
  normal: atom('normal'),
  shutdown: atom('shutdown'),
  kill: atom('kill'),
  killed: atom('killed'),
  noproc: atom('noproc'),
  noconnection: atom('noconnection'),
  timeout: atom('timeout'),
  EXIT: atom('EXIT'),
  DOWN: atom('DOWN'),
  process: atom('process'),
  empty: atom(''),
  nonode: atom('nonode@nohost'),
} as const;
