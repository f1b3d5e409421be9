/**
 * Writes proto-spec/vectors/etf/records.json by running etf-records.escript on a real OTP 29
 * (or later) release found by test/support/otp.ts — on this machine kind, the Debian forky
 * chroot that interop/otp/provision.sh builds.
 *
 *   npx tsx proto-spec/scripts/etf-records.ts
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { otpReleases } from '../../test/support/otp.js';

const otp = otpReleases().find((o) => Number(o.release) >= 29);
if (!otp) {
  console.error('etf-records: no OTP 29+ release found (see test/support/otp.ts)');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'etf-records-'));
copyFileSync(join(import.meta.dirname, 'etf-records.escript'), join(dir, 'etf-records.escript'));
const staged = otp.stage(dir);
try {
  const cmd = otp.command('escript', [`${staged.path}/etf-records.escript`, `${staged.path}/out`]);
  const r = spawnSync(cmd.file, cmd.args, { env: cmd.env, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status !== 0) process.exit(r.status ?? 1);
  // The staged copy is where the release wrote; for a chroot that is inside its root.
  const out = staged.path === dir ? join(dir, 'out') : join(otpRoot(staged.path), 'out');
  copyFileSync(join(out, 'records.json'), join(import.meta.dirname, '../vectors/etf/records.json'));
  console.log(`written by ${otp.label} (${otp.origin})`);
} finally {
  staged.cleanup();
  rmSync(dir, { recursive: true, force: true });
}

/** The host path of a directory a chroot release sees as `inside`. */
function otpRoot(inside: string): string {
  const root = process.env.ERGO_TS_OTP_DIR ?? '/var/cache/ergo-ts/otp';
  const suite = otp!.origin.replace(/^chroot:/, '');
  return join(root, suite, inside);
}
