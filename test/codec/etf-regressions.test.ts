/**
 * Every finding of issue 8 ([codec-truth]) with its minimal input (hex, from the differential
 * fuzzer against OTP 25, 27 and 29; the BEAM's answers are written next to them). The rule
 * each one pins down is in proto-spec/etf.md.
 */
import { describe, expect, it } from 'vitest';
import { getHeapStatistics } from 'node:v8';
import { deflateSync } from 'node:zlib';
import { decode, decodeAsync, encode, EtfEncoder, EtfStreamDecoder, TermScanner } from '../../src/codec/etf/index.js';
import { DecodeError } from '../../src/codec/errors.js';
import { Writer } from '../../src/codec/writer.js';
import { DEFAULT_MAX_ALLOC } from '../../src/codec/etf/leaf.js';
import { Atom, compare, equals, Export, float, Fun, hash, ImproperList, LocalTerm, Pid, Ref, TermMap, Tuple, tuple, type Term } from '../../src/term/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('wrong output', () => {
  it('a fun whose encoding crosses a writer chunk gets the right Size', () => {
    // A writer whose first chunk is tiny: the fun moves to a new chunk while it is written.
    const free: Term[] = Array.from({ length: 50 }, (_, i) => new Uint8Array(20).fill(i));
    const f = new Fun(1, new Uint8Array(16).fill(7), 3, Atom.of('m'), 3, 99, new Pid(Atom.of('a@h'), 1, 0, 1), free);
    const out = new EtfEncoder(new Writer(16)).encode(tuple(Atom.of('pad'), f));
    const at = 8; // 131, {2-tuple}, 'pad', then the fun's tag
    const size = Buffer.from(out).readUInt32BE(at + 1);
    expect(size).toBe(out.length - at - 1); // counts itself and everything after the tag
    expect(equals(decode(out), tuple(Atom.of('pad'), f))).toBe(true);
  });

  it('LOCAL_EXT is refused, as every VM but its maker refuses it (8374000000026a6100610079)', () => {
    expect(code(() => decode(bytes('8374000000026a6100610079')))).toBe('ERR_ETF_LOCAL');
    expect(code(() => decode(bytes('8379')))).toBe('ERR_ETF_LOCAL');
    expect(() => encode(new LocalTerm(new Uint8Array([1, 2])))).toThrow(/LOCAL_EXT/);
  });

  it('re-encoding is stable: nested improper tails are one list', () => {
    const t = new ImproperList([1], new ImproperList([2], Atom.of('t')));
    const once = encode(t);
    expect(hex(once)).toBe('836c0000000261016102770174');
    expect(hex(encode(decode(once)))).toBe(hex(once));
    expect(equals(decode(once), t)).toBe(true);
  });
});

describe('the bytes term_to_binary writes', () => {
  it('small maps are in map-key order: every integer before every float (837400000002460000000000000000610061026a)', () => {
    const t = decode(bytes('837400000002460000000000000000610061026a'));
    // OTP 25, 27 and 29 all write #{2 => [], 0.0 => 0} as:
    expect(hex(encode(t))).toBe('83740000000261026a4600000000000000006100');
    const m = new TermMap([
      [float(1), Atom.of('f')],
      [2, Atom.of('i')],
    ]);
    expect(hex(encode(m)).startsWith('8374000000026102')).toBe(true);
  });

  it('pids on different nodes order by number first: <a@h.5> is not less than <b@h.1>', () => {
    const a = new Pid(Atom.of('a@h'), 5, 0, 1);
    const b = new Pid(Atom.of('b@h'), 1, 0, 1);
    expect(compare(a, b)).toBe(1);
    const m = new TermMap([
      [a, 1],
      [b, 2],
    ]);
    const back = decode(encode(m)) as TermMap;
    expect(back.keyAt(0)).toEqual(b); // written in map-key order
  });

  it('exports order by module, function, arity (not by the length of the module name)', () => {
    expect(compare(new Export(Atom.of('zz'), Atom.of('a'), 9), new Export(Atom.of('aaa'), Atom.of('a'), 0))).toBe(1);
    expect(compare(new Export(Atom.of('a'), Atom.of('b'), 1), new Export(Atom.of('a'), Atom.of('b'), 0))).toBe(1);
  });

  it('refs with missing words are the same ref: [1] =:= [1, 0, 0]', () => {
    const r1 = new Ref(Atom.of('a@h'), 1, [1]);
    const r3 = new Ref(Atom.of('a@h'), 1, [1, 0, 0]);
    expect(equals(r1, r3)).toBe(true);
    expect(hash(r1)).toBe(hash(r3));
    expect(new TermMap([[r1, 1]]).get(r3)).toBe(1);
  });
});

describe('what the BEAM accepts, we accept', () => {
  it('NEW_FUN_EXT with a Size the BEAM ignores (837000000000…58730000…)', () => {
    // From the fuzzer, without the trailing byte: Size 0, module 'é', pid on node ''.
    const f = decode(bytes('837000000000000000000000000000000000000000000000000000000000007702c3a96100610058730000000000000000000000000000'.slice(0, 108))) as Fun;
    expect(f).toBeInstanceOf(Fun);
    expect(f.module.name).toBe('é');
    // Written back with the right Size (OTP 25 writes exactly this).
    expect(hex(encode(f))).toBe('837000000034000000000000000000000000000000000000000000000000007702c3a961006100587700000000000000000000000000');
  });

  it('EXPORT_EXT with its arity as INTEGER_EXT (83717301007701006200000000)', () => {
    const e = decode(bytes('83717301007701006200000000')) as Export;
    expect(e.arity).toBe(0);
    expect(hex(encode(e))).toBe('83717701007701006100');
  });

  it('FLOAT_EXT with a comma for a decimal point (836c00000000633…)', () => {
    const v = decode(bytes('836c0000000063322c3033393736383533393833343736373538303033652b3000000000000000'.slice(0, 76)));
    expect(v).toBe(2.0397685398347676);
    expect(hex(encode(v))).toBe('8346400051722b100000');
  });

  it('a map with -0.0 and 0.0 as keys (OTP 27+: two terms; OTP 25 refuses it)', () => {
    const m = decode(bytes('83740000000246800000000000000061004600000000000000006101')) as TermMap;
    expect(m.size).toBe(2);
    expect(hex(encode(m))).toBe('83740000000246800000000000000061004600000000000000006101');
  });

  it('fun OldUniq in any integer form is kept as the 32-bit word the BEAM keeps', () => {
    // SMALL_BIG -0xa197477a → the BEAM keeps 0x5e68b886 and writes it as INTEGER_EXT.
    const f = decode(bytes('837000000039ff000381000000000000000000a0000000ffffffff0000000077016d61006e04017a4797a15877036240680000800000001fff00000001')) as Fun;
    expect(f.oldUniq).toBe(0x5e68b886);
  });
});

describe('what the BEAM refuses, we refuse', () => {
  const refuse: [string, string, string][] = [
    ['LOCAL_EXT with nothing after the tag', '8379', 'ERR_ETF_LOCAL'],
    ['PID_EXT with a creation above 3', '8367730000000000000000008f', 'ERR_ETF_BAD_CREATION'],
    ['PORT_EXT with a creation above 3', '8366730000000000ff', 'ERR_ETF_BAD_CREATION'],
    ['REFERENCE_EXT with a creation above 3', '836573000000000004', 'ERR_ETF_BAD_CREATION'],
    ['NEW_REFERENCE_EXT with a creation above 3', '8372000173000400000001', 'ERR_ETF_BAD_CREATION'],
    ['a reference of zero words (the BEAM reads past its input)', '835a0000770012345678', 'ERR_ETF_BAD_REF'],
    ['FLOAT_EXT with no NUL in its 31 bytes', '8363312e3535353535353535353535353535353535353535353535353535353535', 'ERR_ETF_BAD_FLOAT'],
    ['EXPORT_EXT arity 256 (crashes OTP 27)', '8371760003614068640001666200000100', 'ERR_ETF_BAD_EXPORT'],
    ['fun OldUniq beyond a BEAM small', '83700000003e0100fb00000000d30000000000005d000000000000000000007701666e00006f0000000800c70de539074ef9c16764000000007fff0000000002', 'ERR_ETF_BAD_FUN'],
    ['BIT_BINARY_EXT of 0 bytes (OTP 27+)', '834d0000000000', 'ERR_ETF_BAD_BITS'],
    ['the atom-table index tags 73 and 75', '83490001', 'ERR_ETF_UNKNOWN_TAG'],
    ['a map with two equal keys', '837400000002610161016101610261', 'ERR_ETF_DUPLICATE_KEY'],
  ];
  for (const [what, h, c] of refuse) it(`${what} (${h.slice(0, 40)})`, () => expect(code(() => decode(bytes(h)))).toBe(c));

  it('bytes after the term inside a compressed payload', () => {
    const z = deflateSync(Uint8Array.from([97, 1, 0]));
    const b = Uint8Array.from([131, 80, 0, 0, 0, 3, ...z]);
    expect(code(() => decode(b))).toBe('ERR_ETF_TRAILING');
    // After the zlib stream the BEAM ignores them, like after any term; decode() refuses them.
    expect(code(() => decode(Uint8Array.from([131, 80, 0, 0, 0, 2, ...deflateSync(Uint8Array.from([97, 1])), 7])))).toBe('ERR_ETF_TRAILING');
  });
});

describe('time and memory', () => {
  it('nested map keys 20,000 deep decode, compare and re-encode (linear: each map hashes once)', () => {
    const n = 19_000;
    const parts: number[] = [131];
    for (let i = 0; i < n; i++) parts.push(116, 0, 0, 0, 1);
    parts.push(106);
    for (let i = 0; i < n; i++) parts.push(97, 1);
    const b = Uint8Array.from(parts);
    const t = decode(b);
    expect(hex(encode(t))).toBe(hex(b));
    expect(equals(t, decode(b))).toBe(true);
    expect(compare(t, decode(b))).toBe(0);
    expect(new TermMap([[t, 1]]).get(decode(b))).toBe(1);
  });

  it('a chain of 20,000 improper tails is one list', () => {
    const n = 20_000;
    const parts: number[] = [131];
    for (let i = 0; i < n; i++) parts.push(108, 0, 0, 0, 1, 97, i & 0xff);
    parts.push(100, 0, 1, 116);
    const t = decode(Uint8Array.from(parts)) as ImproperList;
    expect(t.head.length).toBe(n);
    expect(t.tail).toBe(Atom.of('t'));
  });

  it('2,000 nested funs and a map key that is a 15,000-deep tuple do not exhaust the stack', () => {
    let f: Term = 0;
    for (let i = 0; i < 2000; i++) f = new Fun(0, new Uint8Array(16), i, Atom.of('m'), 0, 0, new Pid(Atom.of('a@h'), 1, 0, 1), [f]);
    expect(equals(decode(encode(f)), f)).toBe(true);
    let deep: Term = Atom.of('x');
    for (let i = 0; i < 15_000; i++) deep = tuple(deep);
    const m = new TermMap([
      [deep, 1],
      [tuple(deep), 2],
    ]);
    const back = decode(encode(m)) as TermMap;
    expect(back.get(deep)).toBe(1);
    expect(equals(back, m)).toBe(true);
    expect(compare(back, m)).toBe(0);
    expect(hash(back)).toBe(hash(m));
  });

  it('the explicit-stack decoder starts clean after a refused deep input, whatever shapes it nests', () => {
    // Tuples of one and of two elements, lists with improper tails and maps, 2,000 levels each.
    const shapes: Term[] = [];
    for (let k = 0; k < 4; k++) {
      let t: Term = Atom.of('core');
      for (let i = 0; i < 2000; i++) {
        const w = (i + k) % 4;
        t = w === 0 ? tuple(t) : w === 1 ? tuple(i, t) : w === 2 ? new ImproperList([i], t) : new TermMap([[t, i]]);
      }
      shapes.push(t);
    }
    for (const t of shapes) {
      const b = encode(t);
      // Cut short deep inside: refused, and the next decode is not disturbed by what was left.
      expect(code(() => decode(b.subarray(0, b.length - 7)))).toBe('ERR_ETF_TRUNCATED');
      expect(code(() => decode(b, { maxDepth: 1500 }))).toBe('ERR_ETF_TOO_DEEP');
      const back = decode(b);
      expect(equals(back, t)).toBe(true);
      expect(hex(encode(back))).toBe(hex(b));
    }
    // A deep 1-tuple chain: every level its own tuple of one element.
    const chain = decode(Uint8Array.from([131, ...Array.from({ length: 5000 }, () => [104, 1]).flat(), 97, 7]));
    let x: Term = chain;
    let depth = 0;
    for (; x instanceof Tuple; depth++) {
      expect(x.size).toBe(1);
      x = x.at(0);
    }
    expect([depth, x]).toEqual([5000, 7]);
  });

  it('a run of one-element tuples is one stack level, with the errors each tuple alone would give', () => {
    const chain = (n: number, ...core: number[]) => Uint8Array.from([131, ...Array.from({ length: n }, () => [104, 1]).flat(), ...core]);
    const err = (b: Uint8Array, o?: Parameters<typeof decode>[1]) => {
      try {
        decode(b, o);
      } catch (e) {
        return [(e as DecodeError).code, (e as DecodeError).offset, (e as DecodeError).tag];
      }
      return 'decoded';
    };
    // As deep as maxDepth allows, and one more: refused where the level past it starts.
    expect(err(chain(20_000, 97, 7))).toBe('decoded');
    expect(err(chain(20_001, 97, 7))).toEqual(['ERR_ETF_TOO_DEEP', 1 + 2 * 20_000, 104]);
    expect(err(chain(900, 97, 7), { maxDepth: 700 })).toEqual(['ERR_ETF_TOO_DEEP', 1 + 2 * 700, 104]);
    // Nothing after the last tuple: that tuple is short of its element.
    expect(err(chain(900))).toEqual(['ERR_ETF_TRUNCATED', 1 + 2 * 899, 104]);
    expect(err(chain(900, 104))).toEqual(['ERR_ETF_TRUNCATED', 1 + 2 * 900, 104]);
    // The allocation budget is charged per tuple.
    expect(err(chain(5000, 97, 7), { maxAlloc: 50_000 })[0]).toBe('ERR_ETF_ALLOC_LIMIT');
    // Runs inside a LARGE_TUPLE_EXT of one, around a pair holding another run, twice over.
    const inner = [105, 0, 0, 0, 1, ...Array.from({ length: 400 }, () => [104, 1]).flat(), 104, 2, 97, 1, ...Array.from({ length: 300 }, () => [104, 1]).flat(), 97, 2];
    const b = Uint8Array.from([131, ...Array.from({ length: 250 }, () => [104, 1]).flat(), 104, 2, ...inner, ...inner]);
    const count = (t: Term): [number, Term] => {
      let n = 0;
      for (; t instanceof Tuple && t.size === 1; n++) t = t.at(0);
      return [n, t];
    };
    const [outer, pair] = count(decode(b));
    expect(outer).toBe(250);
    for (const side of (pair as Tuple).elements) {
      const [n1, p1] = count(side);
      expect(n1).toBe(401);
      expect((p1 as Tuple).at(0)).toBe(1);
      expect(count((p1 as Tuple).at(1))).toEqual([300, 2]);
    }
  });

  it('what decoding would allocate is bounded (maxAlloc), before it is allocated', () => {
    // A tuple of 10^6 {} is 2 MB of input and 8 MB of slots.
    const n = 1_000_000;
    const b = new Uint8Array(6 + 2 * n);
    b.set([131, 105, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    for (let i = 0; i < n; i++) b.set([104, 0], 6 + 2 * i);
    expect(code(() => decode(b, { maxAlloc: 4 * 1024 * 1024 }))).toBe('ERR_ETF_ALLOC_LIMIT');
    expect((decode(b) as Tuple).size).toBe(n);
    // Every {} is the same object: 8 bytes each, not a tuple each.
    const t = decode(b) as Tuple;
    expect(t.at(0)).toBe(t.at(n - 1));
  });

  it('every #{} is one shared map that cannot change, deep or shallow', () => {
    const n = 1000;
    const b = new Uint8Array(7 + 5 * n);
    b.set([131, 108, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    for (let i = 0; i < n; i++) b.set([116, 0, 0, 0, 0], 6 + 5 * i);
    b[b.length - 1] = 106;
    const l = decode(b) as TermMap[];
    expect(l[0]).toBe(l[n - 1]);
    expect(l[0]).toBe(TermMap.sharedEmpty());
    // Deeper than the recursion limit (the explicit-stack decoder) too.
    const deep = decode(Uint8Array.from([131, ...Array.from({ length: 300 }, () => [104, 1]).flat(), 116, 0, 0, 0, 0]));
    let x: Term = deep;
    while (x instanceof Tuple) x = x.at(0);
    expect(x).toBe(TermMap.sharedEmpty());
    const m = l[0]!;
    expect(() => m.set(1, 2)).toThrow(TypeError);
    expect(() => m.add(1, 2)).toThrow(TypeError);
    expect(m.delete(1)).toBe(false);
    expect(m.size).toBe(0);
    // A map built by hand is still a map of its own, and encodes like the shared one.
    const own = new TermMap();
    own.set(1, 2);
    expect(own.size).toBe(1);
    expect(encode(l[0]!)).toEqual(encode(new TermMap()));
    expect(equals(m, new TermMap())).toBe(true);
  });

  it('the default budget stays well inside the V8 heap', () => {
    // The full-size cases (10^8 {} in 200 MB, 10^7 maps, …) run in `npm run bench -- hostile`.
    expect(DEFAULT_MAX_ALLOC).toBeLessThanOrEqual(getHeapStatistics().heap_size_limit / 4);
    expect(DEFAULT_MAX_ALLOC).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    // 200,000 maps #{1 => 1} (1.8 MB of input) are ~30 MB of objects: over a 16 MB budget.
    const n = 200_000;
    const b = new Uint8Array(7 + 9 * n);
    b.set([131, 108, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    for (let i = 0; i < n; i++) b.set([116, 0, 0, 0, 1, 97, 1, 97, 1], 6 + 9 * i);
    b[b.length - 1] = 106;
    expect(code(() => decode(b, { maxAlloc: 16 * 1024 * 1024 }))).toBe('ERR_ETF_ALLOC_LIMIT');
    expect((decode(b) as Term[]).length).toBe(n);
  });

  it('a stream header past the limit is refused before any of the term is buffered', () => {
    const s = new EtfStreamDecoder();
    s.push(Uint8Array.from([131, 108, 0xff, 0xff, 0xff, 0xff]));
    expect(code(() => s.next())).toBe('ERR_ETF_TOO_LARGE');
    const f = new EtfStreamDecoder({ maxBytes: 1000 });
    f.push(Uint8Array.from([131, 109, 0, 0, 16, 0]));
    expect(code(() => f.next())).toBe('ERR_ETF_TOO_LARGE');
    // A fun header claiming 2^32-1 free variables (its Size field is not trusted).
    const g = new EtfStreamDecoder();
    g.push(Uint8Array.from([131, 112, 0xff, 0xff, 0xff, 0xff, 0, ...new Array<number>(16).fill(0), 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]));
    expect(code(() => g.next())).toBe('ERR_ETF_TOO_LARGE');
    expect(g.buffered).toBe(31);
  });

  it('the stream scanner resumes where it stopped: a term fed byte by byte is scanned once', () => {
    const t = Array.from({ length: 300 }, (_, i) => tuple(i, Atom.of('x'), new Uint8Array([i & 255])));
    const b = encode(t);
    const sc = new TermScanner();
    let steps = 0;
    let len = -1;
    for (let end = 2; end <= b.length && len < 0; end++) {
      len = sc.scan(b, 1, end);
      steps++;
      // Never more scanned than was there.
      expect(sc.scanned).toBeLessThanOrEqual(end - 1);
    }
    expect(len).toBe(b.length - 1);
    const s = new EtfStreamDecoder();
    let got: Term | undefined;
    for (let i = 0; i < b.length; i++) {
      s.push(b.subarray(i, i + 1));
      got = s.next() ?? got;
    }
    expect(equals(got!, t)).toBe(true);
  });
});

describe('compressed terms', () => {
  it('an error inside the payload is reported at the compressed term, with the inner offset', () => {
    const payload = Uint8Array.from([104, 2, 97, 1, 200]);
    const b = Uint8Array.from([131, 80, 0, 0, 0, payload.length, ...deflateSync(payload)]);
    try {
      decode(b);
      expect.fail('no error');
    } catch (e) {
      const d = e as DecodeError;
      expect(d.code).toBe('ERR_ETF_UNKNOWN_TAG');
      expect(d.offset).toBe(1);
      expect(d.tag).toBe(80);
      expect(d.message).toMatch(/offset 4 of the inflated term/);
      expect((d.cause as DecodeError).offset).toBe(4);
    }
  });

  it('decodeAsync inflates a large term off the main thread and gives what decode() gives', async () => {
    const t = Array.from({ length: 50_000 }, (_, i) => i);
    const raw = encode(t).subarray(1);
    const b = Uint8Array.from([131, 80, ...u32(raw.length), ...deflateSync(raw)]);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const got = await decodeAsync(b);
    clearInterval(timer);
    expect(equals(got, t)).toBe(true);
    expect(equals(await decodeAsync(encode(Atom.of('small'))), Atom.of('small'))).toBe(true);
    await expect(decodeAsync(Uint8Array.from([131, 80, 0, 1, 0, 0, 1, 2, 3]))).rejects.toThrow(DecodeError);
  });
});

function u32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}
