/**
 * The parts of the ETF decoder that read one flat item: atoms (with a cache from bytes to
 * atom), references, ports, bitstrings, exports, and the headers of funs and records. They
 * work on the decoder through {@link Cursor}, its internal surface.
 */
import { Atom, MAX_ATOM_CHARACTERS } from '../../term/atom.js';
import { Pid, Port, Ref } from '../../term/ids.js';
import { BitBinary, Export, Fun, type Term } from '../../term/types.js';
import type { DecodeError } from '../errors.js';
import type { DecodeOptions } from './decode.js';
import { Cost, EMPTY_BINARY, latin1 } from './leaf.js';
import { Tag } from './tags.js';

/** What the readers below need from the decoder (its internal surface). */
export interface Cursor {
  b: Uint8Array;
  pos: number;
  readonly end: number;
  readonly opts: DecodeOptions;
  readonly copy: boolean;
  err(code: string, message: string, offset: number, tag?: number, cause?: unknown): DecodeError;
  need(n: number, at: number, tag: number): void;
  charge(bytes: number, at: number, tag: number): void;
  u16(): number;
  u32(): number;
  atomAt(): Atom;
  oldCreation(at: number, tag: number): number;
  smallInt(): number | undefined;
  int32(): number | undefined;
  pid(tag: number, at: number): Pid;
  view(p: number, n: number): Uint8Array;
}

export interface FunHead {
  arity: number;
  uniq: Uint8Array;
  index: number;
  module: Atom;
  oldIndex: number;
  oldUniq: number;
  pid: Pid;
  free: number;
}

export interface RecordHead {
  module: Atom;
  name: Atom;
  fields: Atom[];
  exported: boolean;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The atoms decoded lately, by a cheap mix of their length and three of their bytes (they
 * are all UTF-8 text, never raw bytes): a hit costs a comparison, not a hash of the text.
 */
const RECENT = 1024;
const recent: (Atom | undefined)[] = new Array<Atom | undefined>(RECENT).fill(undefined);
/**
 * Each entry's text, in the cache's own bytes (256 per entry; longer atoms are not cached):
 * a hit is compared here, so no atom is given a `utf8` view just for being compared.
 */
const recentLen = new Uint16Array(RECENT);
const recentText = new Uint8Array(RECENT * 256);

/** Defaults the atom reader applies (the decoder's own DEFAULTS hold the same values). */
const MAX_ATOMS = 1_048_576;


/** NEWER_REFERENCE_EXT, NEW_REFERENCE_EXT, REFERENCE_EXT (the tag is read). */
export function readRef(d: Cursor, tag: number, at: number): Term {
  if (tag === Tag.REFERENCE_EXT) {
    const node = d.atomAt();
    d.need(5, at, tag);
    const id = d.u32();
    if (id >= 0x40000) throw d.err('ERR_ETF_BAD_REF', 'reference id over 18 bits', at, tag);
    d.charge(Cost.OBJECT + Cost.ARRAY + Cost.SLOT, at, tag);
    return new Ref(node, d.oldCreation(at, tag), [id]);
  }
  d.need(2, at, tag);
  const n = d.u16();
  // OTP takes 1..5 words. Zero words it "accepts" by reading a word past its input
  // (OTP 25–29): we refuse that, see etf.md §9.
  if (n > 5 || n === 0) throw d.err('ERR_ETF_BAD_REF', `reference of ${n} words`, at, tag);
  const node = d.atomAt();
  const newer = tag === Tag.NEWER_REFERENCE_EXT;
  d.need((newer ? 4 : 1) + 4 * n, at, tag);
  const creation = newer ? d.u32() : d.oldCreation(at, tag);
  d.charge(Cost.OBJECT + Cost.ARRAY + Cost.SLOT * n, at, tag);
  const ids: number[] = new Array(n);
  for (let i = 0; i < n; i++) ids[i] = d.u32();
  // The pre-V4 format carries 18 significant bits in the first word.
  if (!newer && ids[0]! >= 0x40000) throw d.err('ERR_ETF_BAD_REF', 'first reference word over 18 bits', at, tag);
  return new Ref(node, creation, ids);
}

/** NEW_PORT_EXT, PORT_EXT, V4_PORT_EXT. */
export function readPort(d: Cursor, tag: number, at: number): Term {
  const node = d.atomAt();
  let id: number | bigint;
  if (tag === Tag.V4_PORT_EXT) {
    d.need(12, at, tag);
    const hi = d.u32();
    const lo = d.u32();
    id = hi < 0x200000 ? hi * 0x1_0000_0000 + lo : (BigInt(hi) << 32n) | BigInt(lo);
  } else {
    d.need(tag === Tag.PORT_EXT ? 5 : 8, at, tag);
    id = d.u32();
  }
  const creation = tag === Tag.PORT_EXT ? d.oldCreation(at, tag) : d.u32();
  d.charge(Cost.OBJECT, at, tag);
  return new Port(node, id, creation);
}

/** BIT_BINARY_EXT. */
export function readBits(d: Cursor, at: number): Term {
  const tag = Tag.BIT_BINARY_EXT;
  const b = d.b;
  d.need(5, at, tag);
  const n = d.u32();
  const bits = b[d.pos++]!;
  // OTP: bits 1..8 for a non-empty bitstring; an empty one only with 0 bits, and only
  // before OTP 26 (27 and 29 refuse it; etf.md §5).
  if (n === 0 || bits < 1 || bits > 8) {
    throw d.err('ERR_ETF_BAD_BITS', `bitstring of ${n} bytes with ${bits} bits in the last byte`, at, tag);
  }
  d.need(n, at, tag);
  const p = d.pos;
  d.pos = p + n;
  if (n === 0) return EMPTY_BINARY;
  d.charge(2 * Cost.VIEW + n, at, tag);
  if (bits === 8) return d.view(p, n);
  const bytes = b.slice(p, p + n);
  // Unused low bits are not part of the value.
  bytes[n - 1]! &= (0xff << (8 - bits)) & 0xff;
  return new BitBinary(bytes, bits);
}

/** EXPORT_EXT. */
export function readExport(d: Cursor, at: number): Term {
  const tag = Tag.EXPORT_EXT;
  const m = d.atomAt();
  const f = d.atomAt();
  // Any integer form of 0..255 (OTP 27 crashes on larger ones, OTP 25 garbles them).
  const arityAt = d.pos;
  const arity = d.smallInt();
  if (arity === undefined || arity < 0 || arity > 255) throw d.err('ERR_ETF_BAD_EXPORT', 'export arity is not an integer in 0..255', arityAt, d.b[arityAt]);
  d.charge(Cost.OBJECT, at, tag);
  return new Export(m, f, arity);
}

/**
 * NEW_FUN_EXT up to its free variables. OTP ignores the Size field (it re-encodes the
 * fun with the right one), and so do we.
 */
export function readFunHead(d: Cursor, at: number): FunHead {
  const tag = Tag.NEW_FUN_EXT;
  d.need(4 + 1 + 16 + 4 + 4, at, tag);
  d.pos += 4; // Size
  const b = d.b;
  const arity = b[d.pos++]!;
  const uniq = b.slice(d.pos, d.pos + 16);
  d.pos += 16;
  const index = d.u32();
  const free = d.u32();
  if (free > d.end - d.pos) throw d.err('ERR_ETF_TRUNCATED', `fun with ${free} free variables`, at, tag);
  d.charge(Cost.FUN + Cost.SLOT * free, at, tag);
  const module = d.atomAt();
  const oldIndex = d.int32();
  const oldUniq = d.int32();
  if (oldIndex === undefined || oldUniq === undefined) {
    throw d.err('ERR_ETF_BAD_FUN', 'fun OldIndex/OldUniq are not integers', at, tag);
  }
  const pidAt = d.pos;
  const pidTag = b[pidAt];
  if (pidTag !== Tag.NEW_PID_EXT && pidTag !== Tag.PID_EXT) throw d.err('ERR_ETF_BAD_FUN', 'fun Pid is not a pid', pidAt, pidTag);
  d.pos++;
  const pid = d.pid(pidTag, pidAt);
  return { arity, uniq, index, module, oldIndex, oldUniq, pid, free };
}


/** RECORD_EXT (OTP 29): Arity:u32, Flags:u8 (0, or 1 = exported), module, name, Arity distinct field atoms. */
export function readRecordHead(d: Cursor, at: number): RecordHead {
  const tag = Tag.RECORD_EXT;
  d.need(5, at, tag);
  const n = d.u32();
  const flags = d.b[d.pos++]!;
  if (flags > 1) throw d.err('ERR_ETF_BAD_RECORD', `record flags ${flags}`, at, tag);
  // Each field takes a name and a value, at least one byte each.
  if (n > (d.end - d.pos) / 2) throw d.err('ERR_ETF_TRUNCATED', `record of ${n} fields in ${d.end - d.pos} bytes`, at, tag);
  d.charge(Cost.OBJECT + 2 * (Cost.ARRAY + Cost.SLOT * n), at, tag);
  const module = d.atomAt();
  const name = d.atomAt();
  const fields: Atom[] = new Array(n);
  const seen = n > 8 ? new Set<Atom>() : undefined;
  for (let i = 0; i < n; i++) {
    const f = d.atomAt();
    if (seen ? seen.has(f) : fields.indexOf(f) >= 0 && fields.indexOf(f) < i) throw d.err('ERR_ETF_BAD_RECORD', `record field '${f.name}' twice`, at, tag);
    seen?.add(f);
    fields[i] = f;
  }
  return { module, name, fields, exported: flags === 1 };
}


/**
 * The atom of UTF-8 text `b[p..p+n)` if it was decoded lately (bytes in bounds): a lookup by
 * a few of its bytes and a comparison, no hash of the whole text. Small, to inline.
 */
export function recentAtom(b: Uint8Array, p: number, n: number): Atom | undefined {
  const e = n === 0 ? 0 : (n * 31 + b[p]! * 7 + b[p + (n >> 1)]! * 3 + b[p + n - 1]!) & (RECENT - 1);
  const hit = recent[e];
  if (hit === undefined || recentLen[e] !== n) return undefined;
  const t = e << 8;
  for (let i = 0; i < n; i++) if (recentText[t + i] !== b[p + i]) return undefined;
  return hit;
}

/** An atom of `n` bytes at `pos` (its tag and length are read): UTF-8 (118/119) or Latin-1 (100/115). */
export function readAtom(d: Cursor, n: number, utf8: boolean, at: number, tag: number): Atom {
  d.need(n, at, tag);
  if (utf8) {
    const hit = recentAtom(d.b, d.pos, n);
    if (hit !== undefined) {
      d.pos += n;
      return hit;
    }
  }
  return newerAtom(d, n, utf8, at, tag);
}

/** {@link readAtom} past the cache of recent atoms (`n` bytes are there). */
export function newerAtom(d: Cursor, n: number, utf8: boolean, at: number, tag: number): Atom {
  const b = d.b;
  const p = d.pos;
  d.pos = p + n;
  if (utf8) {
    // Found by its bytes: no string is made. (Atoms of raw bytes, from EDF, are not found:
    // their bytes are not UTF-8 and must fail the check below.)
    const found = Atom.findText(b, p, n);
    if (found !== undefined) return remember(b, p, n, found);
  }
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (b[p + i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    if (!utf8) {
      const found = Atom.findText(b, p, n);
      if (found !== undefined) return found;
    }
    if (n > MAX_ATOM_CHARACTERS) throw d.err('ERR_ETF_ATOM_TOO_LONG', `atom of more than ${MAX_ATOM_CHARACTERS} characters`, at, tag);
    checkNew(d, undefined, b, p, n, at, tag);
    return remember(b, p, n, Atom.createText(b, p, n));
  }
  let name: string;
  if (utf8) {
    try {
      name = utf8Decoder.decode(b.subarray(p, p + n));
    } catch (e) {
      throw d.err('ERR_ETF_BAD_UTF8', 'atom text is not valid UTF-8', at, tag, e);
    }
  } else name = latin1(b, p, n);
  if (n > MAX_ATOM_CHARACTERS && [...name].length > MAX_ATOM_CHARACTERS) {
    throw d.err('ERR_ETF_ATOM_TOO_LONG', `atom of more than ${MAX_ATOM_CHARACTERS} characters`, at, tag);
  }
  if (!utf8) {
    // Latin-1 text: its UTF-8 bytes are not the input's.
    const existing = Atom.existing(name);
    if (existing !== undefined) return existing;
    checkNew(d, name, b, p, n, at, tag);
    return Atom.create(name);
  }
  checkNew(d, name, b, p, n, at, tag);
  return remember(b, p, n, Atom.createText(b, p, n, name));
}

/** Puts `a`, whose UTF-8 text is `b[p..p+n)`, in the cache of recent atoms. */
function remember(b: Uint8Array, p: number, n: number, a: Atom): Atom {
  if (n > 255) return a;
  const e = n === 0 ? 0 : (n * 31 + b[p]! * 7 + b[p + (n >> 1)]! * 3 + b[p + n - 1]!) & (RECENT - 1);
  recent[e] = a;
  recentLen[e] = n;
  const t = e << 8;
  for (let i = 0; i < n; i++) recentText[t + i] = b[p + i]!;
  return a;
}

/** The limits on making a new atom: `existingAtoms`, `maxAtoms`. */
function checkNew(d: Cursor, name: string | undefined, b: Uint8Array, p: number, n: number, at: number, tag: number): void {
  const opts = d.opts;
  if (opts.existingAtoms === true) {
    name ??= latin1(b, p, Math.min(n, 40));
    throw d.err('ERR_ETF_NEW_ATOM', `atom '${name.slice(0, 40)}' does not exist (existing atoms only)`, at, tag);
  }
  const maxAtoms = opts.maxAtoms ?? MAX_ATOMS;
  if (Atom.count >= maxAtoms) throw d.err('ERR_ETF_ATOM_LIMIT', `atom table is full (${maxAtoms})`, at, tag);
}

/** The fun a header and its free variables make. */
export function makeFun(h: FunHead, free: Term[]): Fun {
  return new Fun(h.arity, h.uniq, h.index, h.module, h.oldIndex, h.oldUniq, h.pid, free);
}
