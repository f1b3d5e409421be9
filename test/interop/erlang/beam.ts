/**
 * Real BEAM nodes for the distribution tests: `erl` of any release (host or chroot) running
 * interop/erlang/dist_peer.erl, driven by expressions over stdin, answering in ETF over
 * stdout. A private `epmd` on a free port. Every OS process started here is killed by its
 * pid in `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';
import { decode, encode } from '../../../src/codec/etf/index.js';
import { Tuple, format, type Term } from '../../../src/term/index.js';
import { compileErlang } from '../../support/erl.js';
import type { Otp } from '../../support/otp.js';

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

let compiled: string | undefined;
/** dist_peer, node_peer and node_sup compiled once per test process by the host's erlc (loads on every newer release). */
export function peerCode(): string {
  compiled ??= compileErlang(['dist_peer', 'node_peer', 'node_sup']);
  return compiled;
}

export interface BeamOptions {
  /** `-name` (or `-sname` with `sname`) of the node. */
  name: string;
  sname?: boolean;
  cookie: string;
  epmdPort: number;
  hidden?: boolean;
  /** net_ticktime in seconds. */
  ticktime?: number;
  args?: string[];
}

export class Beam {
  readonly otp: Otp;
  readonly name: string;
  readonly logs: string[] = [];
  readonly #proc: ChildProcess;
  readonly #waiting = new Map<string, { resolve: (t: Term) => void; reject: (e: Error) => void }>();
  readonly #cleanup: () => void;
  #logWaiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  #id = 0;
  #exited: Promise<number | null>;
  #ready: Promise<void>;

  private constructor(otp: Otp, opts: BeamOptions) {
    this.otp = otp;
    this.name = opts.name;
    const staged = otp.stage(peerCode());
    this.#cleanup = staged.cleanup;
    const args = [
      '-noshell',
      opts.sname ? '-sname' : '-name',
      opts.name,
      '-setcookie',
      opts.cookie,
      '-start_epmd',
      'false',
      '-pa',
      staged.path,
      ...(opts.hidden ? ['-hidden'] : []),
      ...(opts.ticktime ? ['-kernel', 'net_ticktime', String(opts.ticktime)] : []),
      ...(opts.args ?? []),
      '-s',
      'dist_peer',
      'main',
    ];
    const cmd = otp.command('erl', args, { ERL_EPMD_PORT: String(opts.epmdPort) });
    this.#proc = spawn(cmd.file, cmd.args, { env: cmd.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#exited = new Promise((r) => this.#proc.once('exit', (code) => r(code)));
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.#ready = new Promise((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    void this.#exited.then((code) => {
      const e = new Error(`erl ${opts.name} (${otp.label}) exited with ${code}; log:\n${this.logs.slice(-30).join('\n')}`);
      readyReject(e);
      for (const w of this.#waiting.values()) w.reject(e);
      this.#waiting.clear();
    });
    const onLine = (line: string) => {
      if (line.startsWith('@@ready')) return readyResolve();
      const m = /^@@(\d+) (\S*)$/.exec(line);
      if (m) {
        const w = this.#waiting.get(m[1]!);
        if (!w) return;
        this.#waiting.delete(m[1]!);
        const t = decode(Buffer.from(m[2]!, 'base64')) as Tuple;
        const tag = (t.elements[0] as { name: string }).name;
        if (tag === 'ok') w.resolve(t.elements[1]!);
        else w.reject(new Error(`erl eval failed: ${format(t as Term, 2000)}`));
        return;
      }
      this.logs.push(line);
      for (const lw of this.#logWaiters.filter((x) => x.re.test(line))) {
        this.#logWaiters.splice(this.#logWaiters.indexOf(lw), 1);
        lw.resolve(line);
      }
    };
    createInterface({ input: this.#proc.stdout! }).on('line', onLine);
    createInterface({ input: this.#proc.stderr! }).on('line', (l) => this.logs.push(l));
  }

  static async start(otp: Otp, opts: BeamOptions): Promise<Beam> {
    const b = new Beam(otp, opts);
    const timer = setTimeout(() => b.#proc.kill('SIGKILL'), 30_000);
    try {
      await b.#ready;
    } finally {
      clearTimeout(timer);
    }
    return b;
  }

  /** OS pid of the emulator (erl and chroot exec into it). */
  get pid(): number {
    return this.#proc.pid!;
  }

  /** Evaluate one Erlang expression (one line, no trailing dot needed) on the node. */
  eval(expr: string, timeout = 20_000): Promise<Term> {
    const id = String(++this.#id);
    const text = expr.replace(/\s*\n\s*/g, ' ').trim().replace(/\.$/, '');
    return new Promise<Term>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`erl eval timed out: ${text}`));
      }, timeout);
      this.#waiting.set(id, {
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#proc.stdin!.write(`${id} ${text}.\n`);
    });
  }

  /**
   * `nodes(Which)` once it lists `name` (or as it is after `timeout` ms): the BEAM marks a node
   * up just after it sends the last handshake message, so right after our side is up it may not
   * be listed yet.
   */
  async nodesWith(which: 'visible' | 'hidden' | 'connected', name: string, timeout = 5000): Promise<string[]> {
    const expr = which === 'visible' ? 'nodes()' : `nodes(${which})`;
    const deadline = Date.now() + timeout;
    for (;;) {
      const list = ((await this.eval(expr)) as unknown as { name: string }[]).map((a) => a.name);
      if (list.includes(name) || Date.now() > deadline) return list;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A log line matching `re` (already printed, or the next one). */
  waitLog(re: RegExp, timeout = 10_000): Promise<string> {
    const found = this.logs.find((l) => re.test(l));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { re, resolve };
      this.#logWaiters.push(w);
      setTimeout(() => {
        const i = this.#logWaiters.indexOf(w);
        if (i >= 0) {
          this.#logWaiters.splice(i, 1);
          reject(new Error(`no log line like ${re} in ${timeout} ms; log:\n${this.logs.slice(-20).join('\n')}`));
        }
      }, timeout);
    });
  }

  signal(sig: NodeJS.Signals): void {
    process.kill(this.pid, sig);
  }

  async stop(): Promise<void> {
    if (this.#proc.exitCode === null && this.#proc.signalCode === null) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await this.#exited;
    }
    this.#cleanup();
  }
}

/** A private epmd (the host's) on a free port; killed by its pid in `stop()`. */
export class Epmd {
  readonly port: number;
  readonly #proc: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(port: number) {
    this.port = port;
    this.#proc = spawn('epmd', ['-address', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' });
    this.#exited = new Promise((r) => this.#proc.once('exit', () => r()));
  }

  static async start(): Promise<Epmd> {
    for (let attempt = 0; ; attempt++) {
      const e = new Epmd(await freePort());
      for (let i = 0; i < 100; i++) {
        if (await canConnect(e.port)) return e;
        if (e.#proc.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 30));
      }
      await e.stop();
      if (attempt >= 3) throw new Error('epmd did not start');
    }
  }

  get pid(): number {
    return this.#proc.pid!;
  }

  async stop(): Promise<void> {
    if (this.#proc.exitCode === null && this.#proc.signalCode === null) {
      this.#proc.kill('SIGKILL');
      await this.#exited;
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Remove the compiled code at process exit. */
process.once('exit', () => {
  if (compiled) rmSync(compiled, { recursive: true, force: true });
});

/** An Erlang expression for `t`, any term (pids and refs of our node included). */
export function lit(t: Term): string {
  return `dist_peer:lit("${Buffer.from(encode(t)).toString('base64')}")`;
}
