/**
 * `npm run bench -- hostile`: the adversarial ETF shapes of issue 8 at several sizes, decoded
 * under the default limits. Per case and size it prints the decode time per input byte
 * (`ns/B`) and the heap the result holds per input byte (`B/B`), next to the same figures for
 * a flat list of small integers of the same byte size (the reference: what a plain input
 * costs), and the ratio. Compressed bombs are per *inflated* byte. Nesting shapes are capped
 * at the size whose depth is within the default maxDepth (measured once there). It also
 * states the bytes one interned atom costs, table included. Options:
 * `--sizes 65536,1048576,8388608`, `--ms 300`.
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
  const measured = new Map<Shape, number>();
  // The reference at each size a shape is measured at (warmed up, then measured).
  const refs = new Map<number, { ns: number; mem: number; bytes: number }>();
  const reference = (size: number) => {
    let r = refs.get(size);
    if (r === undefined) {
      const base = flat.make(size);
      timeNsPerByte(base, dec, base.length, ms / 3);
      r = { ns: timeNsPerByte(base, dec, base.length, ms), mem: heapPerByte(base, dec, base.length), bytes: base.length };
      refs.set(size, r);
      report.add({ bench: 'hostile', case: `${flat.name} @${size}`, op: 'decode', impl: 'ergo-ts', value: round(r.ns), unit: 'ns/B' });
      report.add({ bench: 'hostile', case: `${flat.name} @${size}`, op: 'memory', impl: 'ergo-ts', value: round(r.mem), unit: 'B/B' });
    }
    return r;
  };
  const printed = new Set<number>();
  for (const size of sizes) {
    for (const s of shapes) {
      // A nesting shape is as deep as maxDepth allows at most: measured once at that size,
      // against the reference of that size.
      const at = Math.min(size, s.maxSize ?? size);
      if (measured.get(s) === at) continue;
      measured.set(s, at);
      const b = s.make(at);
      const run = s.run ?? dec;
      const bytes = s.perInflated ? new DataView(b.buffer, b.byteOffset).getUint32(2) + 1 : b.length;
      let ns: number;
      let mem: number;
      if (s.name === 'many new atoms') ({ ns, mem } = newAtoms(s, at, bytes, report));
      else {
        timeNsPerByte(b, run, bytes, ms / 3);
        ns = timeNsPerByte(b, run, bytes, ms);
        mem = heapPerByte(b, run, bytes);
      }
      const refNs = reference(at).ns;
      report.add({ bench: 'hostile', case: `${s.name} @${at}`, op: 'decode', impl: 'ergo-ts', value: round(ns), unit: 'ns/B' });
      report.add({ bench: 'hostile', case: `${s.name} @${at}`, op: 'memory', impl: 'ergo-ts', value: round(mem), unit: 'B/B' });
      rows.push(`| ${s.name} | ${fmtSize(bytes)} | ${ns.toFixed(2)} | ${(ns / refNs).toFixed(2)}× | ${mem.toFixed(1)} |`);
    }
    reference(size);
    for (const [at, ref] of refs) {
      if (printed.has(at)) continue;
      printed.add(at);
      rows.push(`| *${flat.name}* | ${fmtSize(ref.bytes)} | ${ref.ns.toFixed(2)} | 1× | ${ref.mem.toFixed(1)} |`);
    }
  }
  if (!report.json) {
    console.log('\n| shape | input | ns/B | × flat list | B/B |\n|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  }
}

/**
 * New atoms are new only once: each run decodes atoms never seen (`make` names them afresh),
 * after 3 warm-up runs at 64 KiB; the best of 5 runs (one at 8 MiB, whose 840,000 atoms would
 * otherwise fill the heap) is the time. The atom limit is lifted: the bench makes more atoms
 * than one node's default allows. Memory: heap and ArrayBuffers (the table's
 * index and slabs) grown per atom, garbage collected, over the last run.
 */
function newAtoms(s: Shape, size: number, bytes: number, report: Report): { ns: number; mem: number } {
  const opts = { maxAtoms: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 3; i++) decode(s.make(Math.min(size, 65536)), opts);
  const runs = bytes > 4 * 1024 * 1024 ? 1 : 5;
  let best = Infinity;
  let perAtom = 0;
  let mem = 0;
  for (let r = 0; r < runs; r++) {
    const b = s.make(size);
    const before = Atom.count;
    gc();
    const m0 = process.memoryUsage();
    const t0 = performance.now();
    const kept = decode(b, opts);
    best = Math.min(best, ((performance.now() - t0) * 1e6) / bytes);
    gc();
    const m1 = process.memoryUsage();
    const grown = m1.heapUsed + m1.arrayBuffers - m0.heapUsed - m0.arrayBuffers;
    perAtom = grown / (Atom.count - before);
    mem = grown / bytes;
    if ((kept as unknown) === Symbol.for('never')) console.log(kept);
  }
  report.add({ bench: 'hostile', case: `bytes per atom @${size}`, op: 'memory', impl: 'ergo-ts', value: Math.round(perAtom), unit: 'B/atom' });
  return { ns: best, mem };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function fmtSize(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}
