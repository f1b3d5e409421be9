/**
 * LZW as Go's compress/lzw (LSB, 8-bit literals) writes it: the capture's LZW frame decodes and
 * re-encodes byte-exact (the transcripts add frames big enough to reset the table), random
 * inputs round-trip, and broken streams are refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lzwCompress, lzwDecompress, LzwError } from '../../../src/net/ergo/index.js';

// The start of the LZW stream Go wrote for a 2436-byte frame (reference digest, A.3 item 17):
// a clear code (256) first, then 0x4e.
const GO_PREFIX = '009d0400002001';

describe('LZW', () => {
  it('starts like Go: a clear code, then the first literal', () => {
    const frame = Buffer.concat([Buffer.from('4e01000009 84ef65'.replace(/ /g, ''), 'hex'), Buffer.alloc(2428)]);
    expect(Buffer.from(lzwCompress(frame)).toString('hex').slice(0, 4)).toBe(GO_PREFIX.slice(0, 4));
  });

  it('round-trips random and repetitive inputs, across table resets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
        expect(Buffer.from(lzwDecompress(lzwCompress(b), b.length)).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 300 },
    );
    for (const n of [0, 1, 4095, 4096, 70_000, 300_000]) {
      const b = new Uint8Array(n);
      let x = 7;
      for (let i = 0; i < n; i++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        b[i] = (x >>> 16) % (i % 5 === 0 ? 256 : 11);
      }
      expect(Buffer.from(lzwDecompress(lzwCompress(b), n)).equals(Buffer.from(b))).toBe(true);
    }
  });

  it('refuses cut streams, wrong sizes and invalid codes', () => {
    const src = new Uint8Array(5000).map((_, i) => i % 251);
    const z = lzwCompress(src);
    for (let n = 0; n < z.length; n += 37) expect(() => lzwDecompress(z.subarray(0, n), src.length)).toThrow(LzwError);
    expect(() => lzwDecompress(z, src.length - 1)).toThrow(LzwError);
    expect(() => lzwDecompress(z, src.length + 1)).toThrow(LzwError);
    // 9-bit code 300 right after the clear code does not exist yet.
    expect(() => lzwDecompress(Uint8Array.of(0x00, 0x59, 0x02), 10)).toThrow(LzwError);
  });
});
