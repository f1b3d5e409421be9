/**
 * Read coalescing of a distribution connection: a small chunk carrying many messages (a
 * streaming peer) holds reading back for one timer turn so the peer batches its writes; a
 * chunk of a few messages (request/response) is followed by reading at once; inbound
 * back-pressure (pauseReading) wins over the end of a coalescing pause.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '../../../src/codec/etf/index.js';
import { DistConnection, type DistHandler } from '../../../src/net/erlang/index.js';
import { Atom, atom, Pid, tuple } from '../../../src/term/index.js';

const LOCAL = Atom.of('ts@127.0.0.1');
const PEER = Atom.of('beam@127.0.0.1');
const TO = new Pid(LOCAL, 1000, 0, 7);

/** One pass-through packet (no distribution header negotiated): SEND {2, '', To} and a payload. */
function packet(i: number): Buffer {
  const body = Buffer.concat([Buffer.of(112), encode(tuple(2, atom(''), TO)), encode(tuple(atom('n'), i))]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function setup(socket: PassThrough | Socket = new PassThrough()): { conn: DistConnection; socket: PassThrough | Socket; got: unknown[] } {
  const got: unknown[] = [];
  const nop = () => undefined;
  const handler: DistHandler = {
    message: (_c, _from, _to, m) => void got.push(m),
    regMessage: nop, aliasMessage: nop, link: nop, unlink: nop, unlinkAck: nop, linkExit: nop,
    exit2: nop, monitor: nop, demonitor: nop, monitorExit: nop, groupLeader: nop, spawnRequest: nop, spawnReply: nop,
  };
  const conn = new DistConnection(
    socket,
    { localNode: LOCAL, localCreation: 7, peerNode: PEER, peerCreation: 9, flags: 0n, peerFlags: 0n, initiated: true, tls: false, status: 'ok' },
    handler,
    { netTicktime: 3600 },
  );
  conn.start();
  return { conn, socket, got };
}

const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('distribution read coalescing', () => {
  let conn: DistConnection | undefined;
  afterEach(() => conn?.close());

  it('a small chunk of many messages pauses reading for one timer turn, then reads on', async () => {
    const s = setup();
    conn = s.conn;
    s.socket.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => packet(i))));
    await new Promise((r) => setImmediate(r));
    expect(s.got).toHaveLength(10);
    expect(s.socket.isPaused()).toBe(true);
    await turn();
    expect(s.socket.isPaused()).toBe(false);
    // What came meanwhile is read once it resumes, in order.
    s.socket.write(packet(10));
    await turn();
    expect(s.got).toHaveLength(11);
    expect(s.got[10]).toEqual(tuple(atom('n'), 10));
  });

  it('a chunk of a few messages (request/response) leaves reading on', async () => {
    const s = setup();
    conn = s.conn;
    s.socket.write(Buffer.concat([packet(0), packet(1)]));
    await new Promise((r) => setImmediate(r));
    expect(s.got).toHaveLength(2);
    expect(s.socket.isPaused()).toBe(false);
  });

  it('back-pressure taken during a coalescing pause keeps reading paused until released', async () => {
    const s = setup();
    conn = s.conn;
    s.socket.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => packet(i))));
    await new Promise((r) => setImmediate(r));
    s.conn.pauseReading();
    await turn();
    expect(s.socket.isPaused()).toBe(true);
    expect(s.conn.readingPaused).toBe(true);
    s.conn.resumeReading();
    expect(s.socket.isPaused()).toBe(false);
  });

  it('over a real TCP socket (no read-more tick): a stream in odd-sized chunks, coalescing and back-pressure pauses, arrives whole and in order', async () => {
    let server: Server | undefined;
    let peer: Socket | undefined;
    const accepted = new Promise<Socket>((r) => (server = createServer((p) => r(p))));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const client = connect({ host: '127.0.0.1', port: (server!.address() as { port: number }).port });
    try {
      await new Promise((r) => client.once('connect', r));
      peer = await accepted;
      const s = setup(client);
      conn = s.conn;
      // The socket's stream no longer schedules a read-more tick per chunk (connection.ts).
      expect((client as unknown as { _readableState: { readingMore: boolean } })._readableState.readingMore).toBe(true);
      const n = 3000;
      const bytes = Buffer.concat(Array.from({ length: n }, (_, i) => packet(i)));
      let at = 0;
      let size = 1;
      for (let round = 0; at < bytes.length; round++) {
        const end = Math.min(bytes.length, at + size * 97);
        peer.write(bytes.subarray(at, end));
        at = end;
        size = (size * 5 + 3) % 61 || 1;
        if (round % 7 === 3) {
          s.conn.pauseReading();
          await turn();
          s.conn.resumeReading();
        } else if (round % 3 === 0) await new Promise((r) => setImmediate(r));
      }
      for (let i = 0; s.got.length < n && i < 400; i++) await turn();
      expect(s.got).toHaveLength(n);
      expect(s.got.every((m, i) => (m as ReturnType<typeof tuple>).elements[1] === i)).toBe(true);
    } finally {
      client.destroy();
      peer?.destroy();
      await new Promise((r) => server!.close(r));
    }
  });
});
