/**
 * Drives interop/go/cmd/ergo-peer: one Go Ergo v3 node per instance, started on 127.0.0.1 with
 * a private registrar port, commands as JSON lines on its stdin, everything it sees as JSON
 * lines on its stdout. `close()` (or `kill()`) stops it by its pid.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { goPeers } from '../../support/go.js';

export type GoLine = Record<string, unknown> & { ev: string };

export interface GoPeerOptions {
  name: string;
  cookie?: string;
  registrarPort: number;
  /** Allow this Go node to run the registrar server (it binds UDP on all interfaces: netns only). */
  registrarServe?: boolean;
  port?: number;
  hidden?: boolean;
  pool?: number;
  tls?: { cert: string; key: string };
  insecure?: boolean;
  maxMsg?: number;
  noSpawn?: boolean;
  noApp?: boolean;
  noImportant?: boolean;
  allow?: string;
  tap?: string;
  atoms?: string[];
  routes?: string[];
  /** Run through this command prefix (e.g. nsenter into a network namespace). */
  prefix?: string[];
  env?: Record<string, string>;
  binary?: string;
}

export function peerBinary(): string {
  const g = goPeers();
  if (!g.ok) throw new Error(g.reason);
  return g.build('ergo-peer');
}

/** A child process speaking JSON lines: commands on stdin, events on stdout. Stopped by pid. */
export class LinesProcess {
  readonly lines: GoLine[] = [];
  readonly proc: ChildProcessWithoutNullStreams;
  readonly stderr: string[] = [];
  #waiters: { pred: (l: GoLine) => boolean; resolve: (l: GoLine) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  #id = 0;
  #exited = false;

  constructor(cmd: string, args: string[], env?: Record<string, string>, readonly label = cmd) {
    this.proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    // A peer killed with -9 closes its stdin: a later write fails with EPIPE, which is expected.
    this.proc.stdin.on('error', () => {});
    createInterface({ input: this.proc.stdout }).on('line', (l) => {
      let v: GoLine;
      try {
        v = JSON.parse(l) as GoLine;
      } catch {
        return;
      }
      this.lines.push(v);
      for (let i = 0; i < this.#waiters.length; i++) {
        const w = this.#waiters[i]!;
        if (w.pred(v)) {
          this.#waiters.splice(i--, 1);
          clearTimeout(w.timer);
          w.resolve(v);
        }
      }
    });
    createInterface({ input: this.proc.stderr }).on('line', (l) => {
      this.stderr.push(l);
      if (this.stderr.length > 2000) this.stderr.shift();
    });
    this.proc.on('exit', () => {
      this.#exited = true;
      for (const w of this.#waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new Error(`${this.label} exited`));
      }
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** The first line (seen or to come) matching `pred`. */
  wait(pred: (l: GoLine) => boolean, ms = 15_000): Promise<GoLine> {
    const have = this.lines.find(pred);
    if (have) return Promise.resolve(have);
    if (this.#exited) return Promise.reject(new Error(`${this.label} has exited`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.timer !== timer);
        reject(new Error(`timed out waiting for a line from ${this.label}; last: ${JSON.stringify(this.lines.slice(-3))}; stderr: ${this.stderr.slice(-3).join(' | ')}`));
      }, ms);
      this.#waiters.push({ pred, resolve, reject, timer });
    });
  }

  /** Run a command; resolves with its "result" line. */
  async cmd(c: Record<string, unknown>, ms = 15_000): Promise<GoLine & { err: string | null }> {
    const id = ++this.#id;
    this.proc.stdin.write(`${JSON.stringify({ ...c, id })}\n`);
    return (await this.wait((l) => l.ev === 'result' && l.id === id, ms)) as GoLine & { err: string | null };
  }

  /** Like cmd, but fails the test when the peer reports an error. */
  async ok(c: Record<string, unknown>, ms?: number): Promise<GoLine> {
    const r = await this.cmd(c, ms);
    if (r.err) throw new Error(`${this.label} ${String(c.op)} failed: ${r.err}`);
    return r;
  }

  /** Ask it to stop (`stopLine` on stdin), wait for the exit, kill it if it lingers. */
  async close(stopLine = '{"op":"stop"}'): Promise<void> {
    if (this.#exited) return;
    try {
      this.proc.stdin.write(`${stopLine}\n`);
      this.proc.stdin.end();
    } catch {
      // stdin gone
    }
    await new Promise<void>((r) => {
      const t = setTimeout(() => {
        this.kill();
        r();
      }, 3000);
      this.proc.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
  }

  /** kill -9 by pid. */
  kill(): void {
    if (!this.#exited && this.proc.pid) {
      try {
        process.kill(this.proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export class GoPeer extends LinesProcess {
  /** The acceptor port it was started with. */
  readonly port: number;
  ready!: GoLine & { creation: number; echo: GoPid; tester: GoPid; alias: GoAlias; release: string };

  private constructor(o: GoPeerOptions) {
    const args = ['-name', o.name, '-cookie', o.cookie ?? 'cookie', '-registrar-port', String(o.registrarPort)];
    if (o.registrarServe) args.push('-registrar-serve');
    if (o.hidden) args.push('-hidden');
    else args.push('-port', String(o.port));
    if (o.pool) args.push('-pool', String(o.pool));
    if (o.tls) args.push('-tls-cert', o.tls.cert, '-tls-key', o.tls.key);
    if (o.insecure) args.push('-insecure');
    if (o.maxMsg) args.push('-max-msg', String(o.maxMsg));
    if (o.noSpawn) args.push('-no-spawn');
    if (o.noApp) args.push('-no-app');
    if (o.noImportant) args.push('-no-important');
    if (o.allow) args.push('-allow', o.allow);
    if (o.tap) args.push('-tap', o.tap);
    if (o.atoms) args.push('-atoms', o.atoms.join(','));
    for (const r of o.routes ?? []) args.push('-route', r);
    const bin = o.binary ?? peerBinary();
    const [cmd, ...pre] = o.prefix ? [...o.prefix, bin] : [bin];
    super(cmd!, [...pre, ...args], o.env, `Go peer ${o.name}`);
    this.port = o.port ?? 0;
  }

  /** Start a peer and wait for its "ready" line. */
  static async start(o: GoPeerOptions): Promise<GoPeer> {
    const p = new GoPeer(o);
    try {
      p.ready = (await p.wait((l) => l.ev === 'ready' || l.ev === 'fatal' || l.ev === 'start-failed', 20_000)) as GoPeer['ready'];
    } catch (e) {
      p.kill();
      throw e;
    }
    if (p.ready.ev !== 'ready') {
      p.kill();
      throw new Error(`Go peer ${o.name} failed: ${String(p.ready.err)}`);
    }
    return p;
  }
}

export type GoPid = { node: string; id: number; creation: number };
export type GoAlias = { node: string; creation: number; id: [number, number, number] };
