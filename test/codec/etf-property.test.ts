/**
 * Random terms through every available BEAM (otpReleases(): OTP 25, 27, 29 here): TS encode →
 * erl binary_to_term + term_to_binary → TS decode must give the term back; plus TS-only round
 * trips and random/mutated bytes giving only DecodeError.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decode, encode, EtfStreamDecoder } from '../../src/codec/etf/index.js';
import { DecodeError } from '../../src/codec/errors.js';
import { compareKeys, equals, ErlFloat, format, hash, TermMap, type Term } from '../../src/term/index.js';
import { termArb } from '../support/arbitrary.js';
import { PacketPeer } from '../support/erl.js';
import { otpReleases } from '../support/otp.js';
import { walk } from '../fuzz/walk.js';

const ERL_RUNS = 10_000;

for (const otp of otpReleases()) {
  describe(`ETF property · ${otp.label}`, () => {
    let peer: PacketPeer | undefined;
    afterAll(async () => {
      await peer?.close();
    });

    it(`${ERL_RUNS} random terms survive TS encode → BEAM → TS decode`, async () => {
      peer = new PacketPeer('etf_echo', { otp });
      const seed = Date.now() & 0x7fffffff;
      const major = Number(otp.release);
      // OTP 25 holds 0.0 and -0.0 for one term: a map with both as keys is a duplicate there.
      const terms = fc.sample(major >= 27 ? termArb : termArb.filter((t) => !zeroPair(t)), { numRuns: ERL_RUNS, seed });
      // Pipeline in batches: BEAM answers in order.
      const BATCH = 500;
      let checked = 0;
      for (let i = 0; i < terms.length; i += BATCH) {
        const batch = terms.slice(i, i + BATCH);
        const replies = await Promise.all(batch.map((t) => peer!.request(Uint8Array.from(encode(t)))));
        replies.forEach((r, j) => {
          const t = batch[j]!;
          if (r[0] !== 0) {
            expect.fail(`(seed ${seed}) ${otp.label} rejected our encoding of ${format(t)}: ${format(decode(new Uint8Array(r.subarray(1))))}`);
          }
          const back = decode(new Uint8Array(r.subarray(1)));
          if (!equals(back, t)) expect.fail(`(seed ${seed}) round trip through ${otp.label} changed ${format(t)} into ${format(back)}`);
          checked++;
        });
      }
      expect(checked).toBe(ERL_RUNS);
    });
  });
}

function zeroPair(t: Term): boolean {
  let found = false;
  walk(t, (x) => {
    if (x instanceof TermMap) {
      let pos = false;
      let neg = false;
      for (const k of x.keys()) {
        if (k instanceof ErlFloat && k.value === 0) {
          if (Object.is(k.value, -0)) neg = true;
          else pos = true;
        }
      }
      if (pos && neg) found = true;
    }
  });
  return found;
}

describe('in TypeScript', () => {
  it('decode(encode(t)) equals t, and encode is stable', () => {
    fc.assert(
      fc.property(termArb, (t) => {
        const b = encode(t);
        const d = decode(b);
        expect(equals(d, t)).toBe(true);
        expect(Buffer.from(encode(d)).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('random bytes give a term or a DecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, withVersion) => {
        const input = withVersion ? Uint8Array.from([131, ...bytes]) : bytes;
        try {
          decode(input);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('mutated encodings give a term or a DecodeError, nothing else', () => {
    fc.assert(
      fc.property(termArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (t, muts) => {
        const b = Uint8Array.from(encode(t));
        for (const [i, v] of muts) b[i % b.length] = v;
        for (const run of [() => decode(b), () => streamAll(b)]) {
          try {
            run();
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e;
          }
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('hostile lengths are refused before allocating', () => {
    const cases: [string, number[]][] = [
      ['binary of 4 GiB', [131, 109, 0xff, 0xff, 0xff, 0xff]],
      ['list of 4G elements', [131, 108, 0xff, 0xff, 0xff, 0xff, 106]],
      ['tuple of 4G elements', [131, 105, 0xff, 0xff, 0xff, 0xff]],
      ['map of 4G pairs', [131, 116, 0xff, 0xff, 0xff, 0xff]],
      ['big of 4G bytes', [131, 111, 0xff, 0xff, 0xff, 0xff, 0]],
      ['compressed to 4 GiB', [131, 80, 0xff, 0xff, 0xff, 0xff, 0x78, 0x9c]],
    ];
    for (const [name, bytes] of cases) {
      expect(() => decode(Uint8Array.from(bytes)), name).toThrow(DecodeError);
    }
  });

  it('limits: depth and atoms', () => {
    let deep: Term = [];
    for (let i = 0; i < 50; i++) deep = [deep];
    expect(() => decode(encode(deep), { maxDepth: 10 })).toThrow(/deeper/);
    expect(equals(decode(encode(deep), { maxDepth: 60 }), deep)).toBe(true);
    const fresh = Uint8Array.from([131, 119, 12, ...Buffer.from('never-seen-1')]);
    expect(() => decode(fresh, { existingAtoms: true })).toThrow(DecodeError);
    expect(() => decode(fresh, { maxAtoms: 1 })).toThrow(/atom table is full/);
  });

  it('compare/equals/hash agree: equal terms compare 0 in map-key order and hash alike', () => {
    fc.assert(
      fc.property(termArb, termArb, (a, b) => {
        const d = decode(encode(a));
        expect(equals(d, a)).toBe(true);
        expect(hash(d)).toBe(hash(a));
        expect(compareKeys(d, a)).toBe(0);
        expect(compareKeys(a, b) === 0).toBe(equals(a, b));
        expect(Math.sign(compareKeys(a, b)) + Math.sign(compareKeys(b, a))).toBe(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('nesting far deeper than the JS stack decodes and encodes without recursion', () => {
    const n = 200_000;
    const bytes = new Uint8Array(1 + n * 5 + 1 + n);
    bytes[0] = 131;
    for (let i = 0; i < n; i++) bytes.set([108, 0, 0, 0, 1], 1 + i * 5);
    bytes.fill(106, 1 + n * 5);
    expect(() => decode(bytes)).toThrow(/deeper than 20000/);
    const t = decode(bytes, { maxDepth: Infinity });
    let d = 0;
    for (let x: Term = t; Array.isArray(x) && x.length === 1; x = (x as Term[])[0]!) d++;
    expect(d).toBe(n);
    expect(Buffer.from(encode(t)).equals(Buffer.from(bytes))).toBe(true);
  });
});

function streamAll(b: Uint8Array): void {
  const s = new EtfStreamDecoder();
  s.push(b);
  while (s.next() !== undefined);
}
