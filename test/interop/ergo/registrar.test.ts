/**
 * The registrar ("ESRD" R1) with real Go Ergo v3 nodes: who serves first, registration,
 * resolve by host part, name taken, takeover when the serving node leaves, static routes.
 *
 * Loopback only. Go's registrar server binds UDP on every interface and cannot be told
 * otherwise, so here Go nodes never serve (`registrarServe` off) unless the whole topology
 * runs in a private network namespace whose only interface is loopback (second suite).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Atom } from '../../../src/term/atom.js';
import { Pid } from '../../../src/term/ids.js';
import { ErgoNetCode, RegistrarClient, type RegistrarEvent } from '../../../src/net/ergo/index.js';
import { freePort, until } from '../../net/ergo/support.js';
import { Cluster, go, goPid, title } from './harness.js';
import { makeNetns, netnsUnavailable, tsPeerIn } from './netns.js';
import { GoPeer, type LinesProcess } from './peer.js';

describe.skipIf(!go.ok)(title('ESRD registrar with Go Ergo v3 (Go as client)'), () => {
  let c: Cluster;
  beforeEach(async () => {
    c = await Cluster.create();
  });
  afterEach(async () => {
    await c.close();
  });

  it('TS serves first; Go registers over TCP; each resolves the other by UDP; connect by name', async () => {
    const { net: t1 } = await c.node('ts1@127.0.0.1');
    expect(t1.registrar!.server).toBeDefined();
    const g = await c.go('go@127.0.0.1');
    expect(t1.registrar!.server!.nodes().map((a) => a.name).sort()).toEqual(['go@127.0.0.1', 'ts1@127.0.0.1']);
    // Go (a client) resolves us over UDP from our server.
    const r = await g.ok({ op: 'resolve', node: 'ts1@127.0.0.1' });
    expect(r.routes).toEqual([{ host: '', port: t1.port, tls: false, handshake: 'EHS:R1', proto: 'ENP:R1' }]);
    expect(r.embedded).toBe(false);
    // A second TS node is a client too and resolves Go over UDP.
    const { net: t2 } = await c.node('ts2@127.0.0.1');
    expect(t2.registrar!.server).toBeUndefined();
    const routes = await t2.registrar!.resolve('go@127.0.0.1');
    expect(routes.map((x) => [x.Host, x.Port, x.TLS, x.HandshakeVersion.Name, x.ProtoVersion.Release])).toEqual([['', g.port, false, 'EHS', 'R1']]);
    const conn = await t2.connect('go@127.0.0.1');
    expect(conn.send(new Pid(t2.name, 5, 0, t2.local.creation), goPid(g.ready.echo), 'via-registrar')).toBeUndefined();
    await g.wait((l) => l.ev === 'recv' && (l.msg as { value?: string }).value === 'via-registrar');
    await expect(t2.registrar!.resolve('nobody@127.0.0.1')).rejects.toMatchObject({ code: ErgoNetCode.NodeUnknown });
  });

  it('a name already registered is refused, with a clear error, both ways', async () => {
    await c.node('ts1@127.0.0.1');
    await c.go('dup@127.0.0.1');
    const { net } = await c.node('dup@127.0.0.1', { start: false });
    await expect(net.start()).rejects.toMatchObject({ code: ErgoNetCode.NameTaken, message: expect.stringMatching(/resource is taken/) });
    await c.node('taken@127.0.0.1');
    await expect(c.go('taken@127.0.0.1')).rejects.toThrow(/unable to register node: resource is taken/);
  });

  it('resolve uses the host part of the name; no host part is an error', async () => {
    await c.node('ts1@127.0.0.1');
    const g = await c.go('goh@localhost');
    const client = new RegistrarClient({ port: c.registrarPort, disableServer: true });
    try {
      const routes = await client.resolve('goh@localhost');
      expect(routes[0]!.Port).toBe(g.port);
      await expect(client.resolve('nohost')).rejects.toMatchObject({ code: ErgoNetCode.BadNodeName });
      // A host with no registrar on it: one UDP request, then a timeout, as Go.
      const far = new RegistrarClient({ port: await freePort(true), disableServer: true, resolveTimeout: 300 });
      await expect(far.resolve('x@127.0.0.1')).rejects.toMatchObject({ code: ErgoNetCode.RegistrarTimeout });
    } finally {
      await client.close();
    }
  });

  it('takeover: the serving TS node leaves, another TS node serves, Go re-registers with it', async () => {
    const events: RegistrarEvent[] = [];
    const { net: t1 } = await c.node('ts1@127.0.0.1');
    const g = await c.go('go@127.0.0.1');
    const { net: t2 } = await c.node('ts2@127.0.0.1', { registrar: { port: c.registrarPort, onEvent: (e) => events.push(e) } });
    expect(events).toEqual([{ type: 'client', server: expect.stringMatching(/^127\.0\.0\.1:/) }]);
    await t1.stop();
    await until(() => t2.registrar!.server !== undefined, 5000, 'ts2 to serve');
    expect(events.map((e) => e.type)).toEqual(['client', 'lost', 'server']);
    // Go only re-registers after its EOF and a retry loop of 1 s sleeps.
    await until(() => t2.registrar!.server!.nodes().some((a) => a.name === 'go@127.0.0.1'), 10_000, 'Go to re-register');
    const r = await g.ok({ op: 'resolve', node: 'ts2@127.0.0.1' });
    expect(r.routes).toEqual([expect.objectContaining({ port: t2.port })]);
  });

  it('static routes: TS reaches Go with no registrar, Go reaches TS by its own static route', async () => {
    await c.node('reg@127.0.0.1');
    const g = await c.go('go@127.0.0.1');
    const { net, rec } = await c.node('ts@127.0.0.1', { registrar: false });
    net.routes.add('^go@', { host: '127.0.0.1', port: g.port, cookie: 'cookie' }, 10);
    net.routes.add('^go@.*', { host: '127.0.0.1', port: 1, cookie: 'wrong' }, 1);
    const conn = await net.connect('go@127.0.0.1');
    expect(conn.links).toBe(3);
    // Go with a static route to a TS node the registrar does not know.
    const port = net.port;
    const g2 = await c.go('go2@127.0.0.1', { routes: [`^ts@=127.0.0.1:${port}`] });
    await g2.ok({ op: 'send', to: { name: 'inbox', node: 'ts@127.0.0.1' }, val: { t: 'string', v: 'static' } });
    await rec.wait((r) => r.op === 'send' && r.message === 'static');
    expect(net.routes.lookup('go@127.0.0.1').map((r) => r.port)).toEqual([g.port, 1]);
    await expect(net.connect('other@127.0.0.1')).rejects.toMatchObject({ code: ErgoNetCode.NoRoute });
    expect(Atom.of('go@127.0.0.1')).toBe(conn.peer);
  });
});

const ns = go.ok ? netnsUnavailable() : go.reason;

describe.skipIf(!go.ok || ns !== undefined)(`ESRD registrar with a Go registrar server, in a loopback-only network namespace${ns ? ` [skipped: ${ns}]` : ''}`, () => {
  const stop: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of stop.splice(0).reverse()) await f();
  });

  async function setup(): Promise<{ prefix: string[]; port: () => number }> {
    const n = await makeNetns();
    if (!n.ok) throw new Error(n.reason);
    stop.push(() => n.close());
    // Inside a fresh namespace every port is free; pick distinct ones.
    let next = 21000 + Math.floor(Math.random() * 20000);
    return { prefix: n.prefix, port: () => next++ };
  }

  async function goIn(prefix: string[], o: { name: string; registrarPort: number; port: number }): Promise<GoPeer> {
    const g = await GoPeer.start({ ...o, registrarServe: true, prefix });
    stop.push(() => g.close());
    return g;
  }

  async function tsIn(prefix: string[], name: string, registrarPort: number, port: number): Promise<LinesProcess> {
    const t = await tsPeerIn(prefix, name);
    stop.push(() => t.close());
    await t.ok({ op: 'start', name, registrarPort, port });
    return t;
  }

  it('Go serves first: TS registers with Go\'s server, resolves Go over UDP, and Go resolves TS', async () => {
    const { prefix, port } = await setup();
    const rp = port();
    const g = await goIn(prefix, { name: 'go@127.0.0.1', registrarPort: rp, port: port() });
    expect((await g.ok({ op: 'registrar' })).embedded).toBe(true);
    const tport = port();
    const t = await tsIn(prefix, 'ts@127.0.0.1', rp, tport);
    expect((await t.ok({ op: 'registrar' })).serving).toBe(false);
    const routes = (await t.ok({ op: 'resolve', node: 'go@127.0.0.1' })).routes as { port: number }[];
    expect(routes).toEqual([{ host: '', port: g.port, tls: false }]);
    expect((await g.ok({ op: 'resolve', node: 'ts@127.0.0.1' })).routes).toEqual([expect.objectContaining({ port: tport, handshake: 'EHS:R1' })]);
    await t.ok({ op: 'send', node: 'go@127.0.0.1', name: 'echo', text: 'in-netns' });
    await g.wait((l) => l.ev === 'recv' && (l.msg as { value?: string }).value === 'in-netns');
  });

  it('takeover by Go: the serving TS node leaves, the Go node becomes the server', async () => {
    const { prefix, port } = await setup();
    const rp = port();
    const t1 = await tsIn(prefix, 'ts1@127.0.0.1', rp, port());
    expect((await t1.ok({ op: 'registrar' })).serving).toBe(true);
    const g = await goIn(prefix, { name: 'go@127.0.0.1', registrarPort: rp, port: port() });
    expect((await g.ok({ op: 'registrar' })).embedded).toBe(false);
    await t1.ok({ op: 'stop' });
    let served = false;
    for (let i = 0; i < 50 && !served; i++) {
      served = (await g.ok({ op: 'registrar' })).embedded === true;
      if (!served) await new Promise((r) => setTimeout(r, 100));
    }
    expect(served).toBe(true);
    const t2 = await tsIn(prefix, 'ts2@127.0.0.1', rp, port());
    expect((await t2.ok({ op: 'resolve', node: 'go@127.0.0.1' })).routes).toEqual([{ host: '', port: g.port, tls: false }]);
  });

  it('takeover by TS: the serving Go node leaves, the TS node becomes the server', async () => {
    const { prefix, port } = await setup();
    const rp = port();
    const g = await goIn(prefix, { name: 'go@127.0.0.1', registrarPort: rp, port: port() });
    const t = await tsIn(prefix, 'ts@127.0.0.1', rp, port());
    await g.close();
    await t.wait((l) => l.ev === 'registrar' && l.type === 'server', 10_000);
    const st = await t.ok({ op: 'registrar' });
    expect(st).toMatchObject({ serving: true, nodes: ['ts@127.0.0.1'] });
    const g2 = await goIn(prefix, { name: 'go2@127.0.0.1', registrarPort: rp, port: port() });
    expect((await g2.ok({ op: 'registrar' })).embedded).toBe(false);
    expect((await t.ok({ op: 'resolve', node: 'go2@127.0.0.1' })).routes).toEqual([{ host: '', port: g2.port, tls: false }]);
  });
});
