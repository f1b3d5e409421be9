/**
 * Go Ergo v3 peers for tests: our own programs in interop/go (module `ergo-ts/interop/go`,
 * requiring `ergo.services/ergo` v1.999.310 = Ergo 3.1.0). They build wherever the go tool can
 * get `ergo.services` modules. Where it cannot (this machine kind's module proxy refuses that
 * host), {@link goPeers} says why in one line and the tests that need a Go peer are skipped with
 * that reason in their title.
 *
 * The go tool is `$GO`, else `go` on PATH, else /usr/local/go/bin/go.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const goDir = join(import.meta.dirname, '../../interop/go');

export type GoPeers =
  | { ok: true; go: string; release: string; build(name: string): string }
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

/** Whether the Go v3 peers build here; built once per test process. */
export function goPeers(): GoPeers {
  if (probe) return probe;
  const go = findGo();
  if (!go) return (probe = { ok: false, reason: 'Go Ergo v3 peer unavailable: no go tool (set GO=/path/to/go)' });
  const bin = join(goDir, 'bin');
  mkdirSync(bin, { recursive: true });
  const build = (name: string): string => {
    const have = built.get(name);
    if (have) return have;
    const out = join(bin, name);
    execFileSync(go, ['build', '-o', out, `./cmd/${name}`], { cwd: goDir, stdio: ['ignore', 'ignore', 'pipe'] });
    built.set(name, out);
    return out;
  };
  const r = spawnSync(go, ['build', '-o', join(bin, 'hello'), './cmd/hello'], { cwd: goDir, encoding: 'utf8' });
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout || '').split('\n').find((l) => /403|forbidden|not permitted|no such host|missing go.sum|cannot find/i.test(l))
      ?? (r.stderr || r.stdout || `go build exited ${r.status}`).trim().split('\n').pop();
    return (probe = { ok: false, reason: `Go Ergo v3 peer cannot be built here: ${why?.trim()}` });
  }
  built.set('hello', join(bin, 'hello'));
  const hello = spawnSync(join(bin, 'hello'), { encoding: 'utf8' });
  const release = (JSON.parse(hello.stdout.trim()) as { release: string }).release;
  return (probe = { ok: true, go, release, build });
}
