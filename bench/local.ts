/**
 * `npm run bench -- local [--runs K] [--n N]`: local messaging throughput, ours against Go Ergo
 * v3 (our program interop/go/cmd/bench-local: act.Actor processes on an Ergo 3.1.0 node with
 * networking disabled), in the same run, alternating ours and Go's, best of K each.
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
import { goReference, runGo } from './_go.js';

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
  const bin = goReference('local', 'bench-local');
  report.header(`local messaging: 1-1 (${n11}) and N-N (${pairs} × ${nnn}); best of ${runs}${bin ? '; Go reference: Ergo v3 act.Actor' : ''}`);
  type GoRun = { messages: number; seconds: number; release: string };
  const best = { ts11: 0, go11: 0, tsnn: 0, gonn: 0 };
  let release = '';
  for (let r = 0; r < runs; r++) {
    best.ts11 = Math.max(best.ts11, await ours(1, n11));
    if (bin) {
      const g = await runGo<GoRun>(bin, ['-case', '1-1', '-n', String(n11)]);
      best.go11 = Math.max(best.go11, g.messages / g.seconds);
      release = g.release;
    }
    best.tsnn = Math.max(best.tsnn, await ours(pairs, nnn));
    if (bin) {
      const g = await runGo<GoRun>(bin, ['-case', 'N-N', '-n', String(nnn), '-pairs', String(pairs)]);
      best.gonn = Math.max(best.gonn, g.messages / g.seconds);
    }
  }
  const row = (c: string, impl: 'ergo-ts' | 'ergo-go', value: number) =>
    report.add({ bench: 'local', case: c, op: 'send', impl, value: Math.round(value), unit: 'msg/s' });
  row('1-1', 'ergo-ts', best.ts11);
  if (bin) row('1-1', 'ergo-go', best.go11);
  row('N-N', 'ergo-ts', best.tsnn);
  if (bin) row('N-N', 'ergo-go', best.gonn);
  if (release) report.note(`ergo-go: Ergo ${release}`);
  report.ratios('ergo-go');
}
