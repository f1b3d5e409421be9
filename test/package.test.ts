/**
 * Installable and tidy: the package a user gets from `npm install <git url>` / a tarball works,
 * carries its licence and not the demo; npm's failures are not silenced; `npm run bench --
 * NAME --json` prints JSON lines only; the lock file is the one npm writes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  license: string;
  files: string[];
  scripts: Record<string, string>;
};
const tmp = mkdtempSync(join(tmpdir(), 'ergo-ts-pkg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function npm(args: string[], cwd = root): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the package', () => {
  it('has an MIT LICENSE file, as package.json says', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('builds on install (prepare), ships dist and the licence but not the demo, and works from a tarball', () => {
    expect(pkg.scripts.prepare).toMatch(/tsc -p tsconfig\.build\.json/);
    const packed = npm(['pack', '--json', '--pack-destination', tmp]);
    expect(packed.status, packed.stderr).toBe(0);
    const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const files = info[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/internal.js']));
    expect(files.filter((f) => f.includes('demo'))).toEqual([]);
    // A fresh project installs the tarball without the network (the package has no runtime
    // dependencies) and runs it.
    const app = join(tmp, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    const inst = npm(['install', '--offline', '--no-audit', '--no-fund', join(tmp, info[0]!.filename)], app);
    expect(inst.status, inst.stderr).toBe(0);
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { Node, Actor, tuple, atom } from 'ergo-ts'; class E extends Actor { handleCall(r) { return tuple(atom('ok'), r); } } const n = await Node.start({ name: 'pkg@localhost', defaultLogger: false }); const p = await n.spawn(E); console.log(String(await n.call(p, 1))); await n.stop();",
      ],
      { cwd: app, encoding: 'utf8', timeout: 30_000 },
    );
    expect(out.trim()).toBe('{ok,1}');
  }, 240_000);

  it('npm failures are not silenced', () => {
    expect(readFileSync(join(root, '.npmrc'), 'utf8')).not.toMatch(/^\s*loglevel\s*=\s*silent/m);
    const r = npm(['run', 'no-such-script']);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('Missing script');
  });

  it('`npm run bench -- NAME --json` prints nothing but JSON lines on stdout', () => {
    const r = npm(['run', 'bench', '--', 'edf', '--json', '--ms', '2']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(Object.keys(JSON.parse(l) as object).sort()).toEqual(['bench', 'case', 'impl', 'op', 'unit', 'value']);
  }, 240_000);

  it('package-lock.json is the one npm writes: it lists the optional platform packages npm records', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    for (const p of ['darwin-arm64', 'darwin-x64', 'linux-arm', 'linux-arm64', 'linux-x64', 'win32-x64']) {
      expect(Object.keys(lock.packages)).toContain(`node_modules/@msgpackr-extract/msgpackr-extract-${p}`);
    }
  });
});
