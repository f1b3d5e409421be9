/** The README's example runs as written (with 'ergo-ts' pointing at this checkout). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

it('README example prints what its comment says', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const code = /## Example\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const dir = join(root, '.tmp', `readme-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'example.ts');
  writeFileSync(file, code!.replace("from 'ergo-ts'", "from '../../src/index.js'"));
  try {
    // It type-checks as written (strict, as users compile it): no `as const`, typed spawn args.
    execFileSync(
      join(root, 'node_modules/.bin/tsc'),
      ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--noImplicitOverride', '--types', 'node', '--skipLibCheck', file],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const out = execFileSync(join(root, 'node_modules/.bin/tsx'), [file], { encoding: 'utf8', timeout: 30_000 });
    const expected = /console\.log\(.*\/\/ (.*)$/m.exec(code!)?.[1];
    expect(out.trim()).toBe(expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('README "Joining clusters" example type-checks as written', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const code = /## Joining clusters\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const dir = join(root, '.tmp', `readme-net-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'example.ts');
  // It needs live Go and BEAM nodes to run: compiled only, with unused results allowed.
  writeFileSync(file, `${code!.replace("from 'ergo-ts'", "from '../../src/index.js'")}\nexport { stock, price, down, release };\n`);
  try {
    execFileSync(
      join(root, 'node_modules/.bin/tsc'),
      ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--noImplicitOverride', '--types', 'node', '--skipLibCheck', file],
      { encoding: 'utf8', timeout: 60_000 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('README opens with what it is, the prerequisites and what each is for, install, and the two commands', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const opening = readme.slice(0, readme.indexOf('## Interop'));
  expect(opening).toMatch(/^# ergo-ts\n\nA TypeScript node for Node\.js/);
  const prereq = opening.slice(opening.indexOf('## Prerequisites'), opening.indexOf('## Install'));
  expect(prereq).toMatch(/Node\.js ≥ 20/);
  expect(prereq).toMatch(/erl/);
  expect(prereq).toMatch(/Go ≥/);
  expect(prereq).toMatch(/Not needed to \*use\* the package/);
  const install = opening.slice(opening.indexOf('## Install'));
  expect(install).toMatch(/npm install git\+/);
  expect(install).toContain('npm install && npm start');
  expect(install).toContain('npm install && npm test');
});
