/**
 * Inputs for the ETF differential fuzzer, from a seeded {@link Rng}:
 * - `mutated`: real encodings (every vector in proto-spec/vectors/etf, captured from the BEAM)
 *   with bytes flipped, lengths bent, pieces cut, inserted, duplicated or spliced;
 * - `grammar`: terms built tag by tag from a grammar of edge cases (legacy tags, odd integer
 *   and float forms, creations, ref word counts, fun and export shapes, map key mixes,
 *   records, compressed wraps) — mostly well-formed, sometimes bent on purpose;
 * - `random`: random bytes, usually after the version byte.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Rng } from './rng.js';

export type InputKind = 'mutated' | 'grammar' | 'random';

const vectorDir = join(import.meta.dirname, '../../proto-spec/vectors/etf');

let seeds: Uint8Array[] | undefined;

/** Every vector's bytes (valid and invalid), up to 64 KiB each. */
export function vectorSeeds(): Uint8Array[] {
  if (seeds) return seeds;
  const out: Uint8Array[] = [];
  for (const f of readdirSync(vectorDir).filter((n) => n.endsWith('.json')).sort()) {
    const text = readFileSync(join(vectorDir, f), 'utf8');
    // Pull the hex fields out without JSON.parse of the 10,000-deep terms in large.json.
    for (const m of text.matchAll(/"(?:hex|reencoded)":\s*"([0-9a-f]+)"/g)) {
      if (m[1]!.length <= 128 * 1024) out.push(Uint8Array.from(Buffer.from(m[1]!, 'hex')));
    }
  }
  seeds = out;
  return out;
}

export function nextInput(rng: Rng, kind: InputKind): Uint8Array {
  switch (kind) {
    case 'mutated':
      return mutate(rng, rng.pick(vectorSeeds()));
    case 'grammar':
      return grammarInput(rng);
    case 'random': {
      const n = rng.range(0, 40);
      const b = rng.bytes(n);
      if (rng.chance(0.9)) b.unshift(131);
      return Uint8Array.from(b);
    }
  }
}

// ------------------------------------------------------------------ mutation

const INTERESTING = [0, 1, 2, 3, 4, 5, 0x7f, 0x80, 0xfe, 0xff, 97, 98, 100, 104, 106, 107, 108, 109, 116, 119, 70, 88, 90, 112, 113, 121, 67, 80];

export function mutate(rng: Rng, seed: Uint8Array): Uint8Array {
  let b = Array.from(seed);
  const n = rng.range(1, 4);
  for (let k = 0; k < n; k++) {
    if (b.length === 0) b = [131];
    const i = rng.int(b.length);
    switch (rng.int(10)) {
      case 0:
        b[i] = rng.u32() & 0xff;
        break;
      case 1:
        b[i] = rng.pick(INTERESTING);
        break;
      case 2:
        b[i] = b[i]! ^ (1 << rng.int(8));
        break;
      case 3: // bend a 4-byte length: small, big, off by one
        if (i + 4 <= b.length) {
          const v = rng.pick([0, 1, 2, 3, 255, 256, 0x7fffffff, 0xffffffff, ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) + rng.range(-2, 2)]) >>> 0;
          b.splice(i, 4, v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
        }
        break;
      case 4:
        b.splice(i, rng.range(1, 8));
        break;
      case 5:
        b.splice(i, 0, ...rng.bytes(rng.range(1, 8)));
        break;
      case 6: {
        // duplicate a piece
        const len = rng.range(1, Math.min(32, b.length - i));
        b.splice(i, 0, ...b.slice(i, i + len));
        break;
      }
      case 7:
        b = b.slice(0, rng.range(1, b.length));
        break;
      case 8: {
        // splice in a piece of another vector
        const other = rng.pick(vectorSeeds());
        const from = rng.int(other.length);
        b.splice(i, rng.range(0, 4), ...other.subarray(from, from + rng.range(1, 24)));
        break;
      }
      default:
        b.push(...rng.bytes(rng.range(1, 4)));
    }
  }
  return Uint8Array.from(b);
}

// ------------------------------------------------------------------ grammar

const NODES = ['a@h', 'b@h', 'nonode@nohost', 'n@127.0.0.1', '', 'ñ@h'];
const ATOMS = ['a', 'b', 'ok', 'true', 'false', 'undefined', 'm', 'f', 'lists', 'zz', '', 'ä', 'ñ@h', 'a@h'];

class G {
  out: number[] = [];
  constructor(readonly rng: Rng) {}

  u8(v: number): void {
    this.out.push(v & 0xff);
  }
  u16(v: number): void {
    this.out.push((v >>> 8) & 0xff, v & 0xff);
  }
  u32(v: number): void {
    this.out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  raw(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.out.push(b[i]!);
  }

  atom(name?: string): void {
    const r = this.rng;
    const text = name ?? (r.chance(0.9) ? r.pick(ATOMS) : undefined);
    let bytes: number[];
    if (text !== undefined) bytes = Array.from(Buffer.from(text, 'utf8'));
    else if (r.chance(0.5)) bytes = r.bytes(r.range(0, 6));
    else bytes = Array.from(Buffer.from(r.pick(['é', 'x'.repeat(255), 'x'.repeat(256), 'ü'.repeat(255), 'ü'.repeat(128), '\u{10000}'.repeat(3)]), 'utf8'));
    const tag = r.weighted([
      [6, 119],
      [3, 100],
      [2, 118],
      [2, 115],
      [1, 82],
    ] as const);
    if (tag === 82) {
      this.u8(82);
      this.u8(r.int(4));
      return;
    }
    // Latin-1 tags take one byte per character: write what fits.
    if ((tag === 100 || tag === 115) && text !== undefined && /[^\x00-\xff]/.test(text)) bytes = Array.from(Buffer.from(text, 'latin1'));
    this.u8(tag);
    if (tag === 119 || tag === 115) this.u8(Math.min(bytes.length, 255));
    else this.u16(bytes.length);
    this.raw(tag === 119 || tag === 115 ? bytes.slice(0, 255) : bytes);
  }

  node(): void {
    this.atom(this.rng.pick(NODES));
  }

  creation(): void {
    this.u32(this.rng.pick([0, 1, 2, 3, 4, 5, 0x100, 0x12345678, 0xffffffff]));
  }

  integer(): void {
    const r = this.rng;
    switch (r.int(6)) {
      case 0:
        this.u8(97);
        this.u8(r.pick([0, 1, 2, 255, r.u32()]));
        return;
      case 1:
        this.u8(98);
        this.u32(r.pick([0, 1, 5, 255, 256, -1, -256, 0x7fffffff, 0x80000000, r.u32()]));
        return;
      case 2:
      case 3: {
        const n = r.pick([0, 1, 2, 4, 7, 8, 9, 12]);
        this.u8(110);
        this.u8(n);
        this.u8(r.pick([0, 0, 1, 2, 255]));
        for (let i = 0; i < n; i++) this.u8(i === n - 1 && r.chance(0.2) ? 0 : r.u32());
        return;
      }
      case 4: {
        const n = r.pick([0, 1, 3, 8]);
        this.u8(111);
        this.u32(n);
        this.u8(r.pick([0, 1]));
        for (let i = 0; i < n; i++) this.u8(r.u32());
        return;
      }
      default:
        this.u8(97);
        this.u8(r.int(4));
    }
  }

  float(): void {
    const r = this.rng;
    if (r.chance(0.7)) {
      const v = r.pick([0, -0, 1, -1, 0.5, 1e300, -2.5, 5e-324, 2 ** 53, 1 / 3, NaN, Infinity]);
      const b = Buffer.alloc(8);
      b.writeDoubleBE(v);
      if (r.chance(0.05)) b[r.int(8)] = r.u32() & 0xff;
      this.u8(70);
      this.raw(b);
      return;
    }
    const text = r.pick([
      '1.0',
      '-1.5',
      '+2.5',
      '1,0',
      '1.5e3',
      '1.5E+3',
      '1.5e-3',
      '1e5',
      '1.',
      '.5',
      ' 1.0',
      '1.0 ',
      '1.0x',
      '1.0e400',
      '1.0e-400',
      '0.0',
      '-0.0',
      '00001.00000',
      '2,03976853983476758003e+0',
      'nan',
      '1.0e',
      '1.0e+',
      '1' + '0'.repeat(30),
      '1.' + '5'.repeat(29),
    ]);
    const bytes = Array.from(Buffer.from(text, 'latin1')).slice(0, 31);
    const pad = r.weighted([
      [8, 0],
      [1, 1], // junk after the NUL
      [1, 2], // no NUL at all (spaces)
    ] as const);
    while (bytes.length < 31) bytes.push(pad === 2 ? 32 : 0);
    if (pad === 1 && bytes.indexOf(0) >= 0 && bytes.indexOf(0) < 30) bytes[30] = 65;
    this.u8(99);
    this.raw(bytes);
  }

  pid(): void {
    const r = this.rng;
    const tag = r.weighted([
      [4, 88],
      [2, 103],
    ] as const);
    this.u8(tag);
    this.node();
    this.u32(r.pick([0, 1, 5, 0x7fff, 0x8000, 0xffffffff]));
    this.u32(r.pick([0, 1, 2, 0x1fff, 0xffffffff]));
    if (tag === 88) this.creation();
    else this.u8(r.pick([0, 1, 2, 3, 4, 0x8f, 255]));
  }

  port(): void {
    const r = this.rng;
    const tag = r.pick([89, 102, 120]);
    this.u8(tag);
    this.node();
    if (tag === 120) {
      this.u32(r.pick([0, 1, 0xffffffff]));
      this.u32(r.pick([0, 5, 0x10000000, 0xffffffff]));
    } else this.u32(r.pick([0, 5, 0x0fffffff, 0x10000000, 0xffffffff]));
    if (tag === 102) this.u8(r.pick([0, 1, 3, 4, 255]));
    else this.creation();
  }

  ref(): void {
    const r = this.rng;
    const tag = r.weighted([
      [5, 90],
      [2, 114],
      [1, 101],
    ] as const);
    this.u8(tag);
    const n = tag === 101 ? 1 : r.weighted([
      [1, 0],
      [2, 1],
      [5, 3],
      [1, 2],
      [1, 5],
      [1, 6],
    ] as const);
    if (tag !== 101) this.u16(n);
    this.node();
    if (tag === 101) {
      this.u32(r.pick([0, 1, 0x3ffff, 0x40000]));
      this.u8(r.pick([0, 1, 3, 4, 255]));
      return;
    }
    if (tag === 90) this.creation();
    else this.u8(r.pick([0, 1, 3, 4, 255]));
    for (let i = 0; i < n; i++) this.u32(r.pick([0, 0, 1, 0x3ffff, 0x40000, 0xffffffff, r.u32()]));
  }

  fun(depth: number): void {
    const r = this.rng;
    const start = this.out.length;
    this.u8(112);
    this.u32(0); // Size, patched
    this.u8(r.pick([0, 1, 2, 255]));
    for (let i = 0; i < 16; i++) this.u8(r.chance(0.8) ? 0 : r.u32());
    this.u32(r.pick([0, 1, 7, 0xffffffff]));
    const free = r.pick([0, 0, 1, 2]);
    this.u32(free);
    if (r.chance(0.95)) this.atom();
    else this.integer();
    for (let k = 0; k < 2; k++) {
      // OldIndex, OldUniq: any integer form (or not an integer)
      if (r.chance(0.95)) this.integer();
      else this.term(depth + 1);
    }
    if (r.chance(0.95)) this.pid();
    else this.term(depth + 1);
    for (let i = 0; i < free; i++) this.term(depth + 1);
    const size = this.out.length - start - 1 + (r.chance(0.05) ? r.range(-2, 2) : 0);
    const p = start + 1;
    this.out[p] = (size >>> 24) & 255;
    this.out[p + 1] = (size >>> 16) & 255;
    this.out[p + 2] = (size >>> 8) & 255;
    this.out[p + 3] = size & 255;
  }

  exportFun(): void {
    const r = this.rng;
    this.u8(113);
    this.atom();
    this.atom();
    switch (r.int(6)) {
      case 0:
        this.u8(98);
        // (256 and above crash OTP 27's binary_to_term: test/codec/etf-regressions.test.ts)
        this.u32(r.pick([0, 1, 255, -1]));
        return;
      case 1:
        this.u8(110);
        this.u8(1);
        this.u8(r.pick([0, 1]));
        this.u8(r.pick([0, 1, 255]));
        return;
      case 2:
        this.atom();
        return;
      default:
        this.u8(97);
        this.u8(r.pick([0, 1, 2, 255]));
    }
  }

  record(depth: number): void {
    const r = this.rng;
    const n = r.pick([0, 1, 2, 3]);
    this.u8(67);
    this.u32(n);
    this.u8(r.pick([0, 0, 1, 2]));
    this.atom(r.pick(['m', 'nr', 'a']));
    this.atom(r.pick(['point', 'r', 'a']));
    const names = ['x', 'y', 'z', 'a'];
    for (let i = 0; i < n; i++) this.atom(r.chance(0.9) ? names[i] : r.pick(names));
    for (let i = 0; i < n; i++) this.term(depth + 1);
  }

  map(depth: number): void {
    const r = this.rng;
    const n = r.weighted([
      [3, r.range(0, 4)],
      [1, r.range(5, 12)],
      [1, r.range(30, 40)],
    ] as const);
    this.u8(116);
    this.u32(n);
    for (let i = 0; i < n; i++) {
      this.key(depth + 1, i);
      this.term(depth + 1);
    }
  }

  /** Keys that stress map-key order: integers next to equal floats, ±0.0, ids, atoms. */
  key(depth: number, i: number): void {
    const r = this.rng;
    switch (r.int(9)) {
      case 0:
        this.u8(97);
        this.u8(r.int(6));
        return;
      case 1: {
        const b = Buffer.alloc(8);
        b.writeDoubleBE(r.pick([0, -0, 1, 2, 1.5, -1]));
        this.u8(70);
        this.raw(b);
        return;
      }
      case 2:
        this.pid();
        return;
      case 3:
        this.ref();
        return;
      case 4:
        this.port();
        return;
      case 5:
        this.atom();
        return;
      case 6:
        this.u8(97);
        this.u8(i);
        return;
      default:
        this.term(depth);
    }
  }

  list(depth: number): void {
    const r = this.rng;
    if (r.chance(0.3)) {
      this.u8(107);
      const n = r.pick([0, 1, 3]);
      this.u16(n);
      this.raw(r.bytes(n));
      return;
    }
    const n = r.pick([0, 1, 2, 3]);
    this.u8(108);
    this.u32(n);
    for (let i = 0; i < n; i++) this.term(depth + 1);
    if (r.chance(0.7)) this.u8(106);
    else this.term(depth + 1);
  }

  binary(): void {
    const r = this.rng;
    if (r.chance(0.7)) {
      const n = r.pick([0, 1, 3]);
      this.u8(109);
      this.u32(n);
      this.raw(r.bytes(n));
      return;
    }
    const n = r.pick([0, 1, 2]);
    this.u8(77);
    this.u32(n);
    this.u8(r.pick([0, 1, 3, 7, 8, 9]));
    this.raw(r.bytes(n));
  }

  term(depth = 0): void {
    const r = this.rng;
    const leafOnly = depth > 4;
    const kind = r.weighted([
      [6, 'int'],
      [3, 'float'],
      [5, 'atom'],
      [2, 'bin'],
      [2, 'pid'],
      [2, 'port'],
      [3, 'ref'],
      [1, 'nil'],
      [2, 'export'],
      [leafOnly ? 0 : 3, 'tuple'],
      [leafOnly ? 0 : 3, 'list'],
      [leafOnly ? 0 : 3, 'map'],
      [leafOnly ? 0 : 2, 'fun'],
      [leafOnly ? 0 : 1, 'record'],
      [1, 'odd'],
    ] as const);
    switch (kind) {
      case 'int':
        return this.integer();
      case 'float':
        return this.float();
      case 'atom':
        return this.atom();
      case 'bin':
        return this.binary();
      case 'pid':
        return this.pid();
      case 'port':
        return this.port();
      case 'ref':
        return this.ref();
      case 'nil':
        return this.u8(106);
      case 'export':
        return this.exportFun();
      case 'tuple': {
        const n = r.pick([0, 1, 2, 3]);
        if (r.chance(0.1)) {
          this.u8(105);
          this.u32(n);
        } else {
          this.u8(104);
          this.u8(n);
        }
        for (let i = 0; i < n; i++) this.term(depth + 1);
        return;
      }
      case 'list':
        return this.list(depth);
      case 'map':
        return this.map(depth);
      case 'fun':
        return this.fun(depth);
      case 'record':
        return this.record(depth);
      case 'odd':
        // tags that are never valid inside a term, or only in some places
        this.u8(r.pick([121, 80, 68, 69, 117, 71, 0, 255]));
        if (r.chance(0.5)) this.raw(r.bytes(r.range(0, 6)));
        return;
    }
  }
}

export function grammarInput(rng: Rng): Uint8Array {
  const g = new G(rng);
  g.term();
  let body = g.out;
  if (rng.chance(0.05)) {
    // compressed: right or wrong size, sometimes trailing bytes after the zlib stream
    const z = Array.from(deflateSync(Uint8Array.from(body)));
    const size = body.length + (rng.chance(0.1) ? rng.range(-1, 1) : 0);
    body = [80, (size >>> 24) & 255, (size >>> 16) & 255, (size >>> 8) & 255, size & 255, ...z];
    if (rng.chance(0.2)) body.push(...rng.bytes(rng.range(1, 3)));
  }
  const out = [131, ...body];
  if (rng.chance(0.03)) out.push(...rng.bytes(rng.range(1, 3)));
  return Uint8Array.from(out);
}
