/**
 * The Ergo stack between TS nodes and against hand-driven hostile peers (real sockets on
 * 127.0.0.1): cookies checked on both sides, TLS with the certificate digest, handshake
 * timeouts, malformed frames closing one link with a typed error while the node keeps going,
 * our MaxMessageSize, back-pressure from a peer that stops reading, request timeouts, and a
 * restarted peer replacing its stale connection.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { Handshake } from '../../../src/codec/edf/index.js';
import { Atom } from '../../../src/term/atom.js';
import { Pid } from '../../../src/term/ids.js';
import {
  defaultCache,
  defaultNetworkFlags,
  ErgoChannels,
  digest,
  encodeHandshake,
  ErgoNetCode,
  ErgoNetwork,
  SocketHandshakeIO,
  startHandshake,
  version,
  type ErgoNetworkOptions,
  type LocalNode,
} from '../../../src/net/ergo/index.js';
import { Recorder, until } from './support.js';
import { makeCert } from '../../interop/ergo/harness.js';

const nets: ErgoNetwork[] = [];
const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
  await Promise.all(nets.splice(0).map((n) => n.stop()));
});

async function node(name: string, o: Partial<ErgoNetworkOptions> = {}): Promise<{ net: ErgoNetwork; rec: Recorder }> {
  const rec = (o.inbound as Recorder) ?? new Recorder();
  const net = new ErgoNetwork({ name, cookie: 'c', inbound: rec, acceptor: { port: 0 }, registrar: false, ...o });
  nets.push(net);
  await net.start();
  return { net, rec };
}

function localNode(name: string, creation = 77): LocalNode {
  const a = Atom.of(name);
  return { name: a, creation, version: version('hostile', '1'), flags: defaultNetworkFlags(), maxMessageSize: 0, cache: defaultCache(a) };
}

/** A peer made of our own handshake code on a raw socket: after the handshake it can send anything. */
async function rawPeer(port: number, name = 'raw@127.0.0.1', cookie = 'c'): Promise<{ s: Socket; peerCreation: number }> {
  const s = connect({ port, host: '127.0.0.1' });
  sockets.push(s);
  await new Promise((r) => s.once('connect', r));
  const io = new SocketHandshakeIO(s);
  const h = await startHandshake(io, { local: localNode(name), cookie });
  io.detach();
  s.resume();
  return { s, peerCreation: Number(h.peerCreation) };
}

describe('Ergo stack between TS nodes', () => {
  it('connects, pools, and carries a message; the acceptor sees the same connection id', async () => {
    const seen: string[] = [];
    const onUp = (m: unknown): void => void seen.push(`up ${(m as { node: Atom; peer: Atom }).node.name}>${(m as { peer: Atom }).peer.name}`);
    const onDown = (m: unknown): void => void seen.push(`down ${(m as { node: Atom }).node.name}>${(m as { peer: Atom }).peer.name}`);
    ErgoChannels.up.subscribe(onUp);
    ErgoChannels.down.subscribe(onDown);
    onTestFinished(() => {
      ErgoChannels.up.unsubscribe(onUp);
      ErgoChannels.down.unsubscribe(onDown);
    });
    const { net: a, rec } = await node('a@127.0.0.1');
    const { net: b } = await node('b@127.0.0.1');
    b.routes.add('^a@', { port: a.port });
    const c = await b.connect('a@127.0.0.1');
    expect(c.links).toBe(3);
    await until(() => a.connection('b@127.0.0.1')?.links === 3, 5000, 'acceptor pool');
    expect(a.connection('b@127.0.0.1')!.id).toBe(c.id);
    expect(c.send(new Pid(b.name, 1, 0, b.local.creation), Atom.of('x'), 'hi')).toBeUndefined();
    await rec.wait((r) => r.op === 'send' && r.message === 'hi');
    c.terminate();
    await rec.wait((r) => r.op === 'disconnected');
    expect(seen.sort()).toEqual(['down a@127.0.0.1>b@127.0.0.1', 'down b@127.0.0.1>a@127.0.0.1', 'up a@127.0.0.1>b@127.0.0.1', 'up b@127.0.0.1>a@127.0.0.1']);
  });

  it('wrong cookie: the acceptor refuses the dialer\'s Hello; a dialer refuses a forged acceptor Hello', async () => {
    const refused: unknown[] = [];
    const { net: a } = await node('a@127.0.0.1', { onHandshakeError: (e) => refused.push(e) });
    const { net: b } = await node('b@127.0.0.1', { cookie: 'other' });
    b.routes.add('^a@', { port: a.port });
    await expect(b.connect('a@127.0.0.1')).rejects.toMatchObject({ code: ErgoNetCode.NoRoute, cause: { code: ErgoNetCode.LinkClosed, step: 'hello' } });
    await until(() => refused.length === 1, 5000, 'refusal');
    expect(refused[0]).toMatchObject({ code: ErgoNetCode.BadDigest, step: 'hello' });
    expect(a.connections()).toEqual([]);
    // A fake acceptor that does not know the cookie answers with a digest it cannot make right.
    const fake = createServer((s) => {
      s.once('data', () => s.write(encodeHandshake(new Handshake.MessageHello({ Salt: 'f'.repeat(64), Digest: digest('guess'), DigestCert: '' }))));
    });
    servers.push(fake);
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const e = await b.connectRoute(Atom.of('a@127.0.0.1'), { port: (fake.address() as { port: number }).port }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: ErgoNetCode.BadDigest, step: 'hello' });
  });

  it('TLS between TS nodes: certificate verified, certificate digest checked, pool of 3', async () => {
    const cert = makeCert();
    const { net: a, rec } = await node('a@127.0.0.1', { acceptor: { port: 0, tls: { cert: cert.cert, key: cert.key } } });
    const { net: b } = await node('b@127.0.0.1', { tls: { ca: cert.cert } });
    b.routes.add('^a@', { port: a.port, tls: true });
    const c = await b.connect('a@127.0.0.1');
    expect(c.links).toBe(3);
    c.send(new Pid(b.name, 1, 0, b.local.creation), Atom.of('x'), 'secret');
    await rec.wait((r) => r.op === 'send' && r.message === 'secret');
    // Without the CA (and without skipping verification) the dial fails.
    const { net: d } = await node('d@127.0.0.1');
    d.routes.add('^a@', { port: a.port, tls: true });
    await expect(d.connect('a@127.0.0.1')).rejects.toMatchObject({ code: ErgoNetCode.NoRoute });
  });

  it('a peer that goes silent in the handshake is dropped after the timeout', async () => {
    const silent = createServer(() => {});
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { net: b } = await node('b@127.0.0.1', { handshakeTimeout: 200 });
    const e = await b.connectRoute(Atom.of('a@127.0.0.1'), { port: (silent.address() as { port: number }).port }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: ErgoNetCode.HandshakeTimeout, step: 'hello' });
    // And our acceptor drops a client that connects and says nothing.
    const refused: unknown[] = [];
    const { net: a } = await node('a@127.0.0.1', { handshakeTimeout: 200, onHandshakeError: (x) => refused.push(x) });
    const s = connect({ port: a.port, host: '127.0.0.1' });
    sockets.push(s);
    await until(() => refused.length === 1, 5000, 'timeout');
    expect(refused[0]).toMatchObject({ code: ErgoNetCode.HandshakeTimeout });
  });

  it('malformed frames close that link with a typed error; the node and its other connections go on', async () => {
    const { net: a, rec } = await node('a@127.0.0.1');
    const { net: b } = await node('b@127.0.0.1');
    b.routes.add('^a@', { port: a.port });
    const good = await b.connect('a@127.0.0.1');
    const bad = await rawPeer(a.port);
    bad.s.write(Uint8Array.of(0x4e, 1, 0, 0, 0, 12, 0, 199, 0x83, 0xff, 0xff, 0x00));
    await rec.wait((r) => r.op === 'linkError' && r.error.code === ErgoNetCode.BadPayload);
    await rec.wait((r) => r.op === 'disconnected' && r.peer.name === 'raw@127.0.0.1');
    const bad2 = await rawPeer(a.port, 'raw2@127.0.0.1');
    bad2.s.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await rec.wait((r) => r.op === 'linkError' && r.error.code === ErgoNetCode.BadMagic);
    expect(good.send(new Pid(b.name, 1, 0, b.local.creation), Atom.of('x'), 'still here')).toBeUndefined();
    await rec.wait((r) => r.op === 'send' && r.message === 'still here');
  });

  it('our MaxMessageSize: a longer frame is refused from its header, and Go-style senders are told the limit', async () => {
    const { net: a, rec } = await node('a@127.0.0.1', { maxMessageSize: 1000 });
    const p = await rawPeer(a.port);
    const head = Buffer.alloc(8);
    head.writeUInt8(0x4e, 0);
    head.writeUInt8(1, 1);
    head.writeUInt32BE(2_000_000_000, 2);
    head.writeUInt8(101, 7);
    p.s.write(head);
    const e = await rec.wait((r) => r.op === 'linkError');
    expect(e).toMatchObject({ error: { code: ErgoNetCode.FrameTooLarge } });
    const { net: b } = await node('b@127.0.0.1');
    b.routes.add('^a@', { port: a.port });
    const c = await b.connect('a@127.0.0.1');
    expect(c.peerMaxMessageSize).toBe(1000);
    expect(c.send(new Pid(b.name, 1, 0, b.local.creation), Atom.of('x'), new Uint8Array(2000))).toMatchObject({ code: ErgoNetCode.TooLarge });
  });

  it('a peer that stops reading: sends are refused with Busy at the limit, memory stays bounded, drain resumes them', async () => {
    let drained = 0;
    const rec = new Recorder();
    rec.drain = () => {
      drained++;
    };
    const { net: a } = await node('a@127.0.0.1', { inbound: rec, maxQueuedBytes: 1 << 20, acceptor: { port: 0, poolSize: 1 } });
    const p = await rawPeer(a.port);
    await until(() => a.connection('raw@127.0.0.1') !== undefined, 5000, 'connection');
    p.s.pause();
    const c = a.connection('raw@127.0.0.1')!;
    const to = new Pid(Atom.of('raw@127.0.0.1'), 5, 0, 77);
    const me = new Pid(a.name, 1, 0, a.local.creation);
    const chunk = new Uint8Array(16 * 1024);
    let busy: unknown;
    let sent = 0;
    for (let i = 0; i < 100_000 && !busy; i++) {
      const e = c.send(me, to, chunk);
      if (e) busy = e;
      else sent++;
      if (i % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(busy).toMatchObject({ code: ErgoNetCode.Busy });
    // What waits in memory is the limit plus what the kernel buffers took, not the 1.6 GB we tried.
    expect(sent * chunk.length).toBeLessThan(64 << 20);
    expect(c.writable).toBe(false);
    p.s.resume();
    await until(() => drained > 0, 10_000, 'drain');
    expect(c.send(me, to, chunk)).toBeUndefined();
  });

  it('requests time out when the peer never answers', async () => {
    const rec = new Recorder();
    rec.link = () => new Promise<null>(() => {});
    const { net: a } = await node('a@127.0.0.1', { inbound: rec });
    const { net: b } = await node('b@127.0.0.1', { requestTimeout: 200 });
    b.routes.add('^a@', { port: a.port });
    const c = await b.connect('a@127.0.0.1');
    await expect(c.link(new Pid(b.name, 1, 0, b.local.creation), new Pid(a.name, 2, 0, a.local.creation))).rejects.toMatchObject({ code: ErgoNetCode.Timeout });
  });

  it('a peer that restarts (new creation) replaces its stale connection; a second live one is refused', async () => {
    const { net: a, rec } = await node('a@127.0.0.1');
    const first = await rawPeer(a.port);
    await until(() => a.connection('raw@127.0.0.1') !== undefined, 5000, 'first');
    const old = a.connection('raw@127.0.0.1')!;
    // Same name, same creation: refused (as Go), the old one stays.
    const s = connect({ port: a.port, host: '127.0.0.1' });
    sockets.push(s);
    await new Promise((r) => s.once('connect', r));
    const io = new SocketHandshakeIO(s);
    await startHandshake(io, { local: localNode('raw@127.0.0.1', 77), cookie: 'c' }).catch(() => {});
    await until(() => s.destroyed || s.readableEnded, 5000, 'refusal');
    expect(a.connection('raw@127.0.0.1')).toBe(old);
    // New creation: the node restarted; the old connection goes down.
    const s2 = connect({ port: a.port, host: '127.0.0.1' });
    sockets.push(s2);
    await new Promise((r) => s2.once('connect', r));
    await startHandshake(new SocketHandshakeIO(s2), { local: localNode('raw@127.0.0.1', 78), cookie: 'c' });
    await rec.wait((r) => r.op === 'disconnected');
    await until(() => a.connection('raw@127.0.0.1') !== old, 5000, 'replacement');
    expect(a.connection('raw@127.0.0.1')!.peerCreation).toBe(78);
    expect(first.peerCreation).toBe(a.local.creation);
  });
});
