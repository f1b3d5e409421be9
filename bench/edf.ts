/**
 * `npm run bench -- edf [--json] [--ms=N]`: EDF encode and decode, ergo-ts against the real Go
 * net/edf of Ergo v3 (interop/go/cmd/bench-edf, `ergo-go` rows), on the same values:
 *
 * - `string`: "Ergo Framework";
 * - `map`: map[string]int with 10 keys ("key-0" → 0 … "key-9" → 9000);
 * - `complex`: the registered struct `#ergo-ts/interop/go/edfcases/Complex` (two strings, an
 *   int, an int32, a float64, a bool, a []int of 5 and a nested registered struct `Inner`);
 * - `nested`: `Nested`, a name and a slice of 10 `Complex`.
 *
 * Go's types and values are interop/go/edfcases (types.go, bench.go). Both sides encode without
 * the per-peer dictionaries (names inline), so they write the same bytes; this bench checks that
 * against the bytes Go reports before printing anything. Go runs with the options a Go
 * connection uses otherwise (a per-connection encoder/decoder memo), timed by testing.Benchmark.
 * Both encode into a reused buffer, as a connection does (Go: `buf.Reset(); edf.Encode(v, buf,
 * opts)`; ours: `EdfEncoder.write` into its writer, what the ENP framer calls), so neither row
 * pays for handing out a fresh result; `encode()`, which returns a new view, costs ~30 ns more.
 */
import { decode, EdfDecoder, EdfEncoder, EdfRegistry, T, typed } from '../src/codec/edf/index.js';
import { measure, numArg, type Report } from './report.js';
import { goReference, runGo } from './_go.js';

const PKG = '#ergo-ts/interop/go/edfcases';
const registry = new EdfRegistry();
const Inner = registry.struct(`${PKG}/Inner`, { Name: 'string', ID: 'int64' });
const Complex = registry.struct(`${PKG}/Complex`, {
  Name: 'string',
  Description: 'string',
  ID: 'int',
  Count: 'int32',
  Score: 'float64',
  Active: 'bool',
  Values: T.slice('int'),
  Inner,
});
const Nested = registry.struct(`${PKG}/Nested`, { Name: 'string', Items: T.slice(Complex) });

function complexValue(i: number): InstanceType<typeof Complex> {
  return new Complex({
    Name: `complex-${i}`,
    Description: 'a registered struct for the EDF benchmark',
    ID: 123456789n + BigInt(i),
    Count: 42 + i,
    Score: 98.6,
    Active: true,
    Values: [1n, 2n, 3n, 4n, 5n],
    Inner: new Inner({ Name: 'inner', ID: 7n }),
  });
}

function cases(): { name: string; value: unknown }[] {
  const m = new Map<string, bigint>();
  for (let i = 0; i < 10; i++) m.set(`key-${i}`, BigInt(i * 1000));
  return [
    { name: 'string', value: 'Ergo Framework' },
    { name: 'map', value: typed(T.map(T.string, T.int), m) },
    { name: 'complex', value: complexValue(0) },
    { name: 'nested', value: new Nested({ Name: 'nested', Items: Array.from({ length: 10 }, (_, i) => complexValue(i)) }) },
  ];
}

interface GoResult {
  case: string;
  op: 'encode' | 'decode';
  nsPerOp: number;
  allocsPerOp: number;
  hex?: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export async function run(report: Report, args: string[]): Promise<void> {
  const ms = numArg(args, '--ms', 700);
  const bin = goReference('edf', 'bench-edf');
  // Go runs before and after our measurements (A B A): each side keeps its best, so a load
  // spike on this shared machine does not land on one side only.
  type GoRun = { release: string; go: string; results: GoResult[] };
  const goRun = () => (bin === undefined ? undefined : runGo<GoRun>(bin, ['-benchtime', `${ms}ms`, '-rounds', '1']));
  let goRes = await goRun();
  report.header(`edf: EDF encode/decode, ops/s (higher is better)${goRes ? `; ergo-go: net/edf of Ergo ${goRes.release} (${goRes.go})` : ''}`);
  const enc = new EdfEncoder();
  const dec = new EdfDecoder();
  const opts = { registry };
  const tsNs = new Map<string, number>();
  for (const c of cases()) {
    const bytes = Uint8Array.from(enc.encode(c.value));
    const g = goRes?.results.filter((r) => r.case === c.name);
    const goHex = g?.find((r) => r.op === 'encode')?.hex;
    if (goHex !== undefined) {
      // The same value on both sides: identical bytes (map pairs: Go's order is random).
      const same = c.name === 'map' ? goHex.length === hex(bytes).length && decode(Buffer.from(goHex, 'hex'), opts) !== undefined : goHex === hex(bytes);
      if (!same) throw new Error(`edf ${c.name}: our bytes ${hex(bytes)} differ from Go's ${goHex}`);
    }
    if (!report.json) report.note(`${c.name}: ${bytes.length} bytes${goHex !== undefined ? ' (same bytes as Go)' : ''}`);
    for (const op of ['encode', 'decode'] as const) {
      const w = enc.w;
      const fn =
        op === 'encode'
          ? () => {
              w.begin();
              enc.write(c.value);
              w.abort();
            }
          : () => dec.decode(bytes, opts);
      // Best of two rounds, as the Go side.
      const ops = Math.max(measure(fn, ms), measure(fn, ms));
      report.add({ bench: 'edf', case: c.name, op, impl: 'ergo-ts', value: Math.round(ops), unit: 'ops/s' });
      tsNs.set(`${c.name} ${op}`, 1e9 / ops);
    }
  }
  const after = await goRun();
  if (goRes !== undefined && after !== undefined) {
    for (const r of goRes.results) {
      const b = after.results.find((x) => x.case === r.case && x.op === r.op);
      if (b !== undefined && b.nsPerOp < r.nsPerOp) Object.assign(r, { nsPerOp: b.nsPerOp, allocsPerOp: b.allocsPerOp });
    }
  }
  for (const c of cases()) {
    for (const op of ['encode', 'decode'] as const) {
      const r = goRes?.results.find((x) => x.case === c.name && x.op === op);
      if (r !== undefined) report.add({ bench: 'edf', case: c.name, op, impl: 'ergo-go', value: Math.round(1e9 / r.nsPerOp), unit: 'ops/s' });
      const ts = tsNs.get(`${c.name} ${op}`)!;
      report.note(`${c.name} ${op}: ergo-ts ${ts.toFixed(0)} ns/op${r ? `, ergo-go ${r.nsPerOp.toFixed(0)} ns/op (${r.allocsPerOp} allocs)` : ''}`);
    }
  }
  report.ratios('ergo-go');
}
