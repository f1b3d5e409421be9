/**
 * Links, monitors, terminate notifications and events between two TS nodes over the Ergo
 * stack, through the node API: two-way links carried as Ergo one-way links plus exit signals,
 * one-way links and monitors on pids, names and aliases, event subscriptions with their replay
 * buffer (one 105 frame per subscribing node), node down fanned out to every link and monitor
 * at once, and a reconnect on the next send.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, atom, type Pid, type Ref } from '../../../src/term/index.js';
import { ErrCode, event, MessageDown, MessageEvent, MessageExit, processId } from '../../../src/gen/index.js';
import { Actor } from '../../../src/act/index.js';
import type { Node } from '../../../src/node/index.js';
import { Cluster, Probe, sleep, spawnProbe, until, VARIANTS, type Variant } from './node-support.js';
import { WireLog } from './wire-log.js';

/** A target: dies with the reason it is sent as `['stop', reason]`. */
class Target extends Actor {
  override handleMessage(m: unknown): void {
    if (Array.isArray(m) && m[0] === 'stop') this.process.stop(m[1] === 'normal' ? A.normal : atom(m[1] as string));
  }
}

/** Owns event `name` (replay buffer of 2) and publishes what it is sent. */
class Publisher extends Actor {
  token!: Ref;
  override init(name: string): void {
    this.token = this.process.registerEvent(name, { buffer: 2 });
  }
  override handleCall(): string {
    return 'ok';
  }
  override handleMessage(m: unknown): void {
    if (m === 'unregister') this.process.unregisterEvent(this.process.events()[0]!);
    else this.process.sendEvent(this.process.events()[0]!, this.token, m);
  }
}

const exitOf = (m: unknown): m is MessageExit => m instanceof MessageExit;
const downOf = (m: unknown): m is MessageDown => m instanceof MessageDown;

/** Until the remote process `pid` on `node` has `n` one-way links and `m` monitors held on it by other nodes. */
async function held(node: Node, pid: Pid, links: number, monitors = 0): Promise<void> {
  await until(
    () => {
      const i = node.processInfo(pid);
      return i.linkedBy.length === links && i.monitoredBy.length === monitors;
    },
    5000,
    `${links} links and ${monitors} monitors on ${String(pid)}`,
  );
}

describe.each(VARIANTS)('Ergo stack links and monitors over %s', (v: Variant) => {
  let c: Cluster;
  let a: Node;
  let b: Node;
  beforeEach(async () => {
    c = await Cluster.create();
    a = await c.node('a', v);
    b = await c.node('b', v);
  });
  afterEach(async () => {
    await c.close();
  });

  async function target(name?: string): Promise<Pid> {
    return name ? b.spawnRegister(name, Target) : b.spawn(Target);
  }

  it('two-way link to a remote pid: its crash kills us, its normal end does not; our crash reaches it', async () => {
    const { probe: p } = await spawnProbe(a);
    const q = await target();
    p.process.link(q);
    await held(b, q, 1);
    a.send(q, ['stop', 'normal']);
    expect(await b.wait(q, 5000)).toBe(A.normal);
    await sleep(50);
    expect(p.process.state).not.toBe('terminated');

    const q2 = await target();
    p.process.link(q2);
    await held(b, q2, 1);
    a.send(q2, ['stop', 'crash']);
    expect(await a.wait(p.process.pid, 5000)).toBe(atom('crash'));

    // Our side ends: the remote process hears it (an exit signal), unless the reason is normal.
    const { probe: r } = await spawnProbe(a);
    const q3 = await target();
    const q4 = await target();
    r.process.link(q3);
    r.process.link(q4);
    await held(b, q4, 1);
    r.process.unlink(q4);
    await held(b, q4, 0);
    await held(b, q3, 1);
    a.sendExit(r.process.pid, atom('gone'));
    expect(await b.wait(q3, 5000)).toBe(atom('gone'));
    await sleep(100);
    expect(b.processInfo(q4).state).not.toBe('terminated');
  });

  it('two-way link, trapping: the remote end arrives as MessageExit, normal included', async () => {
    const { probe: p } = await spawnProbe(a);
    p.process.trapExit = true;
    const q = await target();
    p.process.link(q);
    await held(b, q, 1);
    a.send(q, ['stop', 'normal']);
    const m = await p.receive<MessageExit>(exitOf, 5000);
    expect(m.from).toEqual(q);
    expect(m.reason).toBe(A.normal);
    expect(m.kind).toBe('process');
  });

  it('one-way links to a pid, a name and an alias fire with any reason, normal included', async () => {
    const { probe: p } = await spawnProbe(a);
    p.process.trapExit = true;
    const q = await target('victim');
    const owner = new Probe();
    const ownerPid = await b.spawn(() => owner);
    const al = owner.process.createAlias();
    p.process.link(q, { oneWay: true });
    p.process.link(processId('victim', b.name));
    p.process.link(al);
    await held(b, q, 2);
    await held(b, ownerPid, 1);
    a.send(q, ['stop', 'normal']);
    const kinds = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const m = await p.receive<MessageExit>(exitOf, 5000);
      expect(m.reason).toBe(A.normal);
      kinds.add(m.kind);
    }
    expect(kinds).toEqual(new Set(['process', 'name']));
    owner.process.deleteAlias(al);
    const m = await p.receive<MessageExit>(exitOf, 5000);
    expect(m.kind).toBe('alias');
    expect(m.from).toEqual(al);
    void ownerPid;

    // Not trapping: a one-way link kills even on normal.
    const { probe: n } = await spawnProbe(a);
    const q2 = await target();
    n.process.link(q2, { oneWay: true });
    await held(b, q2, 1);
    a.send(q2, ['stop', 'normal']);
    expect(await a.wait(n.process.pid, 5000)).toBe(A.normal);
  });

  it('monitors on a pid, a name and an alias: DOWN with the reason; demonitor; a dead pid gives noproc', async () => {
    const { probe: p } = await spawnProbe(a);
    const q = await target('mon');
    const owner = new Probe();
    await b.spawn(() => owner);
    const al = owner.process.createAlias();
    const r1 = p.process.monitor(q);
    const r2 = p.process.monitor(processId('mon', b.name));
    const r3 = p.process.monitor(al);
    const extra = p.process.monitor(q);
    expect(p.process.demonitor(extra)).toBe(true);
    await held(b, q, 0, 2);
    await held(b, owner.process.pid, 0, 1);
    a.send(q, ['stop', 'bye']);
    const got = new Map<string, MessageDown>();
    for (let i = 0; i < 2; i++) {
      const d = await p.receive<MessageDown>(downOf, 5000);
      got.set(d.kind, d);
    }
    expect(got.get('process')!.ref).toEqual(r1);
    expect(got.get('process')!.reason).toBe(atom('bye'));
    expect(got.get('name')!.ref).toEqual(r2);
    expect(got.get('name')!.target).toEqual(processId('mon', b.name));
    owner.process.deleteAlias(al);
    const d3 = await p.receive<MessageDown>(downOf, 5000);
    expect(d3.ref).toEqual(r3);
    expect(d3.kind).toBe('alias');
    await sleep(100);
    expect(p.inbox.filter((e) => downOf(e.message))).toHaveLength(0);

    // A demonitored target's end is not reported; a dead one is, at once, with noproc.
    const q2 = await target();
    const r4 = p.process.monitor(q2);
    await held(b, q2, 0, 1);
    p.process.demonitor(r4);
    await held(b, q2, 0, 0);
    a.send(q2, ['stop', 'x']);
    await b.wait(q2, 5000);
    const r5 = p.process.monitor(q2);
    const d5 = await p.receive<MessageDown>(downOf, 5000);
    expect(d5.ref).toEqual(r5);
    expect(d5.reason).toBe(A.noproc);
  });

  it('the remote side monitors and links our processes too (terminate notices go out)', async () => {
    const { probe: watcher } = await spawnProbe(b);
    watcher.process.trapExit = true;
    const mine = await a.spawnRegister('mine', Target);
    watcher.process.monitor(mine);
    watcher.process.monitor(processId('mine', a.name));
    watcher.process.link(mine, { oneWay: true });
    await held(a, mine, 1, 2);
    a.send(mine, ['stop', 'done']);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await watcher.receive((x) => downOf(x) || exitOf(x), 5000);
      seen.push(`${m instanceof MessageDown ? 'down' : 'exit'}:${(m as MessageDown).kind}:${String((m as MessageDown).reason)}`);
    }
    expect(seen.sort()).toEqual(['down:name:done', 'down:process:done', 'exit:process:done']);
  });

  it('events: subscribers get the replay buffer; one publication reaches each subscribing node once', async () => {
    const wire = new WireLog();
    const sub = await c.node('sub', v, { tap: wire.tap });
    const pub = await b.spawn(Publisher, { args: ['prices'] });
    for (const x of ['p1', 'p2', 'p3']) b.send(pub, x);
    await b.call(pub, 'sync');
    const { probe: s1 } = await spawnProbe(sub);
    const { probe: s2 } = await spawnProbe(sub);
    const ev = event('prices', b.name);
    const buf1 = await s1.process.linkEvent(ev);
    const buf2 = await s2.process.monitorEvent(ev);
    expect(buf1.map((m) => m.message)).toEqual(['p2', 'p3']);
    expect(buf2.map((m) => m.message)).toEqual(['p2', 'p3']);
    expect(buf1[0]).toBeInstanceOf(MessageEvent);
    expect(buf1[0]!.event).toEqual(ev);
    const before = wire.count('in', 105) + wire.count('in', 106);
    b.send(pub, 'p4');
    await until(() => s1.events.length === 1 && s2.events.length === 1, 5000, 'both subscribers');
    expect(s1.events[0]!.message).toBe('p4');
    expect(wire.count('in', 105) + wire.count('in', 106) - before).toBe(1);
    await expect(s1.process.linkEvent(event('nosuch', b.name))).rejects.toMatchObject({ code: ErrCode.EventUnknown });

    // The owner ends: the link fires (one-way exit, kind event), the monitor gives DOWN.
    s1.process.trapExit = true;
    b.send(pub, 'unregister');
    const x = await s1.receive<MessageExit>(exitOf, 5000);
    expect(x.kind).toBe('event');
    expect(x.from).toEqual(ev);
    const d = await s2.receive<MessageDown>(downOf, 5000);
    expect(d.kind).toBe('event');
  });

  it('the node goes down: every link and monitor into it fires noconnection at once; the next send reconnects', async () => {
    const { probe: p } = await spawnProbe(a);
    p.process.trapExit = true;
    const targets = await Promise.all([target(), target(), target('n1')]);
    const refs = new Set<string>();
    for (const t of targets) refs.add(p.process.monitor(t).identity);
    p.process.link(targets[0]!);
    p.process.link(targets[1]!, { oneWay: true });
    p.process.monitorNode(b.name);
    const { probe: plain } = await spawnProbe(a);
    plain.process.link(targets[2]!);
    await held(b, targets[0]!, 1, 1);
    await held(b, targets[1]!, 1, 1);
    await held(b, targets[2]!, 1, 1);
    const bName = b.name;
    const plainEnd = a.wait(plain.process.pid);
    // The connection is lost while b's processes live on: all of it fires with noconnection.
    b.disconnect(a.name);
    const got: unknown[] = [];
    await until(
      () => {
        for (const e of p.inbox.splice(0)) got.push(e.message);
        return got.length >= 6;
      },
      5000,
      'six notices',
    );
    const downs = got.filter(downOf);
    const exits = got.filter(exitOf);
    expect(downs.filter((d) => d.kind !== 'node').every((d) => d.reason === A.noconnection && refs.has(d.ref.identity))).toBe(true);
    expect(downs).toHaveLength(4);
    expect(exits.map((e) => e.reason)).toEqual([A.noconnection, A.noconnection]);
    expect(await plainEnd).toBe(A.noconnection);
    expect(a.nodes()).toEqual([]);
    for (const t of targets) expect(b.processInfo(t).state).not.toBe('terminated');

    // The next send connects again, to the same node.
    a.send(targets[0]!, ['stop', 'normal']);
    expect(await b.wait(targets[0]!, 5000)).toBe(A.normal);
    expect(a.nodes()).toEqual([bName]);

    // A new incarnation under the same name: the next send connects to it.
    await b.stopForce();
    await until(() => a.nodes().length === 0, 5000, 'b gone');
    const b2 = await c.node('b', v, {}, { name: bName });
    const { probe: q, pid: qPid } = await spawnProbe(b2, undefined, 'again');
    a.send(processId('again', bName), 'hello again');
    expect(await q.receive((m) => m === 'hello again', 5000)).toBe('hello again');
    expect(a.nodes()).toEqual([bName]);
    void qPid;
  });
});
