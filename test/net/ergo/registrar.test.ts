/**
 * ESRD registrar without Go: packets byte-exact against what Go's registrar exchanged
 * (../shared/ref/ergo-network-vectors.txt), and our server and client among TS nodes: the race
 * to serve, registration over TCP, resolve over UDP, name taken, takeover, bad input.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GoErr, Gen, Registrar } from '../../../src/codec/edf/index.js';
import { Atom } from '../../../src/term/atom.js';
import { decodeRegistrarPacket, encodeRegistrarPacket, ErgoNetCode, Esrd, RegistrarClient, RegistrarServer, version, type RegistrarEvent } from '../../../src/net/ergo/index.js';
import { freePort, until } from './support.js';

const ascii = (s: string): string => Buffer.from(s).toString('hex');
const str = (s: string): string => s.length.toString(16).padStart(4, '0') + ascii(s);
const name = (n: string): string => '83' + str(`#ergo.services/ergo/net/registrar/${n}`);
const versions = str('EHS') + str('R1') + str('') + str('MIT') + str('ENP') + str('R1') + str('') + str('MIT');
const route = (port: number) => new Gen.Route({ Host: '', Port: port, TLS: false, HandshakeVersion: version('EHS', 'R1'), ProtoVersion: version('ENP', 'R1') });

const clients: RegistrarClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
function client(port: number, o: { disableServer?: boolean; onEvent?: (e: RegistrarEvent) => void } = {}): RegistrarClient {
  const c = new RegistrarClient({ port, ...o });
  clients.push(c);
  return c;
}

describe('ESRD packets', () => {
  it('are byte-identical to Go\'s', () => {
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    expect(hex(encodeRegistrarPacket(Esrd.RESOLVE, new Registrar.MessageResolveRoutes({ Node: Atom.of('a@localhost') })))).toBe('012e0046' + name('MessageResolveRoutes') + str('a@localhost'));
    expect(hex(encodeRegistrarPacket(Esrd.RESOLVE_REPLY, new Registrar.MessageResolveReply({ Routes: [route(15000)], Error: null })))).toBe(
      '012f0064' + name('MessageResolveReply') + '9d00000001' + '0000' + '3a98' + '00' + versions + 'ffff',
    );
    expect(hex(encodeRegistrarPacket(Esrd.RESOLVE_REPLY, new Registrar.MessageResolveReply({ Routes: null, Error: GoErr.Unknown })))).toBe('012f0042' + name('MessageResolveReply') + 'ff' + str('unknown'));
    expect(hex(encodeRegistrarPacket(Esrd.REGISTER, new Registrar.MessageRegisterRoutes({ Node: Atom.of('x@localhost'), Routes: [route(16000)] })))).toBe(
      '012c0071' + name('MessageRegisterRoutes') + str('x@localhost') + '9d00000001' + '0000' + '3e80' + '00' + versions,
    );
    expect(hex(encodeRegistrarPacket(Esrd.REGISTER_REPLY, new Registrar.MessageRegisterReply({ Error: null })))).toBe('012d003b' + name('MessageRegisterReply') + 'ffff');
    expect(hex(encodeRegistrarPacket(Esrd.REGISTER_REPLY, new Registrar.MessageRegisterReply({ Error: GoErr.Taken })))).toBe('012d004c' + name('MessageRegisterReply') + str('resource is taken'));
  });

  it('bad packets are typed errors', () => {
    const ok = encodeRegistrarPacket(Esrd.RESOLVE, new Registrar.MessageResolveRoutes({ Node: Atom.of('a@h') }));
    expect(decodeRegistrarPacket(ok, Esrd.RESOLVE)).toBeInstanceOf(Registrar.MessageResolveRoutes);
    for (const b of [ok.subarray(0, 3), Uint8Array.of(2, 46, 0, 0), Uint8Array.of(1, 47, 0, 0), ok.subarray(0, ok.length - 1), Uint8Array.of(1, 46, 0, 2, 0x88, 0)]) {
      expect(() => decodeRegistrarPacket(b, Esrd.RESOLVE)).toThrow(expect.objectContaining({ code: ErgoNetCode.BadRegistrarPacket }));
    }
  });
});

describe('ESRD server and client among TS nodes', () => {
  it('the first node serves, the second registers over TCP; both resolve; a taken name is refused', async () => {
    const port = await freePort(true);
    const a = client(port);
    await a.register(Atom.of('a@127.0.0.1'), [route(1111)]);
    expect(a.server).toBeDefined();
    const b = client(port);
    await b.register(Atom.of('b@127.0.0.1'), [route(2222)]);
    expect(b.server).toBeUndefined();
    expect(a.server!.nodes().map((x) => x.name).sort()).toEqual(['a@127.0.0.1', 'b@127.0.0.1']);
    expect((await b.resolve('a@127.0.0.1'))[0]!.Port).toBe(1111);
    expect((await a.resolve('b@127.0.0.1'))[0]!.Port).toBe(2222);
    await expect(b.resolve('c@127.0.0.1')).rejects.toMatchObject({ code: ErgoNetCode.NodeUnknown });
    const dup = client(port);
    await expect(dup.register(Atom.of('b@127.0.0.1'), [route(3333)])).rejects.toMatchObject({ code: ErgoNetCode.NameTaken });
    // An empty route list registers nothing (a hidden node) but resolve works.
    const hidden = client(port);
    await hidden.register(Atom.of('h@127.0.0.1'), []);
    expect(hidden.registered).toBe(false);
    expect((await hidden.resolve('a@127.0.0.1'))[0]!.Port).toBe(1111);
  });

  it('a registration ends with its TCP connection', async () => {
    const port = await freePort(true);
    const a = client(port);
    await a.register(Atom.of('a@127.0.0.1'), [route(1)]);
    const b = client(port);
    await b.register(Atom.of('b@127.0.0.1'), [route(2)]);
    await b.close();
    await until(() => a.server!.resolve(Atom.of('b@127.0.0.1')) === undefined, 5000, 'unregistration');
  });

  it('takeover: when the serving node leaves, a client becomes the server and others re-register', async () => {
    const port = await freePort(true);
    const a = client(port);
    await a.register(Atom.of('a@127.0.0.1'), [route(1)]);
    const eb: RegistrarEvent[] = [];
    const b = client(port, { onEvent: (e) => eb.push(e) });
    await b.register(Atom.of('b@127.0.0.1'), [route(2)]);
    const c = client(port, { disableServer: true });
    await c.register(Atom.of('c@127.0.0.1'), [route(3)]);
    await a.close();
    await until(() => b.server !== undefined || c.registered, 5000, 'a new server');
    await until(() => b.server?.nodes().length === 2, 5000, 'c to re-register with b');
    expect(eb.map((e) => e.type)).toEqual(['client', 'lost', 'server']);
    expect((await c.resolve('b@127.0.0.1'))[0]!.Port).toBe(2);
  });

  it('the server ignores bad datagrams and closes bad registrations', async () => {
    const port = await freePort(true);
    const srv = (await RegistrarServer.tryStart({ port }))!;
    try {
      expect(await RegistrarServer.tryStart({ port })).toBeUndefined();
      srv.register(Atom.of('a@127.0.0.1'), [route(1)]);
      const u = createSocket('udp4');
      const answers: Buffer[] = [];
      u.on('message', (m) => answers.push(m));
      await new Promise<void>((r) => u.bind(0, '127.0.0.1', r));
      u.send(Buffer.from('garbage'), port, '127.0.0.1');
      u.send(Buffer.alloc(2000), port, '127.0.0.1');
      u.send(encodeRegistrarPacket(Esrd.RESOLVE, new Registrar.MessageResolveRoutes({ Node: Atom.of('a@127.0.0.1') })), port, '127.0.0.1');
      await until(() => answers.length === 1, 5000, 'one answer');
      expect((decodeRegistrarPacket(answers[0]!, Esrd.RESOLVE_REPLY) as InstanceType<typeof Registrar.MessageResolveReply>).Routes![0]!.Port).toBe(1);
      u.close();
      const s = connect({ port, host: '127.0.0.1' });
      s.write(Buffer.from([1, 44, 0, 3, 0x99, 0x99, 0x99]));
      await new Promise((r) => s.on('close', r));
      expect(srv.nodes().map((x) => x.name)).toEqual(['a@127.0.0.1']);
    } finally {
      await srv.close();
    }
  });
});
