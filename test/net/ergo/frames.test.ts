/**
 * ENP frames without a peer: every writer round-trips through the decoder; frames split at
 * every byte and truncated at every length; bad headers close the link with a typed error;
 * random and mutated frames (real ones from the Go transcripts) give only FrameErrors.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EdfDecodeCache, EdfEncodeCache, EdfEncoder, EdfError, GoErr, Proto, frameworkErrors } from '../../../src/codec/edf/index.js';
import { Writer } from '../../../src/codec/writer.js';
import { Atom } from '../../../src/term/atom.js';
import { Alias, Pid, Ref } from '../../../src/term/ids.js';
import {
  compressFrame,
  compressionId,
  decodeFrame,
  encodeFrame,
  ErgoNetCode,
  FrameError,
  Link,
  wrapCompressed,
  writeAny,
  writeEvent,
  writeExit,
  writeRequest,
  writeResponse,
  writeResponseError,
  writeSend,
  writeTerminate,
  type EnpDecodeContext,
  type EnpEncodeContext,
  type EnpFrame,
  type ErgoNetError,
} from '../../../src/net/ergo/index.js';
import { hex, isHandshake, sides, type Transcript } from './transcript.js';

const A = Atom.of('a@host');
const B = Atom.of('b@host');
const CA = 1_700_000_001;
const CB = 1_700_000_002;
const cacheA = new EdfEncodeCache({ atoms: [A, Atom.of('named')], errors: frameworkErrors, types: [Proto.MessageLinkPID, Proto.MessageResult] });
const from = new Pid(A, 1004, 0, CA);
const toPid = new Pid(B, 77, 1, CB);
const ref = new Ref(A, CA, [1, 2, 3, 4, 5, 6]);
const alias = new Alias(B, CB, [9, 0, 8, 0, 7, 0]);

/** Decode as B (frames written by A). */
const ctx: EnpDecodeContext = {
  peer: A,
  peerCreation: CA,
  local: B,
  localCreation: CB,
  edf: { cache: new EdfDecodeCache(cacheA.tables()) },
  maxInflated: 1 << 20,
};

function enc(): EnpEncodeContext {
  const w = new Writer(256);
  w.begin();
  return { w, enc: new EdfEncoder(w), edf: { cache: cacheA } };
}

function one(write: (c: EnpEncodeContext) => number): Uint8Array {
  const c = enc();
  write(c);
  return Uint8Array.from(c.w.finish());
}

/** Every kind of frame A can write. */
function samples(): Uint8Array[] {
  return [
    one((c) => writeSend(c, 1, from, toPid, 0x81, 0x1234n, 'hello')),
    one((c) => writeSend(c, 0, from, Atom.of('target'), 2, 0n, [1n, 'x'])),
    one((c) => writeSend(c, 7, from, Atom.of('named'), 0, 0n, 3.5)),
    one((c) => writeSend(c, 9, from, alias, 1, 0n, Uint8Array.of(1, 2))),
    one((c) => writeRequest(c, 4, from, toPid, 0x80, ref, true)),
    one((c) => writeRequest(c, 4, from, Atom.of('target'), 0, ref, null)),
    one((c) => writeRequest(c, 4, from, Atom.of('named'), 1, ref, 'q')),
    one((c) => writeRequest(c, 4, from, alias, 2, ref, -1n)),
    one((c) => writeEvent(c, 3, from, 1, 1_700_000_000_000_000_000n, Atom.of('ev'), 'tick')),
    one((c) => writeEvent(c, 3, from, 0, -5n, Atom.of('named'), 'tick')),
    one((c) => writeExit(c, 5, from, 2, toPid, GoErr.TerminateReasonShutdown)),
    one((c) => writeResponse(c, 6, from, 0, new Pid(B, 1, 0, CB), new Ref(B, CB, [1, 0, 2, 0, 3, 0]), 'answer')),
    one((c) => writeResponseError(c, 0, null, 0, new Pid(B, 1, 0, CB), new Ref(B, CB, [1, 0, 0, 0, 0, 0]), null)),
    one((c) => writeResponseError(c, 0, from, 1, new Pid(B, 1, 0, CB), new Ref(B, CB, [1, 0, 0, 0, 0, 0]), GoErr.ProcessUnknown)),
    one((c) => writeResponseError(c, 0, from, 1, new Pid(B, 1, 0, CB), new Ref(B, CB, [1, 0, 0, 0, 0, 0]), new EdfError('custom'))),
    one((c) => writeTerminate(c, 'pid', 1, from, GoErr.TerminateReasonNormal)),
    one((c) => writeTerminate(c, 'name', 1, Atom.of('svc'), new EdfError('gone'))),
    one((c) => writeTerminate(c, 'name', 1, Atom.of('named'), GoErr.TerminateReasonKill)),
    one((c) => writeTerminate(c, 'alias', 1, new Alias(A, CA, [1, 0, 2, 0, 3, 0]), GoErr.TerminateReasonNormal)),
    one((c) => writeTerminate(c, 'event', 1, Atom.of('ev'), GoErr.TerminateReasonNormal)),
    one((c) => writeTerminate(c, 'event', 1, Atom.of('named'), GoErr.TerminateReasonNormal)),
    one((c) => writeAny(c, 8, new Proto.MessageLinkPID({ Source: from, Target: toPid, Ref: ref }))),
    one((c) => writeAny(c, 0, new Proto.MessageResult({ Error: null, Result: from, Ref: ref }))),
  ];
}

const TYPES = [101, 102, 103, 104, 121, 122, 123, 124, 105, 106, 107, 129, 130, 130, 130, 181, 182, 183, 184, 185, 186, 199, 199];

describe('ENP frame codec', () => {
  it('every writer produces the type ergo expects and round-trips byte-exact', () => {
    const all = samples();
    expect(all.map((b) => b[7])).toEqual(TYPES);
    for (const b of all) {
      expect(b[0]).toBe(0x4e);
      expect(new DataView(b.buffer, b.byteOffset).getUint32(2)).toBe(b.length);
      const f = decodeFrame(b, ctx);
      const c = enc();
      encodeFrame(c, f);
      expect(Buffer.from(c.w.finish()).equals(Buffer.from(b))).toBe(true);
    }
  });

  it('decodes identities with the handshake\'s nodes and creations', () => {
    const f = decodeFrame(samples()[0]!, ctx) as Extract<EnpFrame, { type: 101 }>;
    expect(f.from.equals(from)).toBe(true);
    expect(f.to.equals(toPid)).toBe(true);
    expect(f.msgId).toBe(0x1234n);
    // The answer's ref belongs to the receiver (the node that made the request).
    const r = decodeFrame(samples()[11]!, ctx) as Extract<EnpFrame, { type: 129 }>;
    expect(r.ref.node).toBe(B);
    const e = decodeFrame(samples()[13]!, ctx) as Extract<EnpFrame, { type: 130 }>;
    expect(e.code).toBe(1);
    expect(e.error).toBe(GoErr.ProcessUnknown);
    expect((decodeFrame(samples()[2]!, ctx) as { to: Atom }).to).toBe(Atom.of('named'));
  });

  it('bytes 17–24 of a non-important send are ignored unless asked for (Go leaves stale bytes there)', () => {
    const b = Uint8Array.from(samples()[1]!);
    b.fill(0x5a, 17, 25);
    expect((decodeFrame(b, ctx) as { msgId: bigint }).msgId).toBe(0n);
    expect((decodeFrame(b, { ...ctx, exact: true }) as { msgId: bigint }).msgId).toBe(0x5a5a5a5a5a5a5a5an);
  });

  it('MessageZ: gzip, zlib and lzw wrappers decode to the inner frame; bombs and mismatches are refused', () => {
    for (const type of ['gzip', 'zlib', 'lzw'] as const) {
      const c = enc();
      const rel = writeSend(c, 3, from, toPid, 0, 0n, new Uint8Array(5000).fill(1));
      const inner = Uint8Array.from(c.w.buf.subarray(c.w.start + rel, c.w.pos));
      wrapCompressed(c.w, rel, compressionId(type), inner.length, compressFrame(type, inner));
      const z = Uint8Array.from(c.w.finish());
      expect(z[7]).toBe(200);
      expect(z[6]).toBe(3);
      const f = decodeFrame(z, ctx) as Extract<EnpFrame, { type: 200 }>;
      expect(f.inner.type).toBe(101);
      expect(Buffer.from((f.inner as { message: Uint8Array }).message).equals(Buffer.alloc(5000, 1))).toBe(true);
      expect(() => decodeFrame(z, { ...ctx, maxInflated: 4000 })).toThrow(expect.objectContaining({ code: ErgoNetCode.DecompressedTooLarge }));
      const lie = Uint8Array.from(z);
      new DataView(lie.buffer).setUint32(9, inner.length + 1);
      expect(() => decodeFrame(lie, ctx)).toThrow(expect.objectContaining({ code: ErgoNetCode.BadCompression }));
      // A MessageZ inside a MessageZ is refused (Go would inflate again and again).
      const c2 = enc();
      c2.w.bytes(z);
      wrapCompressed(c2.w, 0, compressionId(type), z.length, compressFrame(type, z));
      expect(() => decodeFrame(Uint8Array.from(c2.w.finish()), ctx)).toThrow(expect.objectContaining({ code: ErgoNetCode.BadCompression }));
    }
  });

  it('every truncation of every frame is a FrameError, never a crash', () => {
    for (const b of samples()) {
      for (let n = 0; n < b.length; n++) {
        const cut = Uint8Array.from(b.subarray(0, n));
        if (n >= 6) new DataView(cut.buffer).setUint32(2, n);
        try {
          decodeFrame(cut, ctx);
        } catch (e) {
          expect(e).toBeInstanceOf(FrameError);
        }
      }
    }
  });

  it('unknown types, reserved types and bad response codes are typed errors', () => {
    const b = Uint8Array.from(samples()[0]!);
    for (const t of [0, 100, 201, 202, 203, 255]) {
      b[7] = t;
      expect(() => decodeFrame(b, ctx)).toThrow(expect.objectContaining({ code: ErgoNetCode.UnknownType }));
    }
    const e = Uint8Array.from(samples()[12]!);
    e[49] = 7;
    expect(() => decodeFrame(e, ctx)).toThrow(expect.objectContaining({ code: ErgoNetCode.BadResponseCode }));
    const cached = Uint8Array.from(samples()[2]!);
    cached[25] = 0x7f;
    expect(() => decodeFrame(cached, ctx)).toThrow(expect.objectContaining({ code: ErgoNetCode.UnknownCacheId }));
  });

  it('fuzz: random bytes and mutated real Go frames decode or fail with a FrameError', () => {
    const t = JSON.parse(readFileSync(join(import.meta.dirname, '../../../proto-spec/vectors/ergo/ts-dials-go.json'), 'utf8')) as Transcript;
    const s = sides(t);
    const goCtx: EnpDecodeContext = {
      peer: s.peer.name,
      peerCreation: s.peer.creation,
      local: s.rec.name,
      localCreation: s.rec.creation,
      edf: { cache: new EdfDecodeCache({ atoms: s.peer.introduce.AtomCache, types: s.peer.introduce.RegCache }) },
      maxInflated: 1 << 20,
    };
    const real = t.links.flatMap((l) => l.in.map(hex)).filter((b) => !isHandshake(b) && b.length < 4096);
    expect(real.length).toBeGreaterThan(30);
    const check = (b: Uint8Array, c: EnpDecodeContext): void => {
      try {
        decodeFrame(b, c);
      } catch (e) {
        if (!(e instanceof FrameError)) throw e;
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (b) => check(b, ctx)),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...real), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (b, muts) => {
        const m = Uint8Array.from(b);
        for (const [i, v] of muts) m[i % m.length] = v;
        check(m, goCtx);
      }),
      { numRuns: 5000 },
    );
  });
});

/** A socket stand-in: lets a test choose exactly how bytes arrive. */
class FakeSocket extends EventEmitter {
  written: Uint8Array[] = [];
  destroyed = false;
  ended = false;
  writableLength = 0;
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  write(b: Uint8Array): boolean {
    this.written.push(Uint8Array.from(b));
    return true;
  }
  end(): this {
    this.ended = true;
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }
}

function linkOf(max = 0): { link: Link; sock: FakeSocket; frames: Uint8Array[]; closed: (ErgoNetError | undefined)[] } {
  const sock = new FakeSocket();
  const link = new Link(sock as unknown as Socket, { maxMessageSize: max });
  const frames: Uint8Array[] = [];
  const closed: (ErgoNetError | undefined)[] = [];
  link.onFrame = (b, s, e) => frames.push(Uint8Array.from(b.subarray(s, e)));
  link.onClose = (_l, e) => closed.push(e);
  link.start(new Uint8Array(0));
  return { link, sock, frames, closed };
}

describe('ENP link framing', () => {
  const stream = Buffer.concat(samples());
  const expected = samples().map((b) => Buffer.from(b).toString('hex'));

  it('frames split at every byte arrive whole and in order', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const { sock, frames, closed } = linkOf();
      sock.emit('data', stream.subarray(0, cut));
      sock.emit('data', stream.subarray(cut));
      expect(frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(expected);
      expect(closed).toEqual([]);
    }
  });

  it('one byte at a time, and the handshake tail first', () => {
    const { sock, frames } = linkOf();
    for (let i = 0; i < stream.length; i++) sock.emit('data', stream.subarray(i, i + 1));
    expect(frames.length).toBe(expected.length);
    const l2 = linkOf();
    const sock2 = new FakeSocket();
    const link2 = new Link(sock2 as unknown as Socket, { maxMessageSize: 0 });
    const got: Uint8Array[] = [];
    link2.onFrame = (b, s, e) => got.push(b.subarray(s, e));
    link2.start(stream.subarray(0, 100));
    sock2.emit('data', stream.subarray(100));
    expect(got.length).toBe(expected.length);
    expect(l2.frames).toEqual([]);
  });

  it('a bad magic, a bad version, a length below the header or over our limit closes the link with a typed error', () => {
    const cases: [Uint8Array, string, number][] = [
      [Uint8Array.of(0x4f, 1, 0, 0, 0, 20, 0, 101), ErgoNetCode.BadMagic, 0],
      [Uint8Array.of(0x4e, 2, 0, 0, 0, 20, 0, 101), ErgoNetCode.BadVersion, 0],
      [Uint8Array.of(0x4e, 1, 0, 0, 0, 3, 0, 101), ErgoNetCode.BadLength, 0],
      // A 4 GiB frame is refused from its header, before any of it is buffered.
      [Uint8Array.of(0x4e, 1, 0xff, 0xff, 0xff, 0xff, 0, 101), ErgoNetCode.FrameTooLarge, 1000],
    ];
    for (const [b, code, max] of cases) {
      const { sock, closed, frames } = linkOf(max);
      sock.emit('data', b);
      expect(closed.map((e) => e?.code)).toEqual([code]);
      expect(sock.destroyed).toBe(true);
      expect(frames).toEqual([]);
    }
  });

  it('batches frames into one socket write per job, and flushes big batches at once', async () => {
    const { link, sock } = linkOf();
    const c = { w: link.w, enc: link.enc, edf: {} };
    for (let i = 0; i < 100; i++) {
      link.open();
      writeSend(c, 1, from, toPid, 0, 0n, i);
      link.wrote();
    }
    expect(sock.written.length).toBe(0);
    await Promise.resolve();
    expect(sock.written.length).toBe(1);
    link.open();
    writeSend(c, 1, from, toPid, 0, 0n, new Uint8Array(70_000));
    link.wrote();
    expect(sock.written.length).toBe(2);
    expect(sock.written[1]!.length).toBeGreaterThan(70_000);
  });
});
