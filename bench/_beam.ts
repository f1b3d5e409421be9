/**
 * BEAM nodes for benchmarks: the host's `erl` running interop/erlang/dist_peer (with
 * node_peer and bench_peer), driven by one Erlang expression per stdin line, answering in ETF
 * on stdout; and a private `epmd`. Everything started here is killed by its pid in `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from './_net.js';
import { decode, encode } from '../src/codec/etf/index.js';
import { Tuple, format, type Term } from '../src/term/index.js';

function erlangDir(): string {
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    const cand = join(d, 'interop', 'erlang');
    if (existsSync(join(cand, 'dist_peer.erl'))) return cand;
    if (dirname(d) === d) throw new Error('interop/erlang not found');
  }
}

export function haveErl(): boolean {
  return spawnSync('erl', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** Compile the peer modules into a temp directory (removed at exit). */
export function compilePeers(): string {
  const out = mkdtempSync(join(tmpdir(), 'ergo-ts-bench-beam-'));
  const src = erlangDir();
  const r = spawnSync('erlc', ['-o', out, ...['dist_peer', 'node_peer', 'bench_peer'].map((m) => join(src, `${m}.erl`))], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`erlc failed: ${r.stderr || r.stdout}`);
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  return out;
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

export class Epmd {
  private constructor(
    readonly port: number,
    readonly proc: ChildProcess,
  ) {}
  static async start(): Promise<Epmd> {
    const port = await freePort();
    const proc = spawn('epmd', ['-address', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !(await canConnect(port)); i++) await new Promise((r) => setTimeout(r, 20));
    return new Epmd(port, proc);
  }
  stop(): void {
    this.proc.kill('SIGKILL');
  }
}

export class BeamNode {
  readonly #proc: ChildProcess;
  readonly #waiting = new Map<string, { resolve: (t: Term) => void; reject: (e: Error) => void }>();
  readonly logs: string[] = [];
  #id = 0;
  #ready: Promise<void>;

  private constructor(readonly name: string, code: string, cookie: string, epmdPort: number) {
    this.#proc = spawn('erl', ['-noshell', '-name', name, '-setcookie', cookie, '-start_epmd', 'false', '-pa', code, '-s', 'dist_peer', 'main'], {
      env: { ...process.env, ERL_EPMD_PORT: String(epmdPort) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let ready!: () => void;
    this.#ready = new Promise((r) => (ready = r));
    createInterface({ input: this.#proc.stdout! }).on('line', (line) => {
      if (line.startsWith('@@ready')) return ready();
      const m = /^@@(\d+) (\S*)$/.exec(line);
      if (m === null) {
        this.logs.push(line);
        return;
      }
      const w = this.#waiting.get(m[1]!);
      if (w === undefined) return;
      this.#waiting.delete(m[1]!);
      const t = decode(Buffer.from(m[2]!, 'base64')) as Tuple;
      if ((t.elements[0] as { name: string }).name === 'ok') w.resolve(t.elements[1]!);
      else w.reject(new Error(`erl eval failed: ${format(t as Term, 2000)}`));
    });
    createInterface({ input: this.#proc.stderr! }).on('line', (l) => this.logs.push(l));
  }

  static async start(name: string, code: string, cookie: string, epmdPort: number): Promise<BeamNode> {
    const b = new BeamNode(name, code, cookie, epmdPort);
    await b.#ready;
    return b;
  }

  /** Evaluate one expression on the node. */
  eval(expr: string, timeout = 600_000): Promise<Term> {
    const id = String(++this.#id);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`erl eval timed out: ${expr}`)), timeout);
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
      this.#proc.stdin!.write(`${id} ${expr.replace(/\s*\n\s*/g, ' ')}.\n`);
    });
  }

  stop(): void {
    this.#proc.kill('SIGKILL');
  }
}

/** An Erlang expression for any term (pids and refs of other nodes included). */
export function lit(t: Term): string {
  return `dist_peer:lit("${Buffer.from(encode(t)).toString('base64')}")`;
}
