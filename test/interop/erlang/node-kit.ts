/**
 * Node-level interop kit: for every available OTP release, a real BEAM node (dist_peer, with
 * node_peer and node_sup loaded) and a TS `Node` running the Erlang stack, both registered
 * with one private epmd. Every OS process is started here and stopped by its pid in `stop()`.
 */
import { Actor, MemoryLogger, Node, formatLog, type ErlangStackOptions, type LogMessage, type Pid, type Term } from '../../../src/index.js';
import { ErlangStack } from '../../../src/net/erlang/index.js';
import { otpReleases, type Otp } from '../../support/otp.js';
import { Beam, Epmd } from './beam.js';

export const releases = otpReleases();

export interface Pair {
  otp: Otp;
  index: number;
  beam: Beam;
  node: Node;
  stack: ErlangStack;
  log: MemoryLogger;
  /** `b<prefix><i>@127.0.0.1` */
  beamName: string;
  /** `t<prefix><i>@127.0.0.1` */
  tsName: string;
}

export interface ClusterOptions {
  prefix: string;
  cookie: string;
  /** BEAM net_ticktime (and the TS side's), seconds. */
  ticktime?: number;
  beamArgs?: string[];
  ts?: ErlangStackOptions;
}

export class Cluster {
  readonly pairs = new Map<Otp, Pair>();
  epmd!: Epmd;
  readonly #extraBeams: Beam[] = [];
  readonly #extraNodes: Node[] = [];

  static async start(o: ClusterOptions): Promise<Cluster> {
    const c = new Cluster();
    c.epmd = await Epmd.start();
    await Promise.all(
      releases.map(async (otp, index) => {
        const beamName = `b${o.prefix}${index}@127.0.0.1`;
        const tsName = `t${o.prefix}${index}@127.0.0.1`;
        const [beam, ts] = await Promise.all([
          Beam.start(otp, { name: beamName, cookie: o.cookie, epmdPort: c.epmd.port, ticktime: o.ticktime, args: o.beamArgs }),
          c.tsNode(tsName, o.cookie, { ...(o.ticktime ? { netTicktime: o.ticktime } : {}), ...o.ts }),
        ]);
        c.pairs.set(otp, { otp, index, beam, node: ts.node, stack: ErlangStack.of(ts.node)!, log: ts.log, beamName, tsName });
      }),
    );
    return c;
  }

  /** Another TS node on this cluster's epmd (stopped with the cluster). */
  async tsNode(name: string, cookie: string, opts: ErlangStackOptions = {}): Promise<{ node: Node; log: MemoryLogger }> {
    const log = new MemoryLogger();
    const node = await Node.start({
      name,
      cookie,
      erlang: { epmd: { port: this.epmd.port, embedded: false }, ...opts },
      loggers: [{ name: 'memory', logger: log, level: 'debug' }],
      logLevel: 'debug',
      defaultLogger: false,
    });
    this.#extraNodes.push(node);
    return { node, log };
  }

  /** Another BEAM node of `otp` on this cluster's epmd (stopped with the cluster). */
  async beam(otp: Otp, name: string, cookie: string, args?: string[]): Promise<Beam> {
    const b = await Beam.start(otp, { name, cookie, epmdPort: this.epmd.port, args });
    this.#extraBeams.push(b);
    return b;
  }

  get(otp: Otp): Pair {
    return this.pairs.get(otp)!;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#extraNodes.map((n) => n.stopForce().catch(() => undefined)));
    await Promise.all([...this.pairs.values()].map((p) => p.beam.stop()));
    await Promise.all(this.#extraBeams.map((b) => b.stop()));
    await this.epmd?.stop();
  }
}

/** `describe.each` rows: `[label, otp]`. */
export function eachRelease(): [string, Otp][] {
  return releases.map((o) => [o.label, o]);
}

/**
 * A TS process that keeps every message it gets (DOWN and trapped EXIT included) and lets the
 * test wait for one. `init(trap)` sets trap_exit.
 */
export class Probe extends Actor {
  readonly got: unknown[] = [];
  #waiters: { pred: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = [];

  override init(trap?: boolean): void {
    this.process.trapExit = trap === true;
  }

  override handleMessage(m: unknown): void {
    this.got.push(m);
    for (const w of [...this.#waiters]) {
      if (w.pred(m)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  }

  /** The first message (already got, or the next) matching `pred`. */
  next<T = unknown>(pred: (m: unknown) => boolean, timeout = 10_000): Promise<T> {
    const found = this.got.find(pred);
    if (found !== undefined) return Promise.resolve(found as T);
    return new Promise<T>((resolve, reject) => {
      const w = { pred, resolve: resolve as (m: unknown) => void };
      this.#waiters.push(w);
      setTimeout(() => {
        const i = this.#waiters.indexOf(w);
        if (i >= 0) {
          this.#waiters.splice(i, 1);
          reject(new Error(`probe ${this.process.pid}: no such message in ${timeout} ms; got ${this.got.length}: ${this.got.slice(-5).map(String).join(' | ')}`));
        }
      }, timeout);
    });
  }
}

export async function spawnProbe(node: Node, trap = false): Promise<{ probe: Probe; pid: Pid }> {
  const probe = new Probe();
  const pid = await node.spawn(() => probe, { args: [trap] });
  return { probe, pid };
}

/** Poll `f` until it returns a value that is not undefined/false (or throw after `timeout`). */
export async function until<T>(f: () => T | Promise<T>, what: string, timeout = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== null && v !== false) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Log lines of `log` (level: text). */
export function lines(log: MemoryLogger): string[] {
  return log.messages.map((m: LogMessage) => `${m.level}: ${formatLog(m)}`);
}

export type { Term };
