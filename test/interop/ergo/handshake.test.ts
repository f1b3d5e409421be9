/**
 * EHS against real Go Ergo v3 nodes: both roles, TCP and TLS, wrong cookies, the pool of
 * links the acceptor dictates, and what each side learns from the other's Introduce.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Atom } from '../../../src/term/atom.js';
import { ErgoNetCode, type HandshakeError } from '../../../src/net/ergo/index.js';
import { NetworkFlags } from '../../../src/codec/edf/index.js';
import { until } from '../../net/ergo/support.js';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { Cluster, go, goPid, makeCert, title } from './harness.js';
import { Pid } from '../../../src/term/ids.js';

describe.skipIf(!go.ok)(title('EHS handshake with Go Ergo v3'), () => {
  let c: Cluster;
  beforeEach(async () => {
    c = await Cluster.create();
  });
  afterEach(async () => {
    await c.close();
  });

  it('TS dials Go: pool of 3 links, Go sees our name, creation, flags, version and limit', async () => {
    const { net } = await c.node('ts@127.0.0.1', { creation: 1_700_000_123, maxMessageSize: 1 << 20 });
    const g = await c.go('go@127.0.0.1');
    const conn = await net.connect('go@127.0.0.1');
    expect(conn.links).toBe(3);
    expect(conn.poolSize).toBe(3);
    expect(conn.poolDSN).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    expect(conn.peerCreation).toBe(g.ready.creation);
    expect(conn.peerFlags.EnableImportantDelivery).toBe(true);
    const info = (await g.ok({ op: 'info', node: 'ts@127.0.0.1' })).info as Record<string, unknown>;
    expect(info).toMatchObject({ node: 'ts@127.0.0.1', creation: 1_700_000_123, poolSize: 3, maxMessageSize: 1 << 20, version: { Name: 'ergo-ts', Release: '0.1.0' } });
    expect(info.flags).toMatchObject({ Enable: true, EnableRemoteSpawn: true, EnableImportantDelivery: true });
  });

  it('Go dials TS: Go joins the pool we dictate (2 links), both sides agree', async () => {
    const { net, rec } = await c.node('ts@127.0.0.1', { acceptor: { port: 0, poolSize: 2 } });
    const g = await c.go('go@127.0.0.1');
    const r = await g.ok({ op: 'connect', node: 'ts@127.0.0.1' });
    expect((r.info as { poolSize: number }).poolSize).toBe(2);
    await rec.wait((x) => x.op === 'connected');
    const conn = net.connection('go@127.0.0.1')!;
    await until(() => conn.links === 2, 5000, 'two links');
    expect(conn.dialer).toBe(false);
    // Traffic flows both ways over the accepted links.
    await g.ok({ op: 'send', to: { name: 'inbox', node: 'ts@127.0.0.1' }, val: { t: 'string', v: 'over-accepted' } });
    await rec.wait((x) => x.op === 'send' && x.message === 'over-accepted');
    expect(conn.send(new Pid(net.name, 9, 0, net.local.creation), goPid(g.ready.echo), 'back')).toBeUndefined();
    await g.wait((l) => l.ev === 'recv' && (l.msg as { value?: string }).value === 'back');
  });

  it('pool size 1 dictated by Go: no Joins', async () => {
    const { net } = await c.node('ts@127.0.0.1');
    await c.go('go@127.0.0.1', { pool: 1 });
    const conn = await net.connect('go@127.0.0.1');
    expect(conn.poolSize).toBe(1);
    expect(conn.links).toBe(1);
  });

  it('TLS both ways, with the certificate digest checked', async () => {
    const cert = makeCert();
    const { net, rec } = await c.node('ts@127.0.0.1', { acceptor: { port: 0, tls: { cert: cert.cert, key: cert.key } }, tls: { ca: cert.cert } });
    const g = await c.go('go@127.0.0.1', { tls: { cert: cert.certFile, key: cert.keyFile }, insecure: true });
    const conn = await net.connect('go@127.0.0.1');
    expect(conn.links).toBe(3);
    expect(conn.send(new Pid(net.name, 9, 0, net.local.creation), goPid(g.ready.echo), 'tls-hello')).toBeUndefined();
    await g.wait((l) => l.ev === 'recv' && (l.msg as { value?: string }).value === 'tls-hello');
    await g.ok({ op: 'disconnect', node: 'ts@127.0.0.1' });
    await rec.wait((x) => x.op === 'disconnected');
    // Go dials our TLS acceptor (its route from the registrar says TLS).
    const r = await g.ok({ op: 'connect', node: 'ts@127.0.0.1' });
    expect((r.info as { poolSize: number }).poolSize).toBe(3);
    await g.ok({ op: 'send', to: { name: 'inbox', node: 'ts@127.0.0.1' }, val: { t: 'string', v: 'go-over-tls' } });
    await rec.wait((x) => x.op === 'send' && x.message === 'go-over-tls');
    await until(() => net.connection('go@127.0.0.1')?.links === 3, 5000, 'three TLS links');
  });

  it('a TLS man in the middle with its own certificate is caught by the certificate digest', async () => {
    const cert = makeCert();
    const other = makeCert();
    const { net } = await c.node('ts@127.0.0.1', { tls: { insecureSkipVerify: true } });
    const g = await c.go('go@127.0.0.1', { tls: { cert: cert.certFile, key: cert.keyFile } });
    // A TLS-terminating relay: presents `other` to us, talks TLS to the Go node behind it.
    const relay = createTlsServer({ cert: other.cert, key: other.key }, (front) => {
      const back = tlsConnect({ host: '127.0.0.1', port: g.port, rejectUnauthorized: false });
      front.pipe(back).pipe(front);
      front.on('error', () => back.destroy());
      back.on('error', () => front.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    try {
      const port = (relay.address() as { port: number }).port;
      const e = await net.connectRoute(Atom.of('go@127.0.0.1'), { host: '127.0.0.1', port, tls: true }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: ErgoNetCode.BadCertDigest, step: 'hello' });
      // Straight to the Go node the same settings work.
      await expect(net.connectRoute(Atom.of('go@127.0.0.1'), { host: '127.0.0.1', port: g.port, tls: true })).resolves.toBeDefined();
    } finally {
      relay.close();
    }
  });

  it('wrong cookie: Go refuses us, and we refuse Go', async () => {
    const refused: HandshakeError[] = [];
    const { net, rec } = await c.node('ts@127.0.0.1', { cookie: 'right', onHandshakeError: (e) => refused.push(e) });
    const g = await c.go('go@127.0.0.1', { cookie: 'wrong' });
    // Go checks our Hello digest and closes without a word.
    const e = await net.connect('go@127.0.0.1').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: ErgoNetCode.NoRoute });
    expect((e as Error).cause).toMatchObject({ code: ErgoNetCode.LinkClosed, step: 'hello' });
    // We check Go's Hello digest and close: Go's GetNode reports it as "no route".
    const r = await g.cmd({ op: 'connect', node: 'ts@127.0.0.1' });
    expect(r.err).toBe('no route');
    await until(() => refused.length > 0, 5000, 'our refusal');
    expect(refused[0]).toMatchObject({ code: ErgoNetCode.BadDigest, step: 'hello' });
    expect(net.connections()).toHaveLength(0);
    expect(rec.ops('connected')).toHaveLength(0);
  });

  it('a node announcing no spawn, no application start, no important delivery is held to it', async () => {
    const { net } = await c.node('ts@127.0.0.1');
    const g = await c.go('go@127.0.0.1', { noSpawn: true, noApp: true, noImportant: true });
    const conn = await net.connect('go@127.0.0.1');
    expect(conn.peerFlags).toMatchObject({ Enable: true, EnableRemoteSpawn: false, EnableRemoteApplicationStart: false, EnableImportantDelivery: false });
    const me = new Pid(net.name, 9, 0, net.local.creation);
    await expect(conn.spawn(Atom.of('worker'), {})).rejects.toMatchObject({ code: ErgoNetCode.NotAllowed });
    await expect(conn.applicationStart(Atom.of('app1'), 0)).rejects.toMatchObject({ code: ErgoNetCode.NotAllowed });
    await expect(conn.sendImportant(me, goPid(g.ready.echo), 1n)).rejects.toMatchObject({ code: ErgoNetCode.Unsupported });
  });

  it('our flags: with remote spawn disabled, a Go spawn request is refused (not left to time out)', async () => {
    await c.node('ts@127.0.0.1', { flags: new NetworkFlags({ Enable: true, EnableImportantDelivery: true }) });
    const g = await c.go('go@127.0.0.1');
    const r = await g.cmd({ op: 'spawn', node: 'ts@127.0.0.1', name: 'anything' });
    // Go checks our announced flags before sending: refused locally.
    expect(r.err).toBe('not allowed');
  });
});
