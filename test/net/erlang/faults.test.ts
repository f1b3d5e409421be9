/**
 * A peer that completes the handshake and then misbehaves: every kind of bad packet closes
 * that connection with its typed error, memory stays bounded by the limits, silence is caught
 * by the tick window, and the node's other connections carry on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { encode } from '../../../src/codec/etf/index.js';
import { atom, Pid, tuple, type Term } from '../../../src/term/index.js';
import { DistCode, DistError, HandshakeIO, initiate, OTP_DEFAULT, DFlag, type DistConnection } from '../../../src/net/erlang/index.js';
import { RawNode } from './raw-node.js';
import { freePort } from '../../interop/erlang/beam.js';

let epmdPort: number;
let victim: RawNode;
let friend: RawNode;
let friendConn: DistConnection;
let evilCount = 0;

beforeAll(async () => {
  epmdPort = await freePort();
  victim = await RawNode.start({ name: 'victim@127.0.0.1', cookie: 'c', epmd: { port: epmdPort }, maxSequences: 2, maxMessageSize: 50_000, maxPacketSize: 1_000_000 });
  friend = await RawNode.start({ name: 'friend@127.0.0.1', cookie: 'c', epmd: { port: epmdPort } });
  friendConn = await friend.ep.connect('victim@127.0.0.1');
});

afterAll(async () => {
  await friend?.stop();
  await victim?.stop();
});

/** Handshake as a new node, then hand back the raw socket. */
async function evil(target: RawNode): Promise<{ sock: Socket; name: string; pid: Pid }> {
  const name = `evil${++evilCount}@127.0.0.1`;
  const sock = connect({ host: '127.0.0.1', port: target.ep.port });
  await new Promise((r) => sock.once('connect', r));
  const r = await initiate(new HandshakeIO(sock, 2, 5000), { name, creation: 42, flags: OTP_DEFAULT | DFlag.PUBLISHED, required: 0n, cookie: () => 'c' }, { peer: target.ep.name });
  sock.on('data', () => {});
  sock.on('error', () => {});
  void r;
  return { sock, name, pid: new Pid(atom(name), 1, 0, 42) };
}

function packet(...parts: (number[] | Uint8Array)[]): Buffer {
  const body = Buffer.concat(parts.map((p) => Buffer.from(p)));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

const term = (t: Term) => encode(t, { versionByte: false });

async function closedWith(target: RawNode, name: string): Promise<string> {
  const down = await target.waitFor('down', (s) => s.conn.node.name === name);
  expect(down.reason).toBeInstanceOf(DistError);
  return (down.reason as DistError).code;
}

async function friendStillWorks(): Promise<void> {
  const q = victim.pid();
  friendConn.send(friend.pid(), q, atom('still_here'));
  await victim.waitFor('message', (s) => s.to.equals(q));
}

describe('a peer that misbehaves after the handshake', () => {
  const cases: [string, (e: { pid: Pid; name: string }) => Buffer, string][] = [
    ['a header kind OTP does not know', () => packet([131, 99, 0]), DistCode.BadHeader],
    ['a wrong version byte', () => packet([130, 68, 0]), DistCode.BadHeader],
    ['pass-through framing on a header connection', () => packet([112, 131, 104, 1, 97, 5]), DistCode.BadFraming],
    ['a length over maxPacketSize (refused before buffering)', () => Buffer.from([0x00, 0x10, 0x00, 0x00, 131]), DistCode.PacketTooLarge],
    ['an atom cache reference to an empty slot', () => packet([131, 68, 1, 0x01, 0x05]), DistCode.BadHeader],
    ['an atom cache entry cut short', () => packet([131, 68, 1, 0x08, 0x05, 10, 97]), DistCode.BadHeader],
    // {22, ATOM_CACHE_REF 3} in a header that lists no atoms.
    ['an ATOM_CACHE_REF past the header list', () => packet([131, 68, 0, 104, 2, 97, 22, 82, 3]), DistCode.BadTerm],
    ['a compressed control message', () => packet([131, 68, 0, 80, 0, 0, 0, 5, 1, 2, 3]), DistCode.BadTerm],
    ['an unknown tag', () => packet([131, 68, 0, 200]), DistCode.BadTerm],
    ['a control message that is not a tuple', () => packet([131, 68, 0], term(atom('nope'))), DistCode.BadControl],
    ['an unknown op', () => packet([131, 68, 0], term(tuple(77, atom('x')))), DistCode.BadControl],
    ['the obsolete UNLINK (op 4)', (e) => packet([131, 68, 0], term(tuple(4, e.pid, victim.pid()))), DistCode.BadControl],
    ['SEND without its payload', (e) => packet([131, 68, 0], term(tuple(22, e.pid, victim.pid()))), DistCode.BadControl],
    ['LINK with a payload', (e) => packet([131, 68, 0], term(tuple(1, e.pid, victim.pid())), term(atom('extra'))), DistCode.BadControl],
    ['UNLINK_ID with id 0', (e) => packet([131, 68, 0], term(tuple(35, 0, e.pid, victim.pid()))), DistCode.BadControl],
    ['SPAWN_REPLY flags of 2^27', (e) => packet([131, 68, 0], term(tuple(31, victim.ref(), victim.pid(), 1 << 27, e.pid))), DistCode.BadControl],
    ['a sender pid of another node', () => packet([131, 68, 0], term(tuple(1, new Pid(atom('third@x'), 1, 0, 1), victim.pid()))), DistCode.ForeignPid],
    ['a target pid of another node', (e) => packet([131, 68, 0], term(tuple(22, e.pid, new Pid(atom('third@x'), 1, 0, 1))), term(1)), DistCode.ForeignPid],
    ['bytes after the payload', (e) => packet([131, 68, 0], term(tuple(22, e.pid, victim.pid())), term(1), [97]), DistCode.Trailing],
    ['a fragment continuation of an unknown sequence', () => packet([131, 70, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]), DistCode.BadFragment],
    [
      'fragments out of order',
      (e) =>
        Buffer.concat([
          packet([131, 69, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 3, 0], term(tuple(22, e.pid, victim.pid())), [109, 0, 0, 0, 4]),
          packet([131, 70, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]),
        ]),
      DistCode.BadFragment,
    ],
    ['fragment id 0', () => packet([131, 69, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0]), DistCode.BadFragment],
    [
      'more fragmented messages in flight than maxSequences',
      (e) =>
        Buffer.concat(
          [1, 2, 3].map((seq) => packet([131, 69, 0, 0, 0, 0, 0, 0, 0, seq, 0, 0, 0, 0, 0, 0, 0, 2, 0], term(tuple(22, e.pid, victim.pid())), [109, 0, 0, 0, 4])),
        ),
      DistCode.TooManySequences,
    ],
    [
      'a fragmented message growing past maxMessageSize',
      (e) =>
        Buffer.concat([
          packet([131, 69, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 9, 0], term(tuple(22, e.pid, victim.pid())), [109, 0, 1, 0, 0]),
          ...Array.from({ length: 8 }, (_, k) => packet([131, 70, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 8 - k], Buffer.alloc(20_000))),
        ]),
      DistCode.MessageTooLarge,
    ],
  ];

  for (const [what, bytes, code] of cases) {
    it(`${what}: ${code}, and the node's other connection carries on`, async () => {
      const e = await evil(victim);
      await victim.waitFor('up', (s) => s.conn.node.name === e.name);
      e.sock.write(bytes(e));
      expect(await closedWith(victim, e.name)).toBe(code);
      expect(victim.ep.connection(e.name)).toBeUndefined();
      await friendStillWorks();
      e.sock.destroy();
    });
  }

  it('silence past the tick window: ERR_DIST_TICK_TIMEOUT', async () => {
    const quiet = await RawNode.start({ name: 'quiet@127.0.0.1', cookie: 'c', epmd: { port: epmdPort }, netTicktime: 1 });
    try {
      const e = await evil(quiet);
      await quiet.waitFor('up');
      expect(await closedWith(quiet, e.name)).toBe(DistCode.TickTimeout);
      e.sock.destroy();
    } finally {
      await quiet.stop();
    }
  });

  it('a peer that closes mid-packet: ERR_DIST_CLOSED, nothing left waiting', async () => {
    const e = await evil(victim);
    await victim.waitFor('up', (s) => s.conn.node.name === e.name);
    e.sock.end(Buffer.from([0, 0, 1, 0, 131, 68]));
    expect(await closedWith(victim, e.name)).toBe(DistCode.Closed);
  });
});
