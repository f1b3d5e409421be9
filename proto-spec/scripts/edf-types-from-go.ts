/**
 * Generates src/codec/edf/framework-types.gen.ts — the schemas of every type Ergo's Go
 * framework registers with net/edf — from proto-spec/vectors/edf/framework-types.json, which
 * interop/go/cmd/edf-types dumps by reflection from the pinned ergo.services/ergo. Regenerate
 * both when the pinned release changes:
 *
 *   (cd interop/go && go run ./cmd/edf-types -o ../../proto-spec/vectors/edf/framework-types.json)
 *   npx tsx proto-spec/scripts/edf-types-from-go.ts
 *
 * RegCache ids are not emitted: above 4190 they depend on Go's init order, and a TS node always
 * decodes with the peer's announced table. The framework's local mailbox messages
 * (gen.MessageDown*, MessageExit*, MessageFallback), which Go does not register, go into their
 * own registry (`genLocalRegistry`), not the default one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

type TypeJson = string | { slice: TypeJson } | { array: [number, TypeJson] } | { map: [TypeJson, TypeJson] } | { reg: string };

interface Layout {
  name: string;
  package: string;
  type: string;
  kind: 'named' | 'struct' | 'custom' | 'slice' | 'array' | 'map';
  underlying?: string;
  fields?: [string, TypeJson][];
  codec?: string;
  elem?: TypeJson;
  key?: TypeJson;
  len?: number;
  id?: number;
  goEncode?: string;
}

interface Dump {
  format: 'edf-framework-types';
  origin: string;
  release: string;
  module: string;
  types: Layout[];
  errors: { id: number; message: string }[];
  unregistered: Layout[];
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const dumpPath = process.argv[2] ?? join(root, 'proto-spec/vectors/edf/framework-types.json');
const outPath = process.argv[3] ?? join(root, 'src/codec/edf/framework-types.gen.ts');

const MODULE = 'ergo.services/ergo/';

/** Go package path (after the module) → the exported group object. */
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
  '#ergo.services/ergo/gen/NetworkFlags': 'networkFlagsCodec',
  '#ergo.services/ergo/gen/NetworkProxyFlags': 'networkProxyFlagsCodec',
};

const scalars = new Set([
  'bool', 'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'float32', 'float64',
  'string', 'binary', 'atom', 'error', 'any', 'pid', 'processId', 'alias', 'event', 'ref', 'time',
]);

const dump = JSON.parse(readFileSync(dumpPath, 'utf8')) as Dump;
if (dump.format !== 'edf-framework-types') throw new Error(`${dumpPath}: not an edf-framework-types dump`);

function pkgOf(l: Layout): string {
  if (!l.package.startsWith(MODULE)) throw new Error(`${l.name}: package ${l.package} is outside ${MODULE}`);
  return l.package.slice(MODULE.length);
}

function varOf(l: Layout, prefix = ''): string {
  const group = groups[pkgOf(l)];
  if (group === undefined) throw new Error(`${l.name}: no group for package ${l.package}`);
  return `${prefix}${group}_${l.type}`;
}

/** Variables of the types declared so far, by registered name. */
const declared = new Map<string, string>();

function typeExpr(t: TypeJson, at: string): string {
  if (typeof t === 'string') {
    if (!scalars.has(t)) throw new Error(`${at}: unknown kind ${t}`);
    return `'${t}'`;
  }
  if ('slice' in t) return `T.slice(${typeExpr(t.slice, at)})`;
  if ('array' in t) return `T.array(${t.array[0]}, ${typeExpr(t.array[1], at)})`;
  if ('map' in t) return `T.map(${typeExpr(t.map[0], at)}, ${typeExpr(t.map[1], at)})`;
  const v = declared.get(t.reg);
  if (v === undefined) throw new Error(`${at}: refers to ${t.reg} before it is registered`);
  return v;
}

function declare(l: Layout, reg: string, v: string): string {
  switch (l.kind) {
    case 'named':
      if (!scalars.has(l.underlying!)) throw new Error(`${l.name}: unknown underlying kind ${l.underlying}`);
      return `const ${v} = ${reg}.named('${l.name}', '${l.underlying}');`;
    case 'custom': {
      const codec = customCodecs[l.name];
      if (codec === undefined) throw new Error(`${l.name}: custom (${l.codec}) type without a hand-written codec`);
      return `const ${v} = ${reg}.custom('${l.name}', ${codec});`;
    }
    case 'struct': {
      const fs = l.fields!.map(([name, t]) => `  ${name}: ${typeExpr(t, l.name)},`);
      return fs.length === 0 ? `const ${v} = ${reg}.struct('${l.name}', {});` : `const ${v} = ${reg}.struct('${l.name}', {\n${fs.join('\n')}\n});`;
    }
    case 'slice':
      return `const ${v} = ${reg}.namedSlice('${l.name}', ${typeExpr(l.elem!, l.name)});`;
    case 'array':
      return `const ${v} = ${reg}.namedArray('${l.name}', ${l.len}, ${typeExpr(l.elem!, l.name)});`;
    case 'map':
      return `const ${v} = ${reg}.namedMap('${l.name}', ${typeExpr(l.key!, l.name)}, ${typeExpr(l.elem!, l.name)});`;
  }
}

const out: string[] = [];
out.push(`/**
 * GENERATED by proto-spec/scripts/edf-types-from-go.ts from ${relative(root, dumpPath).replace(/\\/g, '/')}
 * — do not edit. That dump is made by interop/go/cmd/edf-types from the real net/edf of Ergo
 * ${dump.release} (${dump.module}): the ${dump.types.length} types a Go node registers, their
 * fields in Go declaration order (the wire order) and Go kinds. No RegCache ids here: above 4190
 * they depend on Go's init order; always decode with the peer's announced table.
 */
/* eslint-disable */
import { defaultRegistry, EdfRegistry, T } from './types.js';
import { networkFlagsCodec, networkProxyFlagsCodec } from './network-flags.js';

const r = defaultRegistry;
`);

for (const l of dump.types) {
  const v = varOf(l);
  out.push(declare(l, 'r', v));
  declared.set(l.name, v);
}

out.push('');
for (const [pkg, group] of Object.entries(groups)) {
  const members = dump.types.filter((l) => pkgOf(l) === pkg);
  if (members.length === 0) continue;
  out.push(`/** Types registered by ergo ${pkg}. */`);
  out.push(`export const ${group} = {\n${members.map((l) => `  ${l.type}: ${varOf(l)},`).join('\n')}\n} as const;\n`);
}
out.push(`/** Every framework type name, in Go registration order. */`);
out.push(`export const frameworkTypeNames: readonly string[] = [\n${dump.types.map((l) => `  '${l.name}',`).join('\n')}\n];\n`);

out.push(`/**
 * The framework's mailbox messages that Ergo ${dump.release} does NOT register with net/edf: a stock Go
 * node cannot encode them ("${dump.unregistered[0]?.goEncode ?? ''}") nor decode them
 * ("unknown reg type"). Downs and exits cross the wire as ENP frames whose only EDF payload is the
 * reason. The layouts are Go's; they live in their own registry, for peers (Go applications)
 * that register these types themselves: \`new EdfRegistry(defaultRegistry)\` plus \`add(...)\`.
 */
export const genLocalRegistry = new EdfRegistry();
const l = genLocalRegistry;
`);
for (const u of dump.unregistered) {
  const v = varOf(u, 'Local_');
  out.push(declare(u, 'l', v));
  declared.set(u.name, v);
}
out.push('');
out.push(`/** Layouts of the unregistered gen mailbox messages (in {@link genLocalRegistry}). */`);
out.push(`export const GenLocal = {\n${dump.unregistered.map((u) => `  ${u.type}: ${varOf(u, 'Local_')},`).join('\n')}\n} as const;\n`);

writeFileSync(outPath, out.join('\n'));
console.log(`wrote ${relative(root, outPath)}: ${dump.types.length} types (+${dump.unregistered.length} unregistered) from ${relative(root, dumpPath)}`);
