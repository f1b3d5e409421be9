/**
 * The network contract (src/gen/network.ts), point by point, against a recording fake router:
 * what the node hands a connection, and what it does with everything a stack hands it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { A, atom, Pid, Ref, tuple } from '../../src/term/index.js';
import {
  Delivery,
  ErrCode,
  Event,
  event,
  MessageDown,
  MessageEvent,
  MessageExit,
  MessageNodeDown,
  MessageNodeUp,
  Outbound,
  processId,
  type RemoteConsumers,
} from '../../src/gen/index.js';
import { Actor } from '../../src/act/index.js';
import type { Node } from '../../src/node/index.js';
import { spawnProbe, startNode, until } from './helpers.js';
import { FakeRouter, peer, peer2, type Op } from './fake-router.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

const rpid = new Pid(peer, 1001, 0, 1);
const rpid2 = new Pid(peer, 1002, 0, 1);

async function withRouter(extra: Parameters<typeof startNode>[0] = {}): Promise<FakeRouter> {
  const router = new FakeRouter();
  ({ node } = await startNode({ router, ...extra }));
  return router;
}

describe('calls and responses', () => {
  it('deliverResponse says whether the ref was a pending call (Erlang replies arrive as plain messages)', async () => {
    const router = await withRouter();
    const { probe } = await spawnProbe(node);
    const answer = probe.process.call<string>(rpid, 'req');
    const conn = router.connection(peer);
    expect(node.inbound.deliverResponse(conn.lastCallRef!, 'resp')).toBe(true);
    expect(await answer).toBe('resp');
    // the same ref again (a duplicate or late answer) and a stranger: not calls
    expect(node.inbound.deliverResponse(conn.lastCallRef!, 'again')).toBe(false);
    expect(node.inbound.deliverResponse(new Ref(peer, 1, [1, 2, 3]), 'x')).toBe(false);
    const failing = probe.process.call(rpid, 'req2');
    expect(node.inbound.deliverResponse(conn.lastCallRef!, undefined, atom('badarg'))).toBe(true);
    await expect(failing).rejects.toMatchObject({ code: ErrCode.CallFailed, reason: atom('badarg') });
  });

  it('our reference comes back the same after a trip through Ergo (widened to 3×u64)', async () => {
    const router = await withRouter();
    const answer = node.call(rpid, 'q');
    const r = router.connection(peer).lastCallRef!;
    // Go keeps 3×u64: the same identity may come back with zero words after the third
    const widened = new Ref(r.node, r.creation, [...r.ids, 0, 0, 0]);
    expect(widened.ids.length).toBe(r.ids.length + 3);
    expect(Ref.ergo(r.node, r.creation, ...r.ergoIds()).equals(r)).toBe(true);
    expect(node.inbound.deliverResponse(widened, 'ok')).toBe(true);
    expect(await answer).toBe('ok');
  });

  it('a call the node gives up on is cancelled on the connection; nodedown fails pending calls', async () => {
    const router = await withRouter();
    const { probe, pid } = await spawnProbe(node);
    await expect(probe.process.call(rpid, 'slow', { timeout: 5 })).rejects.toMatchObject({ code: ErrCode.Timeout });
    const cancel = router.connection(peer).of('cancelCall')[0]!;
    expect((cancel[1] as Pid).equals(pid)).toBe(true);
    const pending = probe.process.call(rpid, 'x', { timeout: Infinity });
    void pid;
    node.inbound.nodeDown(peer, A.noconnection);
    await expect(pending).rejects.toMatchObject({ code: ErrCode.NoConnection });
  });

  it('inbound calls reach pids, names and aliases; the answer goes out with the responder pid', async () => {
    const router = await withRouter();
    const { probe, pid } = await spawnProbe(node, undefined, 'svc');
    probe.onCall = (r) => `re:${String(r)}`;
    const ref = new Ref(peer, 1, [9, 9, 9]);
    expect(node.inbound.deliverCall(rpid, atom('svc'), ref, 'q', 'normal')).toBe(Delivery.Ok);
    await until(() => router.connection(peer).of('sendResponse').length === 1);
    const [, from, to, r, value] = router.connection(peer).of('sendResponse')[0]!;
    expect((from as Pid).equals(pid)).toBe(true);
    expect((to as Pid).equals(rpid)).toBe(true);
    expect((r as Ref).equals(ref)).toBe(true);
    expect(value).toBe('re:q');
    expect(node.inbound.deliverCall(rpid, atom('ghost'), ref, 'q', 'normal')).toBe(Delivery.Unknown);
  });
});

describe('inbound errors are values', () => {
  it('unknown targets, full mailboxes and terminated processes are codes, not exceptions', async () => {
    await withRouter();
    const { probe, pid } = await spawnProbe(node, { mailboxSize: 1 });
    probe.onMessage = () => new Promise(() => undefined); // never settles: the mailbox fills
    expect(node.inbound.deliver(rpid, pid, 1, 'normal')).toBe(Delivery.Ok);
    await until(() => probe.inbox.length === 1);
    expect(node.inbound.deliver(rpid, pid, 2, 'normal')).toBe(Delivery.Ok);
    expect(node.inbound.deliver(rpid, pid, 3, 'normal')).toBe(Delivery.MailboxFull);
    expect(node.inbound.deliver(rpid, atom('ghost'), 1, 'normal')).toBe(Delivery.Unknown);
    expect(node.inbound.deliver(rpid, new Pid(node.name, 999999, 0, node.creation), 1, 'normal')).toBe(Delivery.Unknown);
    expect(node.inbound.link(rpid, atom('ghost'), 'two-way')).toBe(Delivery.Unknown);
    expect(node.inbound.monitor(rpid, atom('ghost'), new Ref(peer, 1, [1, 1, 1]))).toBe(Delivery.Unknown);
    expect(node.inbound.exit(rpid, new Pid(node.name, 999999, 0, node.creation), A.kill)).toBe(Delivery.Unknown);
    expect(node.inbound.subscribe(rpid, atom('no_such_event'), 'link', undefined)).toBe(Delivery.Unknown);
  });
});

describe('back-pressure', () => {
  it('a busy connection parks the sender until the stack says the node is writable', async () => {
    const router = await withRouter();
    const conn = router.connection(peer);
    conn.sendResult = Outbound.Busy;
    const { probe, pid } = await spawnProbe(node);
    probe.onMessage = (m) => {
      if (m === 'go') probe.process.send(rpid, 'out');
    };
    node.send(pid, 'go');
    node.send(pid, 'next');
    await until(() => conn.of('send').length === 1);
    await new Promise((r) => setTimeout(r, 20));
    // parked: 'next' waits in the mailbox
    expect(probe.inbox.map((e) => e.message)).toEqual(['go']);
    expect(node.processInfo(pid).mailbox).toBe(1);
    conn.sendResult = Outbound.Ok;
    node.inbound.writable(peer);
    await until(() => probe.inbox.length === 2);
    expect(probe.inbox[1]!.message).toBe('next');
  });

  it('inbound deliveries report Backlog past the mark, and drained() resolves once the queue is worked off', async () => {
    await withRouter({ inboundBacklog: 4 });
    const { probe, pid } = await spawnProbe(node);
    let release!: () => void;
    probe.onMessage = (m) => (m === 0 ? new Promise<void>((r) => (release = r)) : undefined);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push(node.inbound.deliver(rpid, pid, i, 'normal'));
    await until(() => probe.inbox.length === 1);
    // the queue reaches the mark with the fourth message
    expect(codes).toEqual([Delivery.Ok, Delivery.Ok, Delivery.Ok, Delivery.Backlog, Delivery.Backlog, Delivery.Backlog]);
    let drained = false;
    const d = node.inbound.drained(pid).then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(drained).toBe(false);
    release();
    await d;
    expect(probe.inbox.length).toBe(6);
    await expect(node.inbound.drained(atom('nobody'))).resolves.toBeUndefined();
  });
});

describe('every outbound operation carries the sender pid', () => {
  it('send, call, exit, link, monitor, subscribe, spawn: `from` is the acting process', async () => {
    const router = await withRouter();
    const { probe, pid } = await spawnProbe(node);
    const p = probe.process;
    p.send(rpid, 1);
    p.send(processId('svc', peer), 2, { priority: 'high' });
    p.call(rpid, 'q', { timeout: Infinity }).catch(() => undefined);
    p.sendExit(rpid, A.shutdown);
    p.link(rpid);
    p.link(processId('svc', peer));
    const ref = p.monitor(rpid);
    p.demonitor(ref);
    p.unlink(rpid);
    await p.monitorEvent(event('ticks', peer));
    await p.remoteSpawn(peer, 'worker');
    const ops = router.connection(peer).ops;
    expect(ops.map((o) => o[0])).toEqual(['send', 'send', 'call', 'sendExit', 'link', 'link', 'monitor', 'demonitor', 'unlink', 'subscribe', 'spawn']);
    for (const op of ops) expect((op[1] as Pid).equals(pid)).toBe(true);
    expect(ops[1]![4]).toBe('high');
  });

  it('a process monitored by name dies: the notice names the name and carries the dying pid', async () => {
    const router = await withRouter();
    const a = await spawnProbe(node, undefined, 'svc');
    expect(node.inbound.monitor(rpid, atom('svc'), new Ref(peer, 1, [7, 7, 7]))).toBe(Delivery.Ok);
    node.sendExit(a.pid, atom('boom'));
    await node.wait(a.pid);
    const [, from, target, reason] = router.connection(peer).of('terminated')[0]!;
    expect((from as Pid).equals(a.pid)).toBe(true);
    expect(target).toEqual(processId('svc', node.name));
    expect(reason).toBe(atom('boom'));
  });
});

describe('targets ending', () => {
  it('Ergo form: one inbound `terminated` fans out to every local link and monitor on that target', async () => {
    await withRouter();
    const a = await spawnProbe(node);
    const b = await spawnProbe(node);
    const c = await spawnProbe(node);
    a.probe.process.trapExit = true;
    a.probe.process.link(rpid);
    b.probe.process.monitor(rpid);
    c.probe.process.monitor(rpid);
    c.probe.process.monitor(processId('svc', peer));
    node.inbound.terminated(rpid, atom('gone'));
    const x = await a.probe.receive<MessageExit>((m) => m instanceof MessageExit);
    expect(x.reason).toBe(atom('gone'));
    expect((await b.probe.receive<MessageDown>((m) => m instanceof MessageDown)).reason).toBe(atom('gone'));
    const d = await c.probe.receive<MessageDown>((m) => m instanceof MessageDown);
    expect(d.target).toEqual(rpid);
    // the monitor by name is another target: still there
    expect(node.processInfo(c.pid).monitors).toEqual([processId('svc', peer)]);
    node.inbound.terminated(processId('svc', peer), atom('unregistered'));
    const dn = await c.probe.receive<MessageDown>((m) => m instanceof MessageDown);
    expect(dn.kind).toBe('name');
    expect(dn.toTerm()).toEqual(tuple(A.DOWN, dn.ref, A.process, tuple(atom('svc'), peer), atom('unregistered')));
  });

  it('Erlang form: down() fires one monitor by its reference, linkExit() one two-way link', async () => {
    await withRouter();
    const a = await spawnProbe(node);
    const r1 = a.probe.process.monitor(rpid);
    const r2 = a.probe.process.monitor(rpid);
    node.inbound.down(rpid, a.pid, r2, atom('died'));
    const d = await a.probe.receive<MessageDown>((m) => m instanceof MessageDown);
    expect(d.ref.equals(r2)).toBe(true);
    expect(node.processInfo(a.pid).monitors.length).toBe(1);
    void r1;
    a.probe.process.link(rpid);
    node.inbound.linkExit(rpid2, a.pid, atom('not_linked')); // no such link: ignored
    node.inbound.linkExit(rpid, a.pid, atom('crash'));
    expect(await node.wait(a.pid)).toBe(atom('crash'));
  });

  it('a dying process reports each target once per node, with every consumer of it there', async () => {
    const router = await withRouter();
    const a = await spawnProbe(node, undefined, 'svc');
    const alias = a.probe.process.createAlias();
    node.inbound.link(rpid, a.pid, 'two-way');
    node.inbound.link(rpid2, a.pid, 'one-way');
    node.inbound.monitor(rpid, a.pid, new Ref(peer, 1, [1, 0, 0]));
    node.inbound.monitor(rpid2, a.pid, new Ref(peer, 1, [2, 0, 0]));
    node.inbound.monitor(rpid, alias, new Ref(peer, 1, [3, 0, 0]));
    const other = new Pid(peer2, 1001, 0, 1);
    node.inbound.monitor(other, atom('svc'), new Ref(peer2, 1, [4, 0, 0]));
    node.sendExit(a.pid, atom('boom'));
    await node.wait(a.pid);
    const t = router.connection(peer).of('terminated');
    expect(t.length).toBe(2); // the pid and the alias
    const byPid = t.find((o) => o[2] instanceof Pid)!;
    const c = byPid[4] as RemoteConsumers;
    expect(c.links.map(String)).toEqual([String(rpid)]);
    expect(c.oneWay.map(String)).toEqual([String(rpid2)]);
    expect(c.monitors.map((m) => String(m.pid)).sort()).toEqual([String(rpid), String(rpid2)].sort());
    const byAlias = t.find((o) => !(o[2] instanceof Pid))!;
    expect((byAlias[2] as Ref).equals(alias)).toBe(true);
    expect(router.connection(peer2).of('terminated').length).toBe(1);
  });
});

describe('link semantics: two-way and one-way', () => {
  it('outbound: link(pid) is two-way; oneWay, names and aliases are one-way', async () => {
    const router = await withRouter();
    const { probe } = await spawnProbe(node);
    probe.process.link(rpid);
    probe.process.link(rpid2, { oneWay: true });
    probe.process.link(processId('svc', peer));
    expect(router.connection(peer).of('link').map((o) => o[3])).toEqual(['two-way', 'one-way', 'one-way']);
  });

  it('inbound two-way: the local side dies with a remote crash, ignores normal; one-way: any reason counts', async () => {
    const router = await withRouter();
    const a = await spawnProbe(node);
    expect(node.inbound.link(rpid, a.pid, 'two-way')).toBe(Delivery.Ok);
    node.inbound.linkExit(rpid, a.pid, A.normal);
    await new Promise((r) => setTimeout(r, 10));
    expect(node.processInfo(a.pid).state).not.toBe('terminated');
    node.inbound.link(rpid, a.pid, 'two-way');
    node.inbound.linkExit(rpid, a.pid, atom('crash'));
    expect(await node.wait(a.pid)).toBe(atom('crash'));
    // one-way: our process links a remote target; the target ends with normal: we die too
    const b = await spawnProbe(node);
    b.probe.process.link(rpid2, { oneWay: true });
    node.inbound.terminated(rpid2, A.normal);
    expect(await node.wait(b.pid)).toBe(A.normal);
    // the remote linker of a one-way link hears about a normal end too
    const c = await spawnProbe(node);
    node.inbound.link(rpid, c.pid, 'one-way');
    c.probe.process.stop();
    await node.wait(c.pid);
    const last = router.connection(peer).of('terminated').at(-1)!;
    expect((last[4] as RemoteConsumers).oneWay.map(String)).toEqual([String(rpid)]);
    expect(last[3]).toBe(A.normal);
  });

  it('nodedown: links fire noconnection, monitors DOWN, node monitors {nodedown, N}; remote consumers are forgotten', async () => {
    const router = await withRouter();
    const a = await spawnProbe(node);
    a.probe.process.trapExit = true;
    a.probe.process.link(rpid);
    const ref2 = a.probe.process.monitor(processId('svc', peer));
    a.probe.process.monitorNode(peer);
    node.inbound.monitor(rpid, a.pid, new Ref(peer, 1, [5, 0, 0]));
    node.inbound.nodeDown(peer, A.noconnection);
    expect((await a.probe.receive<MessageExit>((m) => m instanceof MessageExit)).reason).toBe(A.noconnection);
    const downs = [await a.probe.receive<MessageDown>((m) => m instanceof MessageDown), await a.probe.receive<MessageDown>((m) => m instanceof MessageDown)];
    expect(downs.map((m) => m.kind).sort()).toEqual(['name', 'node']);
    expect(downs.find((m) => m.kind === 'name')!.ref.equals(ref2)).toBe(true);
    expect(downs.find((m) => m.kind === 'node')!.toTerm()).toEqual(tuple(atom('nodedown'), peer));
    a.probe.process.stop();
    await node.wait(a.pid);
    expect(router.connection(peer).of('terminated')).toEqual([]);
  });
});

describe('remote spawn', () => {
  class Worker extends Actor {
    seed: unknown;
    override init(seed: unknown): void {
      this.seed = seed;
    }
  }

  it('only what is enabled, only for the allowed nodes; by Ergo name and by Erlang {M, F, A}', async () => {
    const router = await withRouter();
    node.enableSpawn('worker', Worker, { nodes: [peer], erlang: { module: 'ts_worker', function: 'start_link' } });
    const pid = await node.inbound.spawn({ name: atom('worker'), args: [42], parent: rpid });
    expect(node.processInfo(pid).parent.equals(rpid)).toBe(true);
    const viaMfa = await node.inbound.spawn({ name: { module: atom('ts_worker'), function: atom('start_link') }, args: [1], parent: rpid, link: true, monitor: new Ref(peer, 1, [8, 0, 0]) });
    await expect(node.inbound.spawn({ name: atom('worker'), args: [1], parent: new Pid(peer2, 1, 0, 1) })).rejects.toMatchObject({ code: ErrCode.NotAllowed });
    await expect(node.inbound.spawn({ name: atom('nope'), args: [], parent: rpid })).rejects.toMatchObject({ code: ErrCode.NotAllowed });
    node.enableSpawn('worker', Worker, { nodes: [peer2] });
    expect((await node.inbound.spawn({ name: atom('worker'), args: [1], parent: new Pid(peer2, 1, 0, 1) })).node).toBe(node.name);
    node.disableSpawn('worker');
    await expect(node.inbound.spawn({ name: atom('worker'), args: [1], parent: rpid })).rejects.toMatchObject({ code: ErrCode.NotAllowed });
    // the link and monitor options were honoured: its death reaches the requester as both
    node.kill(viaMfa);
    await node.wait(viaMfa);
    const t = router.connection(peer).of('terminated')[0]!;
    const c = t[4] as RemoteConsumers;
    expect(c.links.map(String)).toEqual([String(rpid)]);
    expect(c.monitors.length).toBe(1);
  });

  it('outbound: an Ergo name or an Erlang {module, function}; link: true records the link', async () => {
    const router = await withRouter();
    const { probe, pid } = await spawnProbe(node);
    const r = await probe.process.remoteSpawn(peer, { module: 'erlang', function: 'apply' }, { args: [1], link: true });
    const req = router.connection(peer).of('spawn')[0]![2] as { name: { module: unknown }; args: unknown[]; link: boolean; parent: Pid };
    expect(req.name.module).toBe(atom('erlang'));
    expect(req.args).toEqual([1]);
    expect(req.link).toBe(true);
    expect(req.parent.equals(pid)).toBe(true);
    expect(node.processInfo(pid).links.map(String)).toEqual([String(r)]);
  });

  it('remote application start is allow-listed too', async () => {
    await withRouter();
    await expect(node.inbound.applicationStart(rpid, atom('app'), undefined, undefined)).rejects.toMatchObject({ code: ErrCode.NotAllowed });
  });
});

describe('remote events', () => {
  it('a local event reaches each remote node with subscribers once; remote nodes subscribe with a replay buffer', async () => {
    const router = await withRouter();
    const owner = await spawnProbe(node);
    const token = owner.probe.process.registerEvent('prices', { buffer: 2 });
    owner.probe.process.sendEvent('prices', token, 1);
    const buf = node.inbound.subscribe(rpid, atom('prices'), 'monitor', new Ref(peer, 1, [1, 1, 1]));
    expect((buf as MessageEvent[]).map((m) => m.message)).toEqual([1]);
    node.inbound.subscribe(rpid2, atom('prices'), 'link', undefined);
    node.inbound.subscribe(new Pid(peer2, 7, 0, 1), atom('prices'), 'link', undefined);
    const local = await spawnProbe(node);
    await local.probe.process.linkEvent(event('prices', node.name));
    owner.probe.process.sendEvent('prices', token, 2);
    const pub = router.connection(peer).of('publish');
    expect(pub.length).toBe(1);
    expect((pub[0]![1] as Pid).equals(owner.pid)).toBe(true);
    expect((pub[0]![3] as Pid[]).map(String).sort()).toEqual([String(rpid), String(rpid2)].sort());
    expect(router.connection(peer2).of('publish').length).toBe(1);
    await until(() => local.probe.events.length === 1);
    // the owner ends: remote subscribers hear of the event, once per node
    owner.probe.process.unregisterEvent('prices');
    const t = router.connection(peer).of('terminated')[0]!;
    expect(t[2]).toBeInstanceOf(Event);
  });

  it('a local process subscribes to a remote event; what the peer publishes reaches every local subscriber', async () => {
    const router = await withRouter();
    const conn = router.connection(peer);
    conn.subscribeResult = () => Promise.resolve([new MessageEvent(event('ticks', peer), 1, 'old')]);
    const a = await spawnProbe(node);
    const b = await spawnProbe(node);
    const ev = event('ticks', peer);
    expect((await a.probe.process.monitorEvent(ev)).map((m) => m.message)).toEqual(['old']);
    await b.probe.process.linkEvent(ev);
    expect(node.inbound.deliverEvent(rpid, MessageEvent.fromNanos(ev, 123_000_000n, 'tick'))).toBe(2);
    await until(() => a.probe.events.length === 1 && b.probe.events.length === 1);
    expect(a.probe.events[0]!.nanos).toBe(123_000_000n);
    conn.subscribeResult = () => Promise.reject(new Error('refused'));
    const c = await spawnProbe(node);
    await expect(c.probe.process.monitorEvent(event('other', peer))).rejects.toThrow('refused');
    expect(node.processInfo(c.pid).monitors).toEqual([]);
  });
});

describe('nodes', () => {
  it('node up/down reach processes watching nodes and node listeners; nodes() asks the router', async () => {
    const router = await withRouter();
    const w = await spawnProbe(node);
    w.probe.process.monitorNodes(true);
    const seen: string[] = [];
    const off = node.onNodeStatus((up, n) => seen.push(`${up ? 'up' : 'down'}:${n.name}`));
    router.connected = [peer];
    node.inbound.nodeUp({ node: peer, protocol: 'fake', creation: 1 });
    expect(node.nodes()).toEqual([peer]);
    expect((await w.probe.receive<MessageNodeUp>((m) => m instanceof MessageNodeUp)).node).toBe(peer);
    node.inbound.nodeDown(peer, A.noconnection);
    expect((await w.probe.receive<MessageNodeDown>((m) => m instanceof MessageNodeDown)).reason).toBe(A.noconnection);
    off();
    expect(seen).toEqual(['up:peer@host', 'down:peer@host']);
  });

  it('monitorNode on a node not connected does not throw: it connects in the background and fires if that fails', async () => {
    const router = await withRouter();
    const a = await spawnProbe(node);
    expect(() => a.probe.process.monitorNode(peer)).not.toThrow();
    expect(router.events).toContain('connect:peer@host');
    node.inbound.nodeDown(peer, A.noconnection); // what the manager reports when the dial fails
    expect((await a.probe.receive<MessageDown>((m) => m instanceof MessageDown)).toTerm()).toEqual(tuple(atom('nodedown'), peer));
  });

  it('without a network, a node monitor fires at once instead of throwing', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    a.probe.process.monitorNode(peer);
    expect((await a.probe.receive<MessageDown>((m) => m instanceof MessageDown)).reason).toBe(A.noconnection);
  });
});

describe('lifecycle', () => {
  it('the router starts before the first pid and may set the creation; it stops after the processes', async () => {
    const router = new FakeRouter();
    router.onStart = (ctx) => ctx.setCreation(4242);
    ({ node } = await startNode({ router, creation: 1 }));
    expect(node.creation).toBe(4242);
    expect(node.pid.creation).toBe(4242);
    const { pid } = await spawnProbe(node);
    expect(pid.creation).toBe(4242);
    expect(() => router.ctx!.setCreation(7)).toThrowError(expect.objectContaining({ code: ErrCode.NotAllowed }));
    node.inbound.monitor(rpid, pid, new Ref(peer, 1, [1, 0, 0]));
    const before: Op[] = [];
    router.events.push('processes-running');
    await node.stop();
    before.push(...router.connection(peer).ops);
    expect(router.events).toEqual(['start', 'processes-running', 'stop']);
    // the monitored process told its remote watcher before the network went away
    expect(before.map((o) => o[0])).toEqual(['terminated']);
    expect(before[0]![3]).toBe(A.shutdown);
  });

  it('a router that fails to start fails Node.start', async () => {
    const router = new FakeRouter();
    router.onStart = () => {
      throw new Error('epmd refused');
    };
    await expect(startNode({ router })).rejects.toThrow('epmd refused');
  });
});

describe('without a network', () => {
  it('remote targets fail with ERR_NO_CONNECTION', async () => {
    ({ node } = await startNode());
    const { probe } = await spawnProbe(node);
    expect(() => probe.process.send(rpid, 1)).toThrowError(expect.objectContaining({ code: ErrCode.NoConnection }));
    await expect(probe.process.call(rpid, 1)).rejects.toMatchObject({ code: ErrCode.NoConnection });
  });
});
