/**
 * Real distribution traffic recorded from OTP 25, 27 and 29 (proto-spec/vectors/dist, made by
 * proto-spec/scripts/dist-capture.ts) replayed through our reader and a whole connection:
 * every packet decodes, every op the BEAM sent is recognised, the input may be cut anywhere,
 * and mutated or random input only ever gives a typed error and a closed connection.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { Atom, Tuple, type Term } from '../../../src/term/index.js';
import { encode } from '../../../src/codec/etf/index.js';
import { DFlag, DistConnection, DistError, DistReader, type DistHandler } from '../../../src/net/erlang/index.js';

const dir = join(import.meta.dirname, '../../../proto-spec/vectors/dist');

interface Vector {
  otp: string;
  initiator: string;
  acceptor: string;
  initiatorCreation: number;
  negotiatedFlags: string;
  toAcceptor: { handshake: string[]; packets: string[] };
  fromAcceptor: { handshake: string[]; packets: string[] };
}

const vectors: Vector[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Vector);

/** The packets of one direction as the wire has them (4-byte length before each). */
function stream(packets: string[]): Buffer {
  return Buffer.concat(packets.map((h) => {
    const b = Buffer.from(h, 'hex');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(b.length);
    return Buffer.concat([head, b]);
  }));
}

function headerMode(v: Vector): boolean {
  const f = BigInt(v.negotiatedFlags);
  return (f & (DFlag.DIST_HDR_ATOM_CACHE | DFlag.FRAGMENTS)) !== 0n;
}

function replay(v: Vector, chunks: Buffer[]): { ops: number[]; error: DistError | undefined; reader: DistReader } {
  const ops: number[] = [];
  const reader = new DistReader(headerMode(v), (ctl) => {
    ops.push((ctl as Tuple).elements[0] as number);
    return undefined;
  });
  let error: DistError | undefined;
  for (const c of chunks) {
    error = reader.push(c);
    if (error) break;
  }
  return { ops, error, reader };
}

/** A connection whose socket we feed by hand, as the TS side of the recorded connection. */
function connection(v: Vector): { conn: DistConnection; socket: PassThrough; down: { reason?: Error } } {
  const down: { reason?: Error } = {};
  const socket = new PassThrough();
  socket.on('data', () => {}); // what we would answer goes nowhere
  const nop = () => undefined;
  const handler: DistHandler = {
    message: nop, regMessage: nop, aliasMessage: nop, link: nop, unlink: nop, unlinkAck: nop, linkExit: nop,
    exit2: nop, monitor: nop, demonitor: nop, monitorExit: nop, groupLeader: nop, spawnRequest: nop, spawnReply: nop,
    connectionDown: (_c, reason) => (down.reason = reason),
  };
  const conn = new DistConnection(
    socket,
    {
      localNode: Atom.of(v.initiator),
      localCreation: v.initiatorCreation,
      peerNode: Atom.of(v.acceptor),
      peerCreation: 1,
      flags: BigInt(v.negotiatedFlags),
      peerFlags: BigInt(v.negotiatedFlags),
      initiated: true,
      tls: false,
      status: 'ok',
    },
    handler,
    { netTicktime: 3600 },
  );
  return { conn, socket, down };
}

describe.each(vectors.map((v) => [v.otp, v] as const))('recorded traffic of OTP %s', (otp, v) => {
  it(`handshake messages have OTP's layout (OTP ${otp})`, () => {
    const [status, challenge, ack] = v.fromAcceptor.handshake.map((h) => Buffer.from(h, 'hex'));
    expect(status!.toString('latin1')).toBe('sok');
    expect(challenge![0]).toBe(0x4e);
    expect(challenge!.subarray(19).toString('latin1')).toBe(v.acceptor);
    expect(ack![0]).toBe(0x61);
    expect(ack!.length).toBe(17);
    const [name, reply] = v.toAcceptor.handshake.map((h) => Buffer.from(h, 'hex'));
    expect(name![0]).toBe(0x4e);
    expect(reply![0]).toBe(0x72);
  });

  it(`every packet the BEAM sent decodes, and every op is known (OTP ${otp})`, () => {
    const { ops, error, reader } = replay(v, [stream(v.fromAcceptor.packets)]);
    expect(error).toBeUndefined();
    const alias = Number(otp.split('.')[0]) >= 28 ? 37 : 33;
    for (const op of [22, 6, alias, 1, 35, 24, 19, 20, 26, 7, 29, 23, 31, 36, 28]) expect(ops).toContain(op);
    expect(reader.fragmentsIn).toBeGreaterThanOrEqual(2);
    expect(reader.cacheStats.hits).toBeGreaterThan(10);
  });

  it(`the same through a whole connection, which stays open (OTP ${otp})`, () => {
    const { conn, socket } = connection(v);
    conn.start();
    socket.emit('data', stream(v.fromAcceptor.packets));
    expect(conn.isOpen).toBe(true);
    expect(conn.stats.messagesIn).toBeGreaterThan(25);
    conn.close();
  });

  it(`cut anywhere, the stream decodes the same (OTP ${otp})`, () => {
    const whole = stream(v.fromAcceptor.packets);
    const expected = replay(v, [whole]).ops;
    // Every split point in the first packets (all the small ones), then fixed chunk sizes.
    for (let at = 1; at < Math.min(whole.length, 1500); at++) {
      expect(replay(v, [whole.subarray(0, at), whole.subarray(at)]).ops).toEqual(expected);
    }
    for (const size of [1, 2, 3, 5, 7, 64, 1000, 4096, 65_536]) {
      const chunks: Buffer[] = [];
      for (let p = 0; p < whole.length; p += size) chunks.push(whole.subarray(p, p + size));
      const r = replay(v, chunks);
      expect(r.error).toBeUndefined();
      expect(r.ops).toEqual(expected);
    }
  });

  it(`mutated packets: a typed error and a closed connection, or a decoded message (OTP ${otp})`, () => {
    const packets = v.fromAcceptor.packets.map((h) => Buffer.from(h, 'hex'));
    const small = packets.map((p, i) => [p, i] as const).filter(([p]) => p.length < 3000);
    fc.assert(
      fc.property(
        fc.constantFrom(...small),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.boolean(),
        ([pkt, index], flips, cut, truncate) => {
          const m = Buffer.from(pkt);
          for (const [at, val] of flips) if (m.length > 0) m[at % m.length] = val;
          const mutated = truncate && m.length > 1 ? m.subarray(0, 1 + (cut % (m.length - 1))) : m;
          const list = packets.slice(0, index).map((p) => p.toString('hex'));
          list.push(mutated.toString('hex'));
          const { conn, socket, down } = connection(v);
          conn.start();
          socket.emit('data', stream(list));
          if (!conn.isOpen) {
            expect(down.reason).toBeInstanceOf(DistError);
            expect((down.reason as DistError).code).toMatch(/^ERR_DIST_/);
          } else conn.close();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('hostile input', () => {
  const v = vectors[0]!;

  it('random bytes after the handshake: only typed errors, never a throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (chunks) => {
        const r = replay(v, chunks.map((c) => Buffer.from(c)));
        if (r.error) expect(r.error.code).toMatch(/^ERR_DIST_/);
      }),
      { numRuns: 2000 },
    );
  });

  it('random packets (valid length prefix, random body): typed errors only', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 5 }), (bodies) => {
        const body = (b: Uint8Array, i: number) => {
          // Half of them start like a real header, to get past the first check.
          const x = Buffer.from(b);
          if (i % 2 === 0 && x.length > 2) {
            x[0] = 131;
            x[1] = 68;
          }
          return x.toString('hex');
        };
        const r = replay(v, [stream(bodies.map(body))]);
        if (r.error) expect(r.error.code).toMatch(/^ERR_DIST_/);
      }),
      { numRuns: 2000 },
    );
  });

  it('a huge length prefix is refused before anything is allocated', () => {
    const reader = new DistReader(true, () => undefined, { maxPacketSize: 1024 });
    const err = reader.push(Buffer.from([0x7f, 0xff, 0xff, 0xff, 131, 68]));
    expect(err?.code).toBe('ERR_DIST_PACKET_TOO_LARGE');
  });

  it('a compressed term inside a message is refused', () => {
    // 131,68,0 then SEND_SENDER control as a compressed term (tag 80).
    const reader = new DistReader(true, () => undefined);
    const err = reader.push(stream([Buffer.from([131, 68, 0, 80, 0, 0, 0, 10, 0x78, 0x9c, 0, 0]).toString('hex')]));
    expect(err?.code).toBe('ERR_DIST_BAD_TERM');
  });

  it('a message whose control is not a known op closes the connection', () => {
    const { conn, socket } = connection(v);
    conn.start();
    // {5} = NODE_LINK: every OTP refuses it.
    socket.emit('data', stream([Buffer.from([131, 68, 0, 104, 1, 97, 5]).toString('hex')]));
    expect(conn.isOpen).toBe(false);
    return conn.closed.then((r) => expect((r as DistError).code).toBe('ERR_DIST_BAD_CONTROL'));
  });

  it('control terms of every shape never throw out of the connection', () => {
    const term = fc.letrec<{ t: Term }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small' },
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom<Term>(Atom.of(''), Atom.of('x'), [], Buffer.alloc(0)),
        fc.array(tie('t'), { maxLength: 6 }).map((a) => new Tuple(a)),
      ),
    })).t;
    fc.assert(
      fc.property(term, fc.option(term), (ctl, payload) => {
        const { conn, socket } = connection(v);
        conn.start();
        const enc = (t: Term) => Buffer.from(encode(t, { versionByte: false }));
        const body = Buffer.concat([Buffer.from([131, 68, 0]), enc(ctl), payload === null ? Buffer.alloc(0) : enc(payload)]);
        socket.emit('data', stream([body.toString('hex')]));
        conn.close();
      }),
      { numRuns: 1000 },
    );
  });
});
