/**
 * Every vector in proto-spec/vectors/etf, produced by real VMs (OTP 25 for most files, OTP 29
 * for records.json), checked against every OTP release:
 * - "recorded": proto-spec/vectors/etf/versions.json holds, per release (25, 27, 29), where
 *   that VM answers otherwise than the file states (etf-versions.ts wrote it); our decoder
 *   and encoder are judged against each release's answer, and every difference must be one
 *   of the classified ones (test/fuzz/etf-check.ts; proto-spec/etf.md §5 and §9);
 * - "live": the same against every OTP release available here, through its real VM, and the
 *   live answers must still be the recorded ones.
 * Plus the format checks: decode gives the stated term, the term built from the file's JSON
 * encodes to our canonical bytes, and each input fed split at every byte and truncated at
 * every length gives the same term or waits / a DecodeError.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decode, encode, EtfStreamDecoder, termLength } from '../../src/codec/etf/index.js';
import { DecodeError } from '../../src/codec/errors.js';
import { equals } from '../../src/term/index.js';
import { checkEtf } from '../fuzz/etf-check.js';
import { EtfOracle, type OracleAnswer } from '../fuzz/oracle.js';
import { otpReleases } from '../support/otp.js';
import { fromTJson, hexBytes, type EtfCase, type EtfVectorFile } from '../support/tjson.js';
import type { VersionsFile } from '../../proto-spec/scripts/etf-versions.js';

const dir = join(import.meta.dirname, '../../proto-spec/vectors/etf');
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'versions.json').sort();
const versions = JSON.parse(readFileSync(join(dir, 'versions.json'), 'utf8')) as VersionsFile;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Inputs above this size are split/truncated at sampled points instead of every byte. */
const EVERY_BYTE_LIMIT = 2048;

function cutPoints(n: number): number[] {
  if (n <= EVERY_BYTE_LIMIT) return Array.from({ length: n }, (_, i) => i);
  const pts = new Set<number>([0, 1, 2, 3, 4, 5, 6, 7, n - 1, n - 2, n - 3, n - 4]);
  for (let i = 1; i < 64; i++) pts.add(Math.floor((n * i) / 64));
  return [...pts].filter((p) => p >= 0 && p < n).sort((a, b) => a - b);
}

const all: { file: string; data: EtfVectorFile }[] = files.map((file) => ({ file, data: JSON.parse(readFileSync(join(dir, file), 'utf8')) as EtfVectorFile }));
const cases: EtfCase[] = all.flatMap((f) => f.data.cases);

it('has the vector files, and versions.json covers every case', () => {
  expect(cases.length).toBeGreaterThanOrEqual(300);
  const names = new Set(cases.map((c) => c.name));
  expect(names.size).toBe(cases.length);
  for (const r of versions.releases) for (const n of Object.keys(r.differs)) expect(names.has(n), n).toBe(true);
  expect(versions.releases.map((r) => r.otp)).toEqual(expect.arrayContaining(['25', '27', '29']));
});

/** What a release says about a case, from the file and that release's recorded differences. */
function recordedAnswer(c: EtfCase, release: VersionsFile['releases'][number]): OracleAnswer {
  const d = release.differs[c.name];
  const accepted = d?.accepted ?? !c.error;
  if (!accepted) return { ok: false };
  const det = hexBytes(d?.det ?? (c.canonical === false ? c.reencoded! : c.hex));
  return { ok: true, used: c.hex.length / 2, det, plain: det };
}

/** Judges every case against one release's answers; returns the classified differences met. */
function judge(answers: OracleAnswer[], release: string, label: string): Map<string, string[]> {
  const met = new Map<string, string[]>();
  cases.forEach((c, i) => {
    const v = checkEtf(hexBytes(c.hex), answers[i]!, release);
    if (v.outcome === 'agree-accept' || v.outcome === 'agree-refuse') return;
    if (v.classified === undefined) expect.fail(`${label}: ${c.name}: ${v.outcome} ${v.detail ?? ''}`);
    met.set(v.classified, [...(met.get(v.classified) ?? []), c.name]);
  });
  return met;
}

/** Per release, the deliberate differences the vectors show (etf.md §5, §9). */
const EXPECTED: Record<string, string[]> = {
  '25': ['large-map-order', 'otp25-port-form', 'otp25-empty-bitstring', 'record-before-otp29', 'zero-word-refs'],
  '27': ['fun-pid', 'large-map-order', 'record-before-otp29', 'zero-word-refs'],
  '29': ['fun-pid', 'large-map-order', 'zero-word-refs'],
};

for (const release of versions.releases) {
  it(`ETF vectors · OTP ${release.version} (recorded): our codec agrees, every difference classified`, () => {
    const met = judge(
      cases.map((c) => recordedAnswer(c, release)),
      release.otp,
      `OTP ${release.version}`,
    );
    expect([...met.keys()].sort()).toEqual([...(EXPECTED[release.otp] ?? [])].sort());
  });
}

for (const otp of otpReleases()) {
  describe(`ETF vectors · ${otp.label}`, () => {
    let oracle: EtfOracle | undefined;
    afterAll(async () => {
      await oracle?.close();
    });
    it('the live VM answers as recorded, and our codec agrees with it', async () => {
      oracle = new EtfOracle(otp);
      const answers = await oracle.decode(cases.map((c) => hexBytes(c.hex)));
      const recorded = versions.releases.find((r) => r.version === otp.version);
      if (recorded) {
        cases.forEach((c, i) => {
          const want = recordedAnswer(c, recorded);
          const got = answers[i]!;
          expect(got.ok, `${c.name}: accepted`).toBe(want.ok);
          // Fun pids carry the oracle VM's random creation on OTP 26+: compare the rest.
          if (got.ok && want.ok && !c.name.startsWith('fun/') && !c.name.includes('fun')) expect(hex(got.det), c.name).toBe(hex(want.det));
        });
      }
      const met = judge(answers, otp.release, otp.label);
      if (EXPECTED[otp.release]) expect([...met.keys()].sort()).toEqual([...EXPECTED[otp.release]!].sort());
    });
  });
}

for (const { file, data } of all) {
  describe(`${file} (written by OTP ${data.otp})`, () => {
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
      let refused: DecodeError | undefined;
      try {
        decode(bytes);
      } catch (e) {
        if (e instanceof DecodeError) refused = e;
      }
      if (refused !== undefined) {
        // A case a newer release refuses, or one we refuse on purpose (classified above).
        it(`refuses ${c.name} (${refused.code}; see the version checks)`, () => {
          expect(refused).toBeInstanceOf(DecodeError);
        });
        continue;
      }
      it(c.name, () => {
        const expected = fromTJson(c.term!);
        const got = decode(bytes);
        if (!equals(got, expected)) expect.fail(`decoded value differs from the vector's term`);
        // Our bytes: the newest release's deterministic term_to_binary (checked above); here,
        // stability: encoding again gives the same bytes, and the JSON's term encodes the same.
        const again = encode(got);
        expect(hex(encode(decode(again)))).toBe(hex(again));
        expect(hex(encode(expected))).toBe(hex(again));
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
