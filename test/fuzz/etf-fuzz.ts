/**
 * The ETF differential fuzz loop: inputs from etf-inputs.ts, each sent to every available
 * OTP's oracle in batches and judged by etf-check.ts. Used by `npm run fuzz -- etf` and by
 * test/fuzz/etf.test.ts (a bounded, seeded share in CI).
 */
import type { Otp } from '../support/otp.js';
import { checkEtf, type Outcome, type Verdict } from './etf-check.js';
import { nextInput, type InputKind } from './etf-inputs.js';
import { EtfOracle } from './oracle.js';
import { Rng } from './rng.js';


export interface EtfFuzzOptions {
  seed: number;
  /** Inputs per release (each input goes to every release). */
  inputs?: number;
  /** Stop after this many milliseconds instead (whichever comes first). */
  ms?: number;
  batch?: number;
  releases: Otp[];
  /** Keep at most this many examples per (release, outcome, class). */
  examples?: number;
  onProgress?: (done: number) => void;
}

export interface Tally {
  release: string;
  label: string;
  counts: Partial<Record<Outcome, number>>;
  /** `${outcome}:${class}` → count, for disagreements. */
  classes: Record<string, number>;
  examples: Record<string, { hex: string; detail?: string; sig?: string }[]>;
  /** Inputs that killed this release's VM. */
  crashes: string[];
}

export interface EtfFuzzResult {
  seed: number;
  inputs: number;
  byKind: Record<InputKind, number>;
  tallies: Tally[];
  ms: number;
}

const KINDS: readonly (readonly [number, InputKind])[] = [
  [5, 'mutated'],
  [4, 'grammar'],
  [1, 'random'],
];

export async function fuzzEtf(o: EtfFuzzOptions): Promise<EtfFuzzResult> {
  const start = performance.now();
  const rng = new Rng(o.seed);
  const batch = o.batch ?? 2000;
  const maxInputs = o.inputs ?? Infinity;
  const deadline = o.ms === undefined ? Infinity : start + o.ms;
  const examples = o.examples ?? 12;
  const oracles = o.releases.map((r) => new EtfOracle(r));
  const tallies: Tally[] = o.releases.map((r) => ({ release: r.release, label: r.label, counts: {}, classes: {}, examples: {}, crashes: [] }));
  const byKind: Record<InputKind, number> = { mutated: 0, grammar: 0, random: 0 };
  let done = 0;
  try {
    let next: Promise<unknown> | undefined;
    while (done < maxInputs && performance.now() < deadline) {
      const n = Math.min(batch, maxInputs - done);
      const inputs: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        const kind = rng.weighted(KINDS);
        byKind[kind]++;
        inputs.push(nextInput(rng, kind));
      }
      // Ask every release at once; judge while the next batch is being made.
      const answers = await Promise.all(oracles.map((or) => or.decode(inputs)));
      await next;
      next = Promise.resolve().then(() => {
        answers.forEach((ans, r) => {
          const t = tallies[r]!;
          for (let i = 0; i < inputs.length; i++) record(t, inputs[i]!, checkEtf(inputs[i]!, ans[i]!, t.release), examples);
        });
      });
      done += n;
      o.onProgress?.(done);
    }
    await next;
    oracles.forEach((or, i) => tallies[i]!.crashes.push(...or.crashes));
  } finally {
    await Promise.all(oracles.map((or) => or.close()));
  }
  return { seed: o.seed, inputs: done, byKind, tallies, ms: performance.now() - start };
}

function record(t: Tally, input: Uint8Array, v: Verdict, max: number): void {
  t.counts[v.outcome] = (t.counts[v.outcome] ?? 0) + 1;
  if (v.outcome === 'agree-accept' || v.outcome === 'agree-refuse') return;
  const key = `${v.outcome}:${v.classified ?? 'UNCLASSIFIED'}`;
  t.classes[key] = (t.classes[key] ?? 0) + 1;
  const ex = (t.examples[key] ??= []);
  // One example per kind of detail (error code and message shape), the shortest input of each.
  const sig = (v.detail ?? '').replace(/[0-9a-f]{6,}/g, '#').replace(/\d+/g, 'N').slice(0, 60);
  const hexIn = Buffer.from(input).toString('hex');
  const same = ex.findIndex((e) => e.sig === sig);
  if (same >= 0) {
    if (hexIn.length < ex[same]!.hex.length) ex[same] = { hex: hexIn, detail: v.detail, sig };
  } else if (ex.length < max) ex.push({ hex: hexIn, detail: v.detail, sig });
}

/** Disagreements that are not deliberate differences. */
export function unclassified(r: EtfFuzzResult): { release: string; key: string; count: number; examples: { hex: string; detail?: string }[] }[] {
  const out = [];
  for (const t of r.tallies) {
    for (const [key, count] of Object.entries(t.classes)) {
      if (key.endsWith(':UNCLASSIFIED')) out.push({ release: t.label, key, count, examples: t.examples[key] ?? [] });
    }
  }
  return out;
}
