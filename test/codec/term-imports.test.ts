/**
 * No runtime import cycle in src/term (equal.ts ↔ map.ts had one: maps are recognised through
 * the MapTerm base class in types.ts now), and imports point down the layers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';

const src = join(import.meta.dirname, '../../src');

/** Runtime imports of each file (type-only imports are erased and cannot cycle). */
function graph(dir: string): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (!f.endsWith('.ts')) continue;
    const file = join(dir, f);
    const deps: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(/^import\s+(?!type\s)[^;]*?from\s+'(\.[^']+)'/gms)) {
      deps.push(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
    }
    g.set(file, deps);
  }
  return g;
}

it('src/term and src/codec have no runtime import cycle', () => {
  for (const layer of ['term', 'codec']) {
    const g = graph(join(src, layer));
    const state = new Map<string, number>();
    const cycle: string[] = [];
    const visit = (n: string, path: string[]): void => {
      if (state.get(n) === 2 || cycle.length > 0) return;
      if (state.get(n) === 1) {
        cycle.push(...path.slice(path.indexOf(n)), n);
        return;
      }
      state.set(n, 1);
      for (const d of g.get(n) ?? []) if (g.has(d)) visit(d, [...path, n]);
      state.set(n, 2);
    };
    for (const n of g.keys()) visit(n, []);
    expect(cycle.map((c) => relative(src, c))).toEqual([]);
  }
});

it('src/term imports nothing above it; src/codec nothing above src/term', () => {
  for (const [layer, allowed] of [
    ['term', ['term']],
    ['codec', ['term', 'codec']],
  ] as const) {
    for (const [file, deps] of graph(join(src, layer))) {
      for (const d of deps) {
        const top = relative(src, d).split('/')[0]!;
        expect(allowed as readonly string[], `${relative(src, file)} imports ${relative(src, d)}`).toContain(top);
      }
    }
  }
});
