/**
 * The rules the Go vectors (proto-spec/vectors/edf/go.json, made by interop/go/cmd/edf-vectors
 * with the real net/edf) pin beyond "decode, re-encode": refs made here survive a trip through
 * Ergo, and a plain JS integer in an `any` slot is the Go `int` a Go handler switches on.
 */
import { describe, expect, it } from 'vitest';
import { decode, EdfDecodeCache, EdfEncodeCache, EdfError, encode, frameworkError, T, typed } from '../../../src/codec/edf/index.js';
import { Node } from '../../../src/node/index.js';
import { Alias, atom, ErlFloat, float, Ref } from '../../../src/term/index.js';
import { hex, loadVectorFiles, unhex, type EdfCase } from './support.js';

const go = loadVectorFiles().find((f) => f.file === 'go.json')!.data;
const byName = (name: string): EdfCase => {
  const c = go.cases.find((x) => x.name === name);
  if (!c) throw new Error(`no Go vector ${name}`);
  return c;
};
const goCache = () => {
  const j = go.caches!.go!;
  const tables = {
    atoms: new Map(Object.entries(j.atoms ?? {}).map(([id, a]) => [Number(id), atom(a)])),
    types: new Map(Object.entries(j.types ?? {}).map(([id, n]) => [Number(id), n])),
    errors: new Map(Object.entries(j.errors ?? {}).map(([id, m]) => [Number(id), frameworkError(m) ?? new EdfError(m)])),
  };
  return tables;
};

describe('refs survive a trip through Ergo (Go net/edf bytes)', () => {
  const ts = atom('ts@127.0.0.1');
  // Our runtime's refs are three words: a counter (low, high) and a per-node salt.
  const mine = new Ref(ts, 1700000001, [5, 1, 0x9e3779b9]);

  it('a 3-word ref encodes as Go encodes the same gen.Ref, and Go\'s bytes decode to a ref equal to it', () => {
    const c = byName('ref a TS runtime makes (three 32-bit words)');
    expect(hex(encode(mine))).toBe(c.hex);
    const back = decode(unhex(c.hex)) as Ref;
    expect(back.ids).toEqual([5, 1, 0x9e3779b9]);
    expect(back.equals(mine)).toBe(true);
  });

  it('with Go\'s caches (node name as atom id) too, and as an alias', () => {
    const tables = goCache();
    const c = byName('cached ref a TS runtime makes');
    const dec = new EdfDecodeCache({ atoms: tables.atoms });
    expect((decode(unhex(c.hex), { cache: dec }) as Ref).equals(mine)).toBe(true);
    expect(hex(encode(mine, { cache: EdfEncodeCache.fromTables({ atoms: tables.atoms }) }))).toBe(c.hex);
    const a = decode(unhex(byName('alias a TS runtime makes').hex)) as Alias;
    expect(a).toBeInstanceOf(Alias);
    expect(a.equals(new Alias(ts, 1700000001, [7, 2, 0x9e3779b9]))).toBe(true);
  });

  it('a ref Go made (node.MakeRef layout) decodes to the shortest form and re-encodes to Go\'s bytes', () => {
    for (const name of ['ref made like node.MakeRef', 'ref small', 'ref zero', 'ref every ID bit pattern', 'ref with a deadline in ID[2] (Ergo 3.2 layout)']) {
      const c = byName(name);
      const r = decode(unhex(c.hex)) as Ref;
      expect(r.ids.length).toBeGreaterThanOrEqual(3);
      if (r.ids.length > 3) expect(r.ids[r.ids.length - 1]).not.toBe(0);
      expect(hex(encode(r))).toBe(c.hex);
      // The same identity built from Go's three u64s is the same value.
      const j = (c.value as { ref: { node: string; creation: string; id: string[] } }).ref;
      expect(Ref.ergo(atom(j.node), BigInt(j.creation), ...(j.id.map(BigInt) as [bigint, bigint, bigint])).equals(r)).toBe(true);
    }
  });

  it('every ref a node makes comes back equal from the wire', async () => {
    const node = await Node.start({ name: 'edf-ref@127.0.0.1', defaultLogger: false });
    try {
      for (let i = 0; i < 1000; i++) {
        const r = node.makeRef();
        const back = decode(encode(r)) as Ref;
        expect(back.equals(r)).toBe(true);
      }
    } finally {
      await node.stopForce();
    }
  });
});

describe('a JS number in an any slot (Go net/edf bytes)', () => {
  it('integral numbers are Go int, -0 / fractions / float(n) / beyond 2^53 are float64: byte for byte', () => {
    // Go: []any{int(42), float64(1.5), float64(-0), float64(3), int(-7), float64(1e20), int(1<<53 + 1)}
    const c = byName('[]any JS-number-like values');
    expect(hex(encode([42, 1.5, -0, float(3), -7, 1e20, 2n ** 53n + 1n]))).toBe(c.hex);
    const back = decode(unhex(c.hex)) as unknown[];
    expect(back[0]).toBe(42);
    expect(back[1]).toBe(1.5);
    expect(back[2]).toBeInstanceOf(ErlFloat);
    expect(back[3]).toBeInstanceOf(ErlFloat);
    expect(back[4]).toBe(-7);
    expect(back[5]).toBeInstanceOf(ErlFloat);
    expect(back[6]).toBe(2n ** 53n + 1n);
  });

  it('a top-level integer is Go int; the int64 extremes come back as bigint', () => {
    expect(hex(encode(42))).toBe(byName('int 42').hex);
    expect(hex(encode(-1))).toBe(byName('int -1').hex);
    expect(hex(encode(2 ** 53 - 1))).toBe(byName('int 9007199254740991').hex);
    expect(decode(unhex(byName('int 9007199254740991').hex))).toBe(2 ** 53 - 1);
    expect(decode(unhex(byName('int -9007199254740991').hex))).toBe(-(2 ** 53 - 1));
    expect(decode(unhex(byName('int 9007199254740992').hex))).toBe(2n ** 53n);
    expect(decode(unhex(byName('int -9007199254740992').hex))).toBe(-(2n ** 53n));
    expect(decode(unhex(byName('int 9223372036854775807').hex))).toBe(2n ** 63n - 1n);
    expect(hex(encode(3.14))).toBe(byName('float64 3.14').hex);
    expect(hex(encode(float(1)))).toBe(byName('float64 1').hex);
    expect(hex(encode(-0))).toBe(byName('float64 -0').hex);
  });

  it('a static int field still takes and gives bigint, and a number for it', () => {
    const c = byName('[]int');
    expect(decode(unhex(c.hex))).toEqual(typed(T.slice('int'), [1n, 2n, 3n]));
    expect(hex(encode(typed(T.slice('int'), [1, 2, 3] as unknown as bigint[])))).toBe(c.hex);
  });
});

describe('what stock Go refuses (facts recorded by edf-vectors)', () => {
  it('gen.MessageDown*/MessageExit* are not registered in Ergo 3.1.0: Go cannot encode them', () => {
    const facts = go.facts ?? [];
    const down = facts.find((f) => f.what.startsWith('edf.Encode(gen.MessageDownPID'));
    expect(down?.result).toBe('edf.Encode error: no encoder for type gen.MessageDownPID');
  });
});
