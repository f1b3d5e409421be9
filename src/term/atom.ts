/**
 * Atoms are interned: one `Atom` object per name for the life of the process, so atoms
 * compare with `===` and can key a plain `Map`. Each atom's ETF encoding (tag, length, UTF-8
 * text) lives in a shared slab, so an atom costs one small object, its name string and its
 * bytes (measured in bench/hostile.ts; stated in proto-spec/etf.md), and the encoders copy
 * it from there verbatim.
 *
 * Atom text is UTF-8. An atom that came from bytes that are not valid UTF-8 (Go's EDF keeps
 * a `gen.Atom` as raw bytes) keeps those bytes: each byte of an invalid sequence becomes the
 * lone surrogate U+DC00 + byte in `name` (as Python's "surrogateescape"), and `utf8` gives the
 * original bytes back. Such an atom has no ETF form.
 */
const textEncoder = new TextEncoder();

/** OTP's limit: 255 characters (code points), up to 1020 bytes of UTF-8. */
export const MAX_ATOM_CHARACTERS = 255;

const table = new Map<string, Atom>();

const SLAB_SIZE = 64 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;

/** Room for `n` bytes in the current slab (a fresh one when it is full). */
function reserve(n: number): void {
  if (slabUsed + n > slab.length) {
    slab = new Uint8Array(Math.max(SLAB_SIZE, n));
    slabUsed = 0;
  }
}

/** Tag bytes marking an atom whose bytes are not UTF-8 (no ETF form), short and long. */
const RAW = 0;
const RAW_LONG = 1;

export class Atom {
  /** The atom's text (lone surrogates U+DC80–U+DCFF stand for raw bytes, see above). */
  readonly name: string;
  /**
   * Where the ETF encoding lives: `slab[off]` is the tag (119, 118; 0 or 1 for raw bytes),
   * then the length (1 byte; 2 for 118 and 1), then the text. Shared; never write to it.
   */
  readonly slab: Uint8Array;
  readonly off: number;
  /** `byteLength << 3 | raw << 2 | head`: what the getters below need, without reading the slab. */
  readonly #shape: number;
  /** Slot for codecs that want to memoise a per-format encoding (EDF atom reference, …). */
  edf: Uint8Array | undefined = undefined;
  #utf8: Uint8Array | undefined = undefined;

  private constructor(name: string, bytes: Uint8Array | undefined) {
    this.name = name;
    let ascii = false;
    if (bytes === undefined) {
      ascii = true;
      for (let i = 0; i < name.length; i++) {
        if (name.charCodeAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (!ascii) bytes = toBytes(name);
    }
    const n = ascii ? name.length : bytes!.length;
    const head = n < 256 ? 2 : 3;
    reserve(head + n);
    const s = slab;
    const off = slabUsed;
    slabUsed += head + n;
    const raw = bytes !== undefined && hasEscapes(name);
    // ETF: 119 = SMALL_ATOM_UTF8_EXT (len < 256 bytes), 118 = ATOM_UTF8_EXT otherwise.
    if (head === 2) {
      s[off] = raw ? RAW : 119;
      s[off + 1] = n;
    } else {
      s[off] = raw ? RAW_LONG : 118;
      s[off + 1] = n >>> 8;
      s[off + 2] = n & 0xff;
    }
    if (ascii) for (let i = 0; i < n; i++) s[off + head + i] = name.charCodeAt(i);
    else s.set(bytes!, off + head);
    this.slab = s;
    this.off = off;
    this.#shape = (n << 3) | (raw ? 4 : 0) | head;
  }

  /** Bytes of the text (UTF-8, or the raw bytes it came from); shared, do not mutate. */
  get utf8(): Uint8Array {
    if (this.#utf8 === undefined) {
      const t = this.off + (this.#shape & 3);
      this.#utf8 = this.slab.subarray(t, t + (this.#shape >>> 3));
    }
    return this.#utf8;
  }

  /** Length of the text in bytes. */
  get byteLength(): number {
    return this.#shape >>> 3;
  }

  /** Where the text starts in `slab`. */
  get textOffset(): number {
    return this.off + (this.#shape & 3);
  }

  /** Length of the ETF encoding (tag, length, text). */
  get etfLength(): number {
    return (this.#shape & 3) + (this.#shape >>> 3);
  }

  /** True when the text is not UTF-8 (raw bytes): such an atom has no ETF form. */
  get raw(): boolean {
    return (this.#shape & 4) !== 0;
  }

  /** The whole ETF encoding (a view of the slab). Throws `RangeError` for an atom of raw bytes. */
  get etf(): Uint8Array {
    if (this.raw) throw new RangeError(`atom '${this.name}' is not UTF-8 and has no ETF form`);
    return this.slab.subarray(this.off, this.off + this.etfLength);
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
    const a = new Atom(name, undefined);
    table.set(name, a);
    return a;
  }

  /**
   * For decoders that looked the name up already (`existing` gave undefined) and checked
   * their limits: interns `name` without a second lookup. Same checks as {@link of}.
   */
  static create(name: string): Atom {
    if (name.length > MAX_ATOM_CHARACTERS && countCodePoints(name) > MAX_ATOM_CHARACTERS) {
      throw new RangeError(`atom longer than ${MAX_ATOM_CHARACTERS} characters`);
    }
    const a = new Atom(name, undefined);
    table.set(name, a);
    return a;
  }

  /**
   * The interned atom whose text is `bytes` exactly (UTF-8, or raw bytes kept as they are):
   * what a decoder of a format that does not validate atom text (EDF) needs.
   */
  static fromBytes(bytes: Uint8Array): Atom {
    const name = fromBytes(bytes);
    return Atom.of(name);
  }

  /** The name {@link fromBytes} gives these bytes (to look an atom up without creating it). */
  static nameOf(bytes: Uint8Array): string {
    return fromBytes(bytes);
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

function hasEscapes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff) {
      const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
      if (!(prev >= 0xd800 && prev <= 0xdbff)) return true;
    }
  }
  return false;
}

/** UTF-8 of `s`, with lone surrogates U+DC80–U+DCFF written as the raw byte they stand for. */
function toBytes(s: string): Uint8Array {
  if (!hasEscapes(s)) return textEncoder.encode(s);
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) {
      out.push(c & 0xff);
      continue;
    }
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    for (const b of textEncoder.encode(String.fromCodePoint(cp))) out.push(b);
  }
  return Uint8Array.from(out);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text of `bytes`: UTF-8 where valid, each byte of an invalid sequence as U+DC00 + byte. */
function fromBytes(b: Uint8Array): string {
  try {
    return strictUtf8.decode(b);
  } catch {
    // fall through: decode sequence by sequence
  }
  let s = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n === 1) {
      s += String.fromCharCode(c);
      i++;
      continue;
    }
    if (n > 0 && i + n <= b.length) {
      try {
        s += strictUtf8.decode(b.subarray(i, i + n));
        i += n;
        continue;
      } catch {
        // invalid sequence: escape its first byte
      }
    }
    s += String.fromCharCode(0xdc00 + c);
    i++;
  }
  return s;
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
