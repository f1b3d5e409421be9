/**
 * `npm run bench -- local [--runs K] [--n N]`: local messaging throughput, ours against Go Ergo
 * (our program interop/go/cmd/bench-local with the pinned Ergo 2.2.4), in the same run.
 *
 * - `1-1`: one process sends 3,000,000 messages to one process;
 * - `N-N`: N senders (N = CPU count) each send 1,000,000 messages to their own receiver.
 *
 * The sender is a process like any other: it sends in bursts of BURST messages and re-queues
 * itself between bursts, so the receiver runs concurrently (as the Go goroutines do) instead
 * of finding 3M messages queued at once.
 */
import os from 'node:os';
import { Actor } from '../src/act/index.js';
import { Node } from '../src/node/index.js';
import type { Pid } from '../src/term/index.js';
import { numArg, type Report } from './report.js';
import { buildGo, runGo } from './_go.js';

const BURST = 4096;

class Receiver extends Actor {
  want = 0;
  got = 0;
  done: () => void = () => undefined;
  override handleMessage(): void {
    if (++this.got === this.want) this.done();
  }
}

class Sender extends Actor {
  to!: Pid;
  left = 0;
  override handleMessage(): void {
    const p = this.process;
    const to = this.to;
    let k = this.left < BURST ? this.left : BURST;
    this.left -= k;
    while (k-- > 0) p.send(to, k);
    if (this.left > 0) p.send(p.pid, 0);
  }
}

async function ours(pairs: number, n: number): Promise<number> {
  const node = await Node.start({ name: 'bench-local@localhost', defaultLogger: false });
  const dones: Promise<void>[] = [];
  const senders: Pid[] = [];
  for (let i = 0; i < pairs; i++) {
    const r = new Receiver();
    r.want = n;
    dones.push(new Promise<void>((res) => (r.done = res)));
    const rpid = await node.spawn(() => r);
    const s = new Sender();
    s.to = rpid;
    s.left = n;
    senders.push(await node.spawn(() => s));
  }
  const t0 = performance.now();
  for (const s of senders) node.send(s, 'go');
  await Promise.all(dones);
  const secs = (performance.now() - t0) / 1000;
  await node.stopForce();
  return (pairs * n) / secs;
}

export async function run(report: Report, args: string[]): Promise<void> {
  const arg = (name: string, def: number) => numArg(args, name, def);
  const runs = arg('--runs', 2);
  const n11 = arg('--n', 3_000_000);
  const pairs = os.cpus().length;
  const nnn = 1_000_000;
  report.header(`local messaging: 1-1 (${n11}) and N-N (${pairs} × ${nnn}); best of ${runs}; Go reference: Ergo 2.2.4`);
  const bin = buildGo('bench-local');
  const best = { ts11: 0, go11: 0, tsnn: 0, gonn: 0 };
  for (let r = 0; r < runs; r++) {
    best.ts11 = Math.max(best.ts11, await ours(1, n11));
    const g11 = await runGo<{ messages: number; seconds: number }>(bin, ['-case', '1-1', '-n', String(n11)]);
    best.go11 = Math.max(best.go11, g11.messages / g11.seconds);
    best.tsnn = Math.max(best.tsnn, await ours(pairs, nnn));
    const gnn = await runGo<{ messages: number; seconds: number }>(bin, ['-case', 'N-N', '-n', String(nnn), '-pairs', String(pairs)]);
    best.gonn = Math.max(best.gonn, gnn.messages / gnn.seconds);
  }
  const row = (c: string, impl: 'ergo-ts' | 'ergo-go', value: number) =>
    report.add({ bench: 'local', case: c, op: 'send', impl, value: Math.round(value), unit: 'msg/s' });
  row('1-1', 'ergo-ts', best.ts11);
  row('1-1', 'ergo-go', best.go11);
  row('N-N', 'ergo-ts', best.tsnn);
  row('N-N', 'ergo-go', best.gonn);
  report.ratios('ergo-go');
}
