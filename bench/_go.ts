/**
 * Build and run one of our Go reference programs (interop/go/cmd/NAME, pinned Ergo 2.2.4: the
 * Go module proxy here cannot serve Ergo v3) and parse the JSON line it prints.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** interop/go, found upwards from this file (it runs from source or compiled under .tmp/). */
function findGoDir(): string {
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    const cand = join(d, 'interop', 'go');
    if (existsSync(join(cand, 'go.mod'))) return cand;
    if (dirname(d) === d) throw new Error('interop/go not found');
  }
}

/** The go tool: $GO, then PATH, then the usual install locations. */
function findGo(): string {
  if (process.env.GO) return process.env.GO;
  const dirs = (process.env.PATH ?? '').split(delimiter);
  if (process.env.GOROOT) dirs.push(join(process.env.GOROOT, 'bin'));
  dirs.push('/usr/local/go/bin', '/usr/lib/go/bin');
  for (const d of dirs) if (d && existsSync(join(d, 'go'))) return join(d, 'go');
  throw new Error('go not found (set GO=/path/to/go)');
}

const goDir = findGoDir();

export function buildGo(name: string): string {
  const out = join(goDir, 'bin', name);
  execFileSync(findGo(), ['build', '-o', out, `./cmd/${name}`], { cwd: goDir, stdio: ['ignore', 'inherit', 'inherit'] });
  return out;
}

/** Run a built program; resolves with its last stdout line parsed as JSON. Kills it on timeout. */
export function runGo<T>(bin: string, args: string[], timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: goDir, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
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
