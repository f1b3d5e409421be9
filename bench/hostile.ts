/**
 * `npm run bench -- hostile`: the adversarial ETF shapes of issue 8 at several sizes, decoded
 * under the default limits. Per case and size it prints the decode time per input byte
 * (`ns/B`) and the heap the result holds per input byte (`B/B`), next to the same figures for
 * a flat list of small integers of the same byte size (the reference: what a plain input
 * costs), and the ratio. Compressed bombs are per *inflated* byte. It also states the bytes
 * one interned atom costs. Options: `--sizes 65536,1048576,8388608`, `--ms 300`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deflateSync } from 'node:zlib';
import { decode, EtfStreamDecoder } from '../src/codec/etf/index.js';
import { Atom } from '../src/term/atom.js';
import { numArg, type Report } from './report.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type Shape = { name: string; make(size: number): Uint8Array; run?: (b: Uint8Array) => unknown; perInflated?: boolean; maxSize?: number };

function u32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

/** `131, prefix, n × unit, suffix` with n chosen so the whole is about `size` bytes. */
function repeat(size: number, head: (n: number) => number[], unit: number[], tail: number[] = []): Uint8Array {
  const n = Math.max(1, Math.floor((size - 1 - head(0).length - tail.length) / unit.length));
  const h = head(n);
  const out = new Uint8Array(1 + h.length + n * unit.length + tail.length);
  out[0] = 131;
  out.set(h, 1);
  let p = 1 + h.length;
  for (let i = 0; i < n; i++, p += unit.length) out.set(unit, p);
  out.set(tail, p);
  return out;
}

/** Nested: `n` openings, a core, `n` closings. */
function nest(size: number, open: number[], core: number[], close: number[]): Uint8Array {
  const n = Math.max(1, Math.floor((size - 1 - core.length) / (open.length + close.length)));
  const out = new Uint8Array(1 + n * (open.length + close.length) + core.length);
  out[0] = 131;
  let p = 1;
  for (let i = 0; i < n; i++, p += open.length) out.set(open, p);
  out.set(core, p);
  p += core.length;
  for (let i = 0; i < n; i++, p += close.length) out.set(close, p);
  return out;
}

const DEPTH_LIMIT_BYTES = 19_000; // nesting shapes stay inside the default maxDepth (20,000)

const flat: Shape = { name: 'flat list of small integers', make: (s) => repeat(s, (n) => [108, ...u32(n)], [97, 7], [106]) };

let atomRun = 0;
const shapes: Shape[] = [
  {
    name: 'nested map keys #{#{…} => 1} => 1',
    make: (s) => nest(s, [116, 0, 0, 0, 1], [106], [97, 1]),
    maxSize: DEPTH_LIMIT_BYTES * 7,
  },
  { name: 'improper tail chain [1 | [1 | …]]', make: (s) => repeat(s, () => [], [108, 0, 0, 0, 1, 97, 1], [106]) },
  {
    name: 'tail chain of 25-byte elements',
    make: (s) => repeat(s, () => [], [108, 0, 0, 0, 1, 109, 0, 0, 0, 20, ...new Array<number>(20).fill(120)], [106]),
  },
  {
    name: 'nested funs (free variable of the next)',
    make: (s) => {
      const head = [112, 0, 0, 0, 0, 0, ...new Array<number>(16).fill(0), 0, 0, 0, 0, 0, 0, 0, 1, 119, 1, 109, 97, 0, 97, 0, 88, 119, 3, 97, 64, 104, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
      return nest(s, head, [106], []);
    },
    maxSize: DEPTH_LIMIT_BYTES * 48,
  },
  { name: 'deep nested tuples {{{…}}}', make: (s) => nest(s, [104, 1], [106], []), maxSize: DEPTH_LIMIT_BYTES * 2 },
  { name: 'wide tuple of {}', make: (s) => repeat(s, (n) => [105, ...u32(n)], [104, 0]) },
  { name: 'wide list of []', make: (s) => repeat(s, (n) => [108, ...u32(n)], [106], [106]) },
  { name: 'list of #{}', make: (s) => repeat(s, (n) => [108, ...u32(n)], [116, 0, 0, 0, 0], [106]) },
  { name: 'list of 1-byte binaries', make: (s) => repeat(s, (n) => [108, ...u32(n)], [109, 0, 0, 0, 1, 120], [106]) },
  {
    name: 'stream in 1 KiB chunks (flat list)',
    make: flat.make,
    run: (b) => {
      const s = new EtfStreamDecoder();
      let t: unknown;
      for (let i = 0; i < b.length; i += 1024) {
        s.push(b.subarray(i, i + 1024));
        t = s.next() ?? t;
      }
      return t;
    },
  },
  {
    name: 'many new atoms',
    make: (s) => {
      const run = atomRun++;
      const n = Math.floor((s - 7) / 10);
      const out = [131, 108, ...u32(n)];
      for (let i = 0; i < n; i++) out.push(119, 8, ...Buffer.from(`${run.toString(36)}${i.toString(36)}`.padStart(8, '_')));
      out.push(106);
      return Uint8Array.from(out);
    },
  },
  {
    name: 'compressed bomb (per inflated byte)',
    perInflated: true,
    make: (s) => {
      const raw = repeat(s, (n) => [108, ...u32(n)], [97, 0], [106]).subarray(1);
      return Uint8Array.from([131, 80, ...u32(raw.length), ...deflateSync(raw, { level: 9 })]);
    },
  },
];

function timeNsPerByte(b: Uint8Array, run: (b: Uint8Array) => unknown, bytes: number, ms: number): number {
  let best = Infinity;
  const end = performance.now() + ms;
  let reps = 0;
  while (reps < 3 || performance.now() < end) {
    const t0 = performance.now();
    run(b);
    const dt = performance.now() - t0;
    if (dt < best) best = dt;
    reps++;
    if (reps > 200) break;
  }
  return (best * 1e6) / bytes;
}

function heapPerByte(b: Uint8Array, run: (b: Uint8Array) => unknown, bytes: number): number {
  gc();
  gc();
  const m0 = process.memoryUsage();
  const kept = run(b);
  const m1 = process.memoryUsage();
  const used = m1.heapUsed + m1.arrayBuffers - m0.heapUsed - m0.arrayBuffers;
  if (kept === Symbol.for('never')) console.log(kept);
  return Math.max(0, used) / bytes;
}

export async function run(report: Report, args: string[]): Promise<void> {
  const sizesArg = args.find((a, i) => args[i - 1] === '--sizes') ?? args.find((a) => a.startsWith('--sizes='))?.slice(8);
  const sizes = (sizesArg ?? '65536,1048576,8388608').split(',').map(Number);
  const ms = numArg(args, '--ms', 300);
  report.header('hostile: adversarial ETF shapes vs a flat list of small integers of the same size (ns/B and B/B; lower is better)');
  const dec = (b: Uint8Array) => decode(b);
  const rows: string[] = [];
  for (const size of sizes) {
    const base = flat.make(size);
    // Warm the reference up, then measure it at this size.
    timeNsPerByte(base, dec, base.length, ms / 3);
    const refNs = timeNsPerByte(base, dec, base.length, ms);
    const refMem = heapPerByte(base, dec, base.length);
    report.add({ bench: 'hostile', case: `${flat.name} @${size}`, op: 'decode', impl: 'ergo-ts', value: round(refNs), unit: 'ns/B' });
    report.add({ bench: 'hostile', case: `${flat.name} @${size}`, op: 'memory', impl: 'ergo-ts', value: round(refMem), unit: 'B/B' });
    for (const s of shapes) {
      if (s.maxSize !== undefined && size > s.maxSize) continue;
      const b = s.make(size);
      const run = s.run ?? dec;
      const bytes = s.perInflated ? new DataView(b.buffer, b.byteOffset).getUint32(2) + 1 : b.length;
      let ns: number;
      let mem: number;
      if (s.name === 'many new atoms') {
        // New atoms are new only once: one measured run each.
        const before = Atom.count;
        gc();
        const m0 = process.memoryUsage().heapUsed;
        const t0 = performance.now();
        const kept = run(b);
        ns = ((performance.now() - t0) * 1e6) / bytes;
        gc();
        const perAtom = (process.memoryUsage().heapUsed - m0) / (Atom.count - before);
        mem = ((process.memoryUsage().heapUsed - m0) / bytes);
        report.add({ bench: 'hostile', case: `bytes per atom @${size}`, op: 'memory', impl: 'ergo-ts', value: Math.round(perAtom), unit: 'B/atom' });
        if (kept === Symbol.for('never')) console.log(kept);
      } else {
        ns = timeNsPerByte(b, run, bytes, ms);
        mem = heapPerByte(b, run, bytes);
      }
      report.add({ bench: 'hostile', case: `${s.name} @${size}`, op: 'decode', impl: 'ergo-ts', value: round(ns), unit: 'ns/B' });
      report.add({ bench: 'hostile', case: `${s.name} @${size}`, op: 'memory', impl: 'ergo-ts', value: round(mem), unit: 'B/B' });
      rows.push(`| ${s.name} | ${fmtSize(b.length)} | ${ns.toFixed(2)} | ${(ns / refNs).toFixed(2)}× | ${mem.toFixed(1)} |`);
    }
    rows.push(`| *${flat.name}* | ${fmtSize(base.length)} | ${refNs.toFixed(2)} | 1× | ${refMem.toFixed(1)} |`);
  }
  if (!report.json) {
    console.log('\n| shape | input | ns/B | × flat list | B/B |\n|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function fmtSize(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}
