/**
 * Generates src/codec/edf/framework-types.gen.ts — the schemas of every type Ergo's Go framework
 * registers with net/edf — from the field layouts in our steering digest,
 * ../shared/ref/ergo-edf.md §3.5 (a dump made by reflection from a Go binary linking every
 * framework package, Ergo master f5ff7ed / 3.1.0).
 *
 * Stopgap: the issue asks for a Go program in interop/go that prints these layouts from the
 * pinned ergo.services/ergo, but this machine's Go module proxy refuses ergo.services/ergo.
 * Once it is reachable, replace the input of this script with that program's JSON and
 * regenerate. RegCache ids are deliberately not emitted: above 4190 they depend on Go's init
 * order, and a TS node must always use the peer's announced table.
 *
 *   npx tsx proto-spec/scripts/edf-types-from-digest.ts [path/to/ergo-edf.md] [out.ts]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const digestPath = process.argv[2] ?? join(root, '../shared/ref/ergo-edf.md');
const outPath = process.argv[3] ?? join(root, 'src/codec/edf/framework-types.gen.ts');

const PREFIX = '#ergo.services/ergo/';

/** Go package path (after the module) → the name of the exported group object. */
const groups: Record<string, string> = {
  gen: 'Gen',
  'app/system/inspect': 'Inspect',
  'net/handshake': 'Handshake',
  'net/proto': 'Proto',
  'net/registrar': 'Registrar',
  'app/system': 'SystemApp',
};

/** Types whose body is their own MarshalEDF bytes: the hand-written codec for each. */
const customCodecs: Record<string, string> = {
  'gen/NetworkFlags': 'networkFlagsCodec',
  'gen/NetworkProxyFlags': 'networkProxyFlagsCodec',
};

const scalarOf: Record<string, string> = {
  bool: 'bool',
  int: 'int',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint: 'uint',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  float32: 'float32',
  float64: 'float64',
  string: 'string',
  atom: 'atom',
  error: 'error',
  any: 'any',
  time: 'time',
  PID: 'pid',
  ProcessID: 'processId',
  Alias: 'alias',
  Event: 'event',
  Ref: 'ref',
};

interface Decl {
  name: string;
  /** package path + "/" + type, without the module prefix. */
  rel: string;
  pkg: string;
  short: string;
  v: string;
  kind: 'named' | 'struct' | 'custom';
  underlying?: string;
  fields?: { name: string; type: string }[];
  line: number;
}

const text = readFileSync(digestPath, 'utf8');
const lines = text.split('\n');
const start = lines.findIndex((l) => l.startsWith('### 3.5'));
const stop = lines.findIndex((l, i) => i > start && l.startsWith('### 3.6'));
if (start < 0 || stop < 0) throw new Error(`no §3.5 in ${digestPath}`);

const decls: Decl[] = [];
const byRel = new Map<string, Decl>();
const entry = /^- `(#[^`]+)` \((\d+)\) — (.*)$/;

for (let i = start; i < stop; i++) {
  const m = entry.exec(lines[i]!);
  if (!m) continue;
  const name = m[1]!;
  const rest = m[3]!;
  if (!name.startsWith(PREFIX)) throw new Error(`line ${i + 1}: unexpected package in ${name}`);
  const rel = name.slice(PREFIX.length);
  const pkg = rel.slice(0, rel.lastIndexOf('/'));
  const short = rel.slice(rel.lastIndexOf('/') + 1);
  const group = groups[pkg];
  if (group === undefined) throw new Error(`line ${i + 1}: no group for package ${pkg}`);
  const d: Decl = { name, rel, pkg, short, v: `${group}_${short}`, kind: 'struct', line: i + 1 };
  let nm: RegExpExecArray | null;
  if ((nm = /^named `(\w+)`$/.exec(rest))) {
    d.kind = 'named';
    d.underlying = nm[1]!;
    if (scalarOf[d.underlying] === undefined) throw new Error(`line ${i + 1}: unknown underlying kind ${d.underlying}`);
  } else if (/^struct with custom MarshalEDF/.test(rest)) {
    d.kind = 'custom';
    if (customCodecs[rel] === undefined) throw new Error(`line ${i + 1}: no hand-written codec for custom type ${rel}`);
  } else if (/^struct, \*\*no fields\*\*/.test(rest)) {
    d.fields = [];
  } else {
    d.fields = rest.split(/;\s*/).map((part, k) => {
      const fm = /^(\d+)\.`(\w+)` (.+)$/.exec(part.trim());
      if (!fm) throw new Error(`line ${i + 1}: cannot read field "${part}"`);
      if (Number(fm[1]) !== k + 1) throw new Error(`line ${i + 1}: field ${fm[2]} numbered ${fm[1]}, expected ${k + 1}`);
      return { name: fm[2]!, type: fm[3]!.trim() };
    });
  }
  if (byRel.has(rel)) throw new Error(`line ${i + 1}: ${name} listed twice`);
  decls.push(d);
  byRel.set(rel, d);
}

/** Translate a digest field type into a TS type expression over earlier declarations. */
function typeExpr(t: string, at: Decl, seen: Set<string>): string {
  if (t.startsWith('[]')) return `T.slice(${typeExpr(t.slice(2), at, seen)})`;
  if (t.startsWith('map[')) {
    let depth = 0;
    let i = 3;
    for (; i < t.length; i++) {
      if (t[i] === '[') depth++;
      else if (t[i] === ']' && --depth === 0) break;
    }
    const key = t.slice(4, i);
    const value = t.slice(i + 1);
    return `T.map(${typeExpr(key, at, seen)}, ${typeExpr(value, at, seen)})`;
  }
  const rm = /^reg<([\w/]+)>$/.exec(t);
  if (rm) {
    const ref = byRel.get(rm[1]!);
    if (ref === undefined) throw new Error(`line ${at.line}: ${at.short} refers to unknown type ${rm[1]}`);
    if (!seen.has(ref.rel)) throw new Error(`line ${at.line}: ${at.short} refers to ${rm[1]} before it is registered`);
    return ref.v;
  }
  const s = scalarOf[t];
  if (s === undefined) throw new Error(`line ${at.line}: ${at.short}: unknown field type "${t}"`);
  return `'${s}'`;
}

const out: string[] = [];
out.push(`/**
 * GENERATED by proto-spec/scripts/edf-types-from-digest.ts — do not edit.
 *
 * Source: ${relative(root, digestPath).replace(/\\/g, '/')} §3.5 (our steering digest of Ergo
 * master f5ff7ed / 3.1.0: names and field layouts of the ${decls.length} types the Go framework registers
 * with net/edf, dumped there by reflection). This must be regenerated from a Go program that
 * dumps the layouts from the pinned ergo.services/ergo once the Go module proxy serves it (it
 * refuses ergo.services/ergo on the machine this was made on). No RegCache ids here: ids above
 * 4190 depend on Go's init order; always decode with the peer's announced table.
 */
/* eslint-disable */
import { defaultRegistry, T } from './types.js';
import { networkFlagsCodec, networkProxyFlagsCodec } from './network-flags.js';

const r = defaultRegistry;
`);

const seen = new Set<string>();
for (const d of decls) {
  switch (d.kind) {
    case 'named':
      out.push(`const ${d.v} = r.named('${d.name}', '${scalarOf[d.underlying!]}');`);
      break;
    case 'custom':
      out.push(`const ${d.v} = r.custom('${d.name}', ${customCodecs[d.rel]});`);
      break;
    case 'struct': {
      const fs = d.fields!.map((f) => `  ${f.name}: ${typeExpr(f.type, d, seen)},`);
      out.push(fs.length === 0 ? `const ${d.v} = r.struct('${d.name}', {});` : `const ${d.v} = r.struct('${d.name}', {\n${fs.join('\n')}\n});`);
      break;
    }
  }
  seen.add(d.rel);
}

out.push('');
for (const [pkg, group] of Object.entries(groups)) {
  const members = decls.filter((d) => d.pkg === pkg);
  if (members.length === 0) continue;
  out.push(`/** Types registered by ergo ${pkg}. */`);
  out.push(`export const ${group} = {\n${members.map((d) => `  ${d.short}: ${d.v},`).join('\n')}\n} as const;\n`);
}
out.push(`/** Every framework type name, in Go registration order. */`);
out.push(`export const frameworkTypeNames: readonly string[] = [\n${decls.map((d) => `  '${d.name}',`).join('\n')}\n];\n`);

writeFileSync(outPath, out.join('\n'));
console.log(`wrote ${relative(root, outPath)}: ${decls.length} types from ${relative(root, digestPath)}`);
