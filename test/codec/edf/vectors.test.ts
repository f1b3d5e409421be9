/**
 * Every vector in proto-spec/vectors/edf (real Go bytes): decoding gives the stated value,
 * re-encoding the decoded value gives the same bytes, encoding the stated value gives the bytes
 * (or, where Go's map order makes bytes unstable, a value that decodes the same), bytes Go
 * rejects are rejected, and every input truncated at every length gives only a DecodeError.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/codec/errors.js';
import { EdfDecoder, EdfEncoder, fromEJson, matchEJson, toEJson, typeFromJson } from '../../../src/codec/edf/index.js';
import { hex, loadVectorFiles, optionsFor, registryFor, unhex } from './support.js';

const files = loadVectorFiles();
const dec = new EdfDecoder();
const enc = new EdfEncoder();

it('has the vector files, at least 200 of them from the real Go net/edf', () => {
  expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['digest.json', 'capture.json', 'go.json']));
  const go = files.find((f) => f.file === 'go.json')!.data;
  expect(go.release).toMatch(/^3\./);
  expect(go.cases.length).toBeGreaterThanOrEqual(200);
});

for (const { file, data } of files) {
  const registry = registryFor(data);
  describe(file, () => {
    for (const c of data.cases) {
      const bytes = unhex(c.hex);
      const o = optionsFor(data, registry, c);
      const type = c.type === undefined ? undefined : typeFromJson(c.type, registry);
      const decodeIt = (b: Uint8Array) => (type === undefined ? dec.decode(b, o.dec) : dec.decodeBody(type, b, o.dec));

      if (c.error !== undefined) {
        it(`rejects ${c.name}`, () => {
          let caught: unknown;
          try {
            decodeIt(bytes);
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(DecodeError);
          expect((caught as DecodeError).code).toBe(c.error);
        });
        continue;
      }

      it(c.name, () => {
        const v = decodeIt(bytes);
        if (c.value !== undefined) {
          const m = matchEJson(toEJson(v, type), c.value);
          if (m !== null) expect.fail(`decoded value differs: ${m}`);
        }
        // Lossless: what we decoded re-encodes to Go's bytes (map pairs keep wire order).
        if (c.encode !== false) {
          const again = type === undefined ? enc.encode(v, o.enc) : enc.encodeBody(type, v, o.enc);
          expect(hex(again)).toBe(c.hex);
        }
        // From the stated value alone.
        const from = c.encodeFrom ?? c.value;
        if (c.encode !== false && from !== undefined && !JSON.stringify(from).includes('"partial"') && !JSON.stringify(from).includes('"$')) {
          const x = fromEJson(from, type, { registry, errorOf: o.errorOf });
          const out = type === undefined ? enc.encode(x, o.enc) : enc.encodeBody(type, x, o.enc);
          if (c.mapOrder) {
            const back = type === undefined ? dec.decode(out, o.dec) : dec.decodeBody(type, out, o.dec);
            const m = matchEJson(toEJson(back, type), c.value);
            if (m !== null) expect.fail(`encoded value decodes differently: ${m}`);
            expect(out.length).toBe(bytes.length);
          } else expect(hex(out)).toBe(c.hex);
        }
      });

      it(`${c.name}: truncated at every length → DecodeError`, () => {
        for (let n = 0; n < bytes.length; n++) {
          try {
            decodeIt(bytes.subarray(0, n));
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e;
            continue;
          }
          // A shorter prefix may itself be a whole value only if it is followed by nothing here:
          // EDF values never end early, so a prefix decoding cleanly is a bug.
          expect.fail(`prefix of ${n} bytes decoded without error`);
        }
        // One byte too many is trailing data, not a different value.
        const longer = new Uint8Array(bytes.length + 1);
        longer.set(bytes);
        expect(() => decodeIt(longer)).toThrow(DecodeError);
      });
    }
  });
}
