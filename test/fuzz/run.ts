/**
 * `npm run fuzz -- etf|edf [--minutes N] [--seed S] [--inputs N]`: the differential fuzzers,
 * run for as long as asked. ETF: every available OTP (test/support/otp.ts) answers each
 * input. EDF: decode/encode stability and bounded time and memory (no Go peer needed).
 * Prints a summary (counts per outcome and class, the shortest example of each
 * disagreement) and exits 1 on any unclassified disagreement.
 */
import { otpReleases } from '../support/otp.js';
import { DIFFERENCES } from './etf-check.js';
import { fuzzEtf, unclassified } from './etf-fuzz.js';
import { fuzzEdf } from './edf-fuzz.js';

const args = process.argv.slice(2);
const what = args.find((a) => !a.startsWith('--') && !/^\d/.test(a));
function num(name: string): number | undefined {
  const i = args.indexOf(name);
  if (i >= 0 && args[i + 1] !== undefined) return Number(args[i + 1]);
  const eq = args.find((a) => a.startsWith(name + '='));
  return eq === undefined ? undefined : Number(eq.slice(name.length + 1));
}
const minutes = num('--minutes');
const seed = num('--seed') ?? (Date.now() & 0x7fffffff);
const inputs = num('--inputs');
const verbose = args.includes('--verbose');
const ms = minutes !== undefined ? minutes * 60_000 : inputs === undefined ? 60_000 : undefined;

if (what === 'etf') {
  const releases = otpReleases();
  if (releases.length === 0) {
    console.error('fuzz etf: no erl found');
    process.exit(2);
  }
  console.log(`fuzz etf: seed ${seed}, ${releases.map((r) => r.label).join(', ')}, ${inputs ?? '∞'} inputs / ${ms === undefined ? '∞' : ms / 1000 + ' s'}`);
  let last = 0;
  const r = await fuzzEtf({
    seed,
    inputs,
    ms,
    releases,
    onProgress: (n) => {
      if (n - last >= 50_000) {
        last = n;
        console.log(`  ${n} inputs`);
      }
    },
  });
  console.log(`${r.inputs} inputs per release in ${(r.ms / 1000).toFixed(1)} s (${JSON.stringify(r.byKind)})`);
  for (const t of r.tallies) {
    console.log(`\n${t.label}: ${JSON.stringify(t.counts)}${t.crashes.length ? `; ${t.crashes.length} inputs crashed this VM, e.g. ${t.crashes[0]!.slice(0, 80)}` : ''}`);
    for (const [k, n] of Object.entries(t.classes).sort()) {
      const [, cls] = k.split(':');
      console.log(`  ${k.padEnd(44)} ${String(n).padStart(7)}  ${cls === 'UNCLASSIFIED' ? '' : DIFFERENCES[cls as keyof typeof DIFFERENCES].slice(0, 60)}`);
      for (const ex of (t.examples[k] ?? []).slice(0, verbose ? 5 : 1)) console.log(`      e.g. ${verbose ? ex.hex : ex.hex.slice(0, 160)}${ex.detail ? `\n           ${verbose ? ex.detail : ex.detail.slice(0, 240)}` : ''}`);
    }
  }
  const bad = unclassified(r);
  console.log(bad.length === 0 ? '\nno unclassified disagreement' : `\n${bad.reduce((s, b) => s + b.count, 0)} unclassified disagreements`);
  process.exit(bad.length === 0 ? 0 : 1);
} else if (what === 'edf') {
  console.log(`fuzz edf: seed ${seed}, ${inputs ?? '∞'} inputs / ${ms === undefined ? '∞' : ms / 1000 + ' s'}`);
  const r = fuzzEdf({ seed, inputs, ms });
  console.log(JSON.stringify(r.counts));
  for (const f of r.failures.slice(0, 10)) console.log(`  ${f.kind}: ${f.hex.slice(0, 160)}\n    ${f.detail.slice(0, 200)}`);
  console.log(`${r.inputs} inputs in ${(r.ms / 1000).toFixed(1)} s; slowest ${r.slowestNsPerByte.toFixed(0)} ns/B (${r.slowestHex.slice(0, 60)}…); ${r.failures.length === 0 ? 'no failure' : `${r.failures.length} failures`}`);
  process.exit(r.failures.length === 0 ? 0 : 1);
} else {
  console.error('usage: npm run fuzz -- etf|edf [--minutes N] [--seed S] [--inputs N] [--verbose]');
  process.exit(2);
}
