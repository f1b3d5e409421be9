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
    const out = execFileSync(join(root, 'node_modules/.bin/tsx'), [file], { encoding: 'utf8', timeout: 30_000 });
    const expected = /console\.log\(.*\/\/ (.*)$/m.exec(code!)?.[1];
    expect(out.trim()).toBe(expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
