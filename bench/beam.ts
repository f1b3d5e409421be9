/**
 * `npm run bench -- beam [--n N] [--nn N] [--calls K] [--only IMPL] [--case CASE]`: distribution throughput and call
 * latency, ours against BEAM itself, in one run (two BEAM nodes of the host's OTP and one TS
 * node on a private epmd, loopback only).
 *
 * - `1-1` (N = 3,000,000 small messages) and `N-N` (one pair per CPU, N = 1,000,000 each),
 *   op `send`, unit msg/s, measured at the receiver (first to last message):
 *   `ergo-ts` = a TS process sends to a BEAM process, `ergo-ts-recv` = a BEAM process sends to
 *   a TS process, `beam` = a BEAM process sends to a process on the other BEAM node. The three
 *   take turns, N/3 messages at a time, and each reports the median of its three rounds;
 * - `call` (K = 20,000 sequential calls after K/10 to warm up), ops `p50` and `p99`, unit µs:
 *   `ergo-ts` = the TS node calls a BEAM gen_server, `beam` = a BEAM process calls a gen_server
 *   on the other BEAM node. The two take turns, K/10 calls at a time, so a shared machine's
 *   slow moments fall on both alike.
 */
import os from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Actor } from '../src/act/index.js';
import { Node } from '../src/node/index.js';
import { atom, tuple, type Pid, type Term, type Tuple } from '../src/term/index.js';
import { median, numArg, percentile, type Report } from './report.js';
import { BeamNode, Epmd, compilePeers, haveErl, lit } from './_beam.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const COOKIE = 'ergo-ts-bench-beam';
const MSG_ERL = '{bench, 12345}';
const MSG = tuple(atom('bench'), 12345);
const BURST = 4096;

class Receiver extends Actor {
  want = 0;
  got = 0;
  t0 = 0;
  t1 = 0;
  done: () => void = () => undefined;
  override handleMessage(): void {
    const n = ++this.got;
    if (n === 1) this.t0 = performance.now();
    if (n === this.want) {
      this.t1 = performance.now();
      this.done();
    }
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
    while (k-- > 0) p.send(to, MSG);
    if (this.left > 0) p.send(p.pid, 0);
  }
}

/** msg/s over all receivers: messages / (last receiver's end − first receiver's start). */
function rate(total: number, spans: { t0: number; t1: number }[], perSecond: number): number {
  const t0 = Math.min(...spans.map((s) => s.t0));
  const t1 = Math.max(...spans.map((s) => s.t1));
  return (total * perSecond) / (t1 - t0);
}

let seq = 0;

/** BEAM receivers on `b`; resolves with their pids and a reader of their spans (µs). */
async function beamReceivers(b: BeamNode, pairs: number, n: number): Promise<{ pids: Pid[]; spans: () => Promise<{ t0: number; t1: number }[]> }> {
  const names = Array.from({ length: pairs }, () => `rx${++seq}`);
  const pids: Pid[] = [];
  for (const name of names) pids.push((await b.eval(`bench_peer:rx(${name}, ${n})`)) as Pid);
  return {
    pids,
    spans: async () => {
      const out: { t0: number; t1: number }[] = [];
      for (const name of names) {
        const r = (await b.eval(`bench_peer:rx_result(${name}, 600000)`)) as Tuple;
        out.push({ t0: Number(r.elements[2]), t1: Number(r.elements[3]) });
      }
      return out;
    },
  };
}

async function beamToBeam(a: BeamNode, b: BeamNode, pairs: number, n: number): Promise<number> {
  const rx = await beamReceivers(b, pairs, n);
  await a.eval(pairs === 1 ? `bench_peer:blast(${lit(rx.pids[0]!)}, ${n}, ${MSG_ERL})` : `bench_peer:nn([${rx.pids.map(lit).join(',')}], ${n}, ${MSG_ERL})`);
  return rate(pairs * n, await rx.spans(), 1e6);
}

async function tsToBeam(node: Node, b: BeamNode, pairs: number, n: number): Promise<number> {
  const rx = await beamReceivers(b, pairs, n);
  const senders: Pid[] = [];
  for (const to of rx.pids) {
    const s = new Sender();
    s.to = to;
    s.left = n;
    senders.push(await node.spawn(() => s));
  }
  for (const s of senders) node.send(s, 'go');
  const spans = await rx.spans();
  for (const s of senders) node.kill(s);
  return rate(pairs * n, spans, 1e6);
}

async function beamToTs(node: Node, a: BeamNode, pairs: number, n: number): Promise<number> {
  const receivers: Receiver[] = [];
  const pids: Pid[] = [];
  const dones: Promise<void>[] = [];
  for (let i = 0; i < pairs; i++) {
    const r = new Receiver();
    r.want = n;
    dones.push(new Promise<void>((res) => (r.done = res)));
    receivers.push(r);
    pids.push(await node.spawn(() => r));
  }
  await a.eval(pairs === 1 ? `bench_peer:blast(${lit(pids[0]!)}, ${n}, ${MSG_ERL})` : `bench_peer:nn([${pids.map(lit).join(',')}], ${n}, ${MSG_ERL})`);
  await Promise.all(dones);
  for (const p of pids) node.kill(p);
  return rate(pairs * n, receivers, 1e3);
}

/** `k` sequential calls from the TS node: each round trip in nanoseconds. */
async function tsCalls(node: Node, server: Pid, k: number): Promise<number[]> {
  const req = atom('ping');
  const ts: number[] = [];
  for (let i = 0; i < k; i++) {
    const t0 = performance.now();
    await node.call(server, req);
    ts.push((performance.now() - t0) * 1e6);
  }
  return ts;
}

/** p50 and p99 of nanosecond samples, in µs. */
function percentiles(ns: number[]): { p50: number; p99: number } {
  const s = Float64Array.from(ns).sort();
  return { p50: percentile(s, 0.5) / 1000, p99: percentile(s, 0.99) / 1000 };
}

export async function run(report: Report, args: string[]): Promise<void> {
  const n11 = numArg(args, '--n', 3_000_000);
  const nnn = numArg(args, '--nn', 1_000_000);
  const k = numArg(args, '--calls', 20_000);
  const pairs = os.cpus().length;
  if (!haveErl()) {
    report.note('beam: `erl` not found (apt-get install erlang-nox): nothing to compare with, skipped');
    return;
  }
  const release = (await import('node:child_process')).spawnSync('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().'], { encoding: 'utf8' }).stdout;
  report.header(`distribution: TS ↔ BEAM vs BEAM ↔ BEAM (OTP ${release}), 1-1 (${n11}) and N-N (${pairs} × ${nnn}) measured at the receiver; call round trip (${k} calls)`);
  const code = compilePeers();
  const epmd = await Epmd.start();
  const beams: BeamNode[] = [];
  let node: Node | undefined;
  try {
    const [a, b] = await Promise.all([BeamNode.start('bench_a@127.0.0.1', code, COOKIE, epmd.port), BeamNode.start('bench_b@127.0.0.1', code, COOKIE, epmd.port)]);
    beams.push(a, b);
    node = await Node.start({ name: 'bench_ts@127.0.0.1', cookie: COOKIE, erlang: { epmd: { port: epmd.port, embedded: false } }, defaultLogger: false });
    await a.eval(`net_adm:ping('${b.name}')`);
    await node.connect(a.name);
    await node.connect(b.name);
    type Impl = 'ergo-ts' | 'ergo-ts-recv' | 'beam';
    const row = (c: string, op: string, impl: Impl, value: number, unit: string) =>
      report.add({ bench: 'beam', case: c, op, impl, value: unit === 'us' ? Math.round(value * 10) / 10 : Math.round(value), unit });
    // --only IMPL / --case CASE: run a part (for profiling).
    const onlyImpl = args[args.indexOf('--only') + 1];
    const onlyCase = args[args.indexOf('--case') + 1];
    const want = (c: string, impl: Impl) => (!args.includes('--only') || onlyImpl === impl) && (!args.includes('--case') || onlyCase === c);
    // Throughput: the three directions take turns, a third of the messages at a time, and each
    // reports the median of its three rounds (a shared machine's slow spells fall on all).
    const node1 = node;
    const ROUNDS = 3;
    for (const [c, p, n] of [['1-1', 1, n11], ['N-N', pairs, nnn]] as const) {
      const per = Math.max(1, Math.floor(n / ROUNDS));
      const runs: [Impl, () => Promise<number>][] = [
        ['beam', () => beamToBeam(a, b, p, per)],
        ['ergo-ts', () => tsToBeam(node1, b, p, per)],
        ['ergo-ts-recv', () => beamToTs(node1, a, p, per)],
      ];
      const got = new Map<Impl, number[]>();
      for (let r = 0; r < ROUNDS; r++) {
        for (const [impl, f] of runs) if (want(c, impl)) got.set(impl, [...(got.get(impl) ?? []), await f()]);
      }
      for (const [impl, v] of got) row(c, 'send', impl, median(v), 'msg/s');
    }

    // Calls start from collected heaps on every node, as the throughput runs before them left
    // millions of messages' garbage behind (on both sides).
    gc();
    for (const n of [a, b]) await n.eval(`begin [erlang:garbage_collect(P) || P <- erlang:processes()], ok end`);
    const gs = ((await b.eval(`node_peer:start(bench_gs)`)) as Tuple).elements[1] as Pid;
    const rounds = 10;
    const per = Math.max(1, Math.floor(k / rounds));
    const samples: Record<'beam' | 'ergo-ts', number[]> = { beam: [], 'ergo-ts': [] };
    const beamCalls = async (n: number) => ((await a.eval(`bench_peer:calls(${lit(gs)}, ${n}, ping)`)) as Term[]).map(Number);
    if (want('call', 'beam')) await beamCalls(per);
    if (want('call', 'ergo-ts')) await tsCalls(node, gs, per);
    for (let r = 0; r < rounds; r++) {
      if (want('call', 'beam')) samples.beam.push(...(await beamCalls(per)));
      if (want('call', 'ergo-ts')) samples['ergo-ts'].push(...(await tsCalls(node, gs, per)));
    }
    for (const impl of ['beam', 'ergo-ts'] as const) {
      if (samples[impl].length === 0) continue;
      const p = percentiles(samples[impl]);
      row('call', 'p50', impl, p.p50, 'us');
      row('call', 'p99', impl, p.p99, 'us');
    }
    // ours / BEAM: throughput above 1 = we are faster; latency as BEAM's / ours, above 1 = we are faster.
    const value = (c: string, op: string, impl: string) => report.rows.find((r) => r.case === c && r.op === op && r.impl === impl)?.value ?? NaN;
    for (const c of ['1-1', 'N-N']) {
      for (const impl of ['ergo-ts', 'ergo-ts-recv']) report.note(`${c} ${impl}: ${(value(c, 'send', impl) / value(c, 'send', 'beam')).toFixed(2)}× beam`);
    }
    for (const op of ['p50', 'p99']) report.note(`call ${op}: ${value('call', op, 'ergo-ts')} µs vs beam ${value('call', op, 'beam')} µs → ${(value('call', op, 'beam') / value('call', op, 'ergo-ts')).toFixed(2)}× (beam/ours)`);
  } finally {
    await node?.stopForce();
    for (const b of beams) b.stop();
    epmd.stop();
  }
}
