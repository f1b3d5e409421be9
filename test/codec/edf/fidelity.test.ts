/**
 * Review against ergo net/edf (master f5ff7ed): behaviours where the codec disagreed with Go's
 * actual code, or could be driven by input into unbounded state or non-EncodeError failures.
 * Each case names the Go function that settles it.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from '../../../src/codec/errors.js';
import {
  decode,
  EdfDecodeCache,
  EdfEncodeCache,
  EdfEncoder,
  EdfRegistry,
  encode,
  Event,
  GoTime,
  ProcessID,
  T,
  Typed,
  typed,
} from '../../../src/codec/edf/index.js';
import { Alias, Pid, Ref } from '../../../src/term/index.js';
import { hex, unhex, decodeError, encodeError } from './support.js';



describe('strings Go cannot decode', () => {
  // decode.go decodeString: `int(2+l)` is computed in uint16, so l = 65534 / 65535 wraps to
  // 0 / 1 and `packet[2:2+l]` panics (recovered: "slice bounds out of range"; the ENP message is
  // dropped and a Call times out). Our encoder refuses them instead of sending a dead message.
  it('refuses 65534- and 65535-byte strings on encode, everywhere a string goes', () => {
    expect(encode('x'.repeat(65533)).length).toBe(3 + 65533);
    expect(encode('é'.repeat(32766) + 'x').length).toBe(3 + 65533);
    for (const s of ['x'.repeat(65534), 'x'.repeat(65535), 'é'.repeat(32767)]) {
      const e = encodeError(() => encode(s));
      expect(e.code).toBe('ERR_EDF_STRING_TOO_LONG');
      expect(e.message).toMatch(/65533/);
    }
    const r = new EdfRegistry();
    const S = r.struct('#x/S', { A: 'string' });
    expect(encodeError(() => encode(new S({ A: 'x'.repeat(65534) }))).code).toBe('ERR_EDF_STRING_TOO_LONG');
    expect(encodeError(() => encode(typed(T.map('string', 'int'), new Map([['x'.repeat(65535), 1n]])))).code).toBe('ERR_EDF_STRING_TOO_LONG');
  });

  it('still decodes them (Go encoders produce them)', () => {
    const b = new Uint8Array(3 + 65535);
    b.set([0x8d, 0xff, 0xff]);
    b.fill(0x61, 3);
    expect((decode(b) as string).length).toBe(65535);
  });
});

describe('type headers', () => {
  // encode.go writes `uint16(len(prefix))` unchecked; a fold over 65535 bytes would be cut.
  it('refuses a fold longer than its u16 length instead of writing a wrapped length', () => {
    const r = new EdfRegistry();
    const long = (i: number) => r.named(`#x/${String(i).padStart(4, '0')}${'N'.repeat(4000)}`, 'string');
    let t = T.string as ReturnType<typeof T.map> | typeof T.string;
    for (let i = 0; i < 17; i++) t = T.map(long(i), t);
    const e = encodeError(() => encode(new Typed(t, null)));
    expect(e.code).toBe('ERR_EDF_BAD_TYPE');
    expect(e.message).toMatch(/65535/);
    // With our RegCache the same type folds to 3 bytes per name and encodes.
    const cache = new EdfEncodeCache({ types: [...r.types()] });
    expect(hex(encode(new Typed(t, null), { cache })).slice(0, 6)).toBe('820045');
  });

  it('does not remember composite types read from the input beyond one level (bounded interning)', () => {
    // Interned types live forever; the shapes a peer can fold are unbounded (map[int]map[int]…,
    // [][]…, arrays of any length). Only []L and map[L1]L2 of leaf types (a bounded set) are
    // interned; anything deeper is built per message and collected with it.
    const arrayValue = decode(unhex('820008' + '9f' + '8d' + '9e00000002' + '96' + '9f00000000')) as Typed;
    expect(arrayValue.type.elem!.len).toBe(2);
    expect(arrayValue.type.elem!.mapOf(T.string)).not.toBe(arrayValue.type);
    const nestedMap = decode(unhex('820005' + '9f969f968d' + '9f00000000')) as Typed;
    expect(nestedMap.type.goName).toBe('map[int]map[int]string');
    expect(nestedMap.type.elem!.mapOf(T.int)).not.toBe(nestedMap.type);
    expect(nestedMap.type.elem).toBe(T.map('int', 'string'));
    const nestedSlice = decode(unhex('8200039d9d96' + '9d00000000')) as Typed;
    expect(nestedSlice.type.elem!.sliceOf()).not.toBe(nestedSlice.type);
    expect(nestedSlice.type.elem).toBe(T.slice('int'));
    // Leaf-level folds keep their identity ([]any, map[any]any decode to plain JS values).
    expect((decode(unhex('8200029d96ff')) as Typed).type).toBe(T.slice('int'));
    expect(decode(unhex('8200029d849d00000000'))).toEqual([]);
    // And a decoded deep type still re-encodes to the same bytes.
    expect(hex(encode(nestedMap))).toBe('8200059f969f968d9f00000000');
  });
});

describe('RegCache ids resolve at decode time', () => {
  // decode.go getRegDecoder: id → name from the peer's table, then name → decoder, on every
  // decode. A type declared after the handshake must decode when the peer sends it by id.
  it('decodes a type registered after the peer table was installed', () => {
    const r = new EdfRegistry();
    const peer = new EdfDecodeCache({ types: new Map([[5000, '#late/T']]) }, r);
    expect(decodeError(() => decode(unhex('831388' + '0000000000000007'), { cache: peer, registry: r })).code).toBe('ERR_EDF_UNKNOWN_TYPE');
    const Late = r.struct('#late/T', { N: 'int' });
    const v = decode(unhex('831388' + '0000000000000007'), { cache: peer, registry: r });
    expect(v).toBeInstanceOf(Late);
    expect((v as InstanceType<typeof Late>).N).toBe(7n);
    // In folds too.
    const s = decode(unhex('8200049d8313889d00000001' + '0000000000000001'), { cache: peer, registry: r }) as Typed<unknown[]>;
    expect(s.value[0]).toBeInstanceOf(Late);
  });
});

describe('JS values with no EDF form give EncodeError', () => {
  it('an invalid Date', () => {
    expect(encodeError(() => encode(new Date(NaN))).code).toBe('ERR_EDF_RANGE');
    const r = new EdfRegistry();
    const S = r.struct('#x/WithTime', { When: 'time' });
    expect(encodeError(() => encode(new S({ When: new Date('nope') as never }))).code).toBe('ERR_EDF_RANGE');
  });

  it('a GoTime whose fields do not fit MarshalBinary (instead of cut bytes or a TypeError)', () => {
    expect(hex(encode(new GoTime(0n, 999999999, -1)))).toBe('af0f01' + '0000000000000000' + '3b9ac9ff' + 'ffff');
    for (const t of [
      new GoTime(0n, 0, 60, 5, 1), // V1 cannot carry offset seconds: they would be dropped
      new GoTime(0 as never, 0, -1), // sec must be a bigint
      new GoTime(0n, 1.5, -1),
      new GoTime(0n, 0, 40000),
      new GoTime(0n, 0, 1, 300, 2),
      new GoTime(2n ** 63n, 0, -1),
      new GoTime(0n, 0, -1, 0, 3 as never),
    ]) {
      expect(encodeError(() => encode(t)).code).toBe('ERR_EDF_RANGE');
    }
  });

  it('a value nested past the stack, through write() too (the framer entry point)', () => {
    let v: unknown = null;
    for (let i = 0; i < 200_000; i++) v = new Typed(T.any, v);
    expect(encodeError(() => encode(v)).code).toBe('ERR_EDF_TOO_DEEP');
    const e = new EdfEncoder();
    e.w.begin();
    expect(encodeError(() => e.write(v)).code).toBe('ERR_EDF_TOO_DEEP');
    e.w.abort();
  });

  it('a custom codec that throws or returns something other than bytes', () => {
    const r = new EdfRegistry();
    class Boom {}
    r.custom('#x/Boom', {
      encode: () => {
        throw new TypeError('no');
      },
      decode: () => new Boom(),
      zero: () => new Boom(),
      cls: Boom,
    });
    class NotBytes {}
    r.custom('#x/NotBytes', { encode: () => [1, 2] as never, decode: () => new NotBytes(), zero: () => new NotBytes(), cls: NotBytes });
    const e = encodeError(() => encode(new Boom()));
    expect(e.code).toBe('ERR_EDF_CUSTOM');
    expect(e.message).toContain('#x/Boom');
    expect(e.cause).toBeInstanceOf(TypeError);
    expect(encodeError(() => encode(new NotBytes())).code).toBe('ERR_EDF_CUSTOM');
  });
});

describe('plain objects in static struct positions', () => {
  // proto-spec/edf.md §5: missing fields encode as Go zero values — for every kind.
  it('zero-fills missing PID, ProcessID, Event, Ref and Alias fields', () => {
    const r = new EdfRegistry();
    const Inner = r.struct('#x/Ids', { P: 'pid', Q: 'processId', E: 'event', R: 'ref', A: 'alias' });
    const Outer = r.struct('#x/Outer', { In: Inner });
    const fromPlain = hex(new EdfEncoder().encodeBody(Outer, { In: {} }));
    expect(fromPlain).toBe(hex(new EdfEncoder().encodeBody(Outer, new Outer())));
    const back = new EdfEncoder().encodeBody(Inner, {});
    expect(hex(back)).toBe('0000' + '00'.repeat(16) + '0000' + '0000' + '0000' + '0000' + '0000' + '00'.repeat(32) + '0000' + '00'.repeat(32));
    // Present but wrong kinds are still errors.
    expect(encodeError(() => new EdfEncoder().encodeBody(Inner, { P: 'x' })).code).toBe('ERR_EDF_RANGE');
    expect(new Outer().In.P).toBeInstanceOf(Pid);
    expect(new Outer().In.Q).toBeInstanceOf(ProcessID);
    expect(new Outer().In.E).toBeInstanceOf(Event);
    expect(new Outer().In.R).toBeInstanceOf(Ref);
    expect(new Outer().In.A).toBeInstanceOf(Alias);
  });
});
