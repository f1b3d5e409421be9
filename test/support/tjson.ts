/**
 * The typed JSON that proto-spec/vectors/etf/*.json uses to state what a vector decodes to,
 * produced on the Erlang side by walking the real term (see proto-spec/etf.md).
 */
import { Atom, BitBinary, ErlFloat, Export, Fun, ImproperList, NativeRecord, Pid, Port, Ref, TermMap, Tuple, canonicalInt, type Term } from '../../src/term/index.js';

export type TJson =
  | { int: string }
  | { float: string }
  | { atom: string }
  | { bin: string }
  | { bits: string; last: number }
  | { tuple: TJson[] }
  | { list: TJson[] }
  | { improper: TJson[]; tail: TJson }
  | { map: [TJson, TJson][] }
  | { pid: { node: string; id: number; serial: number; creation: number } }
  | { ref: { node: string; creation: number; ids: number[] } }
  | { port: { node: string; id: string; creation: number } }
  | { export: { module: string; fun: string; arity: number } }
  | { record: { module: string; name: string; exported: boolean; fields: string[]; values: TJson[] } }
  | {
      fun: {
        arity: number;
        uniq: string;
        index: number;
        module: string;
        old_index: number;
        old_uniq: number;
        pid: TJson;
        free: TJson[];
      };
    };

export function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** The term a typed-JSON value stands for. Iterative: vectors nest 10,000 deep. */
export function fromTJson(root: TJson): Term {
  const built = new Map<TJson, Term>();
  const stack: [TJson, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [j, childrenDone] = stack.pop()!;
    if (!childrenDone) {
      stack.push([j, true]);
      for (const c of children(j)) stack.push([c, false]);
      continue;
    }
    built.set(j, build(j, (c) => built.get(c)!));
  }
  return built.get(root)!;
}

function children(j: TJson): TJson[] {
  if ('tuple' in j) return j.tuple;
  if ('list' in j) return j.list;
  if ('improper' in j) return [...j.improper, j.tail];
  if ('map' in j) return j.map.flat();
  if ('fun' in j) return j.fun.free;
  if ('record' in j) return j.record.values;
  return [];
}

function build(j: TJson, get: (c: TJson) => Term): Term {
  if ('int' in j) return canonicalInt(BigInt(j.int));
  if ('float' in j) {
    const v = Buffer.from(j.float, 'hex').readDoubleBE(0);
    return Number.isInteger(v) ? new ErlFloat(v) : v;
  }
  if ('atom' in j) return j.atom === 'true' ? true : j.atom === 'false' ? false : Atom.of(j.atom);
  if ('bin' in j) return hexBytes(j.bin);
  if ('bits' in j) return new BitBinary(hexBytes(j.bits), j.last);
  if ('tuple' in j) return new Tuple(j.tuple.map(get));
  if ('list' in j) return j.list.map(get);
  if ('improper' in j) return new ImproperList(j.improper.map(get), get(j.tail));
  if ('map' in j) return new TermMap(j.map.map(([k, v]) => [get(k), get(v)] as const));
  if ('pid' in j) return new Pid(Atom.of(j.pid.node), j.pid.id, j.pid.serial, j.pid.creation);
  if ('ref' in j) return new Ref(Atom.of(j.ref.node), j.ref.creation, j.ref.ids);
  if ('port' in j) return new Port(Atom.of(j.port.node), canonicalInt(BigInt(j.port.id)), j.port.creation);
  if ('export' in j) return new Export(Atom.of(j.export.module), Atom.of(j.export.fun), j.export.arity);
  if ('fun' in j) {
    const f = j.fun;
    // The generator writes the fun's pid as the bare pid fields.
    const pidJ = ('pid' in f.pid ? f.pid : { pid: f.pid }) as TJson;
    const pid = build(pidJ, get) as Pid;
    return new Fun(f.arity, hexBytes(f.uniq), f.index, Atom.of(f.module), f.old_index, f.old_uniq, pid, f.free.map(get));
  }
  if ('record' in j) {
    const r = j.record;
    return new NativeRecord(Atom.of(r.module), Atom.of(r.name), r.fields.map((f) => Atom.of(f)), r.values.map(get), r.exported);
  }
  throw new TypeError(`unknown typed JSON: ${JSON.stringify(j).slice(0, 80)}`);
}

export interface EtfCase {
  name: string;
  erl?: string;
  hex: string;
  term?: TJson;
  canonical?: boolean;
  reencoded?: string;
  error?: boolean;
}

export interface EtfVectorFile {
  format: 'etf';
  otp: string;
  cases: EtfCase[];
}
