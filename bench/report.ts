/**
 * Benchmark output: one JSON line per measurement,
 * `{"bench","case","op","impl","value","unit"}`, plus (without --json) a header with the
 * machine and a table of ratios ours/reference.
 */
import os from 'node:os';

export type Impl = 'ergo-ts' | 'ergo-ts-recv' | 'ergo-go' | 'beam' | 'erlpack' | 'msgpackr';

export interface Row {
  bench: string;
  case: string;
  op: string;
  impl: Impl;
  value: number;
  unit: string;
}

export class Report {
  readonly rows: Row[] = [];
  constructor(readonly json: boolean) {}

  header(title: string): void {
    if (this.json) return;
    const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
    console.log(`# ${title}\n# node ${process.version}, ${os.cpus().length} × ${cpu}, ${os.platform()}-${os.arch()}`);
  }

  add(row: Row): void {
    this.rows.push(row);
    console.log(JSON.stringify(row));
  }

  /** Print `ours / reference` for every (case, op) where both were measured. */
  ratios(reference: Impl, ours: Impl = 'ergo-ts', higherIsBetter = true): void {
    if (this.json) return;
    for (const r of this.rows) {
      if (r.impl !== ours) continue;
      const ref = this.rows.find((x) => x.impl === reference && x.case === r.case && x.op === r.op && x.bench === r.bench);
      if (!ref || ref.value === 0) continue;
      const ratio = higherIsBetter ? r.value / ref.value : ref.value / r.value;
      console.log(`# ${r.bench} ${r.case} ${r.op}: ${ours} ${fmt(r.value)} vs ${reference} ${fmt(ref.value)} ${r.unit} → ${ratio.toFixed(2)}×`);
    }
  }

  note(text: string): void {
    if (!this.json) console.log(`# ${text}`);
  }
}

export function fmt(v: number): string {
  if (v >= 1e6) return (v / 1e6).toFixed(2) + 'M';
  if (v >= 1e3) return (v / 1e3).toFixed(1) + 'k';
  return v.toPrecision(3);
}

/** ops/s of `fn`, measured for about `ms` after a warm-up. */
export function measure(fn: () => unknown, ms: number): number {
  let sink: unknown;
  const warmEnd = performance.now() + ms / 3;
  while (performance.now() < warmEnd) for (let i = 0; i < 100; i++) sink = fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  const end = start + ms;
  while (now < end) {
    for (let i = 0; i < 100; i++) sink = fn();
    n += 100;
    now = performance.now();
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return (n * 1000) / (now - start);
}

/** The number after `--name` in `args`, or `def`. */
export function numArg(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  const eq = args.find((a) => a.startsWith(name + '='));
  const v = i >= 0 ? args[i + 1] : eq?.slice(name.length + 1);
  return v === undefined ? def : Number(v);
}

/** The value at quantile `q` (0..1) of numbers sorted ascending. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** The median (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
