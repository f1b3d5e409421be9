/** Pids, references and aliases compare equal however they crossed a wire (ETF, EDF, or both). */
import { describe, expect, it } from 'vitest';
import { Alias, atom, equals, Pid, Ref } from '../../src/term/index.js';
import { decode as decodeEtf, encode as encodeEtf } from '../../src/codec/etf/index.js';
import { decode as decodeEdf, encode as encodeEdf } from '../../src/codec/edf/index.js';

const n = atom('ts@127.0.0.1');

describe('identity across wires', () => {
  it('a pid through ETF and through EDF is the same pid', () => {
    const pid = new Pid(n, 1001, 3, 1_732_850_000);
    const viaEtf = decodeEtf(encodeEtf(pid)) as Pid;
    const viaEdf = decodeEdf(encodeEdf(pid)) as Pid;
    expect(viaEtf.equals(pid) && viaEdf.equals(pid) && viaEtf.equals(viaEdf)).toBe(true);
    expect(viaEdf.identity).toBe(pid.identity);
    expect(equals(viaEtf, viaEdf)).toBe(true);
  });

  it('a 3-word reference widened by Ergo to 3×u64 is the same reference', () => {
    const ref = new Ref(n, 7, [0x12345, 0xdeadbeef, 0x9abc]);
    const viaEdf = decodeEdf(encodeEdf(ref)) as Ref;
    const viaErgo = Ref.ergo(n, 7, ...ref.ergoIds());
    expect(viaErgo.ids.length).toBe(3);
    const widened = new Ref(n, 7, [...ref.ids, 0, 0, 0]);
    for (const r of [viaEdf, viaErgo, widened]) {
      expect(r.equals(ref)).toBe(true);
      expect(ref.equals(r)).toBe(true);
      expect(r.identity).toBe(ref.identity);
    }
    expect(widened.equals(new Ref(n, 7, [0x12345, 0xdeadbeef, 0x9abd]))).toBe(false);
    expect(widened.equals(new Ref(n, 8, [0x12345, 0xdeadbeef, 0x9abc]))).toBe(false);
    expect(widened.equals(new Ref(atom('other@h'), 7, [0x12345, 0xdeadbeef, 0x9abc]))).toBe(false);
    // the wire form is kept: it re-encodes to the same bytes
    expect(Buffer.from(encodeEdf(widened))).toEqual(Buffer.from(encodeEdf(ref)));
    expect(Buffer.from(encodeEtf(ref))).toEqual(Buffer.from(encodeEtf(decodeEtf(encodeEtf(ref)) as Ref)));
  });

  it('an alias that went through BEAM comes back as a plain reference, equal to the alias', () => {
    const alias = new Alias(n, 7, [1, 2, 3]);
    const viaEtf = decodeEtf(encodeEtf(alias)) as Ref;
    expect(viaEtf).not.toBeInstanceOf(Alias);
    expect(viaEtf.equals(alias)).toBe(true);
    expect(alias.equals(viaEtf)).toBe(true);
    const viaEdf = decodeEdf(encodeEdf(alias)) as Alias;
    expect(viaEdf).toBeInstanceOf(Alias);
    expect(viaEdf.equals(viaEtf)).toBe(true);
    expect(new Set([alias.identity, viaEtf.identity, viaEdf.identity]).size).toBe(1);
  });

  it('references of different word counts are equal only when the extra words are zero', () => {
    expect(new Ref(n, 1, [1, 2, 3]).equals(new Ref(n, 1, [1, 2, 3, 0, 0]))).toBe(true);
    expect(new Ref(n, 1, [1, 2, 3]).equals(new Ref(n, 1, [1, 2, 3, 4]))).toBe(false);
    expect(new Ref(n, 1, [1, 2, 3, 4, 5]).equals(Ref.ergo(n, 1, ...new Ref(n, 1, [1, 2, 3, 4, 5]).ergoIds()))).toBe(true);
  });
});
