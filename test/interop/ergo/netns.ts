/**
 * A private network namespace holding only a loopback interface. Go's registrar server binds
 * UDP on every interface (`:port`) and has no option to narrow it, so every topology where a
 * Go node may serve the registrar runs in here: "every interface" is then this loopback only.
 * Processes enter it with `nsenter -t HOLDER -n`; the holder is a `sleep` we kill by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { LinesProcess } from './peer.js';

export type Netns = { ok: true; prefix: string[]; close(): void } | { ok: false; reason: string };

let probe: string | undefined | null = null;

/** Why network namespaces cannot be used here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (probe !== null) return probe;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
  probe = r.status === 0 ? undefined : `no private network namespace here (unshare -n: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0]})`;
  return probe;
}

/** Make a namespace; `prefix` runs a command inside it. */
export async function makeNetns(): Promise<Netns> {
  const why = netnsUnavailable();
  if (why) return { ok: false, reason: why };
  const holder: ChildProcess = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && echo up && exec sleep 600'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once('data', () => resolve());
    holder.once('exit', (c) => reject(new Error(`netns holder exited ${c}`)));
  });
  const pid = holder.pid!;
  return {
    ok: true,
    prefix: ['nsenter', '-t', String(pid), '-n', '--'],
    close: () => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
}

/** A TS node (test/interop/ergo/ts-peer.ts) running inside the namespace. */
export async function tsPeerIn(prefix: string[], label: string): Promise<LinesProcess> {
  const script = join(import.meta.dirname, 'ts-peer.ts');
  const [cmd, ...pre] = prefix;
  const p = new LinesProcess(cmd!, [...pre, process.execPath, '--import', 'tsx', script], undefined, label);
  await p.wait((l) => l.ev === 'ready', 20_000);
  return p;
}
