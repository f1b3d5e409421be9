/**
 * Go Ergo v3 peers for tests: our own programs in interop/go (module `ergo-ts/interop/go`,
 * requiring `ergo.services/ergo` v1.999.310 = Ergo 3.1.0). They build wherever the go tool can
 * get `ergo.services` modules. Where it cannot (this machine kind's module proxy refuses that
 * host), {@link goPeers} says why in one line and the tests that need a Go peer are skipped with
 * that reason in their title.
 *
 * The go tool is `$GO`, else `go` on PATH, else /usr/local/go/bin/go.
 */
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const goDir = join(import.meta.dirname, '../../interop/go');

export type GoPeers =
  | {
      ok: true;
      /** The go tool used. */
      go: string;
      /** The Ergo framework release the programs are built with (e.g. "3.1.0"). */
      release: string;
      /** Build interop/go/cmd/NAME (once per test process); returns the binary's path. */
      build(name: string): string;
    }
  | { ok: false; reason: string };

function findGo(): string | undefined {
  if (process.env.GO) return process.env.GO;
  const dirs = (process.env.PATH ?? '').split(delimiter);
  dirs.push('/usr/local/go/bin', '/usr/lib/go/bin');
  for (const d of dirs) if (d && existsSync(join(d, 'go'))) return join(d, 'go');
  return undefined;
}

const built = new Map<string, string>();
let probe: GoPeers | undefined;

/** The line of go's output that says why a build failed. */
function why(out: string, status: number | null): string {
  return (
    out.split('\n').find((l) => /403|forbidden|not permitted|no such host|missing go.sum|cannot find|dial tcp/i.test(l)) ??
    out.trim().split('\n').pop() ??
    `go build exited ${status}`
  ).trim();
}

/**
 * Build into a private temporary name, then rename: vitest runs files in parallel workers, and
 * a binary one worker is running must not be rewritten under it by another.
 */
function goBuild(go: string, name: string): string {
  const bin = join(goDir, 'bin');
  mkdirSync(bin, { recursive: true });
  const out = join(bin, name);
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(go, ['build', '-o', tmp, `./cmd/${name}`], { cwd: goDir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as { stderr?: string; status?: number | null };
    throw new Error(`go build ./cmd/${name}: ${why(err.stderr ?? '', err.status ?? null)}`);
  }
  renameSync(tmp, out);
  return out;
}

/** Whether the Go v3 peers build here; probed once per test process. */
export function goPeers(): GoPeers {
  if (probe) return probe;
  const go = findGo();
  if (!go) return (probe = { ok: false, reason: 'Go Ergo v3 peer unavailable: no go tool (set GO=/path/to/go)' });
  const build = (name: string): string => {
    const have = built.get(name);
    if (have) return have;
    const out = goBuild(go, name);
    built.set(name, out);
    return out;
  };
  let hello: string;
  try {
    hello = build('hello');
  } catch (e) {
    return (probe = { ok: false, reason: `Go Ergo v3 peer cannot be built here: ${(e as Error).message.replace(/^go build \.\/cmd\/hello: /, '')}` });
  }
  const r = spawnSync(hello, { encoding: 'utf8' });
  let release: string | undefined;
  try {
    release = (JSON.parse(r.stdout.trim()) as { release?: string }).release;
  } catch {
    release = undefined;
  }
  if (r.status !== 0 || !release) return (probe = { ok: false, reason: `Go Ergo v3 peer built but does not run: ${(r.stderr || r.stdout || String(r.status)).trim().split('\n')[0]}` });
  return (probe = { ok: true, go, release, build });
}

/**
 * One of our Go programs speaking length-prefixed frames (u32 big-endian length + body) on
 * stdin/stdout, answering requests in order. Requests may be pipelined. The process is ours:
 * `close()` ends it (stdin closed, then SIGKILL by its pid if it lingers).
 */
export class GoFramedPeer {
  readonly #proc: ChildProcessWithoutNullStreams;
  #buf: Buffer = Buffer.alloc(0);
  #waiters: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  #exited = false;
  #stderr = '';

  constructor(bin: string, args: string[] = []) {
    this.#proc = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#proc.stdout.on('data', (d: Buffer) => this.#onData(d));
    this.#proc.stderr.on('data', (d: Buffer) => {
      if (this.#stderr.length < 4096) this.#stderr += d.toString();
    });
    this.#proc.on('exit', (code, signal) => {
      this.#exited = true;
      const err = new Error(`${bin} exited (${code ?? signal}): ${this.#stderr.trim()}`);
      for (const w of this.#waiters.splice(0)) w.reject(err);
    });
  }

  get pid(): number | undefined {
    return this.#proc.pid;
  }

  #onData(d: Buffer): void {
    this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
    while (this.#buf.length >= 4) {
      const n = this.#buf.readUInt32BE(0);
      if (this.#buf.length < 4 + n) break;
      const frame = Buffer.from(this.#buf.subarray(4, 4 + n));
      this.#buf = this.#buf.subarray(4 + n);
      this.#waiters.shift()?.resolve(frame);
    }
  }

  /** Send one frame; resolves with the answer frame's body. */
  request(body: Uint8Array): Promise<Buffer> {
    if (this.#exited) return Promise.reject(new Error(`the Go peer has exited: ${this.#stderr.trim()}`));
    const p = new Promise<Buffer>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length, 0);
    this.#proc.stdin.write(head);
    this.#proc.stdin.write(body);
    return p;
  }

  async close(): Promise<void> {
    const pid = this.#proc.pid;
    if (this.#exited || pid === undefined) return;
    const done = new Promise<void>((r) => this.#proc.once('exit', () => r()));
    this.#proc.stdin.end();
    const t = setTimeout(() => {
      if (!this.#exited) process.kill(pid, 'SIGKILL');
    }, 2000);
    await done;
    clearTimeout(t);
  }
}
