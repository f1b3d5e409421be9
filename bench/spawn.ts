/**
 * `npm run bench -- spawn [--n N] [--go-n M]`: spawn N (default 1,000,000) idle processes,
 * report the time and the heap each idle process holds (after GC), ours against Go Ergo (our
 * program interop/go/cmd/bench-spawn with the pinned Ergo 2.2.4), in the same run.
 *
 * Go Ergo 2.2.4 holds ~22 KB per idle process (channels sized for 100 messages plus a
 * goroutine), so a million of them need ~22 GB: more than this machine has. The Go side
 * therefore spawns `--go-n` processes (default 200,000); its 1M time is that run scaled
 * linearly (noted in the output), and both sides are also reported measured at `--go-n`.
 * Linear scaling flatters Go: its per-spawn cost grows with its heap (GC).
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Actor } from '../src/act/index.js';
import { Node } from '../src/node/index.js';
import { numArg, type Report } from './report.js';
import { buildGo, runGo } from './_go.js';

class Idle extends Actor {}

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heap(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function ours(n: number): Promise<{ seconds: number; bytes: number }> {
  const node = await Node.start({ name: 'bench-spawn@localhost', defaultLogger: false });
  const before = heap();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await node.spawn(Idle);
  const seconds = (performance.now() - t0) / 1000;
  const bytes = (heap() - before) / n;
  if (node.processCount() !== n) throw new Error('not every process is alive');
  await node.stopForce();
  return { seconds, bytes };
}

export async function run(report: Report, args: string[]): Promise<void> {
  const arg = (name: string, def: number) => numArg(args, name, def);
  const n = arg('--n', 1_000_000);
  const goN = arg('--go-n', 200_000);
  const caseN = n === 1_000_000 ? '1M' : String(n);
  const caseG = goN >= 1000 ? `${goN / 1000}k` : String(goN);
  report.header(`spawn: ${n} idle processes (Go Ergo 2.2.4: ${goN}, scaled to ${n})`);
  const bin = buildGo('bench-spawn');

  const tsSmall = await ours(goN);
  const go = await runGo<{ processes: number; seconds: number; bytesPerProcess: number }>(bin, ['-n', String(goN)]);
  const tsBig = await ours(n);

  const add = (c: string, op: string, impl: 'ergo-ts' | 'ergo-go', value: number, unit: string) =>
    report.add({ bench: 'spawn', case: c, op, impl, value: Number(value.toPrecision(4)), unit });
  add(caseN, 'time', 'ergo-ts', tsBig.seconds, 's');
  add(caseN, 'time', 'ergo-go', (go.seconds * n) / go.processes, 's');
  add(caseN, 'memory', 'ergo-ts', tsBig.bytes, 'bytes');
  add(caseN, 'memory', 'ergo-go', go.bytesPerProcess, 'bytes');
  add(caseG, 'time', 'ergo-ts', tsSmall.seconds, 's');
  add(caseG, 'time', 'ergo-go', go.seconds, 's');
  add(caseG, 'memory', 'ergo-ts', tsSmall.bytes, 'bytes');
  add(caseG, 'memory', 'ergo-go', go.bytesPerProcess, 'bytes');
  report.note(`ergo-go ${caseN} time is its ${caseG} run scaled ×${n / go.processes} (1M Go Ergo 2.2.4 processes do not fit in this machine's memory)`);
  report.ratios('ergo-go', 'ergo-ts', false);
}
