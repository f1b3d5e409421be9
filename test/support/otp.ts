/**
 * Every Erlang/OTP release the tests can run against on this machine:
 * - the host's `erl` (OTP 25 from Debian bookworm here);
 * - the chroots `interop/otp/provision.sh` builds (OTP 27 from trixie, OTP 29 from forky) under
 *   `$ERGO_TS_OTP_DIR` (default /var/cache/ergo-ts/otp), used through `chroot` (root only);
 * - any install a user lists in `$ERGO_TS_OTP` (`:`-separated `bin` directories, e.g. an OTP 28
 *   from kerl: `ERGO_TS_OTP=$HOME/kerl/28.0/bin`).
 * `ERGO_TS_OTP_ONLY=25,29` keeps only those releases. Each entry knows its version for test
 * titles and how to run `erl`, `erlc`, `escript` and `epmd`; files reach a chroot through
 * {@link Otp.stage}.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

export type OtpTool = 'erl' | 'erlc' | 'escript' | 'epmd';

export interface OtpCommand {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface Otp {
  /** Major release, e.g. `'27'`. */
  readonly release: string;
  /** Full version from OTP_VERSION, e.g. `'27.3.4.1'`. */
  readonly version: string;
  /** For test titles: `'OTP 27.3.4.1'`. */
  readonly label: string;
  /** Where it comes from: `host`, `chroot:trixie`, or the listed bin directory. */
  readonly origin: string;
  /** The argv and environment that run `tool` of this release with `args`. */
  command(tool: OtpTool, args: string[], env?: Record<string, string>): OtpCommand;
  /**
   * Make a host directory readable by this release: returns the path it has there and a
   * cleanup. The host and listed installs see the host's files as they are; a chroot gets a
   * copy under its /tmp.
   */
  stage(hostDir: string): { path: string; cleanup(): void };
}

const chrootSuites = ['trixie', 'forky'];

function plainOtp(origin: string, bin: string | undefined): Otp | undefined {
  const tool = (t: OtpTool) => (bin ? join(bin, t) : t);
  const r = spawnSync(
    tool('erl'),
    [
      '-noshell',
      '-eval',
      'R = erlang:system_info(otp_release), ' +
        '{ok, V} = file:read_file(filename:join([code:root_dir(), "releases", R, "OTP_VERSION"])), ' +
        'io:format("~s ~s", [R, string:trim(V)]), halt().',
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (r.status !== 0) return undefined;
  const [release, version] = r.stdout.trim().split(' ');
  if (!release || !version) return undefined;
  return {
    release,
    version,
    label: `OTP ${version}`,
    origin,
    command: (t, args, env = {}) => ({ file: tool(t), args, env: { ...process.env, ...env } }),
    stage: (hostDir) => ({ path: hostDir, cleanup: () => {} }),
  };
}

function chrootOtp(root: string, suite: string): Otp | undefined {
  const releases = join(root, 'usr/lib/erlang/releases');
  if (!existsSync(join(root, '.ergo-ts-ready')) || !existsSync(releases)) return undefined;
  const release = readdirSync(releases).find((d) => /^\d+$/.test(d));
  if (!release) return undefined;
  const version = readFileSync(join(releases, release, 'OTP_VERSION'), 'utf8').trim();
  return {
    release,
    version,
    label: `OTP ${version}`,
    origin: `chroot:${suite}`,
    command: (t, args, env = {}) => ({
      file: 'chroot',
      // `env` inside the chroot so the variables reach the release's own erl script; erl
      // execs erlexec, which execs beam.smp, so the child's pid is the emulator's.
      args: [root, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), t, ...args],
      env: process.env,
    }),
    stage: (hostDir) => {
      const inside = mkdtempSync(join(root, 'tmp', 'ergo-ts-'));
      cpSync(hostDir, inside, { recursive: true });
      return { path: '/' + relative(root, inside), cleanup: () => rmSync(inside, { recursive: true, force: true }) };
    },
  };
}

let found: Otp[] | undefined;

/** Every available release, host first, newest chroots after; cached for the process. */
export function otpReleases(): Otp[] {
  if (found) return found;
  const all: Otp[] = [];
  const host = plainOtp('host', undefined);
  if (host) all.push(host);
  const dir = process.env.ERGO_TS_OTP_DIR ?? '/var/cache/ergo-ts/otp';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root) {
    for (const suite of chrootSuites) {
      const o = chrootOtp(join(dir, suite), suite);
      if (o) all.push(o);
    }
  }
  for (const bin of (process.env.ERGO_TS_OTP ?? '').split(':').filter(Boolean)) {
    const o = plainOtp(bin, bin);
    if (o) all.push(o);
  }
  const only = (process.env.ERGO_TS_OTP_ONLY ?? '').split(',').filter(Boolean);
  const seen = new Set<string>();
  found = all.filter((o) => {
    if (only.length > 0 && !only.includes(o.release)) return false;
    if (seen.has(o.version)) return false;
    seen.add(o.version);
    return true;
  });
  return found;
}

/** The host's release (the one that compiles test modules: its .beam files load on newer ones). */
export function hostOtp(): Otp | undefined {
  return otpReleases().find((o) => o.origin === 'host');
}
