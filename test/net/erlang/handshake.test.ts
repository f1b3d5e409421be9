/**
 * The handshake between two of our endpoints, every path: both roles, hidden, cookies,
 * allow lists, mandatory flags and the MANDATORY_25_DIGEST shorthand, simultaneous connect,
 * `alive`, dynamic names, the old `n` name, timeouts and garbage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Server } from 'node:net';
import { atom } from '../../../src/term/index.js';
import {
  DFlag,
  DistCode,
  EpmdCode,
  HandshakeCode,
  HandshakeError,
  HandshakeIO,
  MANDATORY_25,
  initiate,
  type HandshakeSide,
} from '../../../src/net/erlang/index.js';
import { RawNode } from './raw-node.js';
import { freePort } from '../../interop/erlang/beam.js';

const started: RawNode[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((n) => n.stop()));
});

let epmdPort: number | undefined;
async function node(name: string, opts: Partial<Parameters<typeof RawNode.start>[0]> = {}): Promise<RawNode> {
  epmdPort ??= await freePort();
  const n = await RawNode.start({ name: `${name}@127.0.0.1`, cookie: 'cookie', epmd: { port: epmdPort }, ...opts });
  started.push(n);
  return n;
}

/** A TCP proxy to `port` that holds each connection back for `ms` before connecting it. */
function delayProxy(port: number, ms: number): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer((client) => {
      client.pause();
      setTimeout(() => {
        const up = connect({ host: '127.0.0.1', port }, () => {
          client.pipe(up);
          up.pipe(client);
          client.resume();
        });
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        client.on('close', () => up.destroy());
      }, ms);
    });
    proxies.push(server);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve((server.address() as { port: number }).port));
  });
}
const proxies: Server[] = [];
afterEach(() => {
  for (const p of proxies.splice(0)) p.close();
});

const errorOf = (n: RawNode) => n.errors.find((e) => e instanceof HandshakeError) as HandshakeError | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('handshake between two TS endpoints', () => {
  it('connects both ways; visible by default, hidden on request', async () => {
    const a = await node('ha');
    const b = await node('hb');
    const c = await a.ep.connect('hb@127.0.0.1');
    expect(c.initiated).toBe(true);
    expect(c.visible).toBe(true);
    const up = await b.waitFor('up');
    expect(up.conn.initiated).toBe(false);
    expect(up.conn.peerCreation).toBe(a.ep.creation);
    expect(c.peerCreation).toBe(b.ep.creation);
    expect(b.ep.nodes('visible')).toEqual([atom('ha@127.0.0.1')]);
    const h = await node('hh', { hidden: true });
    const hc = await h.ep.connect('hb@127.0.0.1');
    expect(hc.visible).toBe(false);
    expect(b.ep.nodes('hidden')).toEqual([atom('hh@127.0.0.1')]);
    // A second connect() returns the live connection; concurrent ones share one attempt.
    expect(await a.ep.connect('hb@127.0.0.1')).toBe(c);
    const d = await node('hd');
    const [x, y] = await Promise.all([d.ep.connect('hb@127.0.0.1'), d.ep.connect('hb@127.0.0.1')]);
    expect(x).toBe(y);
  });

  it('different cookies: the acceptor sees a bad digest, the initiator a closed socket', async () => {
    const a = await node('ca', { cookie: 'one' });
    const b = await node('cb', { cookie: 'two' });
    const err = await a.ep.connect('cb@127.0.0.1').catch((e: unknown) => e);
    expect((err as HandshakeError).code).toBe(HandshakeCode.Closed);
    expect((err as HandshakeError).step).toBe('recv_challenge_ack');
    await sleep(20);
    expect(errorOf(b)?.code).toBe(HandshakeCode.BadDigest);
    // A per-node cookie makes it work.
    const a2 = await node('ca2', { cookie: (n) => (n === 'cb@127.0.0.1' ? 'two' : 'one') });
    await a2.ep.connect('cb@127.0.0.1');
  });

  it('allow list: nodes, hosts and name@ entries; others get not_allowed', async () => {
    const b = await node('ab', { allow: ['someone@elsewhere'] });
    const a = await node('aa');
    const err = await a.ep.connect('ab@127.0.0.1').catch((e: unknown) => e);
    expect((err as HandshakeError).code).toBe(HandshakeCode.NotAllowed);
    expect(b.ep.nodes()).toEqual([]);
    const byHost = await node('ab2', { allow: ['127.0.0.1'] });
    await a.ep.connect('ab2@127.0.0.1');
    const byName = await node('ab3', { allow: ['aa@'] });
    await a.ep.connect('ab3@127.0.0.1');
    void byHost;
    void byName;
  });

  it('missing mandatory flags: refused with not_allowed, and the reason names them', async () => {
    await node('fb');
    const a = await node('fa', { flags: { remove: DFlag.V4_NC | DFlag.UNLINK_ID } });
    const err = await a.ep.connect('fb@127.0.0.1').catch((e: unknown) => e);
    expect((err as HandshakeError).code).toBe(HandshakeCode.NotAllowed);
    // The initiator checks too: requiring a flag the acceptor lacks.
    const c = await node('fc', { required: DFlag.NATIVE_RECORDS });
    const err2 = await c.ep.connect('fb@127.0.0.1').catch((e: unknown) => e);
    expect((err2 as HandshakeError).code).toBe(HandshakeCode.Flags);
    expect((err2 as HandshakeError).message).toContain('NATIVE_RECORDS');
  });

  it('MANDATORY_25_DIGEST alone stands for the eleven OTP 25 flags', async () => {
    await node('mb');
    const a = await node('ma', { flags: { remove: MANDATORY_25 & ~DFlag.MANDATORY_25_DIGEST } });
    const c = await a.ep.connect('mb@127.0.0.1');
    expect(c.flags & MANDATORY_25).toBe(MANDATORY_25);
  });

  it('simultaneous connect: both sides end with the one connection the greater name made', async () => {
    // One side's attempt goes through a proxy that holds it back, so the other side's attempt
    // always meets a pending one: a deterministic overlap, in both orders.
    for (const slow of ['greater', 'smaller'] as const) {
      const a = await node(`sa${slow}`, { epmd: false }); // "sa…" < "sb…"
      const b = await node(`sb${slow}`, { epmd: false });
      const [slowNode, fastNode] = slow === 'greater' ? [b, a] : [a, b];
      slowNode.ep.opts.routes = { [fastNode.ep.name]: { port: await delayProxy(fastNode.ep.port, 300) } };
      fastNode.ep.opts.routes = { [slowNode.ep.name]: { port: slowNode.ep.port } };
      const [cSlow, cFast] = await Promise.all([
        slowNode.ep.connect(fastNode.ep.name),
        sleep(50).then(() => fastNode.ep.connect(slowNode.ep.name)),
      ]);
      expect(a.ep.nodes()).toHaveLength(1);
      expect(b.ep.nodes()).toHaveLength(1);
      // The surviving connection is the one the greater name (b) dialled.
      const onB = slow === 'greater' ? cSlow : cFast;
      const onA = slow === 'greater' ? cFast : cSlow;
      expect(onB.initiated).toBe(true);
      expect(onA.initiated).toBe(false);
      expect(onA.status).toBe('ok_simultaneous');
      expect(a.ep.connection(b.ep.name)).toBe(onA);
      const q = b.pid();
      onA.send(a.pid(), q, atom('after_race'));
      await b.waitFor('message', (s) => s.to.equals(q));
      if (slow === 'greater') {
        // b answered nok to a's attempt while its own was held back.
        expect(b.errors.some((e) => e instanceof HandshakeError && e.code === HandshakeCode.Simultaneous)).toBe(true);
      }
    }
  });

  it('alive: a node that reconnects under the same name replaces its old connection', async () => {
    const b = await node('lb');
    const a = await node('la');
    const old = await a.ep.connect('lb@127.0.0.1');
    const first = b.ep.connection('la@127.0.0.1')!;
    // The same node name again (a restarted node), while b still holds the first connection.
    const a2 = await node('la', { epmd: false, routes: { 'lb@127.0.0.1': { port: b.ep.port } }, creation: 777 });
    const c2 = await a2.ep.connect('lb@127.0.0.1');
    expect(c2.status).toBe('alive');
    expect(c2.isOpen).toBe(true);
    await first.closed;
    const now = b.ep.connection('la@127.0.0.1')!;
    expect(now).not.toBe(first);
    expect(now.peerCreation).toBe(777);
    await old.closed;
  });

  it('dynamic names: the acceptor names a node that asks; refused when not allowed', async () => {
    const b = await node('db');
    const a = await node('undefined', { epmd: { port: epmdPort! } });
    expect(a.ep.node).toBeUndefined();
    const c = await a.ep.connect('db@127.0.0.1');
    expect(a.ep.name).toMatch(/^[0-9A-Z]+@127\.0\.0\.1$/);
    expect(c.localNode.name).toBe(a.ep.name);
    expect(c.visible).toBe(false);
    const up = await b.waitFor('up');
    expect(up.conn.node.name).toBe(a.ep.name);
    expect(up.conn.peerCreation).toBe(a.ep.creation);
    const n = await node('dn', { allowDynamicNames: false });
    const z = await node('undefined');
    const err = await z.ep.connect('dn@127.0.0.1').catch((e: unknown) => e);
    expect((err as HandshakeError).code).toBe(HandshakeCode.NotAllowed);
    void n;
  });

  it('the old n name and c complement are accepted', async () => {
    const b = await node('ob');
    const a = await node('oa', { legacyName: true });
    const c = await a.ep.connect('ob@127.0.0.1');
    expect(c.flags & DFlag.V4_NC).toBe(DFlag.V4_NC);
    const up = await b.waitFor('up');
    expect(up.conn.peerCreation).toBe(a.ep.creation);
    expect(up.conn.peerFlags & DFlag.SPAWN).toBe(DFlag.SPAWN);
  });

  it('no handshake message in time: ERR_HANDSHAKE_TIMEOUT; garbage: ERR_HANDSHAKE_BAD_MESSAGE / BAD_NAME', async () => {
    const b = await node('tb', { setupTime: 200 });
    const sock = connect({ host: '127.0.0.1', port: b.ep.port });
    await new Promise((r) => sock.once('close', r));
    expect(errorOf(b)?.code).toBe(HandshakeCode.Timeout);
    b.errors.length = 0;
    const g = connect({ host: '127.0.0.1', port: b.ep.port }, () => g.write(Buffer.from([0, 3, 0x58, 1, 2])));
    await new Promise((r) => g.once('close', r));
    expect(errorOf(b)?.code).toBe(HandshakeCode.BadMessage);
    b.errors.length = 0;
    const name = Buffer.from('no-at-sign');
    const msg = Buffer.alloc(15 + name.length);
    msg[0] = 0x4e;
    msg.writeBigUInt64BE(0xd07df7fbdn, 1);
    msg.writeUInt32BE(5, 9);
    msg.writeUInt16BE(name.length, 13);
    name.copy(msg, 15);
    const h = connect({ host: '127.0.0.1', port: b.ep.port }, () => h.write(Buffer.concat([Buffer.from([0, msg.length]), msg])));
    await new Promise((r) => h.once('close', r));
    expect(errorOf(b)?.code).toBe(HandshakeCode.BadName);
  });

  it('the challenge must carry the name we dialled', async () => {
    const b = await node('nb');
    const side: HandshakeSide = { name: 'nx@127.0.0.1', creation: 9, flags: 0xd07df7fbdn, required: 0n, cookie: () => 'cookie' };
    const sock = connect({ host: '127.0.0.1', port: b.ep.port });
    await new Promise((r) => sock.once('connect', r));
    const err = await initiate(new HandshakeIO(sock, 2, 2000), side, { peer: 'other@127.0.0.1' }).catch((e: unknown) => e);
    expect((err as HandshakeError).code).toBe(HandshakeCode.BadName);
    expect((err as HandshakeError).step).toBe('recv_challenge');
    sock.destroy();
  });

  it('an unknown node: no route, because EPMD does not know it', async () => {
    const a = await node('ua');
    const err = await a.ep.connect('nobody@127.0.0.1').catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe(DistCode.NoRoute);
    expect(((err as Error).cause as { code: string }).code).toBe(EpmdCode.NotFound);
  });
});
