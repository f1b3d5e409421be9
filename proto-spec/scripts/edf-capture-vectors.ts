/**
 * Writes proto-spec/vectors/edf/capture.json from ../shared/ref/ergo-network-vectors.txt:
 * frames captured between two real Go Ergo v3 nodes (Ergo master f5ff7ed), each printed with
 * the value Go decoded from it (`%#v`). For every frame that carries EDF — registrar messages,
 * handshake messages (MessageHello/Join/Introduce/Accept) and ENP payloads — this cuts out the
 * EDF bytes (offsets as in ergo net/proto/connection.go handleRecvQueue, digest §3.6) and turns
 * Go's printed value into EJSON, using the framework schemas (from the digest) for field types.
 *
 * Where Go's print is not enough, the case says so instead of guessing:
 * - `(*errors.errorString)(0xc…)` prints only a pointer: the message comes from the capture's
 *   own console lines when the scenario names it, else `{"$any"}`;
 * - a print cut short with `…` gives a partial struct;
 * - Go prints a scalar without its type: the kind comes from the EDF tag byte, the value from Go;
 * - MessageIntroduce is printed as a summary (table sizes only), so its RegCache/ErrCache are
 *   checked by count.
 *
 * ENP payloads use the sender's caches (announced in its MessageIntroduce). Those tables are
 * read from the captured MessageIntroduce frames with our decoder (they are inline there) and
 * checked against Go's summary line (atoms exactly, type and error tables by size).
 *
 *   npx tsx proto-spec/scripts/edf-capture-vectors.ts [ergo-network-vectors.txt]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode, defaultRegistry, EdfType, RegType, T, type EdfError } from '../../src/codec/edf/index.js';
import type { Atom } from '../../src/term/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const srcPath = process.argv[2] ?? join(root, '../shared/ref/ergo-network-vectors.txt');
const outPath = join(root, 'proto-spec/vectors/edf/capture.json');
const lines = readFileSync(srcPath, 'utf8').split('\n');

const ERGO = '#ergo.services/ergo/';
const pkgPath: Record<string, string> = {
  gen: 'gen',
  proto: 'net/proto',
  handshake: 'net/handshake',
  registrar: 'net/registrar',
  inspect: 'app/system/inspect',
};

/**
 * Error messages Go printed only as pointers, taken from the capture's console lines (node b
 * prints the error each scenario returned): scenario title → message.
 */
const consoleErrors: Record<string, { message: string; line: string }> = {
  'LinkEvent on unknown event': { message: 'unknown event', line: 'B: LinkEvent unknown            err=unknown event' },
  'remote ApplicationStart (unknown app)': { message: 'unknown name', line: 'B: ApplicationStart             err=unknown name' },
};

// ---------------------------------------------------------------------------------------------
// A reader for Go's %#v output.

type Node =
  | { k: 'str'; v: string }
  | { k: 'num'; raw: string }
  | { k: 'bool'; v: boolean }
  | { k: 'nil' }
  | { k: 'comp'; type: string; fields?: [string, Node][]; elems?: Node[]; cut: boolean }
  | { k: 'conv'; type: string; inner: Node }
  | { k: 'ptr'; type: string }
  | { k: 'addr'; inner: Node }
  | { k: 'cut' };

class GoReader {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  value(): Node {
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (s.startsWith('…', this.i)) {
      this.i += 1;
      return { k: 'cut' };
    }
    if (c === '"') return { k: 'str', v: this.string() };
    if (c === '&') {
      this.i++;
      return { k: 'addr', inner: this.value() };
    }
    if (c === '(') {
      const type = this.parens().slice(1, -1);
      this.parens();
      return { k: 'ptr', type };
    }
    const num = /^-?(0x[0-9a-f]+|\d+(\.\d+)?(e[-+]?\d+)?)/i.exec(s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return { k: 'num', raw: num[0] };
    }
    for (const [word, node] of [
      ['true', { k: 'bool', v: true }],
      ['false', { k: 'bool', v: false }],
      ['nil', { k: 'nil' }],
    ] as const) {
      if (s.startsWith(word, this.i) && !/\w/.test(s[this.i + word.length] ?? '')) {
        this.i += word.length;
        return node;
      }
    }
    const type = this.typeName();
    if (s[this.i] === '(') {
      this.i++;
      const inner = this.value();
      this.ws();
      if (s[this.i] !== ')') throw new Error(`expected ) at ${this.i} in ${s.slice(0, 80)}`);
      this.i++;
      return { k: 'conv', type, inner };
    }
    if (s[this.i] !== '{') throw new Error(`expected { after ${type} at ${this.i}: ${s.slice(this.i, this.i + 40)}`);
    this.i++;
    const node: Node = { k: 'comp', type, cut: false };
    for (;;) {
      this.ws();
      if (s[this.i] === '}') {
        this.i++;
        return node;
      }
      if (s.startsWith('…', this.i)) {
        this.i++;
        node.cut = true;
        return node;
      }
      const field = /^([A-Za-z_]\w*):/.exec(s.slice(this.i));
      if (field) {
        this.i += field[0].length;
        const v = this.value();
        (node.fields ??= []).push([field[1]!, v]);
        if (v.k === 'cut' || (v.k === 'comp' && v.cut)) {
          node.cut = true;
          return node;
        }
      } else {
        const v = this.value();
        (node.elems ??= []).push(v);
      }
      this.ws();
      if (s[this.i] === ',') this.i++;
    }
  }

  string(): string {
    const s = this.s;
    let j = this.i + 1;
    while (s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
    const lit = s.slice(this.i, j + 1);
    this.i = j + 1;
    return JSON.parse(lit) as string;
  }

  parens(): string {
    const s = this.s;
    const start = this.i;
    let depth = 0;
    do {
      if (s[this.i] === '(') depth++;
      else if (s[this.i] === ')') depth--;
      this.i++;
    } while (depth > 0);
    return s.slice(start, this.i);
  }

  typeName(): string {
    const s = this.s;
    let out = '';
    let depth = 0;
    for (;;) {
      if (s.startsWith('interface {}', this.i)) {
        out += 'interface {}';
        this.i += 12;
        continue;
      }
      const c = s[this.i];
      if (c === undefined) throw new Error(`type name runs off the end: ${s.slice(0, 60)}`);
      if ((c === '{' || c === '(') && depth === 0) return out;
      if (c === '[') depth++;
      if (c === ']') depth--;
      out += c;
      this.i++;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Go value → EJSON

/** The EDF type of a Go type name as %#v prints it. */
function goType(name: string): EdfType {
  if (name.startsWith('[]')) {
    const e = name.slice(2);
    return e === 'byte' || e === 'uint8' ? T.binary : goType(e).sliceOf();
  }
  if (name.startsWith('map[')) {
    let depth = 0;
    let i = 3;
    for (; i < name.length; i++) {
      if (name[i] === '[') depth++;
      else if (name[i] === ']' && --depth === 0) break;
    }
    return goType(name.slice(i + 1)).mapOf(goType(name.slice(4, i)));
  }
  const simple: Record<string, EdfType> = {
    'interface {}': T.any,
    string: T.string,
    bool: T.bool,
    int: T.int,
    int64: T.int64,
    uint16: T.uint16,
    uint64: T.uint64,
    error: T.error,
    'gen.Atom': T.atom,
    'gen.PID': T.pid,
    'gen.ProcessID': T.processId,
    'gen.Event': T.event,
    'gen.Ref': T.ref,
    'gen.Alias': T.alias,
  };
  if (simple[name]) return simple[name]!;
  const dot = name.indexOf('.');
  const pkg = pkgPath[name.slice(0, dot)];
  const t = pkg === undefined ? undefined : defaultRegistry.get(`${ERGO}${pkg}/${name.slice(dot + 1)}`);
  if (t === undefined) throw new Error(`no EDF type for Go type ${name}`);
  return t;
}

function num(raw: string): bigint {
  return raw.startsWith('-0x') ? -BigInt(raw.slice(1)) : BigInt(raw);
}

function floatBits(v: number, w: 32 | 64): string {
  const b = Buffer.alloc(w / 8);
  if (w === 32) b.writeFloatBE(v);
  else b.writeDoubleBE(v);
  return b.toString('hex');
}

const kindByTag: Record<number, string> = {
  0x92: 'int8',
  0x93: 'int16',
  0x94: 'int32',
  0x95: 'int64',
  0x96: 'int',
  0x97: 'uint8',
  0x98: 'uint16',
  0x99: 'uint32',
  0x9a: 'uint64',
  0x9b: 'uint',
  0x8f: 'float32',
  0x90: 'float64',
};

function scalarJson(kind: string, n: Node): unknown {
  if (n.k !== 'num') throw new Error(`expected a number for ${kind}`);
  switch (kind) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint8':
    case 'uint16':
    case 'uint32':
      return { [kind]: Number(num(n.raw)) };
    case 'int':
    case 'int64':
    case 'uint':
    case 'uint64':
      return { [kind]: String(num(n.raw)) };
    case 'float32':
      return { float32: floatBits(Number(n.raw), 32) };
    case 'float64':
      return { float64: floatBits(Number(n.raw), 64) };
  }
  throw new Error(`no scalar ${kind}`);
}

interface Ctx {
  /** The EDF tag of the top-level value (for scalars Go prints without a type). */
  tag?: number;
  /** The message for an error Go printed as a pointer. */
  pointerError?: { message: string; line: string };
  notes: string[];
}

function toJson(n: Node, t: EdfType | undefined, ctx: Ctx): unknown {
  // In an any slot (or at the top level) only the printed Go type says what the value is.
  if (t === undefined || t === T.any) {
    if (n.k === 'comp') return toJson(n, goType(n.type), ctx);
    if (n.k === 'conv') {
      const ct = goType(n.type);
      return ct === T.any ? toJson(n.inner, undefined, ctx) : toJson(n, ct, ctx);
    }
    if (n.k === 'str') return ctx.tag === 0x8c ? { atom: n.v } : { string: n.v };
    if (n.k === 'bool') return { bool: n.v };
    if (n.k === 'num') {
      const kind = ctx.tag === undefined ? undefined : kindByTag[ctx.tag];
      if (kind === undefined) throw new Error('a bare number with no tag to say its kind');
      ctx.notes.push(`kind ${kind} from the tag byte, value from Go's print`);
      return scalarJson(kind, n);
    }
    if (n.k === 'addr' || n.k === 'ptr') return toJson(n, T.error, ctx);
    if (n.k === 'nil') return null;
    throw new Error(`cannot type ${n.k}`);
  }
  if (n.k === 'conv') {
    if (n.inner.k !== 'nil') return toJson(n.inner, t, ctx);
    switch (t.kind) {
      case 0x9d:
        return { slice: typeJson(t.elem!), items: null };
      case 0x9f:
        return { map: typeJson(t), entries: null };
      case 0x83: {
        const r = t as RegType;
        if (r.regKind === 'slice' || r.regKind === 'array') return { named: r.name, items: null };
        if (r.regKind === 'map') return { named: r.name, entries: null };
      }
    }
    return null;
  }
  if (n.k === 'nil') return null;
  switch (t.kind) {
    case 0x9c:
      if (n.k === 'ptr') {
        if (ctx.pointerError) {
          ctx.notes.push(`error message from the console line "${ctx.pointerError.line}" (Go printed a pointer)`);
          return { error: ctx.pointerError.message };
        }
        ctx.notes.push('Go printed the error as a pointer; any error matches');
        return { $any: 'an error Go printed only as a pointer' };
      }
      if (n.k === 'addr' && n.inner.k === 'comp' && n.inner.type === 'errors.errorString') {
        const s = n.inner.fields?.find(([f]) => f === 's')?.[1];
        if (s?.k === 'str') return { error: s.v };
      }
      throw new Error('unexpected error form');
    case 0x8d:
      if (n.k !== 'str') throw new Error('expected a string');
      return { string: n.v };
    case 0x8c:
      if (n.k !== 'str') throw new Error('expected an atom');
      return { atom: n.v };
    case 0x91:
      if (n.k !== 'bool') throw new Error('expected a bool');
      return { bool: n.v };
    case 0x8e: {
      if (n.k !== 'comp') throw new Error('expected []byte{…}');
      return { binary: Buffer.from((n.elems ?? []).map((e) => Number(num((e as { raw: string }).raw)))).toString('hex') };
    }
    case 0xaa: {
      const f = fieldsOf(n);
      return { pid: { node: str(f.Node), id: String(num(raw(f.ID))), creation: String(num(raw(f.Creation))) } };
    }
    case 0xab:
    case 0xad: {
      const f = fieldsOf(n);
      return { [t.kind === 0xab ? 'processId' : 'event']: { name: str(f.Name), node: str(f.Node) } };
    }
    case 0xae:
    case 0xac: {
      const f = fieldsOf(n);
      const ids = (f.ID as Extract<Node, { k: 'comp' }>).elems!.map((e) => String(num(raw(e))));
      return { [t.kind === 0xae ? 'ref' : 'alias']: { node: str(f.Node), creation: String(num(raw(f.Creation))), id: ids } };
    }
    case 0x9d: {
      if (n.k !== 'comp') throw new Error('expected a slice literal');
      return { slice: typeJson(t.elem!), items: (n.elems ?? []).map((e) => toJson(e, t.elem, ctx)) };
    }
    case 0x83:
      return regJson(n, t as RegType, ctx);
  }
  const kind = kindByTag[t.kind];
  if (kind !== undefined) return scalarJson(kind, n);
  throw new Error(`no conversion to ${t.goName}`);
}

function regJson(n: Node, r: RegType, ctx: Ctx): unknown {
  switch (r.regKind) {
    case 'named':
      return { named: r.name, value: toJson(n, r.under, ctx) };
    case 'struct': {
      if (n.k !== 'comp') throw new Error(`expected a ${r.name} literal`);
      const got = new Map(n.fields ?? []);
      const fields: Record<string, unknown> = {};
      let partial = n.cut;
      for (const f of r.fields) {
        const v = got.get(f.name);
        if (v === undefined || v.k === 'cut') {
          partial = true;
          continue;
        }
        if (v.k === 'comp' && v.cut) {
          const inner = toJson(v, f.type, ctx) as Record<string, unknown>;
          fields[f.name] = inner;
          partial = true;
          continue;
        }
        fields[f.name] = toJson(v, f.type, ctx);
      }
      for (const k of got.keys()) if (!r.fields.some((f) => f.name === k)) throw new Error(`${r.name} has no field ${k}`);
      if (partial) ctx.notes.push(`Go's print of ${r.shortName} is cut short: only the printed fields are checked`);
      return partial ? { struct: r.name, partial: true, fields } : { struct: r.name, fields };
    }
  }
  throw new Error(`no conversion for ${r.regKind} ${r.name}`);
}

function fieldsOf(n: Node): Record<string, Node> {
  if (n.k !== 'comp') throw new Error('expected a struct literal');
  return Object.fromEntries(n.fields ?? []);
}
function str(n: Node | undefined): string {
  if (n?.k !== 'str') throw new Error('expected a string');
  return n.v;
}
function raw(n: Node | undefined): string {
  if (n?.k !== 'num') throw new Error('expected a number');
  return n.raw;
}

function typeJson(t: EdfType): unknown {
  switch (t.kind) {
    case 0x9d:
      return { slice: typeJson(t.elem!) };
    case 0x9f:
      return { map: [typeJson(t.key!), typeJson(t.elem!)] };
    case 0x83:
      return { reg: (t as RegType).name };
  }
  const names: Record<number, string> = { 0x84: 'any', 0x8d: 'string', 0x8c: 'atom', 0x96: 'int', 0x9c: 'error', 0xaa: 'pid', 0x98: 'uint16' };
  const n = names[t.kind];
  if (n === undefined) throw new Error(`no type JSON for ${t.goName}`);
  return n;
}

function goValue(text: string, t: EdfType | undefined, ctx: Ctx): unknown {
  const r = new GoReader(text);
  const v = r.value();
  return toJson(v, t, ctx);
}

// ---------------------------------------------------------------------------------------------

const bytesOf = (hexText: string) => Buffer.from(hexText.trim().split(/\s+/).join(''), 'hex');

interface Case {
  name: string;
  hex: string;
  value?: unknown;
  caches?: string;
  source: string;
  mapOrder?: true;
  note?: string;
}
const cases: Case[] = [];
const names = new Map<string, number>();
function uniqueName(base: string): string {
  const n = (names.get(base) ?? 0) + 1;
  names.set(base, n);
  return n === 1 ? base : `${base}-${n}`;
}

// Pass 1: the two MessageIntroduce frames give each node's tables.
type Tables = { atoms: Map<number, Atom>; types: Map<number, string>; errors: Map<number, EdfError> };
const tables = new Map<string, Tables>();
for (let i = 0; i < lines.length; i++) {
  const m = /^link\d (A<-B|A->B) (\d+) bytes: (57 .*)$/.exec(lines[i]!);
  const hs = /^\s+HS Introduce node='([^']+)' .* atoms=map\[([^\]]*)\] regs=(\d+) errs=(\d+)/.exec(lines[i + 1] ?? '');
  if (!m || !hs) continue;
  const b = bytesOf(m[3]!);
  const intro = decode(b.subarray(6)) as { Node: Atom; AtomCache: Map<number, Atom>; RegCache: Map<number, string>; ErrCache: Map<number, EdfError> };
  const who = m[1] === 'A<-B' ? 'b' : 'a';
  if (intro.Node.name !== hs[1]) throw new Error(`line ${i + 1}: Introduce from ${intro.Node.name}, Go printed ${hs[1]}`);
  const printedAtoms = [...hs[2]!.matchAll(/(\d+):'([^']*)'/g)].map(([, id, a]) => `${id}=${a}`).sort();
  const decodedAtoms = [...intro.AtomCache].map(([id, a]) => `${id}=${a.name}`).sort();
  if (printedAtoms.join() !== decodedAtoms.join()) throw new Error(`line ${i + 1}: atom table ${decodedAtoms} differs from Go's ${printedAtoms}`);
  if (intro.RegCache.size !== Number(hs[3]) || intro.ErrCache.size !== Number(hs[4])) throw new Error(`line ${i + 1}: table sizes differ from Go's print`);
  tables.set(who, { atoms: intro.AtomCache, types: intro.RegCache, errors: intro.ErrCache });
}
if (tables.size !== 2) throw new Error('did not find both MessageIntroduce frames');

// Pass 2: every frame with EDF in it.
let section = '';
let scenario = '';
let label = '';
for (let i = 0; i < lines.length; i++) {
  const line = lines[i]!;
  const lineNo = i + 1;
  let m: RegExpExecArray | null;
  if ((m = /^# =+ (.*?) =+$/.exec(line))) section = m[1]!;
  if ((m = /^######## (.*?)\s+\(marker frame/.exec(line))) scenario = m[1]!;
  if ((m = /^(UDP resolve|TCP register) '([^']+)'$/.exec(line))) label = `${m[1]} ${m[2]}`;

  // Registrar: 01 · type · u16 length · EDF
  if ((m = /^ {2}(req|resp) +((?:[0-9a-f]{2} )*[0-9a-f]{2})/.exec(line))) {
    const b = bytesOf(m[2]!);
    if (b.readUInt16BE(2) !== b.length - 4) throw new Error(`line ${lineNo}: registrar length mismatch`);
    const edf = b.subarray(4);
    const node = label.slice(label.lastIndexOf(' ') + 1);
    let value: unknown;
    let note: string | undefined;
    const ctx: Ctx = { notes: [] };
    if (m[1] === 'req') {
      // Go does not print requests; the probe's label names the node asked about.
      const msg = label.startsWith('UDP') ? 'MessageResolveRoutes' : 'MessageRegisterRoutes';
      value = { struct: `${ERGO}net/registrar/${msg}`, partial: true, fields: { Node: { atom: node } } };
      note = `Go prints no value for requests; the Node is the one in the probe label "${label}" (other fields unchecked)`;
    } else {
      const d = /^ {2}decoded (.*) <nil>$/.exec(lines[i + 1] ?? '');
      if (!d) throw new Error(`line ${lineNo}: no decoded value after a registrar reply`);
      value = goValue(d[1]!, undefined, ctx);
      note = ctx.notes.length ? ctx.notes.join('; ') : undefined;
    }
    cases.push({
      name: uniqueName(`registrar-${label.replace(/[^\w@]+/g, '-').toLowerCase()}-${m[1]}`),
      hex: edf.toString('hex'),
      value,
      source: `capture line ${lineNo} (${section || 'registrar probe'}, ${label})`,
      ...(note ? { note } : {}),
    });
    continue;
  }

  m = /^(link\d) (A<-B|A->B) (\d+) bytes: ((?:[0-9a-f]{2} )*[0-9a-f]{2})$/.exec(line);
  if (!m) continue;
  const b = bytesOf(m[4]!);
  if (b.length !== Number(m[3])) continue; // only part of the frame was printed
  const who = m[2] === 'A<-B' ? 'b' : 'a';
  const next = lines[i + 1] ?? '';

  if (b[0] === 0x57) {
    if (b.readUInt32BE(2) !== b.length - 6) throw new Error(`line ${lineNo}: handshake length mismatch`);
    const edf = b.subarray(6);
    const hs = /^\s+HS (.*?)(?: err=<nil>)?$/.exec(next);
    if (!hs) throw new Error(`line ${lineNo}: no HS line`);
    const ctx: Ctx = { notes: [] };
    let value: unknown;
    let kind: string;
    const intro = /^Introduce node='([^']+)' version=([^:]*):(\S*) flags=\{([^}]*)\} creation=(\d+) maxmsg=(\d+) atoms=map\[([^\]]*)\] regs=(\d+) errs=(\d+) digest="([^"]*)"$/.exec(hs[1]!);
    if (intro) {
      kind = 'introduce';
      const flags: Record<string, unknown> = {};
      for (const [, k, v] of intro[4]!.matchAll(/(\w+):(true|false)/g)) flags[k!] = { bool: v === 'true' };
      value = {
        struct: `${ERGO}net/handshake/MessageIntroduce`,
        partial: true,
        fields: {
          Node: { atom: intro[1] },
          Version: { struct: `${ERGO}gen/Version`, partial: true, fields: { Name: { string: intro[2] }, Release: { string: intro[3] } } },
          Flags: { struct: `${ERGO}gen/NetworkFlags`, fields: flags },
          Creation: { int64: intro[5] },
          MaxMessageSize: { int: intro[6] },
          AtomCache: {
            map: { map: ['uint16', 'atom'] },
            entries: [...intro[7]!.matchAll(/(\d+):'([^']*)'/g)].map(([, id, a]) => [{ uint16: Number(id) }, { atom: a }]),
          },
          RegCache: { map: { map: ['uint16', 'string'] }, entries: { $count: Number(intro[8]) } },
          ErrCache: { map: { map: ['uint16', 'error'] }, entries: { $count: Number(intro[9]) } },
          Digest: { string: intro[10] },
        },
      };
      ctx.notes.push('Go prints MessageIntroduce as a summary: tables are checked by size, Version by name and release');
    } else {
      const t = /^handshake\.(\w+)\{/.exec(hs[1]!);
      if (!t) throw new Error(`line ${lineNo}: unknown HS print`);
      kind = t[1]!.replace(/^Message/, '').toLowerCase();
      value = goValue(hs[1]!, undefined, ctx);
    }
    cases.push({
      name: uniqueName(`handshake-${kind}-${who === 'b' ? 'from-b' : 'from-a'}`),
      hex: edf.toString('hex'),
      value,
      source: `capture line ${lineNo} (${m[1]} ${m[2]})`,
      mapOrder: intro ? true : undefined,
      ...(ctx.notes.length ? { note: ctx.notes.join('; ') } : {}),
    });
    continue;
  }

  if (b[0] !== 0x4e) continue;
  const type = b[7]!;
  const offsets: Record<number, () => number | undefined> = {
    101: () => 33,
    102: () => 26 + b[25]!,
    103: () => 27,
    104: () => 49,
    105: () => 26 + b[25]!,
    106: () => 27,
    107: () => 25,
    121: () => 49,
    122: () => 42 + b[41]!,
    123: () => 43,
    124: () => 65,
    129: () => 49,
    130: () => (b[49] === 255 ? 50 : undefined),
    181: () => 17,
    182: () => 10 + b[9]!,
    183: () => 11,
    184: () => 33,
    185: () => 10 + b[9]!,
    186: () => 11,
    199: () => 8,
  };
  const at = offsets[type]?.();
  if (at === undefined) continue; // compressed, or no EDF part
  const payload = /^\s+payload (.*) \(tail (\d+), err <nil>\)$/.exec(lines[i + 2] ?? '');
  if (!payload) throw new Error(`line ${lineNo}: ENP frame without a payload line`);
  if (payload[2] !== '0') throw new Error(`line ${lineNo}: payload with a tail`);
  const edf = b.subarray(at);
  const ctx: Ctx = { tag: edf[0], notes: [], pointerError: consoleErrors[scenario] };
  const typeName = /type=\d+\((\w+)\)/.exec(next)?.[1] ?? String(type);
  const value = goValue(payload[1]!, undefined, ctx);
  cases.push({
    name: uniqueName(`enp-${typeName}-${(scenario || 'setup').replace(/[^\w]+/g, '-').replace(/-+$/, '').toLowerCase()}`),
    hex: edf.toString('hex'),
    value,
    caches: who,
    source: `capture line ${lineNo} (${m[1]} ${m[2]}, ENP type ${type} ${typeName}${scenario ? `, scenario "${scenario}"` : ''})`,
    ...(ctx.notes.length ? { note: ctx.notes.join('; ') } : {}),
  });
}

const cacheJson = (t: Tables) => ({
  atoms: Object.fromEntries([...t.atoms].map(([id, a]) => [String(id), a.name])),
  types: Object.fromEntries([...t.types].sort((x, y) => x[0] - y[0]).map(([id, n]) => [String(id), n])),
  errors: Object.fromEntries([...t.errors].sort((x, y) => x[0] - y[0]).map(([id, e]) => [String(id), e.message])),
});

const file = {
  format: 'edf',
  origin:
    'EDF parts of frames captured between two Go Ergo nodes (master f5ff7ed), ../shared/ref/ergo-network-vectors.txt; values from Go\'s own %#v print. Written by proto-spec/scripts/edf-capture-vectors.ts. Caches "a"/"b" are the tables each node announced in its MessageIntroduce (read from the captured frames).',
  caches: { a: cacheJson(tables.get('a')!), b: cacheJson(tables.get('b')!) },
  cases,
};
writeFileSync(outPath, JSON.stringify(file, null, 1) + '\n');
console.log(`wrote ${cases.length} cases to ${outPath}`);
