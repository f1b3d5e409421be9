/**
 * Real BEAM peers for tests: compiles interop/erlang modules with erlc into a temp dir and
 * starts `erl` running one of them with {packet,4} frames on stdin/stdout. Every process is
 * started by us and killed by its pid in `close()`.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const erlangDir = join(import.meta.dirname, '../../interop/erlang');

export function haveErl(): boolean {
  return spawnSync('erl', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** Compile `modules` (names without .erl) into a fresh directory; returns it. */
export function compileErlang(modules: string[]): string {
  const out = mkdtempSync(join(tmpdir(), 'ergo-ts-beam-'));
  const r = spawnSync('erlc', ['-o', out, ...modules.map((m) => join(erlangDir, `${m}.erl`))], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`erlc failed: ${r.stderr || r.stdout}`);
  return out;
}

/** A `{packet,4}` request/response peer over stdio, answering frames in order. */
export class PacketPeer {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #dir: string;
  #buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  #waiters: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  #exited = false;

  constructor(module: string, fn = 'main') {
    this.#dir = compileErlang([module]);
    this.#proc = spawn('erl', ['-noshell', '-noinput', '-pa', this.#dir, '-s', module, fn], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#proc.stdout.on('data', (d: Buffer) => this.#onData(d));
    this.#proc.on('exit', (code) => {
      this.#exited = true;
      const err = new Error(`erl exited (${code})`);
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
      const frame = this.#buf.subarray(4, 4 + n);
      this.#buf = this.#buf.subarray(4 + n);
      this.#waiters.shift()?.resolve(Buffer.from(frame));
    }
  }

  /** Send one frame; resolves with the peer's answer. Calls may be pipelined. */
  request(frame: Uint8Array): Promise<Buffer> {
    if (this.#exited) return Promise.reject(new Error('erl has exited'));
    const p = new Promise<Buffer>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(frame.length, 0);
    this.#proc.stdin.write(head);
    this.#proc.stdin.write(frame);
    return p;
  }

  async close(): Promise<void> {
    const pid = this.#proc.pid;
    if (!this.#exited) {
      const done = new Promise<void>((r) => this.#proc.once('exit', () => r()));
      this.#proc.stdin.end();
      const t = setTimeout(() => pid && process.kill(pid, 'SIGKILL'), 2000);
      await done;
      clearTimeout(t);
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
