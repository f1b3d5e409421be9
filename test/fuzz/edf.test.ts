/**
 * The EDF fuzzer's CI share (no Go peer needed): 200,000 seeded inputs — mutated Go vectors,
 * random bytes, atoms of raw bytes — give a value or a DecodeError, and every decoded value
 * encodes and survives decode∘encode∘decode unchanged. `npm run fuzz -- edf --minutes N` for more.
 */
import { expect, it } from 'vitest';
import { fuzzEdf } from './edf-fuzz.js';

const INPUTS = 200_000;
const SEED = Number(process.env.ERGO_TS_FUZZ_SEED ?? 20_260_801);

it(`EDF fuzz, seed ${SEED}: ${INPUTS} inputs, only DecodeError, stable round trips`, () => {
  const r = fuzzEdf({ seed: SEED, inputs: INPUTS });
  expect(r.inputs).toBe(INPUTS);
  expect(r.failures.map((f) => `${f.kind} ${f.hex.slice(0, 120)}: ${f.detail.slice(0, 200)}`)).toEqual([]);
  expect(r.counts.decoded).toBeGreaterThan(INPUTS / 10);
}, 300_000);
