/**
 * The group leader's `io_lib:format` (src/net/erlang/io-format.ts) against the real one: each
 * format and its arguments go through the host's `erl`, and our text must be BEAM's.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { decode, encode } from '../../../src/codec/etf/index.js';
import { atom, charlist, float, tuple, type Term } from '../../../src/term/index.js';
import { chardata, ioFormat } from '../../../src/net/erlang/io-format.js';
import { haveErl } from '../../support/erl.js';

const cases: [string, Term[]][] = [
  ['plain text', []],
  ['~p~n', [tuple(atom('ok'), [1, 2, 3])]],
  ['~w and ~p', [atom('an_atom'), Buffer.from('bin')]],
  ['~s|~s|~s', [charlist('chars'), Buffer.from('binary'), atom('atom')]],
  ['~10s|~-10s|', [charlist('right'), charlist('left')]],
  ['~.3s', [charlist('truncated')]],
  ['~B ~b ~.16B ~.2B ~8..0B', [255, 255, 255, 5, 42]],
  ['~#|~+', [255, 255]],
  ['~.16X ~.16x', [255, charlist('0x'), 255, charlist('0x')]],
  ['~c~c~3c', [104, 105, 33]],
  ['~f ~.2f ~e ~.3e', [3.14159, 2.5, 1234.5, 0.000123]],
  ['~g ~g', [0.5, float(123456)]],
  ['~i~p', [atom('ignored'), atom('shown')]],
  ['~~ tilde', []],
  ['~10.2f|', [3.14159]],
  ['~p', [[atom('a'), tuple(1, 2), Buffer.from('x'), [[]]]]],
  ['~ts', [Buffer.from('héllo ✓')]],
  ['~*c', [3, 120]],
  ['~p', [-42]],
  ['~p', [12345678901234567890n]],
  ['~p', [float(1)]],
];

describe.skipIf(!haveErl())('io_lib:format as the group leader answers it, against the real erl', () => {
  it('every format gives BEAM’s text', () => {
    const list = cases.map(([f, a]) => tuple(charlist(f), a));
    const input = Buffer.from(encode(list)).toString('base64');
    const r = spawnSync(
      'erl',
      [
        '-noshell',
        '-eval',
        `L = binary_to_term(base64:decode("${input}")), ` +
          `R = [unicode:characters_to_binary(io_lib:format(F, A)) || {F, A} <- L], ` +
          `io:format("~s", [base64:encode(term_to_binary(R))]), halt().`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr + r.stdout.slice(0, 500)).not.toMatch(/error|crash/i);
    expect(r.status).toBe(0);
    const expected = (decode(Buffer.from(r.stdout.trim(), 'base64')) as Uint8Array[]).map((b) => Buffer.from(b).toString('utf8'));
    const ours = cases.map(([f, a]) => ioFormat(charlist(f), a));
    for (let i = 0; i < cases.length; i++) expect([cases[i]![0], ours[i]]).toEqual([cases[i]![0], expected[i]]);
  });

  it('rejects what io_lib would (badarg): too few or too many arguments, a bad control', () => {
    expect(() => ioFormat(charlist('~p ~p'), [1])).toThrow();
    expect(() => ioFormat(charlist('~p'), [1, 2])).toThrow();
    expect(() => ioFormat(charlist('~y'), [1])).toThrow();
    expect(() => ioFormat(charlist('~s'), [tuple(1)])).toThrow();
  });

  it('chardata: binaries, charlists and nested lists of both; anything else is not', () => {
    expect(chardata([Buffer.from('ab'), [99, [Buffer.from('d')]], 101])).toBe('abcde');
    expect(chardata([1.5] as Term)).toBeUndefined();
    expect(chardata(atom('x'))).toBeUndefined();
  });
});
