/**
 * The Go references of the benchmarks: our programs in interop/go/cmd/* on Ergo v3 (module
 * `ergo-ts/interop/go`, pinned `ergo.services/ergo` v1.999.310 = Ergo 3.1.0). They build wherever
 * the go tool can get `ergo.services` modules (GO=/path/to/go picks the tool). Where a program
 * cannot be built, {@link goReference} says so in one line on stderr and returns undefined, and
 * the bench prints only the rows it measured.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** interop/go, found upwards from this file (it runs from source or compiled under .tmp/). */
function findGoDir(): string | undefined {
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    const cand = join(d, 'interop', 'go');
    if (existsSync(join(cand, 'go.mod'))) return cand;
    if (dirname(d) === d) return undefined;
  }
}

/** The go tool: $GO, then PATH, then the usual install locations. */
function findGo(): string | undefined {
  if (process.env.GO) return process.env.GO;
  const dirs = (process.env.PATH ?? '').split(delimiter);
  if (process.env.GOROOT) dirs.push(join(process.env.GOROOT, 'bin'));
  dirs.push('/usr/local/go/bin', '/usr/lib/go/bin');
  for (const d of dirs) if (d && existsSync(join(d, 'go'))) return join(d, 'go');
  return undefined;
}

/** The line of go's output that says why (the module proxy's 403, a missing host, …). */
function reasonOf(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  return (lines.find((l) => /403|forbidden|not permitted|no such host|missing go.sum|cannot find|dial tcp/i.test(l)) ?? lines.pop() ?? 'go build failed').trim();
}

/**
 * Build interop/go/cmd/NAME into interop/go/bin/OUT (default NAME) with `go` (default: $GO,
 * then PATH); the binary, or the one-line reason it cannot be built here.
 */
export function buildGo(name: string, o: { go?: string; out?: string } = {}): { ok: true; bin: string } | { ok: false; reason: string } {
  const goDir = findGoDir();
  if (goDir === undefined) return { ok: false, reason: 'interop/go not found' };
  const go = o.go ?? findGo();
  if (go === undefined) return { ok: false, reason: 'no go tool (set GO=/path/to/go)' };
  mkdirSync(join(goDir, 'bin'), { recursive: true });
  const out = join(goDir, 'bin', o.out ?? name);
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(go, ['build', '-o', tmp, `./cmd/${name}`], { cwd: goDir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    rmSync(tmp, { force: true });
    return { ok: false, reason: `Go Ergo v3 reference (interop/go/cmd/${name}) cannot be built here: ${reasonOf((e as { stderr?: string }).stderr ?? String(e))}` };
  }
  renameSync(tmp, out);
  return { ok: true, bin: out };
}

/**
 * Build interop/go/cmd/NAME; its path, or undefined after one line on stderr saying why the
 * `ergo-go` rows of `bench` are missing.
 */
export function goReference(bench: string, name: string): string | undefined {
  const r = buildGo(name);
  if (r.ok) return r.bin;
  process.stderr.write(`bench ${bench}: no ergo-go rows: ${r.reason}\n`);
  return undefined;
}

/** Run a built program; resolves with its last stdout line parsed as JSON. Kills it (by pid) on timeout. */
export function runGo<T>(bin: string, args: string[], timeoutMs = 900_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`${bin} timed out`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${bin} exited with ${code}: ${out}`));
      try {
        resolve(JSON.parse(line) as T);
      } catch (e) {
        reject(new Error(`${bin}: cannot parse ${JSON.stringify(line)}: ${String(e)}`));
      }
    });
  });
}
