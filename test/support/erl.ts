/**
 * Real BEAM peers for tests: compiles Erlang modules with the host's erlc (OTP 25 `.beam`
 * files load on 27 and 29) into a temp dir and starts `erl` of any available release
 * ({@link Otp} from otp.ts) running one of them with {packet,4} frames on stdin/stdout. Every
 * process is started by us and killed by its pid in `close()`.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { hostOtp, type Otp } from './otp.js';

const erlangDir = join(import.meta.dirname, '../../interop/erlang');

export function haveErl(): boolean {
  return spawnSync('erl', ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Compile `modules` into a fresh directory; returns it. Each entry is a module name in
 * interop/erlang (without .erl) or an absolute path to a .erl file. Compiled by the host's
 * erlc unless `otp` is given: then by that release's own erlc, in the directory it sees
 * (`staged.path`), since OTP 29 refuses some code OTP 25 generates.
 */
export function compileErlang(modules: string[], otp?: Otp): string;
export function compileErlang(modules: string[], otp: Otp, staged: true): { dir: string; staged: { path: string; cleanup(): void } };
export function compileErlang(modules: string[], otp?: Otp, staged?: true): string | { dir: string; staged: { path: string; cleanup(): void } } {
  const out = mkdtempSync(join(tmpdir(), 'ergo-ts-beam-'));
  const files = modules.map((m) => (isAbsolute(m) ? m : join(erlangDir, `${m}.erl`)));
  for (const f of files) copyFileSync(f, join(out, basename(f)));
  const release = otp ?? hostOtp();
  const st = release ? release.stage(out) : { path: out, cleanup: () => {} };
  const inside = files.map((f) => `${st.path}/${basename(f)}`);
  const cmd = release ? release.command('erlc', ['-o', st.path, ...inside]) : { file: 'erlc', args: ['-o', out, ...inside], env: process.env };
  const r = spawnSync(cmd.file, cmd.args, { encoding: 'utf8', env: cmd.env });
  if (r.status !== 0) {
    st.cleanup();
    throw new Error(`erlc failed: ${r.stderr || r.stdout}`);
  }
  if (staged) return { dir: out, staged: st };
  if (st.path !== out) throw new Error('compileErlang: a chroot release needs the staged form');
  return out;
}

export interface PacketPeerOptions {
  /** The release to run (default: the host's `erl`). */
  otp?: Otp;
  /** Function of the module to start (default `main`). */
  fn?: string;
  /** Absolute path of the module's .erl when it is not in interop/erlang. */
  source?: string;
  /** Extra emulator arguments (e.g. `['+t', '10000000']`). */
  erlArgs?: string[];
  /**
   * A directory (as the release sees it) that already holds the compiled module, from
   * {@link compileErlang}; the peer then compiles nothing and leaves the directory alone.
   */
  codePath?: string;
}

/** A `{packet,4}` request/response peer over stdio, answering frames in order. */
export class PacketPeer {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #dir: string;
  readonly #staged: { path: string; cleanup(): void };
  #chunks: Buffer[] = [];
  #have = 0;
  #waiters: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  #exited = false;
  #stderr = '';
  readonly otp: Otp | undefined;

  constructor(module: string, options: string | PacketPeerOptions = {}) {
    const opts: PacketPeerOptions = typeof options === 'string' ? { fn: options } : options;
    this.otp = opts.otp ?? hostOtp();
    if (opts.codePath !== undefined) {
      this.#dir = '';
      this.#staged = { path: opts.codePath, cleanup: () => {} };
    } else if (this.otp) {
      const c = compileErlang([opts.source ?? module], this.otp, true);
      this.#dir = c.dir;
      this.#staged = c.staged;
    } else {
      this.#dir = compileErlang([opts.source ?? module]);
      this.#staged = { path: this.#dir, cleanup: () => {} };
    }
    const args = ['-noshell', '-noinput', '-start_epmd', 'false', ...(opts.erlArgs ?? []), '-pa', this.#staged.path, '-s', module, opts.fn ?? 'main'];
    const cmd = this.otp ? this.otp.command('erl', args, { ERL_CRASH_DUMP_SECONDS: '0' }) : { file: 'erl', args, env: process.env };
    this.#proc = spawn(cmd.file, cmd.args, { stdio: ['pipe', 'pipe', 'pipe'], env: cmd.env });
    this.#proc.stdout.on('data', (d: Buffer) => this.#onData(d));
    this.#proc.stderr.on('data', (d: Buffer) => {
      if (this.#stderr.length < 4096) this.#stderr += d.toString();
    });
    this.#proc.stdin.on('error', () => {});
    this.#proc.on('exit', () => {
      this.#exited = true;
    });
    // 'close' comes after stdout has been read to its end: replies written before the VM
    // died are delivered first, and only the unanswered requests fail.
    this.#proc.on('close', (code, signal) => {
      this.#exited = true;
      const err = new Error(`erl exited (${code ?? signal})${this.#stderr ? `: ${this.#stderr.trim().slice(0, 500)}` : ''}`);
      for (const w of this.#waiters.splice(0)) w.reject(err);
    });
  }

  get pid(): number | undefined {
    return this.#proc.pid;
  }

  get exited(): boolean {
    return this.#exited;
  }

  #onData(d: Buffer): void {
    this.#chunks.push(d);
    this.#have += d.length;
    // Collect until a whole frame is here; join chunks only then (frames can be megabytes).
    for (;;) {
      if (this.#have < 4) return;
      if (this.#chunks.length > 1 && this.#chunks[0]!.length < 4) this.#join();
      const n = this.#chunks[0]!.readUInt32BE(0);
      if (this.#have < 4 + n) return;
      if (this.#chunks[0]!.length < 4 + n) this.#join();
      const first = this.#chunks[0]!;
      const frame = Buffer.from(first.subarray(4, 4 + n));
      const rest = first.subarray(4 + n);
      if (rest.length > 0) this.#chunks[0] = rest;
      else this.#chunks.shift();
      this.#have -= 4 + n;
      this.#waiters.shift()?.resolve(frame);
    }
  }

  #join(): void {
    this.#chunks = [Buffer.concat(this.#chunks)];
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

  /**
   * Send one frame that the peer answers with `replies` frames (a batch answered item by
   * item); returns one promise per reply, in order. If the peer dies midway, the unanswered
   * ones reject, which tells the caller how far it got.
   */
  requestMany(frame: Uint8Array, replies: number): Promise<Buffer>[] {
    if (this.#exited) return Array.from({ length: replies }, () => Promise.reject(new Error('erl has exited')));
    const out: Promise<Buffer>[] = [];
    for (let i = 0; i < replies; i++) out.push(new Promise<Buffer>((resolve, reject) => this.#waiters.push({ resolve, reject })));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(frame.length, 0);
    this.#proc.stdin.write(head);
    this.#proc.stdin.write(frame);
    return out;
  }

  async close(): Promise<void> {
    const pid = this.#proc.pid;
    if (!this.#exited) {
      const done = new Promise<void>((r) => this.#proc.once('close', () => r()));
      this.#proc.stdin.end();
      const t = setTimeout(() => {
        if (pid && !this.#exited) process.kill(pid, 'SIGKILL');
      }, 2000);
      await done;
      clearTimeout(t);
    }
    this.#staged.cleanup();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }
}
