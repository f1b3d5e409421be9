/** Encoder and decoder options, convenience inputs, and what has no encoding. */
import { describe, expect, it } from 'vitest';
import { decode, encode, EtfDecoder, EtfEncoder } from '../../src/codec/etf/index.js';
import { DecodeError, EncodeError } from '../../src/codec/errors.js';
import { Writer } from '../../src/codec/writer.js';
import { Atom, Pid, Ref, TermMap, atom, equals, format, tuple, type Term } from '../../src/term/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('encode', () => {
  it('refuses what has no term form, with a typed error', () => {
    const bad: unknown[] = [null, undefined, NaN, Infinity, () => 1, Symbol('s'), 2 ** 60, new Date(0)];
    for (const v of bad) {
      expect(() => encode(v as Term), String(v)).toThrow(EncodeError);
    }
    expect(() => encode(new Pid(atom('n@h'), 1, 0, 2n ** 40n))).toThrow(/32 bits/);
    expect(() => encode(Ref.ergo(atom('n@h'), 1, 1n, 2n, 3n << 32n))).toThrow(/Ergo refs/); // all six words in use
  });
  it('catches cyclic structures instead of looping', () => {
    const a: Term[] = [];
    a.push(a);
    expect(() => encode(a)).toThrow(EncodeError);
  });
  it('leaves the shared writer usable after an error', () => {
    expect(() => encode([1, NaN] as Term)).toThrow(EncodeError);
    expect(hex(encode([1, 2]))).toBe('836b00020102');
  });
  it('takes JS strings, plain objects and Maps as convenience input', () => {
    expect(equals(decode(encode('héllo')), new TextEncoder().encode('héllo'))).toBe(true);
    const fromObject = decode(encode({ b: 1, a: 2 } as unknown as Term));
    expect(format(fromObject)).toBe('#{a => 2,b => 1}');
    const fromMap = decode(encode(new Map<Term, Term>([[tuple(1), atom('x')]]) as unknown as Term));
    expect(fromMap).toBeInstanceOf(TermMap);
    expect((fromMap as TermMap).get(tuple(1))).toBe(atom('x'));
  });
  it('writes small maps in term order, as term_to_binary does', () => {
    const m = new TermMap([[atom('b'), 1], [1, 2], [atom('a'), 3]]);
    expect(format(decode(encode(m)))).toBe('#{1 => 2,a => 3,b => 1}');
  });
  it('can omit the version byte and use atom cache references', () => {
    const cache = [atom('hello')];
    const e = new EtfEncoder(new Writer());
    const b = e.encode(tuple(atom('hello'), atom('world')), { versionByte: false, atomIndex: (a) => cache.indexOf(a) });
    expect(hex(b)).toBe('680252007705776f726c64');
    expect(format(decode(b, { versionByte: false, atomCache: cache }))).toBe('{hello,world}');
    expect(() => decode(b, { versionByte: false })).toThrow(/atom cache reference 0/);
  });
});

describe('decode', () => {
  it('decodes several terms from one buffer with decodeAt', () => {
    const a = encode(atom('first'), { versionByte: false });
    const b = encode([1, 2, 3], { versionByte: false });
    const buf = new Uint8Array([...a, ...b]);
    const d = new EtfDecoder();
    const r1 = d.decodeAt(buf, 0);
    expect(r1.term).toBe(atom('first'));
    const r2 = d.decodeAt(buf, r1.end);
    expect(r2.term).toEqual([1, 2, 3]);
    expect(r2.end).toBe(buf.length);
  });
  it('returns views of the input unless asked to copy', () => {
    const b = Uint8Array.from(encode(new Uint8Array([1, 2, 3])));
    const view = decode(b) as Uint8Array;
    const copy = decode(b, { copyBinaries: true }) as Uint8Array;
    b[b.length - 1] = 9;
    expect(view[2]).toBe(9);
    expect(copy[2]).toBe(3);
  });
  it('is strict about trailing bytes (binary_to_term/1 ignores them)', () => {
    expect(() => decode(Uint8Array.from([131, 97, 1, 0]))).toThrow(/after the term/);
  });
  it('reports offset and tag', () => {
    try {
      decode(Uint8Array.from([131, 104, 2, 97, 1, 200]));
      expect.fail('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).code).toBe('ERR_ETF_UNKNOWN_TAG');
      expect((e as DecodeError).offset).toBe(5);
      expect((e as DecodeError).tag).toBe(200);
    }
  });
  it('only creates atoms it is allowed to', () => {
    const before = Atom.count;
    expect(() => decode(Uint8Array.from([131, 119, 3, ...Buffer.from('zq9')]), { existingAtoms: true })).toThrow(/existing atoms only/);
    expect(Atom.count).toBe(before);
  });
});
