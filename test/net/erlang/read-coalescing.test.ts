/**
 * Read coalescing of a distribution connection: a small chunk carrying many messages (a
 * streaming peer) holds reading back for one timer turn so the peer batches its writes; a
 * chunk of a few messages (request/response) is followed by reading at once; inbound
 * back-pressure (pauseReading) wins over the end of a coalescing pause.
 */
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

function setup(): { conn: DistConnection; socket: PassThrough; got: unknown[] } {
  const got: unknown[] = [];
  const socket = new PassThrough();
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
});
