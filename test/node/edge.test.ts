/**
 * Edge cases of the runtime found in review: signals into full mailboxes, timers left behind
 * by the node, self-stop vs pending handlers, and which deaths skip `terminate`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { A, atom, event, type Pid } from '../../src/term/index.js';
import { MessageDown, MessageEventStart, MessageExit } from '../../src/gen/index.js';
import type { Node } from '../../src/node/index.js';
import { replyLater } from '../../src/act/index.js';
import { Probe, spawnProbe, startNode, until } from './helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

const isExit = (m: unknown): m is MessageExit => m instanceof MessageExit;
const isDown = (m: unknown): m is MessageDown => m instanceof MessageDown;

/** A probe whose mailbox (limit `size`) is full: it is stuck on 'block' and holds `size` more. */
async function fullProbe(size: number) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const p = await spawnProbe(node, { mailboxSize: size });
  p.probe.onMessage = (m) => (m === 'block' ? gate : undefined);
  node.send(p.pid, 'block');
  await until(() => p.probe.inbox.length === 1);
  for (let i = 0; i < size; i++) node.send(p.pid, `fill${i}`);
  return { ...p, release };
}

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('signals are never refused by a full mailbox', () => {
  it('a DOWN reaches a full watcher, and the dying process still signals everyone else', async () => {
    ({ node } = await startNode());
    const w = await fullProbe(1);
    const t = await spawnProbe(node);
    const l = await spawnProbe(node);
    l.probe.process.trapExit = true;
    l.probe.process.link(t.pid);
    const ref = w.probe.process.monitor(t.pid);
    const dead = node.wait(t.pid);
    node.sendExit(t.pid, atom('boom'));
    expect(await dead).toBe(atom('boom'));
    // The link after the monitor still fired: termination did not stop half-way.
    expect((await l.probe.receive<MessageExit>(isExit)).reason).toBe(atom('boom'));
    // A monitor of a dead process from a full mailbox: DOWN noproc, not ERR_MAILBOX_FULL.
    const ref2 = w.probe.process.monitor(t.pid);
    w.release();
    const d1 = await w.probe.receive<MessageDown>(isDown);
    const d2 = await w.probe.receive<MessageDown>(isDown);
    expect(d1.ref.equals(ref) && d1.reason === atom('boom')).toBe(true);
    expect(d2.ref.equals(ref2) && d2.reason === A.noproc).toBe(true);
  });

  it('event start/stop notices reach an owner with a full mailbox', async () => {
    ({ node } = await startNode());
    const owner = await fullProbe(1);
    owner.probe.process.registerEvent('ticks', { notify: true });
    const sub = await spawnProbe(node);
    // Subscribing must not fail because the owner's mailbox is full.
    await sub.probe.process.monitorEvent(event('ticks', node.name));
    const dead = node.wait(sub.pid);
    node.kill(sub.pid);
    expect(await dead).toBe(A.killed);
    owner.release();
    await owner.probe.receive((m) => m instanceof MessageEventStart);
    expect(node.info().events.map(String)).toEqual(['ticks']);
  });
});

describe('demonitor', () => {
  it('after the target died, returns false and leaves the queued DOWN (erlang:demonitor/1, no flush)', async () => {
    ({ node } = await startNode());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const w = await spawnProbe(node);
    w.probe.onMessage = (m) => (m === 'block' ? gate : undefined);
    const t = await spawnProbe(node);
    const ref = w.probe.process.monitor(t.pid);
    node.send(w.pid, 'block');
    await until(() => w.probe.inbox.length === 1);
    node.kill(t.pid);
    await node.wait(t.pid);
    expect(w.probe.process.demonitor(ref)).toBe(false);
    release();
    expect((await w.probe.receive<MessageDown>(isDown)).ref.equals(ref)).toBe(true);
  });
});

describe('timers', () => {
  it('node.stop() clears the timers of node-level sendAfter', async () => {
    ({ node } = await startNode());
    const { pid } = await spawnProbe(node);
    const before = timeouts();
    node.sendAfter(pid, 'much later', 3_600_000);
    expect(timeouts()).toBe(before + 1);
    await node.stop();
    expect(timeouts()).toBe(before);
  });
});

describe('stop() from inside a handler', () => {
  it('waits for the pending handler to finish before terminate runs', async () => {
    ({ node } = await startNode());
    const order: string[] = [];
    const a = await spawnProbe(node);
    a.probe.onMessage = async () => {
      await new Promise((r) => setImmediate(r));
      a.probe.process.stop(atom('done'));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      order.push('handler end');
    };
    const origTerminate = a.probe.terminate.bind(a.probe);
    a.probe.terminate = (r) => {
      order.push('terminate');
      return origTerminate(r);
    };
    const dead = node.wait(a.pid);
    node.send(a.pid, 'go');
    expect(await dead).toBe(atom('done'));
    expect(order).toEqual(['handler end', 'terminate']);
  });

  it('an exit signal arriving meanwhile still acts on arrival (a kill wins, no terminate)', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    let stopped = false;
    a.probe.onMessage = async () => {
      await new Promise((r) => setImmediate(r));
      a.probe.process.stop(atom('done'));
      stopped = true;
      await new Promise(() => undefined); // never finishes
    };
    const dead = node.wait(a.pid);
    node.send(a.pid, 'go');
    await until(() => stopped);
    node.kill(a.pid);
    expect(await dead).toBe(A.killed);
    expect(a.probe.terminated).toBeUndefined();
  });
});

describe('a signal decides the exit reason on arrival', () => {
  it('a handler that rejects after a kill arrived does not change the reason', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    const l = await spawnProbe(node);
    l.probe.process.trapExit = true;
    l.probe.process.link(a.pid);
    let fail!: (e: unknown) => void;
    a.probe.onMessage = () => new Promise((_, reject) => (fail = reject));
    node.send(a.pid, 'go');
    await until(() => node.processInfo(a.pid).state === 'waiting');
    const dead = node.wait(a.pid);
    node.kill(a.pid);
    fail(new Error('late')); // settles before the scheduler acts on the kill
    expect(await dead).toBe(A.killed);
    expect((await l.probe.receive<MessageExit>(isExit)).reason).toBe(A.killed);
    expect(a.probe.terminated).toBeUndefined();
    // The same for a trappable signal that kills a non-trapping process.
    const b = await spawnProbe(node);
    b.probe.onMessage = () => new Promise((_, reject) => (fail = reject));
    node.send(b.pid, 'go');
    await until(() => node.processInfo(b.pid).state === 'waiting');
    const deadB = node.wait(b.pid);
    node.sendExit(b.pid, atom('boom'));
    fail(new Error('late'));
    expect(await deadB).toBe(atom('boom'));
  });
});

describe('termination leaves nothing behind', () => {
  it('every link, monitor, alias, name and event record involving the dead process is gone', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node, undefined, 'a');
    const b = await spawnProbe(node, undefined, 'b');
    const pa = a.probe.process;
    const pb = b.probe.process;
    pa.trapExit = true;
    pa.link(b.pid);
    pa.monitor(b.pid);
    pa.monitor('b');
    pa.link('b');
    pb.monitor(a.pid);
    pb.link(a.pid, { oneWay: true });
    const aliasA = pa.createAlias();
    pb.monitor(aliasA);
    pb.link(aliasA);
    pa.monitor(pb.createAlias());
    pa.registerEvent('ea', { notify: true });
    pb.registerEvent('eb', { notify: true });
    await pa.monitorEvent(event('eb', node.name));
    await pa.linkEvent(event('eb', node.name));
    await pb.monitorEvent(event('ea', node.name));
    await pb.linkEvent(event('ea', node.name));
    const slow = await spawnProbe(node);
    slow.probe.onCall = () => replyLater;
    const pending = pb.call(slow.pid, 'x', { timeout: Infinity });
    node.kill(b.pid);
    await node.wait(b.pid);
    await expect(pending).rejects.toBeDefined();
    const i = node.processInfo(a.pid);
    expect([i.links, i.linksTo, i.monitors, i.monitoredBy, i.linkedBy]).toEqual([[], [], [], [], []]);
    const n = node.info();
    expect([n.aliases, n.names.map(String), n.events.map(String)]).toEqual([1, ['a'], ['ea']]);
    expect(node.processInfo(slow.pid).monitoredBy).toEqual([]);
  });
});

describe('terminate and the reason killed', () => {
  it('only an untrappable kill skips terminate: a trapping child of a killed parent runs it', async () => {
    ({ node } = await startNode());
    const parent = await spawnProbe(node);
    const child = new Probe();
    let childPid!: Pid;
    parent.probe.onMessage = async () => {
      childPid = await parent.probe.process.spawn(() => child, { linkParent: true });
      child.process.trapExit = true;
    };
    node.send(parent.pid, 'go');
    await until(() => childPid !== undefined);
    const dead = node.wait(childPid);
    node.kill(parent.pid);
    // OTP: a gen_server trapping exits gets {'EXIT', Parent, killed} and runs terminate(killed).
    expect(await dead).toBe(A.killed);
    expect(child.terminated).toBe(A.killed);
  });
});
