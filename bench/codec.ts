/**
 * `npm run bench -- codec`: ergo-ts ETF vs erlpack vs msgpackr, encode and decode of the same
 * message set, in one run. Each implementation encodes its natural JS form of the message and
 * decodes its own output:
 * - ergo-ts: the canonical term (atoms as Atom, binaries given as JS strings on encode and
 *   returned as Uint8Array views on decode, a Pid);
 * - erlpack: plain JS values (its strings are binaries; it has no atom or pid type on encode,
 *   so "atom" is a string and "pid" an object with the pid's fields);
 * - msgpackr: the same plain JS values.
 */
import { createRequire } from 'node:module';
import { Packr } from 'msgpackr';
import { decode, encode, EtfStreamDecoder } from '../src/codec/etf/index.js';
import { Pid, TermMap, atom, type Term } from '../src/term/index.js';
import { measure, numArg, type Impl, type Report } from './report.js';

const require = createRequire(import.meta.url);
const erlpack = require('erlpack') as { pack(v: unknown): Buffer; unpack(b: Buffer): unknown };

const note64 = 'x'.repeat(48) + 'sixty-four bytes';
const tags = ['alpha', 'beta', 'gamma'];

interface Case {
  name: string;
  ours: Term;
  plain: unknown;
}

function cases(): Case[] {
  const big = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
  const list10k = Array.from({ length: 10_000 }, (_, i) => i * 7);
  return [
    { name: 'small-int', ours: 42, plain: 42 },
    { name: 'atom', ours: atom('hello_world'), plain: 'hello_world' },
    {
      name: 'pid',
      ours: new Pid(atom('bench@127.0.0.1'), 100, 0, 1700000000),
      plain: { node: 'bench@127.0.0.1', id: 100, serial: 0, creation: 1700000000 },
    },
    {
      name: 'typical',
      ours: new TermMap([
        [atom('id'), 1234567],
        [atom('op'), atom('update')],
        [atom('meta'), new TermMap([[atom('source'), 'sensor-17'], [atom('tags'), tags]])],
        [atom('values'), [1, 2, 3, 4, 5]],
        [atom('active'), true],
        [atom('score'), 98.6],
        [atom('note'), note64],
      ]),
      plain: { id: 1234567, op: 'update', meta: { source: 'sensor-17', tags }, values: [1, 2, 3, 4, 5], active: true, score: 98.6, note: note64 },
    },
    { name: 'binary-64k', ours: big, plain: Buffer.from(big) },
    { name: 'list-10k', ours: list10k, plain: list10k },
  ];
}

export async function run(report: Report, args: string[]): Promise<void> {
  const ms = numArg(args, '--ms', 700);
  report.header('codec: ergo-ts ETF vs erlpack vs msgpackr (ops/s, higher is better)');
  const packr = new Packr({ useRecords: false });
  const impls: { impl: Impl; enc: (c: Case) => () => unknown; dec: (c: Case) => () => unknown }[] = [
    {
      impl: 'ergo-ts',
      enc: (c) => () => encode(c.ours),
      dec: (c) => {
        const b = Uint8Array.from(encode(c.ours));
        return () => decode(b);
      },
    },
    {
      impl: 'erlpack',
      enc: (c) => () => erlpack.pack(c.plain),
      dec: (c) => {
        const b = erlpack.pack(c.plain);
        return () => erlpack.unpack(b);
      },
    },
    {
      impl: 'msgpackr',
      enc: (c) => () => packr.pack(c.plain),
      dec: (c) => {
        const b = packr.pack(c.plain);
        return () => packr.unpack(b);
      },
    },
  ];
  if (!report.json) {
    const t = cases().find((c) => c.name === 'typical')!;
    report.note(`typical message: ergo-ts ${encode(t.ours).length} B, erlpack ${erlpack.pack(t.plain).length} B, msgpackr ${packr.pack(t.plain).length} B`);
  }
  for (const c of cases()) {
    for (const op of ['encode', 'decode'] as const) {
      // A B C A B C: keep the best of two rounds per implementation.
      const best = new Map<Impl, number>();
      for (let round = 0; round < 2; round++) {
        for (const im of impls) {
          const fn = op === 'encode' ? im.enc(c) : im.dec(c);
          best.set(im.impl, Math.max(best.get(im.impl) ?? 0, measure(fn, ms)));
        }
      }
      for (const im of impls) report.add({ bench: 'codec', case: c.name, op, impl: im.impl, value: Math.round(best.get(im.impl)!), unit: 'ops/s' });
    }
  }
  report.ratios('erlpack');
  report.ratios('msgpackr');
  stream(report, ms);
}

/**
 * EtfStreamDecoder on a 1 MiB term (a list of typical messages) fed in 1 KiB chunks vs in one
 * chunk: the scanner resumes where it stopped, so the chunked feed should cost about one push.
 */
function stream(report: Report, ms: number): void {
  const typical = cases().find((c) => c.name === 'typical')!.ours;
  const one = encode(typical).length;
  const list: Term[] = Array.from({ length: Math.ceil((1 << 20) / one) }, () => typical);
  const bytes = Uint8Array.from(encode(list));
  const feed = (chunk: number) => () => {
    const s = new EtfStreamDecoder();
    let t: Term | undefined;
    for (let i = 0; i < bytes.length; i += chunk) {
      s.push(bytes.subarray(i, i + chunk));
      t = s.next() ?? t;
    }
    if (t === undefined) throw new Error('stream gave no term');
    return t;
  };
  const best = new Map<string, number>();
  for (let round = 0; round < 2; round++) {
    for (const [op, fn] of [
      ['one-chunk', feed(bytes.length)],
      ['1KiB-chunks', feed(1024)],
    ] as const) {
      best.set(op, Math.max(best.get(op) ?? 0, measure(fn, ms)));
    }
  }
  for (const [op, v] of best) report.add({ bench: 'codec', case: `stream-${(bytes.length / (1 << 20)).toFixed(1)}MiB`, op, impl: 'ergo-ts', value: Math.round(v * 100) / 100, unit: 'ops/s' });
  report.note(`stream of ${bytes.length} B: 1 KiB chunks cost ${(best.get('one-chunk')! / best.get('1KiB-chunks')!).toFixed(2)}× one chunk`);
}
