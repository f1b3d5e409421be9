/**
 * Node-level links, monitors, terminate notices, events, remote spawn and remote application
 * start between a TS node and a Go Ergo v3 node, both directions, over TCP, TLS and with
 * compression.
 *
 * Go 3.1.0 sends TerminatePID (181) and TerminateAlias (184) only to a peer whose creation
 * equals its own (it compares the target's creation with the peer's; proto-spec
 * ergo-network.md §9): the TS node that links and monitors Go pids and aliases is therefore
 * started with the Go node's creation. Names and events (182/183/185/186) need no such help.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, atom, Pid, type Ref } from '../../../src/term/index.js';
import { ErrCode, event, MessageDown, MessageEvent, MessageExit, processId } from '../../../src/gen/index.js';
import { Actor } from '../../../src/act/index.js';
import type { ApplicationBehavior, ApplicationSpec, Node } from '../../../src/node/index.js';
import { spawnProbe, until } from '../../net/ergo/node-support.js';
import { aliasTarget, go, goAlias, goPid, NodeCluster, pidTarget, title, VARIANTS, type Variant } from './node-harness.js';
import type { GoLine, GoPeer, GoPid } from './peer.js';

const GO = 'go@127.0.0.1';
const TS = 'ts@127.0.0.1';
const TSC = 'tsc@127.0.0.1';
type Desc = { type: string; value?: Record<string, unknown> & { reason?: string }; repr?: string };
const exitOf = (m: unknown): m is MessageExit => m instanceof MessageExit;
const downOf = (m: unknown): m is MessageDown => m instanceof MessageDown;

class Victim extends Actor {
  token: Ref | undefined;
  override init(event?: string): void {
    if (event) this.token = this.process.registerEvent(event, { buffer: 3 });
  }
  override handleCall(): string {
    return 'ok';
  }
  override handleMessage(m: unknown): void {
    if (Array.isArray(m) && m[0] === 'publish') this.process.sendEvent(this.process.events()[0]!, this.token!, m[1]);
    if (Array.isArray(m) && m[0] === 'stop') this.process.stop(m[1] === 'normal' ? A.normal : atom(m[1] as string));
  }
}

class Worker extends Actor {
  static started: unknown[][] = [];
  override init(...args: unknown[]): void {
    Worker.started.push(args);
  }
}

class App implements ApplicationBehavior {
  modes: string[] = [];
  load(): ApplicationSpec {
    return { name: 'tsapp', members: [{ factory: Worker, name: 'tsapp_worker' }] };
  }
  start(mode: string): void {
    this.modes.push(mode);
  }
}

describe.skipIf(!go.ok).each(VARIANTS)(title('node-level links, monitors, events, spawn with Go Ergo v3 over %s'), (v: Variant) => {
  let c: NodeCluster;
  let ts: Node;
  let tsc: Node;
  let g: GoPeer;
  beforeEach(async () => {
    c = await NodeCluster.create(v);
    ts = await c.node(TS);
    g = await c.go(GO);
    tsc = await c.node(TSC, {}, { creation: g.ready.creation });
  });
  afterEach(async () => {
    await c.close();
  });

  async function victim(name: string): Promise<{ pid: Pid; alias: ReturnType<typeof goAlias> }> {
    await g.ok({ op: 'victim', name });
    const l = await g.wait((x) => x.ev === 'victim' && x.name === name);
    return { pid: goPid(l.pid as GoPid), alias: goAlias(l.alias as never) };
  }

  it('TS → Go: links and monitors on a pid, a name, an alias and an event fire when the Go process ends', async () => {
    const { probe: p } = await spawnProbe(tsc);
    p.process.trapExit = true;
    const vt = await victim('v1');
    const refs = [p.process.monitor(vt.pid), p.process.monitor(processId('v1', GO)), p.process.monitor(vt.alias)];
    p.process.link(vt.pid, { oneWay: true });
    p.process.link(processId('v1', GO));
    await p.process.linkEvent(event('v1', GO));
    const evRef = p.process.monitor(event('v1', GO));
    await until(() => p.process.info().monitors.length === 4, 5000, 'monitors recorded');
    // Let the requests land at Go before the stop (they share no link with it).
    await g.ok({ op: 'sleep', timeout: 200 });
    tsc.send(processId('v1', GO), 'stop:gone');
    const got: string[] = [];
    await until(
      () => {
        for (const { message: m } of p.inbox.splice(0)) if (downOf(m) || exitOf(m)) got.push(`${downOf(m) ? 'down' : 'exit'}:${m.kind}:${String(m.reason)}`);
        return got.length >= 7;
      },
      10_000,
      'seven notices',
    );
    expect(got.sort()).toEqual(['down:alias:gone', 'down:event:gone', 'down:name:gone', 'down:process:gone', 'exit:event:gone', 'exit:name:gone', 'exit:process:gone']);
    void refs;
    void evRef;
  });

  it('TS → Go: a two-way link; our crash reaches the Go process as an exit signal; unlink and demonitor withdraw', async () => {
    const { probe: p } = await spawnProbe(tsc);
    const vt = await victim('v2');
    p.process.link(vt.pid);
    const vt3 = await victim('v3');
    const r = p.process.monitor(vt3.pid);
    const { probe: q } = await spawnProbe(tsc);
    q.process.link(vt3.pid, { oneWay: true });
    await g.ok({ op: 'sleep', timeout: 200 });
    p.process.demonitor(r);
    q.process.unlink(vt3.pid, { oneWay: true });
    await g.ok({ op: 'sleep', timeout: 200 });
    tsc.send(vt3.pid, 'stop:quiet');
    await g.wait((l) => l.ev === 'terminated' && l.name === 'v3');
    tsc.sendExit(p.process.pid, atom('ts_crash'));
    expect((await g.wait((l) => l.ev === 'terminated' && l.name === 'v2')).reason).toMatch(/ts_crash/);
    await g.ok({ op: 'sleep', timeout: 200 });
    expect(q.inbox).toEqual([]);
    expect(q.process.state).not.toBe('terminated');
  });

  it('Go → TS: Go links and monitors our pid, name, alias and event; our end reaches it as Go messages', async () => {
    const vt = new Victim();
    const pid = await ts.spawnRegister('tsv', () => vt, { args: ['tsev'] });
    const alias = vt.process.createAlias();
    // Go keeps one relation per (process, target): the tester monitors, echo links.
    for (const to of [pidTarget(pid), { name: 'tsv', node: TS }, aliasTarget(alias), { event: 'tsev', node: TS }]) {
      await g.ok({ op: 'monitor', to });
      await g.ok({ as: 'echo', op: 'link', to });
    }
    expect(ts.processInfo(pid).monitoredBy).toHaveLength(3);
    expect(ts.processInfo(pid).linkedBy).toHaveLength(3);
    ts.send(pid, ['stop', 'ts_gone']);
    const want = ['MessageDownPID', 'MessageDownProcessID', 'MessageDownAlias', 'MessageDownEvent', 'MessageExitPID', 'MessageExitProcessID', 'MessageExitAlias', 'MessageExitEvent'];
    const lines: GoLine[] = [];
    await until(
      () => {
        lines.splice(0, lines.length, ...g.lines.filter((l) => l.ev === 'recv' && (l.proc === 'tester' || l.proc === 'echo') && /Message(Down|Exit)/.test((l.msg as Desc).type)));
        return lines.length >= 8;
      },
      10_000,
      'eight Go notices',
    );
    expect(lines.map((l) => (l.msg as Desc).type.replace('gen.', '')).sort()).toEqual([...want].sort());
    expect(lines.every((l) => (l.msg as Desc).value!.reason === 'ts_gone')).toBe(true);
  });

  it('Go → TS: unlink and demonitor withdraw; a Go node monitor fires when our node goes', async () => {
    const pid = await ts.spawn(Victim);
    await g.ok({ op: 'monitor', to: pidTarget(pid) });
    await g.ok({ as: 'echo', op: 'link', to: pidTarget(pid) });
    expect(ts.processInfo(pid).monitoredBy).toHaveLength(1);
    await g.ok({ op: 'demonitor', to: pidTarget(pid) });
    await g.ok({ as: 'echo', op: 'unlink', to: pidTarget(pid) });
    await until(() => ts.processInfo(pid).monitoredBy.length === 0 && ts.processInfo(pid).linkedBy.length === 0, 5000, 'withdrawn');
    await g.ok({ op: 'connect', node: TSC });
    await g.ok({ op: 'monitornode', node: TSC });
    await g.ok({ as: 'echo', op: 'linknode', node: TSC });
    await tsc.stopForce();
    await g.wait((x) => x.ev === 'recv' && x.proc === 'tester' && /MessageDownNode/.test(String((x.msg as Desc).repr ?? (x.msg as Desc).type)), 10_000);
    await g.wait((x) => x.ev === 'recv' && x.proc === 'echo' && /MessageExitNode/.test(String((x.msg as Desc).repr ?? (x.msg as Desc).type)), 10_000);
  });

  it('events both ways: the replay buffer on subscribe; one publication per node reaches every subscriber', async () => {
    // Go's ev1 (buffer 4): publish two, subscribe, get them back.
    await g.ok({ op: 'publish', val: { t: 'string', v: 'e1' } });
    await g.ok({ op: 'publish', val: { t: 'string', v: 'e2' } });
    const { probe: s1 } = await spawnProbe(ts);
    const { probe: s2 } = await spawnProbe(ts);
    const replay = await s1.process.linkEvent(event('ev1', GO));
    expect(replay.map((m) => m.message)).toEqual(['e1', 'e2']);
    expect(replay[0]).toBeInstanceOf(MessageEvent);
    expect(await s2.process.monitorEvent(event('ev1', GO))).toHaveLength(2);
    await g.ok({ op: 'publish', val: { t: 'string', v: 'e3' } });
    await until(() => s1.events.length === 1 && s2.events.length === 1, 5000, 'both got e3');
    expect(s1.events[0]!.event).toEqual(event('ev1', GO));
    expect(typeof s1.events[0]!.nanos).toBe('bigint');
    await expect(s1.process.linkEvent(event('nosuch', GO))).rejects.toMatchObject({ code: ErrCode.EventUnknown });

    // Ours: publish two, Go subscribes, gets them; then one more reaches it.
    const vt = new Victim();
    const pid = await ts.spawn(() => vt, { args: ['tsev'] });
    ts.send(pid, ['publish', 'x1']);
    ts.send(pid, ['publish', 'x2']);
    await ts.call(pid, 'sync');
    const r = await g.ok({ op: 'link', to: { event: 'tsev', node: TS } });
    expect((r.events as { message: { value: string } }[]).map((e) => e.message.value)).toEqual(['x1', 'x2']);
    const r2 = await g.ok({ as: 'echo', op: 'monitor', to: { event: 'tsev', node: TS } });
    expect(r2.events).toHaveLength(2);
    ts.send(pid, ['publish', 'x3']);
    await g.wait((l) => l.ev === 'event' && l.proc === 'tester' && (l.message as { value: string }).value === 'x3');
    await g.wait((l) => l.ev === 'event' && l.proc === 'echo' && (l.message as { value: string }).value === 'x3');
    expect((await g.cmd({ op: 'link', to: { event: 'nosuch', node: TS } })).err).toBe('unknown event');
  });

  it('remote spawn both ways: the allow-list refuses, what is enabled starts with its args, name and parent', async () => {
    const { probe } = await spawnProbe(ts);
    const pid = await probe.process.remoteSpawn(GO, 'worker', { args: ['a', 5n] });
    const l = await g.wait((x) => x.ev === 'spawned');
    expect(l.pid).toEqual({ node: GO, id: pid.number, creation: pid.creation });
    expect(l.parent).toEqual({ node: TS, id: probe.process.pid.number, creation: ts.creation });
    expect(l.args).toEqual([{ type: 'string', value: 'a', len: 1, crc: expect.any(Number) }, { type: 'int', value: 5 }]);
    await expect(probe.process.remoteSpawn(GO, 'restricted')).rejects.toMatchObject({ code: ErrCode.NotAllowed });
    await expect(probe.process.remoteSpawn(GO, 'nosuch')).rejects.toMatchObject({ code: ErrCode.NameUnknown });
    const reg = await probe.process.remoteSpawn(GO, 'worker', { register: 'named' });
    expect(await ts.call(processId('named', GO), 'hi')).toMatchObject({});
    void reg;

    Worker.started = [];
    expect((await g.cmd({ op: 'spawn', node: TS, name: 'tsworker' })).err).toBe('not allowed');
    ts.enableSpawn('tsworker', Worker, { nodes: ['other@node'] });
    expect((await g.cmd({ op: 'spawn', node: TS, name: 'tsworker' })).err).toBe('not allowed');
    ts.enableSpawn('tsworker', Worker, { nodes: [GO] });
    const r = await g.ok({ op: 'spawn', node: TS, name: 'tsworker', args: [{ t: 'string', v: 'from go' }], register: 'gospawned' });
    const spawned = goPid(r.pid as GoPid);
    expect(ts.whereis('gospawned')).toEqual(spawned);
    expect(ts.processInfo(spawned).parent).toEqual(goPid(g.ready.tester));
    expect(Worker.started).toEqual([['from go']]);
  });

  it('remote application start both ways, allow-listed, in the asked mode', async () => {
    await ts.remoteApplicationStart(GO, 'app1', { mode: 'transient' });
    expect((await g.wait((l) => l.ev === 'app-started')).mode).toBe(2);
    await expect(ts.remoteApplicationStart(GO, 'nosuch')).rejects.toMatchObject({ code: ErrCode.NameUnknown });

    const app = new App();
    await ts.applicationLoad(app);
    expect((await g.cmd({ op: 'appstart', node: TS, name: 'tsapp' })).err).toBe('not allowed');
    ts.enableApplicationStart('tsapp', [GO]);
    await g.ok({ op: 'appstart', node: TS, name: 'tsapp', mode: 3 });
    expect(ts.applicationInfo('tsapp').state).toBe('running');
    expect(app.modes).toEqual(['permanent']);
    expect(ts.whereis('tsapp_worker')).toBeDefined();
  });
});
