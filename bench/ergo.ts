/**
 * `npm run bench -- ergo [--rounds R] [--n N] [--pairs K] [--calls M] [--n64k N]`: the Ergo
 * network stack against Go Ergo v3 (our program interop/go/cmd/bench-ergo), all in one run.
 *
 * Every Go node is its own OS process, as is the TS node (this one); they register with the
 * registrar our node serves on a free port and talk over 127.0.0.1.
 *
 * | case | what | impls |
 * |---|---|---|
 * | `1-1` | one process sends N small messages (a short string) to one process on another node | `ergo-ts` TS → Go, `ergo-ts-recv` Go → TS, `ergo-go` Go → Go |
 * | `N-N` | K such pairs at once | same |
 * | `1-1-64k` | one process sends 64 KiB messages | same (TS → Go and Go → Go need Ergo master: set GO_MASTER) |
 * | `call` | one process makes M sequential calls; p50 / p99 round trip in µs | `ergo-ts` TS calls Go, `ergo-go` Go calls Go |
 *
 * Throughput is measured at the receiver (first message to last); each figure is the median of
 * R rounds, the implementations interleaved round by round (A B C A B C …). Each TS case also
 * notes the CPU time this process spent per message. For profiling, `--case=NAME` and
 * `--impl=a,b` run a subset, and BENCH_GO_PROFILE=PREFIX makes every Go node write a CPU
 * profile to PREFIX-NAME.pprof (`go tool pprof -top bin/bench-ergo FILE`).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createInterface } from 'node:readline';
import { Actor } from '../src/act/index.js';
import { Node } from '../src/node/index.js';
import { Atom, Pid } from '../src/term/index.js';
import { buildGo } from './_go.js';
import { freePort } from './_net.js';
import { median, numArg, percentile, type Impl, type Report } from './report.js';

const BURST = 1024;
const TS = 'bench-ts@127.0.0.1';
const COOKIE = 'bench';

// ------------------------------------------------------------------ the Go side

type Line = Record<string, unknown> & { ev: string };
type GoPid = { node: string; id: number; creation: number };

class GoNode {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines: Line[] = [];
  #waiters: { pred: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];
  #id = 0;

  constructor(bin: string, readonly name: string, regPort: number, port: number) {
    const prof = process.env.BENCH_GO_PROFILE ? ['-cpuprofile', `${process.env.BENCH_GO_PROFILE}-${name}.pprof`] : [];
    this.proc = spawn(bin, ['-name', name, '-cookie', COOKIE, '-registrar-port', String(regPort), '-port', String(port), ...prof], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.proc.stdout }).on('line', (l) => {
      let v: Line;
      try {
        v = JSON.parse(l) as Line;
      } catch {
        return;
      }
      if (v.ev === 'error') process.stderr.write(`bench ergo: ${name}: ${String(v.err)}\n`);
      const i = this.#waiters.findIndex((w) => w.pred(v));
      if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(v);
      else this.lines.push(v);
    });
    this.proc.stderr.resume();
  }

  /** The next line matching `pred` (already printed and not yet taken, or to come). */
  next(pred: (l: Line) => boolean, ms = 600_000): Promise<Line> {
    const i = this.lines.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.lines.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.name}: timed out`)), ms);
      this.#waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(t);
          resolve(l);
        },
      });
    });
  }

  async cmd(c: Record<string, unknown>): Promise<Line> {
    const id = ++this.#id;
    this.proc.stdin.write(`${JSON.stringify({ ...c, id })}\n`);
    const r = await this.next((l) => l.ev === 'result' && l.id === id);
    if (r.err) throw new Error(`${this.name} ${String(c.op)}: ${String(r.err)}`);
    return r;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null) return resolve();
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
      this.proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      this.proc.stdin.end('{"op":"stop"}\n');
    });
  }
}

async function startGo(bin: string, name: string, regPort: number): Promise<GoNode> {
  const g = new GoNode(bin, name, regPort, await freePort());
  const ready = await g.next((l) => l.ev === 'ready' || l.ev === 'start-failed', 30_000);
  if (ready.ev !== 'ready') throw new Error(`${name}: ${String(ready.err)}`);
  return g;
}

const pidOf = (p: GoPid): Pid => new Pid(Atom.of(p.node), p.id % 2 ** 32, Math.floor(p.id / 2 ** 32), p.creation);
const goPidOf = (p: Pid): GoPid => ({ node: p.node.name, id: p.number, creation: Number(p.creation) });

// ------------------------------------------------------------------ the TS side

class Sink extends Actor {
  want = 0;
  count = 0;
  first = 0;
  done: (first: number, last: number) => void = () => undefined;
  override handleMessage(): void {
    if (this.count === 0) this.first = performance.now();
    if (++this.count === this.want) {
      this.count = 0;
      this.done(this.first, performance.now());
    }
  }
}

class Sender extends Actor {
  to!: Pid;
  left = 0;
  message: unknown;
  override handleMessage(): void {
    const p = this.process;
    const { to, message } = this;
    let k = this.left < BURST ? this.left : BURST;
    this.left -= k;
    while (k-- > 0) p.send(to, message);
    if (this.left > 0) p.send(p.pid, 0);
  }
}

class Caller extends Actor {
  override async handleMessage(m: unknown): Promise<void> {
    const job = m as { to: Pid; n: number; done: (lat: number[]) => void };
    const lat: number[] = [];
    for (let i = 0; i < job.n; i++) {
      const t = performance.now();
      await this.process.call(job.to, 'ping');
      lat.push((performance.now() - t) * 1000);
    }
    job.done(lat);
  }
}

function payload(size: number): unknown {
  if (size <= 0) return 'hello, ergo';
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = i & 0xff;
  return b;
}

/** msg/s over all sinks: total / (last message − first message), one clock. */
function rate(spans: { first: number; last: number }[], total: number, perSecond: number): number {
  const first = Math.min(...spans.map((s) => s.first));
  const last = Math.max(...spans.map((s) => s.last));
  return (total * perSecond) / (last - first);
}

async function tsSinks(node: Node, k: number, n: number): Promise<{ pids: Pid[]; done: Promise<{ first: number; last: number }[]> }> {
  const pids: Pid[] = [];
  const dones: Promise<{ first: number; last: number }>[] = [];
  for (let i = 0; i < k; i++) {
    const s = new Sink();
    s.want = n;
    dones.push(new Promise((res) => (s.done = (first, last) => res({ first, last }))));
    pids.push(await node.spawn(() => s));
  }
  return { pids, done: Promise.all(dones) };
}

async function goSinks(g: GoNode, k: number, n: number): Promise<{ pids: GoPid[]; done: Promise<{ first: number; last: number }[]> }> {
  const r = await g.cmd({ op: 'sinks', k, n });
  const pids = r.pids as GoPid[];
  const done = Promise.all(pids.map(() => g.next((l) => l.ev === 'sink').then((l) => ({ first: Number(l.first), last: Number(l.last) }))));
  return { pids, done };
}

/** TS → Go: K TS senders, K Go sinks. */
async function tsToGo(node: Node, g: GoNode, k: number, n: number, size: number): Promise<number> {
  const sinks = await goSinks(g, k, n);
  const senders: Pid[] = [];
  for (const to of sinks.pids) {
    const s = new Sender();
    s.to = pidOf(to);
    s.left = n;
    s.message = payload(size);
    senders.push(await node.spawn(() => s));
  }
  for (const s of senders) node.send(s, 0);
  return rate(await sinks.done, k * n, 1e9);
}

/** Go → TS: K Go senders, K TS sinks. */
async function goToTs(node: Node, g: GoNode, k: number, n: number, size: number): Promise<number> {
  const sinks = await tsSinks(node, k, n);
  await g.cmd({ op: 'send', to: sinks.pids.map(goPidOf), n, size });
  return rate(await sinks.done, k * n, 1e3);
}

async function goToGo(a: GoNode, b: GoNode, k: number, n: number, size: number): Promise<number> {
  const sinks = await goSinks(b, k, n);
  await a.cmd({ op: 'send', to: sinks.pids, n, size });
  return rate(await sinks.done, k * n, 1e9);
}

async function tsCalls(node: Node, to: Pid, n: number): Promise<number[]> {
  const pid = await node.spawn(Caller);
  return new Promise((done) => node.send(pid, { to, n, done }));
}

// ------------------------------------------------------------------ the run

export async function run(report: Report, args: string[]): Promise<void> {
  const arg = (name: string, def: number): number => numArg(args, name, def);
  const rounds = arg('--rounds', 3);
  const n = arg('--n', 3_000_000);
  const pairs = arg('--pairs', 4);
  const calls = arg('--calls', 20_000);
  const n64 = arg('--n64k', 2_000);
  const only = args.find((a) => a.startsWith('--case='))?.slice(7);
  const impls = args.find((a) => a.startsWith('--impl='))?.slice(7).split(',');
  const runs = (impl: string): boolean => impls === undefined || impls.includes(impl);

  const go = buildGo('bench-ergo');
  if (!go.ok) {
    process.stderr.write(`bench ergo: skipped: ${go.reason}\n`);
    return;
  }
  const master = process.env.GO_MASTER ? buildGo('bench-ergo', { go: process.env.GO_MASTER, out: 'bench-ergo-master' }) : undefined;
  report.header(`ergo network: 1-1 (${n}), N-N (${pairs} × ${Math.floor(n / pairs)}), 1-1-64k (${n64} × 64 KiB), call (${calls}); median of ${rounds} rounds`);

  // Nothing may be lost: the stack reports any outbound operation it could not carry out.
  let drops = 0;
  const onDrop = (): void => void drops++;
  subscribe('ergo-ts:ergo:drop', onDrop);
  const regPort = await freePort(true);
  const node = await Node.start({ name: TS, cookie: COOKIE, defaultLogger: false, ergo: { acceptor: { host: '127.0.0.1', port: 0 }, registrar: { port: regPort } } });
  const gos: GoNode[] = [];
  const add = (c: string, op: string, impl: string, value: number, unit: string): void =>
    report.add({ bench: 'ergo', case: c, op, impl: impl as Impl, value: Math.round(value * 10) / 10, unit });
  try {
    const a = await startGo(go.bin, 'bench-ga@127.0.0.1', regPort);
    const b = await startGo(go.bin, 'bench-gb@127.0.0.1', regPort);
    gos.push(a, b);
    const want = (c: string): boolean => only === undefined || only === c;
    /** Also note how much CPU this (TS) process spent per message. */
    const cpu = async (c: string, impl: string, msgs: number, f: () => Promise<number>): Promise<number> => {
      const u0 = process.cpuUsage();
      const v = await f();
      const u = process.cpuUsage(u0);
      report.note(`${c} ${impl}: ${Math.round(v)} msg/s, TS process CPU ${((u.user + u.system) / msgs).toFixed(2)} µs/msg`);
      return v;
    };

    const throughput = async (c: string, k: number, per: number, size: number, ga: GoNode, gb: GoNode, skipGo: boolean): Promise<void> => {
      const r: Record<string, number[]> = { 'ergo-ts': [], 'ergo-ts-recv': [], 'ergo-go': [] };
      for (let i = 0; i < rounds; i++) {
        if (!skipGo && runs('ergo-go')) r['ergo-go']!.push(await goToGo(ga, gb, k, per, size));
        if (!skipGo && runs('ergo-ts')) r['ergo-ts']!.push(await cpu(c, 'ergo-ts', k * per, () => tsToGo(node, gb, k, per, size)));
        if (runs('ergo-ts-recv')) r['ergo-ts-recv']!.push(await cpu(c, 'ergo-ts-recv', k * per, () => goToTs(node, ga, k, per, size)));
      }
      for (const [impl, xs] of Object.entries(r)) if (xs.length > 0) add(c, 'send', impl, median(xs), 'msg/s');
    };

    if (want('1-1')) await throughput('1-1', 1, n, 0, a, b, false);
    if (want('N-N')) await throughput('N-N', pairs, Math.floor(n / pairs), 0, a, b, false);
    if (want('1-1-64k')) {
      if (master?.ok) {
        const ma = await startGo(master.bin, 'bench-ma@127.0.0.1', regPort);
        const mb = await startGo(master.bin, 'bench-mb@127.0.0.1', regPort);
        gos.push(ma, mb);
        await throughput('1-1-64k', 1, n64, 65536, ma, mb, false);
      } else {
        process.stderr.write(`bench ergo: 1-1-64k ergo-ts and ergo-go skipped: Ergo 3.1.0 drops frames over 65535 bytes on reading (fixed on master); ${master ? `GO_MASTER build failed: ${master.reason}` : 'set GO_MASTER to a go command building against Ergo master'}\n`);
        await throughput('1-1-64k', 1, n64, 65536, a, b, true);
      }
    }
    if (want('call')) {
      const echo = pidOf((await b.cmd({ op: 'echo' })).pid as GoPid);
      const ts: { p50: number[]; p99: number[] } = { p50: [], p99: [] };
      const gg: { p50: number[]; p99: number[] } = { p50: [], p99: [] };
      for (let i = 0; i < rounds; i++) {
        await a.cmd({ op: 'calls', to: [goPidOf(echo)], n: calls });
        const g = await a.next((l) => l.ev === 'calls');
        gg.p50.push(Number(g.p50));
        gg.p99.push(Number(g.p99));
        const lat = (await tsCalls(node, echo, calls)).sort((x, y) => x - y);
        ts.p50.push(percentile(lat, 0.5));
        ts.p99.push(percentile(lat, 0.99));
      }
      add('call', 'p50', 'ergo-ts', median(ts.p50), 'us');
      add('call', 'p99', 'ergo-ts', median(ts.p99), 'us');
      add('call', 'p50', 'ergo-go', median(gg.p50), 'us');
      add('call', 'p99', 'ergo-go', median(gg.p99), 'us');
    }
  } finally {
    await Promise.all(gos.map((g) => g.stop()));
    await node.stop();
    unsubscribe('ergo-ts:ergo:drop', onDrop);
  }
  if (drops > 0) process.stderr.write(`bench ergo: the TS stack dropped ${drops} outbound operations\n`);
  if (report.json) return;
  for (const r of report.rows) {
    if (r.impl === 'ergo-go') continue;
    const ref = report.rows.find((x) => x.impl === 'ergo-go' && x.case === r.case && x.op === r.op);
    if (ref === undefined) continue;
    // Higher is better: throughput as ours / Go's, latency as Go's / ours.
    const ratio = r.unit === 'us' ? ref.value / r.value : r.value / ref.value;
    console.log(`# ergo ${r.case} ${r.op}: ${r.impl} ${r.value} vs ergo-go ${ref.value} ${r.unit} → ${ratio.toFixed(2)}×`);
  }
}
