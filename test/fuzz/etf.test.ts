/**
 * The ETF differential fuzzer's CI share: a seeded run of ≥ 50,000 inputs, each answered by
 * every available OTP (one long-lived `erl` per release, batched). Fails on any disagreement
 * that is not one of the classified deliberate differences (etf-check.ts, proto-spec/etf.md
 * §9), on any round-trip failure and on anything but a DecodeError escaping the decoder.
 * A longer run: `npm run fuzz -- etf --minutes 30`. Another seed: ERGO_TS_FUZZ_SEED=N.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { otpReleases } from '../support/otp.js';
import { DIFFERENCES } from './etf-check.js';
import { fuzzEtf, type EtfFuzzResult } from './etf-fuzz.js';

const INPUTS = 50_000;
const SEED = Number(process.env.ERGO_TS_FUZZ_SEED ?? 20_260_801);
const releases = otpReleases();

describe(`ETF differential fuzz, seed ${SEED}`, () => {
  let result: EtfFuzzResult;
  beforeAll(async () => {
    result = await fuzzEtf({ seed: SEED, inputs: INPUTS, releases });
  }, 600_000);

  it('has at least one OTP release to ask', () => {
    expect(releases.length).toBeGreaterThan(0);
  });

  for (const [i, otp] of releases.entries()) {
    it(`${INPUTS} inputs · ${otp.label}: accept ⇔ accept, the BEAM's bytes, stable round trips`, () => {
      const t = result.tallies[i]!;
      expect(result.inputs).toBe(INPUTS);
      const total = Object.values(t.counts).reduce((s, n) => s + (n ?? 0), 0);
      expect(total).toBe(INPUTS);
      const problems = Object.entries(t.classes)
        .filter(([k]) => k.endsWith(':UNCLASSIFIED'))
        .map(([k, n]) => `${k} ×${n}: ${(t.examples[k] ?? []).map((e) => `${e.hex.slice(0, 120)} (${e.detail?.slice(0, 160) ?? ''})`).join('; ')}`);
      expect(problems, `unclassified disagreements with ${otp.label}`).toEqual([]);
      expect(t.counts.crash ?? 0).toBe(0);
      expect(t.counts.roundtrip ?? 0).toBe(0);
      // Each class met is a documented difference; and real agreement dominates.
      for (const k of Object.keys(t.classes)) expect(Object.keys(DIFFERENCES)).toContain(k.split(':')[1]);
      expect((t.counts['agree-accept'] ?? 0) + (t.counts['agree-refuse'] ?? 0)).toBeGreaterThan(INPUTS * 0.8);
      expect(t.counts['agree-accept'] ?? 0).toBeGreaterThan(INPUTS / 5);
    });
  }
});
