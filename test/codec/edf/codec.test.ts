/**
 * The EDF API beyond the vectors: schemas and their errors, `any` inference and wrappers, the
 * three caches, nil vs empty, limits, hostile input, and the framework registry.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError } from '../../../src/codec/errors.js';
import {
  decode,
  decodeAt,
  defaultRegistry,
  EdfDecodeCache,
  EdfDecoder,
  EdfEncodeCache,
  EdfEncoder,
  EdfError,
  EdfRegistry,
  encode,
  encodeAs,
  Event,
  float32,
  frameworkErrors,
  frameworkTypeNames,
  Gen,
  GoErr,
  GoTime,
  goInt,
  Handshake,
  int8,
  int64,
  NetworkFlags,
  ProcessID,
  Proto,
  T,
  toEJson,
  Typed,
  typed,
  uint16,
} from '../../../src/codec/edf/index.js';
import { Alias, atom, ErlFloat, float, Pid, Ref } from '../../../src/term/index.js';
import { hex, loadVectorFiles, unhex, decodeError, encodeError } from './support.js';

/** u16 length + UTF-8, hex. */
const str = (s: string) => Buffer.byteLength(s).toString(16).padStart(4, '0') + Buffer.from(s).toString('hex');



describe('schemas', () => {
  const r = new EdfRegistry();
  const Inner = r.struct('#example.com/app/Inner', { Name: 'string', N: 'int64' });
  const Order = r.struct('#example.com/app/Order', [
    ['ID', 'int'],
    ['Qty', 'uint8'],
    ['Price', 'float32'],
    ['Who', 'atom'],
    ['Tags', T.slice('string')],
    ['Attrs', T.map('string', 'any')],
    ['Inner', Inner],
    ['When', 'time'],
    ['Err', 'error'],
  ]);

  it('gives Go zero values for omitted fields and keeps declaration order', () => {
    const o = new Order({ ID: 7, Qty: 3 });
    expect(Object.keys(o)).toEqual(['ID', 'Qty', 'Price', 'Who', 'Tags', 'Attrs', 'Inner', 'When', 'Err']);
    expect(o.ID).toBe(7n); // a number given for a 64-bit field is stored as a bigint
    expect(o.Who).toBe(atom(''));
    expect(o.Tags).toBeNull();
    expect(o.Inner).toBeInstanceOf(Inner);
    expect(o.When).toBe(GoTime.zero);
    expect(o.Err).toBeNull();
  });

  it('round-trips a struct as an instance of its class', () => {
    const o = new Order({
      ID: 1n,
      Qty: 255,
      Price: 9.5,
      Who: atom('alice'),
      Tags: ['a', 'b'],
      Attrs: new Map<string, unknown>([['k', 'v']]),
      Inner: new Inner({ Name: 'x', N: -5n }),
      When: GoTime.fromUnixNano(1700000000123456789n),
      Err: GoErr.Timeout,
    });
    const b = encode(o);
    const back = decode(b, { registry: r }) as typeof o;
    expect(back).toBeInstanceOf(Order);
    expect(back.Inner).toBeInstanceOf(Inner);
    expect(toEJson(back)).toEqual(toEJson(o));
    expect(hex(encode(back))).toBe(hex(b));
  });

  it('encodes a plain object in a static struct position, field by field', () => {
    const Holder = r.struct('#example.com/app/Holder', { In: Inner });
    const a = hex(encode(new Holder({ In: { Name: 'p', N: 1n } as never })));
    expect(a).toBe(hex(encode(new Holder({ In: new Inner({ Name: 'p', N: 1n }) }))));
  });

  it('refuses bad declarations', () => {
    expect(encodeError(() => r.struct('noHash', {})).code).toBe('ERR_EDF_BAD_NAME');
    expect(encodeError(() => r.struct('#x/Y', { lower: 'int' })).code).toBe('ERR_EDF_BAD_FIELD');
    expect(encodeError(() => r.struct('#example.com/app/Inner', { A: 'int' })).code).toBe('ERR_EDF_TYPE_TAKEN');
    expect(encodeError(() => T.map(T.slice('int'), 'int')).code).toBe('ERR_EDF_BAD_TYPE');
    expect(encodeError(() => T.map(T.array(2, 'int'), 'int')).message).toMatch(/Go's decoder rejects/);
    expect(encodeError(() => r.named('#x/N', 'pid' as never)).code).toBe('ERR_EDF_BAD_TYPE');
    expect(encodeError(() => r.struct('#' + 'x'.repeat(4095), {})).code).toBe('ERR_EDF_BAD_NAME');
  });

  it('treats []uint8 as []byte, and a registered []byte-like slice as a slice', () => {
    expect(T.slice('uint8')).toBe(T.binary);
    const Bytes = r.namedSlice('#example.com/app/Bytes', 'uint8');
    expect(hex(encode(typed(Bytes, [1, 2])))).toBe('83' + str('#example.com/app/Bytes') + '83' + '00000002' + '0102');
  });

  it('names an unregistered type when decoding', () => {
    const e = decodeError(() => decode(encode(new Order()), { registry: new EdfRegistry() }));
    expect(e.code).toBe('ERR_EDF_UNKNOWN_TYPE');
    expect(e.message).toContain('#example.com/app/Order');
  });

  it('names the class of a value it cannot put in an any slot', () => {
    class Foo {
      x = 1;
    }
    const e = encodeError(() => encode(new Foo()));
    expect(e.code).toBe('ERR_EDF_UNENCODABLE');
    expect(e.message).toContain('Foo');
    expect(encodeError(() => encode({ a: 1 })).code).toBe('ERR_EDF_UNENCODABLE');
  });

  it('checks ranges and kinds of static fields', () => {
    const S = r.struct('#example.com/app/S', { A: 'int8', B: 'uint32', C: 'int64', D: 'uint64', E: 'string', F: 'atom' });
    expect(encodeError(() => encode(new S({ A: 128 }))).code).toBe('ERR_EDF_RANGE');
    expect(encodeError(() => encode(new S({ B: -1 }))).code).toBe('ERR_EDF_RANGE');
    expect(encodeError(() => encode(new S({ C: 2n ** 63n }))).code).toBe('ERR_EDF_RANGE');
    expect(encodeError(() => encode(new S({ D: -1n }))).code).toBe('ERR_EDF_RANGE');
    expect(encodeError(() => encode(new S({ C: 1.5 as never }))).code).toBe('ERR_EDF_RANGE');
    expect(encodeError(() => encode(new S({ E: 5 as never }))).code).toBe('ERR_EDF_RANGE');
    // A string in a static atom field is unambiguous.
    expect(hex(encode(new S({ F: 'n@h' as never })))).toBe(hex(encode(new S({ F: atom('n@h') }))));
  });
});

describe('any slots', () => {
  it('infers the documented defaults', () => {
    // An integral number is a Go int (as in ETF); other numbers, -0 and float(n) are float64.
    expect(hex(encode(3))).toBe('960000000000000003');
    expect(hex(encode(-7))).toBe('96fffffffffffffff9');
    expect(hex(encode(2.5))).toBe('904004000000000000');
    expect(hex(encode(-0))).toBe('908000000000000000');
    expect(hex(encode(float(3)))).toBe('904008000000000000');
    expect(hex(encode(2 ** 53))).toBe('904340000000000000'); // beyond the safe range: already a float
    expect(hex(encode(3n))).toBe('960000000000000003'); // bigint → int
    expect(hex(encode('x'))).toBe('8d000178');
    expect(hex(encode(atom('x')))).toBe('8c000178');
    expect(hex(encode(new Uint8Array([1])))).toBe('8e0000000101');
    expect(hex(encode(null))).toBe('ff');
    expect(hex(encode(undefined))).toBe('ff');
    expect(hex(encode([]))).toBe('8200029d849d00000000'); // []any{}
    expect(hex(encode(new Map()))).toBe('8200039f84849f00000000'); // map[any]any{}
    expect(hex(encode(new EdfError('e')))).toBe('9c000165');
    expect(hex(encode(new Error('e')))).toBe('9c000165');
    expect(hex(encode(new Date(0)))).toBe(hex(encode(GoTime.fromUnixNano(0n))));
  });

  it('keeps exact kinds through decode and re-encode', () => {
    const v = [int8(-1), uint16(7), float32(1.5), int64(5), goInt(5), 2.5, typed(T.slice('string'), null), typed(T.map('int', 'string'), new Map([[1n, 'a']]))];
    const b = encode(v);
    const back = decode(b) as unknown[];
    expect(back[0]).toBeInstanceOf(Typed);
    expect((back[0] as Typed).type).toBe(T.int8);
    expect(back[4]).toBe(5); // a Go int in an any slot: a number while it is safe
    expect(back[5]).toBe(2.5);
    expect((back[6] as Typed).value).toBeNull();
    expect(hex(encode(back))).toBe(hex(b));
  });

  it('decodes any-slot ints as numbers while safe and integral floats as ErlFloat, and re-encodes both', () => {
    const b = encode([3, 2n ** 60n, -(2n ** 53n), float(1), float(-0), 1.5]);
    const back = decode(b) as unknown[];
    expect(back[0]).toBe(3);
    expect(back[1]).toBe(2n ** 60n);
    expect(back[2]).toBe(-(2n ** 53n));
    expect(back[3]).toBeInstanceOf(ErlFloat);
    expect(Object.is((back[4] as ErlFloat).value, -0)).toBe(true);
    expect(back[5]).toBe(1.5);
    expect(hex(encode(back))).toBe(hex(b));
  });

  it('writes Go NaN bits, and typed nil slices and maps with their fold', () => {
    expect(hex(encode(NaN))).toBe('907ff8000000000001');
    expect(hex(encode(typed(T.slice(Gen.MessageEvent), null)))).toBe('820028' + '9d83' + str('#ergo.services/ergo/gen/MessageEvent') + 'ff');
    expect(hex(encode(typed(T.map('string', 'int'), null)))).toBe('8200039f8d96ff');
  });

  it('never wraps a scalar or a registered type in 82', () => {
    expect(hex(encodeAs(T.int, 1n))).toBe('960000000000000001');
    expect(hex(encodeAs(Gen.LogLevel, 2n)).startsWith('83')).toBe(true);
    expect(hex(encodeAs(T.error, null))).toBe('ff');
  });

  it('accepts 84 before a tagged value, as Go does', () => {
    expect(decode(unhex('84ff'))).toBeNull();
    expect(decode(unhex('848d000178'))).toBe('x');
  });
});

describe('the three caches', () => {
  const node = atom('n@h');
  const own = new EdfEncodeCache({ atoms: [node], types: [Proto.MessageLinkPID, Gen.Version], errors: frameworkErrors });

  it('assigns ids like Go and announces them', () => {
    expect(own.atoms.get(node)).toBe(256);
    expect(own.types.get(Proto.MessageLinkPID.edf)).toBe(4096);
    expect(own.errors.get(GoErr.TerminateReasonNormal)).toBe(32768 + 11);
    const t = own.tables();
    expect(t.atoms?.get(256)).toBe(node);
    expect(t.types?.get(4097)).toBe('#ergo.services/ergo/gen/Version');
    expect(t.errors?.get(32769)).toBe(GoErr.Timeout);
    expect(new EdfEncodeCache().tables()).toEqual({ atoms: null, types: null, errors: null });
  });

  it('encodes with our ids and decodes with the peer table', () => {
    const pid = Pid.ergo(node, 1001n, 7);
    const v = new Proto.MessageLinkPID({ Source: pid, Target: pid, Ref: Ref.ergo(node, 7, 1n, 2n, 3n) });
    const b = encode(v, { cache: own });
    expect(hex(b.subarray(0, 5))).toBe('8310000100'); // 83 id(4096), then the node as atom id 256
    const peer = new EdfDecodeCache(own.tables());
    const back = decode(b, { cache: peer }) as typeof v;
    expect(back.Source.equals(pid)).toBe(true);
    // Without the table the ids cannot be read.
    expect(decodeError(() => decode(b)).code).toBe('ERR_EDF_UNKNOWN_CACHE_ID');
  });

  it('uses cached type ids inside folds', () => {
    const b = encode(typed(T.slice(Gen.Version), []), { cache: own });
    expect(hex(b)).toBe('8200049d8310019d00000000');
  });

  it('maps peer errors to our singletons by message, so exit reasons compare by identity', () => {
    const peer = new EdfDecodeCache({ errors: new Map([[40000, new EdfError('normal')], [40001, new EdfError('custom')]]) });
    expect(decode(unhex('9c9c40'), { cache: peer })).toBe(GoErr.TerminateReasonNormal);
    expect((decode(unhex('9c9c41'), { cache: peer }) as EdfError).message).toBe('custom');
    // Inline "normal" is a different error, as in Go.
    expect(decode(unhex('9c00066e6f726d616c'))).not.toBe(GoErr.TerminateReasonNormal);
    expect(hex(encode(GoErr.TerminateReasonNormal, { cache: own }))).toBe('9c800b');
    expect(hex(encode(new EdfError('normal'), { cache: own }))).toBe('9c00066e6f726d616c');
  });

  it('applies atom mapping both ways', () => {
    const local = atom('local@h');
    const wire = atom('wire@h');
    expect(hex(encode(local, { atomMapping: new Map([[local, wire]]) }))).toBe(hex(encode(wire)));
    expect(decode(encode(wire), { atomMapping: new Map([[wire, local]]) })).toBe(local);
  });

  it('rejects unknown ids and missing tables', () => {
    expect(decodeError(() => decode(unhex('8c0101'))).message).toMatch(/no AtomCache/);
    expect(decodeError(() => decode(unhex('8c0101'), { cache: new EdfDecodeCache({ atoms: new Map([[256, atom('a')]]) }) })).message).toMatch(/unknown AtomCache id 257/);
    expect(decodeError(() => decode(unhex('831001'))).message).toMatch(/no RegCache/);
    expect(decodeError(() => decode(unhex('9c8001'))).message).toMatch(/no ErrCache/);
  });
});

describe('framework types', () => {
  it('registers the 124 layouts of the digest', () => {
    expect(frameworkTypeNames.length).toBe(124);
    for (const n of frameworkTypeNames) expect(defaultRegistry.has(n)).toBe(true);
  });

  it('knows every type a real Go node announced in its RegCache', () => {
    const capture = loadVectorFiles().find((f) => f.file === 'capture.json')!.data;
    for (const who of ['a', 'b']) {
      const names = Object.values(capture.caches![who]!.types!);
      expect(names.length).toBe(124);
      expect(new Set(names)).toEqual(new Set(frameworkTypeNames));
    }
  });

  it('encodes NetworkFlags as Go does', () => {
    const f = new NetworkFlags({ Enable: true, EnableRemoteSpawn: true, EnableImportantDelivery: true });
    expect(hex(new EdfEncoder().encodeBody(Gen.NetworkFlags, f))).toBe('000000080000000000000043');
    // Flags without Enable are not sent.
    expect(hex(new EdfEncoder().encodeBody(Gen.NetworkFlags, new NetworkFlags({ EnableRemoteSpawn: true })))).toBe('000000080000000000000000');
    expect(hex(new EdfEncoder().encodeBody(Gen.NetworkProxyFlags, undefined))).toBe('00000000');
  });

  it('builds handshake messages from partial input', () => {
    const h = new Handshake.MessageHello({ Salt: 's', Digest: 'd' });
    expect(hex(encode(h))).toBe('83002e' + Buffer.from('#ergo.services/ergo/net/handshake/MessageHello').toString('hex') + '00017300016400' + '00');
  });
});

describe('values', () => {
  it('GoTime converts from and to Date and Unix nanoseconds', () => {
    const t = GoTime.fromDate(new Date('2024-03-01T12:30:45.123Z'));
    expect(t.toDate().toISOString()).toBe('2024-03-01T12:30:45.123Z');
    expect(t.isUTC).toBe(true);
    const z = GoTime.fromUnixNano(-1n, 5407);
    expect(z.nsec).toBe(999999999);
    expect(z.version).toBe(2);
    expect(z.offsetSeconds).toBe(5407);
    expect(() => GoTime.fromUnixNano(0n, -61)).toThrow(RangeError);
    expect(GoTime.fromUnixNano(0n, -3607).offsetSec).toBe(-7);
  });

  it('decodes PIDs, refs, aliases into the term model', () => {
    const p = Pid.ergo(atom('a@h'), (5n << 32n) | 7n, 2n ** 60n);
    const back = decode(encode(p)) as Pid;
    expect(back.equals(p)).toBe(true);
    expect(back.creation).toBe(2n ** 60n);
    const a = Alias.ergo(atom('a@h'), 1, 2n ** 64n - 1n, 0n, 3n);
    const ab = decode(encode(a));
    expect(ab).toBeInstanceOf(Alias);
    expect((ab as Alias).equals(a)).toBe(true);
    // An Erlang ref (3 words) widens to Ergo's 3×u64.
    const er = new Ref(atom('e@h'), 1, [1, 2, 3]);
    expect((decode(encode(er)) as Ref).ergoIds()).toEqual(er.ergoIds());
    const pidv = new ProcessID(atom('n'), atom('h'));
    expect((decode(encode(pidv)) as ProcessID).equals(pidv)).toBe(true);
    const ev = new Event(atom('n'), atom('h'));
    expect((decode(encode(ev)) as Event).equals(ev)).toBe(true);
  });
});

describe('limits and hostile input', () => {
  it('enforces Go length limits on encode', () => {
    expect(encodeError(() => encode('x'.repeat(65536))).code).toBe('ERR_EDF_STRING_TOO_LONG');
    // 65534/65535 bytes fit the u16 but Go's decoder cannot read them (fidelity.test.ts).
    expect(encodeError(() => encode('é'.repeat(32767))).code).toBe('ERR_EDF_STRING_TOO_LONG');
    expect(encode('é'.repeat(32766) + 'x').length).toBe(3 + 65533);
    expect(encodeError(() => encode(atom('é'.repeat(128)))).code).toBe('ERR_EDF_ATOM_TOO_LONG');
    expect(encodeError(() => encode(new EdfError('x'.repeat(32768)))).code).toBe('ERR_EDF_ERROR_TOO_LONG');
    expect(encodeError(() => encodeAs(T.array(2, 'int'), [1n])).code).toBe('ERR_EDF_ARRAY_LENGTH');
  });

  it('checks counts against the remaining bytes before allocating', () => {
    expect(decodeError(() => decode(unhex('8200029d849dffffffff'))).code).toBe('ERR_EDF_TRUNCATED');
    expect(decodeError(() => decode(unhex('8200039f84849fffffffff'))).code).toBe('ERR_EDF_TRUNCATED');
    expect(decodeError(() => decode(unhex('8e7fffffff00'))).code).toBe('ERR_EDF_TRUNCATED');
  });

  it('bounds zero-size elements by a budget instead', () => {
    const r = new EdfRegistry();
    const Empty = r.struct('#x/Empty', {});
    // Go's encoder makes these; its decoder refuses them (count > remaining bytes). We accept.
    const three = encode(typed(T.slice(Empty), [new Empty(), new Empty(), new Empty()]));
    expect((decode(three, { registry: r }) as Typed<unknown[]>).value).toHaveLength(3);
    const huge = unhex(hex(three).replace(/00000003$/, 'ffffffff'));
    expect(decodeError(() => decode(huge, { registry: r })).code).toBe('ERR_EDF_TOO_LARGE');
    // [65536][65536]Empty: no bytes at all, 2^32 elements; the budget stops it.
    const nestedArrays = unhex('820015' + '9e00010000' + '9e00010000' + '83' + str('#x/Empty'));
    expect(decodeError(() => decode(nestedArrays, { registry: r })).code).toBe('ERR_EDF_TOO_LARGE');
  });

  it('limits nesting depth', () => {
    let deep = '';
    for (let i = 0; i < 2000; i++) deep += '8200029d849d00000001';
    deep += 'ff';
    expect(decodeError(() => decode(unhex(deep))).code).toBe('ERR_EDF_TOO_DEEP');
    let v: unknown = null;
    for (let i = 0; i < 20_000; i++) v = [v];
    expect(encodeError(() => encode(v)).code).toBe('ERR_EDF_TOO_DEEP');
  });

  it('rejects malformed folds, markers, times and tags', () => {
    expect(decodeError(() => decode(unhex('820001ff'))).code).toBe('ERR_EDF_BAD_FOLD');
    expect(decodeError(() => decode(unhex('8200039d9696'))).code).toBe('ERR_EDF_BAD_FOLD'); // extra fold bytes
    expect(decodeError(() => decode(unhex('8200039f9d968d'))).code).toBe('ERR_EDF_BAD_FOLD'); // slice key
    expect(decodeError(() => decode(unhex('8200029d969f00000000'))).code).toBe('ERR_EDF_BAD_MARKER');
    expect(decodeError(() => decode(unhex('af0e01000000000000000000000000ff'))).code).toBe('ERR_EDF_BAD_TIME');
    expect(decodeError(() => decode(unhex('af0f03' + '00'.repeat(14)))).code).toBe('ERR_EDF_BAD_TIME');
    const e = decodeError(() => decode(unhex('77')));
    expect(e.code).toBe('ERR_EDF_UNKNOWN_TAG');
    expect(e.tag).toBe(0x77);
    expect(decodeError(() => decode(unhex(''))).code).toBe('ERR_EDF_TRUNCATED');
  });

  it('reports trailing bytes unless allowed, and decodeAt leaves them to the caller', () => {
    const b = unhex('8d00017800ff');
    expect(decodeError(() => decode(b)).code).toBe('ERR_EDF_TRAILING');
    expect(decode(b, { allowTrailing: true })).toBe('x');
    expect(decodeAt(b, 0)).toEqual({ value: 'x', end: 4 });
  });

  it('decodes bool like Go: only 01 is true', () => {
    expect(decode(unhex('9102'))).toBe(false);
  });

  it('returns views of binaries unless asked to copy', () => {
    const b = unhex('8e000000020102');
    const v = new EdfDecoder().decode(b) as Uint8Array;
    expect(v.buffer).toBe(b.buffer);
    const c = new EdfDecoder().decode(b, { copyBinaries: true }) as Uint8Array;
    expect(c.buffer).not.toBe(b.buffer);
  });
});
