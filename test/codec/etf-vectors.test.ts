/**
 * Every vector in proto-spec/vectors/etf, produced by the real `erl`: decode gives the stated
 * term, encode gives the bytes back (or OTP's re-encoding for legacy input), invalid bytes give
 * a DecodeError; each decoder input is also fed split at every byte and truncated at every length.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, encode, EtfStreamDecoder, termLength } from '../../src/codec/etf/index.js';
import { DecodeError } from '../../src/codec/errors.js';
import { equals } from '../../src/term/index.js';
import { fromTJson, hexBytes, type EtfVectorFile } from '../support/tjson.js';

const dir = join(import.meta.dirname, '../../proto-spec/vectors/etf');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Inputs above this size are split/truncated at sampled points instead of every byte. */
const EVERY_BYTE_LIMIT = 2048;

function cutPoints(n: number): number[] {
  if (n <= EVERY_BYTE_LIMIT) return Array.from({ length: n }, (_, i) => i);
  const pts = new Set<number>([0, 1, 2, 3, 4, 5, 6, 7, n - 1, n - 2, n - 3, n - 4]);
  for (let i = 1; i < 64; i++) pts.add(Math.floor((n * i) / 64));
  return [...pts].filter((p) => p >= 0 && p < n).sort((a, b) => a - b);
}

it('has the vector files', () => {
  expect(files.length).toBeGreaterThan(0);
  const total = files.reduce((s, f) => s + (JSON.parse(readFileSync(join(dir, f), 'utf8')) as EtfVectorFile).cases.length, 0);
  expect(total).toBeGreaterThanOrEqual(300);
});

for (const file of files) {
  const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as EtfVectorFile;
  describe(`${file} (OTP ${data.otp})`, () => {
    for (const c of data.cases) {
      const bytes = hexBytes(c.hex);
      if (c.error) {
        it(`rejects ${c.name}`, () => {
          expect(() => decode(bytes)).toThrow(DecodeError);
          // A stream either rejects it or waits for more; it never yields a term from junk.
          const s = new EtfStreamDecoder();
          s.push(bytes);
          try {
            const t = s.next();
            if (t !== undefined) expect.fail(`stream produced a term from invalid input`);
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
          }
        });
        continue;
      }
      it(c.name, () => {
        const expected = fromTJson(c.term!);
        const got = decode(bytes);
        if (!equals(got, expected)) expect.fail(`decoded value differs from the vector's term`);
        const again = encode(got);
        if (c.canonical === false) expect(hex(again)).toBe(c.reencoded);
        else expect(hex(again)).toBe(c.hex);
        // Encoding the term built from the vector's JSON gives the same bytes too.
        if (c.canonical !== false) expect(hex(encode(expected))).toBe(c.hex);
      });
      // Compressed terms have no self-delimiting length, so they only go through decode().
      const streamable = bytes[1] !== 80;
      it(`${c.name}: split and truncated`, () => {
        const expected = decode(bytes);
        for (const k of cutPoints(bytes.length)) {
          if (k > 0) expect(() => decode(bytes.subarray(0, k))).toThrow(DecodeError);
          if (!streamable) continue;
          const s = new EtfStreamDecoder();
          s.push(bytes.subarray(0, k));
          expect(s.next()).toBeUndefined();
          s.push(bytes.subarray(k));
          const t = s.next();
          if (t === undefined || !equals(t, expected)) expect.fail(`split at ${k}: wrong term`);
          expect(s.buffered).toBe(0);
        }
        if (streamable) expect(termLength(bytes, 1)).toBe(bytes.length - 1);
      });
    }
  });
}
