/**
 * `npm run bench -- spawn [--n N]`: spawn N (default 1,000,000) idle processes and report the
 * time and the memory each idle process holds after GC, ours (JS heap) against Go Ergo v3 (our
 * program interop/go/cmd/bench-spawn: idle act.Actor processes on an Ergo 3.1.0 node, heap plus
 * goroutine stacks from runtime.MemStats), in the same run.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Actor } from '../src/act/index.js';
import { Node } from '../src/node/index.js';
import { numArg, type Report } from './report.js';
import { goReference, runGo } from './_go.js';

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
  const n = numArg(args, '--n', 1_000_000);
  const name = n === 1_000_000 ? '1M' : n >= 1000 ? `${n / 1000}k` : String(n);
  const bin = goReference('spawn', 'bench-spawn');
  report.header(`spawn: ${n} idle processes${bin ? '; Go reference: Ergo v3 act.Actor' : ''}`);
  const ts = await ours(n);
  const go = bin ? await runGo<{ processes: number; seconds: number; bytesPerProcess: number; release: string }>(bin, ['-n', String(n)]) : undefined;
  const add = (op: string, impl: 'ergo-ts' | 'ergo-go', value: number, unit: string) =>
    report.add({ bench: 'spawn', case: name, op, impl, value: Number(value.toPrecision(4)), unit });
  add('time', 'ergo-ts', ts.seconds, 's');
  if (go) add('time', 'ergo-go', go.seconds, 's');
  add('memory', 'ergo-ts', ts.bytes, 'bytes');
  if (go) add('memory', 'ergo-go', go.bytesPerProcess, 'bytes');
  if (go) report.note(`ergo-go: Ergo ${go.release}`);
  report.ratios('ergo-go', 'ergo-ts', false);
}
