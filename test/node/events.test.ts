import { afterEach, describe, expect, it } from 'vitest';
import { A, atom } from '../../src/term/index.js';
import { ErrCode, event, MessageDown, MessageEventStart, MessageEventStop, MessageExit, RuntimeError } from '../../src/gen/index.js';
import type { Node } from '../../src/node/index.js';
import { spawnProbe, startNode, until } from './helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

describe('events', () => {
  it('subscribers get published events and the replay buffer of the last N', async () => {
    ({ node } = await startNode());
    const prod = await spawnProbe(node);
    const token = prod.probe.process.registerEvent('prices', { buffer: 2 });
    for (const v of [1, 2, 3]) prod.probe.process.sendEvent('prices', token, v);
    const sub = await spawnProbe(node);
    const ev = event('prices', node.name);
    const replay = await sub.probe.process.monitorEvent(ev);
    expect(replay.map((e) => e.message)).toEqual([2, 3]);
    const sub2 = await spawnProbe(node);
    expect((await sub2.probe.process.linkEvent(ev)).length).toBe(2);
    prod.probe.process.sendEvent('prices', token, 4);
    await until(() => sub.probe.events.length === 1 && sub2.probe.events.length === 1);
    expect(sub.probe.events[0]!.message).toBe(4);
    expect(sub.probe.events[0]!.event.equals(ev)).toBe(true);
    expect(node.info().events).toEqual([atom('prices')]);
  });

  it('only the owner with the token may send; unknown events are errors', async () => {
    ({ node } = await startNode());
    const prod = await spawnProbe(node);
    const other = await spawnProbe(node);
    const token = prod.probe.process.registerEvent('e1');
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as RuntimeError).code;
      }
      return undefined;
    };
    expect(code(() => other.probe.process.sendEvent('e1', token, 1))).toBe(ErrCode.EventOwner);
    expect(code(() => prod.probe.process.sendEvent('e1', node.makeRef(), 1))).toBe(ErrCode.EventOwner);
    expect(code(() => prod.probe.process.sendEvent('nope', token, 1))).toBe(ErrCode.EventUnknown);
    expect(code(() => other.probe.process.registerEvent('e1'))).toBe(ErrCode.Taken);
    await expect(other.probe.process.monitorEvent(event('nope', node.name))).rejects.toMatchObject({ code: ErrCode.EventUnknown });
  });

  it('notify: the owner hears about the first and the last subscriber', async () => {
    ({ node } = await startNode());
    const prod = await spawnProbe(node);
    prod.probe.process.registerEvent('n', { notify: true });
    const ev = event('n', node.name);
    const s1 = await spawnProbe(node);
    const s2 = await spawnProbe(node);
    await s1.probe.process.monitorEvent(ev);
    await s2.probe.process.linkEvent(ev);
    expect((await prod.probe.receive<MessageEventStart>((m) => m instanceof MessageEventStart)).name).toBe(atom('n'));
    s1.probe.process.demonitorEvent(ev);
    node.kill(s2.pid); // a dying subscriber unsubscribes
    expect((await prod.probe.receive<MessageEventStop>((m) => m instanceof MessageEventStop)).name).toBe(atom('n'));
    expect(prod.probe.inbox.filter((e) => e.message instanceof MessageEventStart).length).toBe(0);
  });

  it('owner death: monitors get DOWN, links get an exit (one-way: fatal unless trapped)', async () => {
    ({ node } = await startNode());
    const prod = await spawnProbe(node);
    prod.probe.process.registerEvent('life');
    const ev = event('life', node.name);
    const mon = await spawnProbe(node);
    const lnk = await spawnProbe(node);
    const trap = await spawnProbe(node);
    trap.probe.process.trapExit = true;
    await mon.probe.process.monitorEvent(ev);
    await lnk.probe.process.linkEvent(ev);
    await trap.probe.process.linkEvent(ev);
    node.sendExit(prod.pid, A.shutdown);
    const d = await mon.probe.receive<MessageDown>((m) => m instanceof MessageDown);
    expect(d.kind).toBe('event');
    expect(d.reason).toBe(A.shutdown);
    await until(() => lnk.probe.terminated !== undefined);
    expect(lnk.probe.terminated).toBe(A.shutdown);
    const x = await trap.probe.receive<MessageExit>((m) => m instanceof MessageExit);
    expect(x.kind).toBe('event');
    expect(node.info().events).toEqual([]);
  });

  it('unregisterEvent tells subscribers with reason normal', async () => {
    ({ node } = await startNode());
    const prod = await spawnProbe(node);
    prod.probe.process.registerEvent('tmp');
    const mon = await spawnProbe(node);
    await mon.probe.process.monitorEvent(event('tmp', node.name));
    prod.probe.process.unregisterEvent('tmp');
    expect((await mon.probe.receive<MessageDown>((m) => m instanceof MessageDown)).reason).toBe(A.normal);
    expect(prod.probe.process.events()).toEqual([]);
  });
});

describe('events through the generic link/monitor calls', () => {
  it('link(event) and monitor(event) subscribe; demonitor(ref) and unlink(event) leave', async () => {
    ({ node } = await startNode());
    const prod = await spawnProbe(node);
    const token = prod.probe.process.registerEvent('g', { notify: true, buffer: 5 });
    prod.probe.process.sendEvent('g', token, 'old');
    const ev = event('g', node.name);
    const a = await spawnProbe(node);
    const b = await spawnProbe(node);
    a.probe.process.link(ev);
    const ref = b.probe.process.monitor(ev);
    expect(node.processInfo(a.pid).linksTo).toEqual([ev]);
    expect(node.processInfo(b.pid).monitors).toEqual([ev]);
    prod.probe.process.sendEvent('g', token, 'new');
    await until(() => a.probe.events.length === 1 && b.probe.events.length === 1);
    expect(a.probe.events[0]!.message).toBe('new');
    expect(b.probe.process.demonitor(ref)).toBe(true);
    a.probe.process.unlink(ev);
    expect((await prod.probe.receive<MessageEventStop>((m) => m instanceof MessageEventStop)).name).toBe(atom('g'));
    expect(node.processInfo(b.pid).monitors).toEqual([]);
  });
});
