/** One catalogue of error codes: every code the source raises is in it, and in the docs. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrCode, ErrorCatalogue } from '../../src/gen/index.js';
import { ErrorCatalogue as fromRoot } from '../../src/index.js';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('error catalogue', () => {
  it('lists every code the source raises, and every runtime ErrCode', () => {
    const raised = new Set<string>();
    for (const f of sources(join(root, 'src'))) for (const m of readFileSync(f, 'utf8').matchAll(/'(ERR_[A-Z0-9_]+)'/g)) raised.add(m[1]!);
    const missing = [...raised].filter((c) => !(c in ErrorCatalogue));
    expect(missing).toEqual([]);
    for (const c of Object.values(ErrCode)) expect(ErrorCatalogue, c).toHaveProperty(c);
    expect(fromRoot).toBe(ErrorCatalogue);
  });

  it('every code in the catalogue is documented in proto-spec/errors.md', () => {
    const doc = readFileSync(join(root, 'proto-spec', 'errors.md'), 'utf8');
    const undocumented = Object.keys(ErrorCatalogue).filter((c) => !doc.includes('`' + c + '`'));
    expect(undocumented).toEqual([]);
  });
});
