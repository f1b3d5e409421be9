import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  A,
  Alias,
  Atom,
  BitBinary,
  ErlFloat,
  Export,
  ImproperList,
  Pid,
  Port,
  Ref,
  TermMap,
  Tuple,
  atom,
  charlist,
  compare,
  compareKeys,
  equals,
  error,
  errorReason,
  float,
  format,
  hash,
  improperList,
  isTagged,
  ok,
  okValue,
  propGet,
  proplist,
  record,
  text,
  tuple,
  type Term,
} from '../../src/term/index.js';
import { termArb } from '../support/arbitrary.js';

const node = atom('n@h');

describe('Atom', () => {
  it('is interned and caches its encodings', () => {
    expect(atom('hello')).toBe(Atom.of('hello'));
    expect(Array.from(atom('ok').etf)).toEqual([119, 2, 111, 107]);
    expect(Atom.existing('surely-not-an-atom-yet-42')).toBeUndefined();
  });
  it('counts characters, not bytes, against the 255 limit', () => {
    const long = 'é'.repeat(255); // 510 bytes of UTF-8
    expect(atom(long).utf8.length).toBe(510);
    expect(atom(long).etf[0]).toBe(118);
    expect(() => atom('x'.repeat(256))).toThrow(RangeError);
  });
  it('prints in Erlang syntax', () => {
    expect(atom('ok').inspect()).toBe('ok');
    expect(atom('Hello world').inspect()).toBe("'Hello world'");
  });
});

describe('equality', () => {
  it('tells integers from floats and charlists from binaries', () => {
    expect(equals(1, float(1))).toBe(false);
    expect(equals(float(1), new ErlFloat(1))).toBe(true);
    expect(equals(float(-0), float(0))).toBe(false);
    expect(equals(charlist('ab'), new Uint8Array([97, 98]))).toBe(false);
    expect(equals(charlist('ab'), [97, 98])).toBe(true);
    expect(equals('ab', new Uint8Array([97, 98]))).toBe(true);
  });
  it('treats safe bigints as the same integers as numbers', () => {
    expect(equals(5n, 5)).toBe(true);
    expect(equals(2n ** 60n, 2n ** 60n)).toBe(true);
    expect(equals(true, atom('true'))).toBe(true);
  });
  it('compares pids, refs and aliases field by field', () => {
    expect(equals(new Pid(node, 1, 2, 3), new Pid(atom('n@h'), 1, 2, 3))).toBe(true);
    expect(equals(new Pid(node, 1, 2, 3), new Pid(node, 1, 2, 4))).toBe(false);
    expect(equals(new Ref(node, 1, [1, 2, 3]), new Ref(node, 1, [1, 2, 3]))).toBe(true);
    // An alias is a reference (BEAM): the same identity is equal whichever class carries it.
    expect(equals(new Ref(node, 1, [1, 2, 3]), new Alias(node, 1, [1, 2, 3]))).toBe(true);
    // Missing words count as 0 (OTP 25, 27 and 29 agree: see test/codec/etf-order.test.ts).
    expect(equals(new Ref(node, 1, [1]), new Ref(node, 1, [1, 0, 0]))).toBe(true);
    expect(equals(new Ref(node, 1, [1, 2, 3]), new Alias(node, 1, [1, 2, 4]))).toBe(false);
    expect(equals(new Port(node, 2n ** 60n, 1), new Port(node, 2n ** 60n, 1))).toBe(true);
  });
  it('is reflexive on random terms and agrees with hash', () => {
    fc.assert(
      fc.property(termArb, (t) => {
        expect(equals(t, t)).toBe(true);
        expect(hash(t)).toBe(hash(t));
        expect(compare(t, t)).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('Pid, Ref and Alias hold the Ergo forms too', () => {
  it('splits Ergo uint64 pid ids into id/serial without loss', () => {
    const id = 0xfedc_ba98_7654_3210n;
    const p = Pid.ergo(node, id, 1700000000n);
    expect(p.id).toBe(0x7654_3210);
    expect(p.serial).toBe(0xfedc_ba98);
    expect(p.ergoId).toBe(id);
    expect(p.creation).toBe(1700000000);
    expect(Pid.ergo(node, 1n, -(2n ** 62n)).creation).toBe(-(2n ** 62n));
  });
  it('keeps Ergo refs as 6 words and gives the u64s back', () => {
    const ids: [bigint, bigint, bigint] = [2n ** 64n - 1n, 1n, 0x1_0000_0002n];
    const r = Ref.ergo(node, 7n, ...ids);
    expect(r.isErgo).toBe(true);
    expect(r.ergoIds()).toEqual(ids);
    const a = Alias.ergo(node, 7n, ...ids);
    expect(a).toBeInstanceOf(Ref);
    expect(a.toRef().equals(r)).toBe(true);
  });
});

describe('TermMap', () => {
  it('finds structurally equal keys', () => {
    const m = new TermMap();
    m.set(tuple(atom('a'), 1), 'x');
    m.set(1, 'int');
    m.set(float(1), 'float');
    expect(m.get(tuple(atom('a'), 1))).toBe('x');
    expect(m.get(1)).toBe('int');
    expect(m.get(float(1))).toBe('float');
    expect(m.size).toBe(3);
    m.set(new Tuple([atom('a'), 1]), 'y');
    expect(m.size).toBe(3);
    expect(m.get(tuple(atom('a'), 1))).toBe('y');
  });
  it('behaves the same below and above its index threshold', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(termArb, fc.integer()), { maxLength: 40 }), (pairs) => {
        const m = new TermMap();
        const ref: [Term, Term][] = [];
        for (const [k, v] of pairs) {
          m.set(k, v);
          const i = ref.findIndex(([rk]) => equals(rk, k));
          if (i >= 0) ref[i]![1] = v;
          else ref.push([k, v]);
        }
        expect(m.size).toBe(ref.length);
        for (const [k, v] of ref) expect(m.get(k)).toBe(v);
        if (ref.length > 0) {
          expect(m.delete(ref[0]![0])).toBe(true);
          expect(m.has(ref[0]![0])).toBe(false);
          expect(m.size).toBe(ref.length - 1);
        }
      }),
      { numRuns: 300 },
    );
  });
  it('compares order-insensitively', () => {
    const a = new TermMap([[atom('x'), 1], [atom('y'), 2]]);
    const b = new TermMap([[atom('y'), 2], [atom('x'), 1]]);
    expect(equals(a, b)).toBe(true);
    expect(hash(a)).toBe(hash(b));
    expect(a.add(atom('x'), 3)).toBe(false);
    expect(a.get(atom('x'))).toBe(1);
  });
});

describe('term order', () => {
  it('orders types as Erlang does', () => {
    const ordered: Term[] = [
      -1,
      1,
      2.5,
      atom('a'),
      new Ref(node, 1, [1]),
      new Export(atom('m'), atom('f'), 1),
      new Port(node, 1, 1),
      new Pid(node, 1, 0, 1),
      tuple(1),
      new TermMap(),
      [],
      [1],
      new Uint8Array([1]),
    ];
    for (let i = 0; i + 1 < ordered.length; i++) expect(compare(ordered[i]!, ordered[i + 1]!), format(ordered[i]!)).toBe(-1);
    // Term order is arithmetic (1 == 1.0); map-key order puts every integer first.
    expect(compare(1, float(1))).toBe(0);
    expect(compareKeys(1, float(1))).toBe(-1);
    expect(compareKeys(2, float(1))).toBe(-1);
  });
  it('compares lists element-wise and tuples by size first', () => {
    expect(compare([1, 2], [1, 3])).toBe(-1);
    expect(compare([1, 2], [1])).toBe(1);
    expect(compare(tuple(9), tuple(1, 1))).toBe(-1);
    expect(compare(new ImproperList([1], 2), [1, 2])).toBe(-1); // tail 2 (number) < [2] (list)
    expect(compare(new BitBinary(new Uint8Array([0x80]), 1), new Uint8Array([0x80]))).toBe(-1);
  });
  it('is antisymmetric on random terms', () => {
    fc.assert(
      fc.property(termArb, termArb, (a, b) => {
        expect(Math.sign(compare(a, b)) + Math.sign(compare(b, a))).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('idioms', () => {
  it('charlists and text', () => {
    expect(charlist('añ€')).toEqual([97, 241, 8364]);
    expect(text(charlist('añ€'))).toBe('añ€');
    expect(text(new TextEncoder().encode('añ€'))).toBe('añ€');
    expect(text([1, -1])).toBeUndefined();
    expect(text(new Uint8Array([0xff]))).toBeUndefined();
  });
  it('ok/error tuples', () => {
    expect(equals(ok(1), tuple(A.ok, 1))).toBe(true);
    expect(okValue(ok(1))).toBe(1);
    expect(okValue(error(1))).toBeUndefined();
    expect(errorReason(error(atom('enoent')))).toBe(atom('enoent'));
    expect(isTagged(ok(1), 'ok', 2)).toBe(true);
  });
  it('proplists', () => {
    const l = proplist({ a: 1, verbose: true });
    expect(format(l)).toBe('[{a,1},verbose]');
    expect(propGet(l, atom('a'))).toBe(1);
    expect(propGet(l, atom('verbose'))).toBe(true);
    expect(propGet(l, atom('zzz'))).toBeUndefined();
  });
  it('records', () => {
    const person = record('person', ['name', 'age'] as const);
    const p = person.make({ name: 'Joe' });
    expect(format(p)).toBe('{person,<<"Joe">>,undefined}');
    expect(person.is(p)).toBe(true);
    expect(person.get(p, 'age')).toBe(A.undefined);
    expect(Object.keys(person.toObject(p))).toEqual(['name', 'age']);
  });
  it('improper lists', () => {
    expect(improperList([1], [2, 3])).toEqual([1, 2, 3]);
    expect(improperList([1], atom('x'))).toBeInstanceOf(ImproperList);
    expect(() => new ImproperList([], 1)).toThrow(RangeError);
    expect(() => new ImproperList([1], [2])).toThrow(TypeError);
  });
  it('format prints Erlang syntax', () => {
    expect(format(tuple(atom('ok'), [1, 2.5, float(3)], new TermMap([[atom('k'), new Uint8Array([1])]])))).toBe(
      '{ok,[1,2.5,3.0],#{k => <<1>>}}',
    );
    expect(format(new ImproperList([atom('alias')], new Ref(node, 0, [1, 2, 3])))).toBe('[alias|#Ref<n@h.3.2.1>]');
    expect(format(new BitBinary(new Uint8Array([0xff, 0x80]), 1))).toBe('<<255,1:1>>');
  });
});
