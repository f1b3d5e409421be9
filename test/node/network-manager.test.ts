/**
 * The network manager: two stacks behind one router. Fake stacks (recording connections, a
 * registry of names they "resolve") stand in for the Ergo and Erlang stacks, which implement
 * the same NetworkStack contract.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { A, atom, Pid, type Atom, type Term } from '../../src/term/index.js';
import { ErrCode, MessageDown, type Connection, type NetworkStack, type Route, type StackContext } from '../../src/gen/index.js';
import { NetworkManager, type Node } from '../../src/node/index.js';
import { spawnProbe, startNode, until } from './helpers.js';
import { FakeConnection } from './fake-router.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

class FakeStack implements NetworkStack {
  ctx: StackContext | undefined;
  events: string[] = [];
  /** Names this stack's registrar knows. */
  known = new Map<string, Route>();
  /** Held dials: resolve them by hand to control timing. */
  dials = new Map<string, { conn: FakeConnection; go: () => void; fail: (e: unknown) => void }>();
  autoConnect = true;
  setCreationTo: number | undefined;

  constructor(readonly protocol: string) {}

  async start(ctx: StackContext): Promise<void> {
    this.ctx = ctx;
    this.events.push('start');
    if (this.setCreationTo !== undefined) ctx.setCreation(this.setCreationTo);
  }
  async stop(): Promise<void> {
    this.events.push('stop');
  }
  async resolve(node: Atom): Promise<Route | undefined> {
    this.events.push(`resolve:${node.name}`);
    return this.known.get(node.name);
  }
  connect(node: Atom, route: Route): Promise<Connection> {
    this.events.push(`connect:${node.name}:${route.port}`);
    const conn = new FakeConnection(node);
    return new Promise((resolve, reject) => {
      const go = (): void => {
        this.ctx!.connectionUp(conn, { node, protocol: this.protocol, creation: 7 });
        resolve(conn);
      };
      this.dials.set(node.name, { conn, go, fail: reject });
      if (this.autoConnect) go();
    });
  }
  /** A peer dialled us. */
  accept(node: Atom): FakeConnection {
    const conn = new FakeConnection(node);
    this.ctx!.connectionUp(conn, { node, protocol: this.protocol, creation: 9 });
    return conn;
  }
  drop(conn: Connection, reason: Term): void {
    this.ctx!.connectionDown(conn, reason);
  }
}

async function managed(stacks: FakeStack[], routes: ConstructorParameters<typeof NetworkManager>[0]['routes'] = []): Promise<NetworkManager> {
  const router = new NetworkManager({ stacks, routes });
  ({ node } = await startNode({ router }));
  return router;
}

describe('NetworkManager', () => {
  it('starts every stack with the node (a stack may set the creation) and stops them after the processes', async () => {
    const ergo = new FakeStack('ergo');
    const erlang = new FakeStack('erlang');
    erlang.setCreationTo = 99;
    await managed([ergo, erlang]);
    expect(ergo.events).toEqual(['start']);
    expect(node.creation).toBe(99);
    await node.stop();
    expect(ergo.events).toEqual(['start', 'stop']);
    expect(erlang.events).toEqual(['start', 'stop']);
  });

  it('picks the stack per node: a static route first, else the first stack whose registrar knows the name', async () => {
    const ergo = new FakeStack('ergo');
    const erlang = new FakeStack('erlang');
    ergo.known.set('go@h', { host: '127.0.0.1', port: 1 });
    erlang.known.set('beam@h', { host: '127.0.0.1', port: 2 });
    await managed([ergo, erlang], [{ match: /^pinned/, protocol: 'erlang', route: { host: '127.0.0.1', port: 3 } }]);
    node.send(new Pid(atom('go@h'), 1, 0, 7), 'a');
    node.send(new Pid(atom('beam@h'), 1, 0, 7), 'b');
    node.send(new Pid(atom('pinned@h'), 1, 0, 7), 'c');
    await until(() => node.nodes().length === 3);
    expect(ergo.events).toContain('connect:go@h:1');
    expect(erlang.events).toContain('connect:beam@h:2');
    expect(erlang.events).toContain('connect:pinned@h:3');
    expect(ergo.events).not.toContain('resolve:pinned@h');
    expect(ergo.dials.get('go@h')!.conn.of('send')[0]![3]).toBe('a');
  });

  it('connects on first use: what a process sends while dialling is queued and replayed in order', async () => {
    const ergo = new FakeStack('ergo');
    ergo.autoConnect = false;
    ergo.known.set('go@h', { host: '127.0.0.1', port: 1 });
    await managed([ergo]);
    const { probe } = await spawnProbe(node);
    const remote = new Pid(atom('go@h'), 1, 0, 7);
    probe.process.send(remote, 1);
    probe.process.link(remote);
    probe.process.send(remote, 2);
    await until(() => ergo.dials.has('go@h'));
    const conn = ergo.dials.get('go@h')!.conn;
    expect(conn.ops).toEqual([]);
    ergo.dials.get('go@h')!.go();
    expect(conn.names()).toEqual(['send', 'link', 'send']);
    expect(conn.ops.map((o) => o[3])).toEqual([1, 'two-way', 2]);
    expect(node.nodes()).toEqual([atom('go@h')]);
  });

  it('a dial that fails reports the node down: links and monitors fire, calls fail, promises reject', async () => {
    const ergo = new FakeStack('ergo');
    await managed([ergo]);
    const { probe } = await spawnProbe(node);
    const remote = new Pid(atom('nowhere@h'), 1, 0, 7);
    const ref = probe.process.monitor(remote);
    const call = probe.process.call(remote, 'q', { timeout: Infinity }).catch((e: unknown) => e);
    const spawn = probe.process.remoteSpawn('nowhere@h', 'worker').catch((e: unknown) => e);
    const down = await probe.receive<MessageDown>((m) => m instanceof MessageDown);
    expect(down.ref.equals(ref)).toBe(true);
    expect(down.reason).toBe(A.noconnection);
    expect(await call).toMatchObject({ code: ErrCode.NoConnection });
    expect(await spawn).toMatchObject({ code: ErrCode.NoConnection });
    await expect(node.connect('nowhere@h')).rejects.toMatchObject({ code: ErrCode.NoConnection });
  });

  it('accepted connections are registered like dialled ones; a lost connection is reported once', async () => {
    const ergo = new FakeStack('ergo');
    const erlang = new FakeStack('erlang');
    await managed([ergo, erlang]);
    const seen: string[] = [];
    node.onNodeStatus((up, n) => seen.push(`${up ? 'up' : 'down'}:${n.name}`));
    const conn = erlang.accept(atom('beam@h'));
    expect(node.nodes()).toEqual([atom('beam@h')]);
    expect(await node.connect('beam@h')).toMatchObject({ protocol: 'erlang', creation: 9 });
    // the node uses the accepted connection, no dial
    node.send(new Pid(atom('beam@h'), 1, 0, 9), 'hi');
    expect(conn.of('send').length).toBe(1);
    expect(erlang.events.filter((e) => e.startsWith('connect'))).toEqual([]);
    const { probe } = await spawnProbe(node);
    probe.process.monitorNode('beam@h');
    erlang.drop(conn, A.noconnection);
    erlang.drop(conn, A.noconnection);
    expect((await probe.receive<MessageDown>((m) => m instanceof MessageDown)).toTerm().elements[0]).toBe(atom('nodedown'));
    expect(seen).toEqual(['up:beam@h', 'down:beam@h']);
    expect(node.nodes()).toEqual([]);
  });

  it('disconnect closes the live connection', async () => {
    const ergo = new FakeStack('ergo');
    await managed([ergo]);
    const conn = ergo.accept(atom('go@h'));
    node.disconnect('go@h');
    expect(conn.names()).toEqual(['close']);
  });
});
