/**
 * Atoms are interned: one `Atom` object per name for the life of the process, so atoms
 * compare with `===` and can key a plain `Map`. Each atom's ETF encoding (tag, length, UTF-8
 * text) lives in a shared slab, and the encoders copy it from there verbatim.
 *
 * The table is keyed by an atom's bytes, so a decoder finds an atom from the bytes in its
 * input without making a string; the name string is made when `name` is first read. What
 * the table keeps per atom is in typed arrays (where its bytes are, their length, the hash
 * index), so an atom is one small object plus its bytes and about 30 bytes of table
 * (measured by bench/hostile.ts; stated in proto-spec/etf.md §6).
 *
 * Atom text is UTF-8. An atom that came from bytes that are not valid UTF-8 (Go's EDF keeps
 * a `gen.Atom` as raw bytes) keeps those bytes: each byte of an invalid sequence becomes the
 * lone surrogate U+DC00 + byte in `name` (as Python's "surrogateescape"), and `utf8` gives the
 * original bytes back. Such an atom has no ETF form.
 */
import { asciiText, countCodePoints, fromBytes, hasEscapes, toBytes } from './atom-text.js';

/** OTP's limit: 255 characters (code points), up to 1020 bytes of UTF-8. */
export const MAX_ATOM_CHARACTERS = 255;

/** Tag bytes marking an atom whose bytes are not UTF-8 (no ETF form), short and long. */
const RAW = 0;
const RAW_LONG = 1;

// ---------------------------------------------------------------- slabs
//
// Encodings are packed into slabs of 64 KiB; an atom's place is `slab number << 16 | offset`.

const SLAB_BITS = 16;
const SLAB_SIZE = 1 << SLAB_BITS;
const slabs: Uint8Array[] = [new Uint8Array(SLAB_SIZE)];
let slab = slabs[0]!;
let slabUsed = 0;

// ---------------------------------------------------------------- the table
//
// Atoms by number (`id`, in the order they were made) in `atoms`; for each, the place of its
// encoding in `places` and `byteLength << 3 | raw << 2 | header length` in `shapes`. An
// open-addressing hash index (linear probing; `index` holds pairs: hash, 0 for an empty
// slot, and atom number) maps the hash of an atom's bytes — its UTF-8 text, or the raw bytes
// it came from — to its number; bytes are compared only on a full-hash match. Index, places
// and shapes are typed arrays: probing and growing touch no JS object and give the garbage
// collector nothing to trace. The index doubles past a load of 5/8. The hash is seeded per
// process, so input cannot be made to collide on purpose.
//
// Only atoms whose name is what their bytes decode to (`fromBytes`) are indexed: for them,
// name and bytes determine each other. A name with a lone surrogate that is no byte escape
// (`'\ud800'`) encodes to bytes that decode to another name; such atoms are kept by name in
// `odd` (they have no ETF form anyone else could send).

const atoms: Atom[] = [];
let places = new Uint32Array(1024);
let shapes = new Int32Array(1024);
let slots = 1024;
let index = new Int32Array(2 * slots);
const odd = new Map<string, Atom>();

const seed = globalThis.crypto.getRandomValues(new Int32Array(1))[0]! | 1;

/** One step of the index hash: a word of up to 4 bytes (little-endian) into `h`. */
function step(h: number, w: number): number {
  h = Math.imul(h ^ w, 0x9e3779b1);
  return (h << 13) | (h >>> 19);
}

/** Final mix: every input bit reaches the low bits the index uses; never 0 (empty). */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h === 0 ? 1 : h;
}

/** Index hash of `n` bytes at `b[p]`. */
function bytesHash(b: Uint8Array, p: number, n: number): number {
  let h = seed ^ n;
  let i = p;
  const e = p + n;
  for (; i + 4 <= e; i += 4) h = step(h, b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
  if (i < e) {
    let w = b[i]!;
    if (i + 1 < e) w |= b[i + 1]! << 8;
    if (i + 2 < e) w |= b[i + 2]! << 16;
    h = step(h, w);
  }
  return finish(h);
}

/** {@link bytesHash} of an ASCII string's char codes, or 0 when it has a char ≥ 0x80. */
function asciiHash(s: string): number {
  const n = s.length;
  let h = seed ^ n;
  let any = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    const c2 = s.charCodeAt(i + 2);
    const c3 = s.charCodeAt(i + 3);
    any |= c0 | c1 | c2 | c3;
    h = step(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  if (i < n) {
    let w = s.charCodeAt(i);
    any |= w;
    for (let j = 1; i + j < n; j++) {
      const c = s.charCodeAt(i + j);
      any |= c;
      w |= c << (8 * j);
    }
    h = step(h, w);
  }
  return any >= 0x80 ? 0 : finish(h);
}

/** Whether atom `k` has the text `b[p..p+n)`. */
function sameText(k: number, b: Uint8Array, p: number, n: number): boolean {
  if (shapes[k]! >>> 3 !== n) return false;
  const w = places[k]!;
  const s = slabs[w >>> SLAB_BITS]!;
  const t = (w & (SLAB_SIZE - 1)) + (shapes[k]! & 3);
  for (let i = 0; i < n; i++) if (s[t + i] !== b[p + i]) return false;
  return true;
}

/** Whether atom `k` has the text of the ASCII string `name`. */
function sameAscii(k: number, name: string): boolean {
  const n = name.length;
  if (shapes[k]! >>> 3 !== n) return false;
  const w = places[k]!;
  const s = slabs[w >>> SLAB_BITS]!;
  const t = (w & (SLAB_SIZE - 1)) + (shapes[k]! & 3);
  for (let i = 0; i < n; i++) if (s[t + i] !== name.charCodeAt(i)) return false;
  return true;
}

/** The number of the indexed atom whose bytes are `b[p..p+n)` (hash `h`), or -1. */
function findBytes(b: Uint8Array, p: number, n: number, h: number): number {
  const ix = index;
  const mask = slots - 1;
  for (let i = h & mask; ; i = (i + 1) & mask) {
    const x = ix[2 * i]!;
    if (x === 0) {
      freeSlot = i;
      return -1;
    }
    if (x === h && sameText(ix[2 * i + 1]!, b, p, n)) return ix[2 * i + 1]!;
  }
}

/**
 * Where the last probe that found nothing ended (an empty slot of that hash's chain: an
 * insert of that hash can go there as long as the slot is still empty and the index has not
 * grown, for slots never empty); and for `findText`, the bytes, hash and slot of its last
 * miss, so `createText` right after it neither hashes nor probes again.
 */
let freeSlot = -1;
let lastFree = -1;
let lastText: Uint8Array | undefined;
let lastP = 0;
let lastN = 0;
let lastHash = 0;

/** The number of the indexed atom of an ASCII name (hash `h`), or -1. */
function findAscii(name: string, h: number): number {
  const ix = index;
  const mask = slots - 1;
  for (let i = h & mask; ; i = (i + 1) & mask) {
    const x = ix[2 * i]!;
    if (x === 0) return -1;
    if (x === h && sameAscii(ix[2 * i + 1]!, name)) return ix[2 * i + 1]!;
  }
}

/**
 * Writes the encoding of a new atom (`n` bytes of text from `b[p]`, or from the char codes
 * of `name` when `b` is undefined) into the slab, gives it the next number and, with a hash
 * `h` ≠ 0, indexes it (at slot `free` if that is still empty: where a probe for it ended).
 * Returns the number.
 */
function add(name: string | undefined, b: Uint8Array | undefined, p: number, n: number, raw: boolean, h: number, free = -1): number {
  const k = atoms.length;
  if (k === places.length) {
    const p2 = new Uint32Array(2 * k);
    p2.set(places);
    places = p2;
    const s2 = new Int32Array(2 * k);
    s2.set(shapes);
    shapes = s2;
  }
  const head = n < 256 ? 2 : 3;
  if (slabUsed + head + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabs.push(slab);
    slabUsed = 0;
  }
  const s = slab;
  const off = slabUsed;
  slabUsed = off + head + n;
  // ETF: 119 = SMALL_ATOM_UTF8_EXT (len < 256 bytes), 118 = ATOM_UTF8_EXT otherwise.
  if (head === 2) {
    s[off] = raw ? RAW : 119;
    s[off + 1] = n;
  } else {
    s[off] = raw ? RAW_LONG : 118;
    s[off + 1] = n >>> 8;
    s[off + 2] = n & 0xff;
  }
  const t = off + head;
  if (b === undefined) for (let i = 0; i < n; i++) s[t + i] = name!.charCodeAt(i);
  else for (let i = 0; i < n; i++) s[t + i] = b[p + i]!;
  places[k] = ((slabs.length - 1) << SLAB_BITS) | off;
  shapes[k] = (n << 3) | (raw ? 4 : 0) | head;
  if (h !== 0) {
    let i = free;
    if ((k + 1) * 8 > slots * 5) {
      grow();
      i = -1;
    }
    const ix = index;
    if (i < 0 || ix[2 * i] !== 0) {
      const mask = slots - 1;
      i = h & mask;
      while (ix[2 * i] !== 0) i = (i + 1) & mask;
    }
    ix[2 * i] = h;
    ix[2 * i + 1] = k;
  }
  return k;
}

function grow(): void {
  freeSlot = -1;
  lastFree = -1;
  const old = index;
  slots *= 2;
  const ix = new Int32Array(2 * slots);
  const mask = slots - 1;
  for (let j = 0; j < old.length; j += 2) {
    const h = old[j]!;
    if (h === 0) continue;
    let i = h & mask;
    while (ix[2 * i] !== 0) i = (i + 1) & mask;
    ix[2 * i] = h;
    ix[2 * i + 1] = old[j + 1]!;
  }
  index = ix;
}

// ---------------------------------------------------------------- lookups by name

/** Scratch for the UTF-8 of a non-ASCII name being looked up (≤ 255 code points: ≤ 1020 bytes). */
const scratch = new Uint8Array(4 * MAX_ATOM_CHARACTERS + 4);

/**
 * UTF-8 of `name` into `scratch`: its length, -1 when the name has a lone surrogate (its
 * bytes then come from `toBytes`), -2 when it cannot be an atom (over 255 code points).
 */
function utf8Scratch(name: string): number {
  if (name.length > 2 * MAX_ATOM_CHARACTERS) return -2;
  let n = 0;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c < 0x80) scratch[n++] = c;
    else if (c < 0x800) {
      scratch[n++] = 0xc0 | (c >> 6);
      scratch[n++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && i + 1 < name.length ? name.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return -1;
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      i++;
      scratch[n++] = 0xf0 | (c >> 18);
      scratch[n++] = 0x80 | ((c >> 12) & 63);
      scratch[n++] = 0x80 | ((c >> 6) & 63);
      scratch[n++] = 0x80 | (c & 63);
    } else {
      scratch[n++] = 0xe0 | (c >> 12);
      scratch[n++] = 0x80 | ((c >> 6) & 63);
      scratch[n++] = 0x80 | (c & 63);
    }
    if (n > 4 * MAX_ATOM_CHARACTERS) return -2;
  }
  return n;
}

/** What {@link lookup} learned about a name it did not find, for `Atom.#intern`. */
let missHash = 0;
let missBytes: Uint8Array | undefined;
let missOdd = false;

/** The interned atom named `name`, or undefined (and the miss* variables describe the name). */
function lookup(name: string): Atom | undefined {
  missOdd = false;
  missBytes = undefined;
  const h = asciiHash(name);
  if (h !== 0) {
    missHash = h;
    const k = findAscii(name, h);
    return k < 0 ? undefined : atoms[k];
  }
  const len = utf8Scratch(name);
  if (len === -2) {
    missHash = 0;
    return undefined;
  }
  let bytes: Uint8Array;
  if (len >= 0) bytes = scratch.slice(0, len);
  else {
    // A lone surrogate: a byte escape (raw atom) or a name no bytes decode to.
    bytes = toBytes(name);
    if (fromBytes(bytes) !== name) {
      missOdd = true;
      missBytes = bytes;
      return odd.get(name);
    }
  }
  missBytes = bytes;
  missHash = bytesHash(bytes, 0, bytes.length);
  const k = findBytes(bytes, 0, bytes.length, missHash);
  return k < 0 ? undefined : atoms[k];
}

// ---------------------------------------------------------------- atoms

export class Atom {
  /** The atom's number in this process: atoms are numbered in the order they are made. */
  readonly id: number;
  /** The text; made from the bytes when first asked for (a decoded atom may never need it). */
  #name: string | undefined;
  /** Slot for codecs that want to memoise a per-format encoding (EDF atom reference, …). */
  edf: Uint8Array | undefined = undefined;
  #utf8: Uint8Array | undefined = undefined;

  private constructor(id: number, name: string | undefined) {
    this.id = id;
    this.#name = name;
  }

  /** The atom's text (lone surrogates U+DC80–U+DCFF stand for raw bytes, see above). */
  get name(): string {
    return (this.#name ??= this.#text());
  }

  #text(): string {
    const s = this.slab;
    const t = this.textOffset;
    const n = this.byteLength;
    for (let i = 0; i < n; i++) if (s[t + i]! >= 0x80) return fromBytes(s.subarray(t, t + n));
    return asciiText(s, t, n);
  }

  /**
   * The slab holding the ETF encoding: at `off` the tag (119, 118; 0 or 1 for raw bytes),
   * then the length (1 byte; 2 for 118 and 1), then the text. Shared; never write to it.
   */
  get slab(): Uint8Array {
    return slabs[places[this.id]! >>> SLAB_BITS]!;
  }

  /** Where the ETF encoding starts in `slab`. */
  get off(): number {
    return places[this.id]! & (SLAB_SIZE - 1);
  }

  /** Bytes of the text (UTF-8, or the raw bytes it came from); shared, do not mutate. */
  get utf8(): Uint8Array {
    if (this.#utf8 === undefined) {
      const t = this.textOffset;
      this.#utf8 = this.slab.subarray(t, t + this.byteLength);
    }
    return this.#utf8;
  }

  /** Length of the text in bytes. */
  get byteLength(): number {
    return shapes[this.id]! >>> 3;
  }

  /** Where the text starts in `slab`. */
  get textOffset(): number {
    return (places[this.id]! & (SLAB_SIZE - 1)) + (shapes[this.id]! & 3);
  }

  /** Length of the ETF encoding (tag, length, text). */
  get etfLength(): number {
    const s = shapes[this.id]!;
    return (s & 3) + (s >>> 3);
  }

  /** True when the text is not UTF-8 (raw bytes): such an atom has no ETF form. */
  get raw(): boolean {
    return (shapes[this.id]! & 4) !== 0;
  }

  /** The whole ETF encoding (a view of the slab). Throws `RangeError` for an atom of raw bytes. */
  get etf(): Uint8Array {
    if (this.raw) throw new RangeError(`atom '${this.name}' is not UTF-8 and has no ETF form`);
    const off = this.off;
    return this.slab.subarray(off, off + this.etfLength);
  }

  /**
   * For encoders: copies the ETF encoding into `buf` at `pos` (room checked by the caller:
   * at most 1023 bytes) and returns the position after it, or -1 for an atom of raw bytes.
   */
  static writeEtf(a: Atom, buf: Uint8Array, pos: number): number {
    const k = a.id;
    const sh = shapes[k]!;
    if ((sh & 4) !== 0) return -1;
    const w = places[k]!;
    const s = slabs[w >>> SLAB_BITS]!;
    const off = w & (SLAB_SIZE - 1);
    const n = (sh & 3) + (sh >>> 3);
    if (n < 48) for (let i = 0; i < n; i++) buf[pos + i] = s[off + i]!;
    else buf.set(s.subarray(off, off + n), pos);
    return pos + n;
  }

  /**
   * The interned atom for `name`. Throws `RangeError` above 255 characters, like
   * `list_to_atom/1` raising `system_limit`.
   */
  static of(name: string): Atom {
    return lookup(name) ?? Atom.#intern(name);
  }

  /** {@link of}, for callers that found `existing(name)` undefined just now. */
  static create(name: string): Atom {
    return lookup(name) ?? Atom.#intern(name);
  }

  /**
   * For decoders: the interned atom whose text bytes are `b[p..p+n)`, or undefined. Atoms of
   * raw bytes are found only when `raw` is true (a decoder of UTF-8 text wants them to fail
   * its check instead).
   */
  static findText(b: Uint8Array, p: number, n: number, raw = false): Atom | undefined {
    const h = bytesHash(b, p, n);
    const k = findBytes(b, p, n, h);
    if (k >= 0) return !raw && (shapes[k]! & 4) !== 0 ? undefined : atoms[k];
    lastText = b;
    lastFree = freeSlot;
    lastP = p;
    lastN = n;
    lastHash = h;
    return undefined;
  }

  /**
   * For decoders, after {@link findText} gave undefined and their limits are checked:
   * interns the atom whose text is `b[p..p+n)`, which must be ASCII or valid UTF-8 of at
   * most 255 code points. `name`, when the caller made it already, is its text; otherwise
   * the text is decoded when first asked for. Copies the bytes.
   */
  static createText(b: Uint8Array, p: number, n: number, name?: string): Atom {
    const a = new Atom(atoms.length, name);
    const same = b === lastText && p === lastP && n === lastN;
    lastText = undefined;
    add(undefined, b, p, n, false, same ? lastHash : bytesHash(b, p, n), same ? lastFree : -1);
    atoms.push(a);
    return a;
  }

  /**
   * The interned atom whose text is `bytes` exactly (UTF-8, or raw bytes kept as they are):
   * what a decoder of a format that does not validate atom text (EDF) needs.
   */
  static fromBytes(bytes: Uint8Array): Atom {
    const h = bytesHash(bytes, 0, bytes.length);
    const k = findBytes(bytes, 0, bytes.length, h);
    if (k >= 0) return atoms[k]!;
    const name = fromBytes(bytes);
    if (bytes.length > MAX_ATOM_CHARACTERS && countCodePoints(name) > MAX_ATOM_CHARACTERS) {
      throw new RangeError(`atom longer than ${MAX_ATOM_CHARACTERS} characters`);
    }
    const a = new Atom(atoms.length, name);
    add(undefined, bytes, 0, bytes.length, hasEscapes(name), h);
    atoms.push(a);
    return a;
  }

  /** The name {@link fromBytes} gives these bytes (to look an atom up without creating it). */
  static nameOf(bytes: Uint8Array): string {
    return fromBytes(bytes);
  }

  /** The interned atom if it exists already; never creates one (like `list_to_existing_atom`). */
  static existing(name: string): Atom | undefined {
    return lookup(name);
  }

  /** Number of interned atoms, for limits (`DecodeOptions.maxAtoms`). */
  static get count(): number {
    return atoms.length;
  }

  /** Interns `name`, which {@link lookup} just failed to find. */
  static #intern(name: string): Atom {
    if (name.length > MAX_ATOM_CHARACTERS && countCodePoints(name) > MAX_ATOM_CHARACTERS) {
      throw new RangeError(`atom longer than ${MAX_ATOM_CHARACTERS} characters`);
    }
    const a = new Atom(atoms.length, name);
    const bytes = missBytes;
    if (missOdd) {
      add(name, bytes!, 0, bytes!.length, true, 0);
      odd.set(name, a);
    } else if (bytes === undefined) add(name, undefined, 0, name.length, false, missHash);
    else add(name, bytes, 0, bytes.length, hasEscapes(name), missHash);
    atoms.push(a);
    return a;
  }

  toString(): string {
    return this.name;
  }

  /** Erlang source form: `ok`, `'Hello world'`. */
  inspect(): string {
    return /^[a-z][A-Za-z0-9_@]*$/.test(this.name) ? this.name : `'${this.name.replace(/[\\']/g, (c) => '\\' + c)}'`;
  }
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
