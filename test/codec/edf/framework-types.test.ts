/**
 * src/codec/edf/framework-types.gen.ts against the layouts Go dumped from its own net/edf
 * registration (proto-spec/vectors/edf/framework-types.json, interop/go/cmd/edf-types): every
 * registered type is declared with Go's name, kind, field order and field kinds, and nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, frameworkErrors, frameworkTypeNames, genLocalRegistry, typeToJson, type EdfRegistry, type RegType } from '../../../src/codec/edf/index.js';
import { vectorDir } from './support.js';

interface Layout {
  name: string;
  kind: string;
  underlying?: string;
  fields?: [string, unknown][];
  codec?: string;
}
const dump = JSON.parse(readFileSync(join(vectorDir, 'framework-types.json'), 'utf8')) as {
  release: string;
  types: Layout[];
  errors: { id: number; message: string }[];
  unregistered: (Layout & { goEncode: string })[];
};

function check(registry: EdfRegistry, l: Layout): void {
  const t = registry.get(l.name) as RegType | undefined;
  expect(t, l.name).toBeDefined();
  const kind = l.kind === 'named' ? 'named' : l.kind;
  expect(t!.regKind).toBe(kind);
  if (l.kind === 'named') expect(typeToJson(t!.under!)).toBe(l.underlying);
  if (l.kind === 'struct') expect(t!.fields.map((f) => [f.name, typeToJson(f.type)])).toEqual(l.fields);
}

describe(`framework types of Ergo ${dump.release}, as Go registers them`, () => {
  it('declares the registered types in Go registration order', () => {
    expect(dump.types.length).toBe(124);
    expect([...frameworkTypeNames]).toEqual(dump.types.map((l) => l.name));
  });

  it('every layout matches Go\'s (kind, field order, field kinds)', () => {
    for (const l of dump.types) check(defaultRegistry, l);
  });

  it('the error catalogue has Go\'s messages in Go\'s id order', () => {
    expect(frameworkErrors.map((e) => e.message)).toEqual(dump.errors.map((e) => e.message));
    expect(dump.errors.map((e) => e.id)).toEqual(dump.errors.map((_, i) => 32768 + i));
  });

  it('keeps the mailbox messages Go does not register out of the default registry', () => {
    expect(dump.unregistered.length).toBeGreaterThan(0);
    for (const u of dump.unregistered) {
      expect(u.goEncode).toMatch(/^no encoder for type gen\./);
      expect(defaultRegistry.has(u.name)).toBe(false);
      check(genLocalRegistry, u);
    }
  });
});
