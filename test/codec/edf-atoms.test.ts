/**
 * EDF atoms keep their bytes as Go keeps a gen.Atom's (issue 8): text that is not UTF-8 does
 * not widen into replacement characters, so the atom encodes back to the bytes it came from.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/codec/edf/index.js';
import { encode as encodeEtf } from '../../src/codec/etf/index.js';
import { EncodeError } from '../../src/codec/errors.js';
import { Atom } from '../../src/term/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('EDF atoms of raw bytes', () => {
  it('255 bytes with one that is not UTF-8 decode and re-encode unchanged (8c00ff + 255 × 78, one fe)', () => {
    const body = Buffer.alloc(255, 0x78);
    body[100] = 0xfe;
    const input = Uint8Array.from([0x8c, 0x00, 0xff, ...body]);
    const a = decode(input) as Atom;
    expect(a).toBeInstanceOf(Atom);
    expect(a.utf8.length).toBe(255);
    expect(hex(a.utf8)).toBe(hex(body));
    expect(hex(encode(a))).toBe(hex(input));
    // The same bytes give the same atom; valid UTF-8 is untouched.
    expect(decode(input)).toBe(a);
    expect(decode(Uint8Array.from([0x8c, 0, 2, 0xc3, 0xa9]))).toBe(Atom.of('é'));
  });

  it('each invalid byte stands for itself: distinct byte strings are distinct atoms', () => {
    const a = decode(Uint8Array.from([0x8c, 0, 2, 0x61, 0xfe])) as Atom;
    const b = decode(Uint8Array.from([0x8c, 0, 2, 0x61, 0xff])) as Atom;
    const c = decode(Uint8Array.from([0x8c, 0, 4, 0x61, 0xef, 0xbf, 0xbd])) as Atom; // a literal U+FFFD
    expect(a).not.toBe(b);
    expect(c.name).toBe('a\ufffd');
    expect(a.raw).toBe(true);
    expect(c.raw).toBe(false);
    expect(hex(a.utf8)).toBe('61fe');
    expect(Atom.fromBytes(Uint8Array.from([0x61, 0xfe]))).toBe(a);
  });

  it('an atom of raw bytes has no ETF form: a typed EncodeError, not bytes the BEAM refuses', () => {
    const a = decode(Uint8Array.from([0x8c, 0, 1, 0x80])) as Atom;
    expect(() => encodeEtf(a)).toThrow(EncodeError);
    expect(() => a.etf).toThrow(RangeError);
  });
});
