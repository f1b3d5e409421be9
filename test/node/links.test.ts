import { afterEach, describe, expect, it } from 'vitest';
import { A, Alias, atom, Pid, tuple } from '../../src/term/index.js';
import { ErrCode, MessageDown, MessageExit, ProcessID, RuntimeError } from '../../src/gen/index.js';
import type { Node } from '../../src/node/index.js';
import { spawnProbe, startNode, until } from './helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

const isExit = (m: unknown): m is MessageExit => m instanceof MessageExit;
const isDown = (m: unknown): m is MessageDown => m instanceof MessageDown;
const boom = atom('boom');

/** Two linked probes; `a` optionally traps exits. */
async function linkedPair(trap: boolean) {
  const a = await spawnProbe(node);
  const b = await spawnProbe(node);
  a.probe.process.trapExit = trap;
  a.probe.process.link(b.pid);
  return { a, b };
}

describe('exit signals (Erlang semantics, erlang-dist §7.9)', () => {
  it('link EXIT normal: ignored when not trapping', async () => {
    ({ node } = await startNode());
    const { a, b } = await linkedPair(false);
    b.probe.process.stop(A.normal);
    await node.wait(b.pid);
    node.send(a.pid, 'still alive?');
    await a.probe.receive((m) => m === 'still alive?');
    expect(node.processInfo(a.pid).links).toEqual([]);
  });

  it('link EXIT normal: a message when trapping', async () => {
    ({ node } = await startNode());
    const { a, b } = await linkedPair(true);
    b.probe.process.stop(A.normal);
    const m = await a.probe.receive<MessageExit>(isExit);
    expect(m.reason).toBe(A.normal);
    expect((m.from as Pid).equals(b.pid)).toBe(true);
    expect(m.toTerm()).toEqual(tuple(A.EXIT, b.pid, A.normal));
  });

  it('link EXIT with another reason: kills a non-trapping process with that reason, both ways', async () => {
    ({ node } = await startNode());
    const { a, b } = await linkedPair(false);
    const c = await spawnProbe(node);
    c.probe.process.link(a.pid);
    node.sendExit(b.pid, boom);
    expect(await node.wait(a.pid)).toBe(boom);
    expect(await node.wait(c.pid)).toBe(A.noproc); // already gone by now: it died with a
    expect(c.probe.terminated).toBe(boom);
  });

  it('link EXIT with reason kill is trappable and kills others with kill (not killed)', async () => {
    ({ node } = await startNode());
    const t = await linkedPair(true);
    t.b.probe.process.stop(A.kill);
    expect((await t.a.probe.receive<MessageExit>(isExit)).reason).toBe(A.kill);
    const n = await linkedPair(false);
    const dead = node.wait(n.a.pid);
    n.b.probe.process.stop(A.kill);
    expect(await dead).toBe(A.kill);
  });

  it('exit/2 kill: killed, untrappable, no terminate callback; links see killed', async () => {
    ({ node } = await startNode());
    const { a, b } = await linkedPair(true);
    const w = node.wait(b.pid);
    b.probe.process.trapExit = true;
    node.kill(b.pid);
    expect(await w).toBe(A.killed);
    expect(b.probe.terminated).toBeUndefined();
    expect((await a.probe.receive<MessageExit>(isExit)).reason).toBe(A.killed);
  });

  it('exit/2 normal: ignored unless trapped; exit/2 other: kills or, trapped, a message', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    // Not the node: an exit from the parent (the node here) stops even a trapping actor.
    const s = (await spawnProbe(node)).probe.process;
    s.sendExit(a.pid, A.normal);
    node.send(a.pid, 'ping');
    await a.probe.receive((m) => m === 'ping');
    a.probe.process.trapExit = true;
    s.sendExit(a.pid, A.normal);
    expect((await a.probe.receive<MessageExit>(isExit)).reason).toBe(A.normal);
    s.sendExit(a.pid, boom);
    expect((await a.probe.receive<MessageExit>(isExit)).reason).toBe(boom);
    a.probe.process.trapExit = false;
    s.sendExit(a.pid, boom);
    expect(await node.wait(a.pid)).toBe(boom);
    expect(a.probe.terminated).toBe(boom);
  });

  it('a process sending exit(self, normal) terminates', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    a.probe.onMessage = () => a.probe.process.sendExit(a.pid, A.normal);
    const w = node.wait(a.pid);
    node.send(a.pid, 'go');
    expect(await w).toBe(A.normal);
  });

  it('a kill lands even while the process awaits a promise', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    a.probe.onMessage = () => new Promise(() => undefined);
    node.send(a.pid, 'hang');
    await until(() => node.processInfo(a.pid).state === 'waiting');
    node.kill(a.pid);
    expect(await node.wait(a.pid)).toBe(A.killed);
  });

  it('unlink stops propagation; link is idempotent and self-link is a no-op', async () => {
    ({ node } = await startNode());
    const { a, b } = await linkedPair(false);
    a.probe.process.link(b.pid);
    a.probe.process.link(a.pid);
    expect(node.processInfo(a.pid).links.length).toBe(1);
    b.probe.process.unlink(a.pid);
    expect(node.processInfo(a.pid).links).toEqual([]);
    node.sendExit(b.pid, boom);
    await node.wait(b.pid);
    node.send(a.pid, 'alive');
    await a.probe.receive((m) => m === 'alive');
  });

  it('linking a dead pid: throws noproc, or EXIT noproc when trapping', async () => {
    ({ node } = await startNode());
    const dead = await spawnProbe(node);
    node.kill(dead.pid);
    await node.wait(dead.pid);
    const a = await spawnProbe(node);
    let err: unknown;
    try {
      a.probe.process.link(dead.pid);
    } catch (e) {
      err = e;
    }
    expect((err as RuntimeError).code).toBe(ErrCode.ProcessUnknown);
    expect((err as RuntimeError).reason).toBe(A.noproc);
    a.probe.process.trapExit = true;
    a.probe.process.link(dead.pid);
    const m = await a.probe.receive<MessageExit>(isExit);
    expect(m.reason).toBe(A.noproc);
  });
});

describe('monitors', () => {
  it('DOWN with the reason, once', async () => {
    ({ node } = await startNode());
    const w = await spawnProbe(node);
    const t = await spawnProbe(node);
    const ref = w.probe.process.monitor(t.pid);
    node.sendExit(t.pid, boom);
    const d = await w.probe.receive<MessageDown>(isDown);
    expect(d.ref.equals(ref)).toBe(true);
    expect(d.reason).toBe(boom);
    expect(d.kind).toBe('process');
    expect(d.toTerm()).toEqual(tuple(A.DOWN, ref, A.process, t.pid, boom));
    expect(node.processInfo(w.pid).monitors).toEqual([]);
  });

  it('monitor of a dead pid gives DOWN noproc', async () => {
    ({ node } = await startNode());
    const w = await spawnProbe(node);
    const ghost = new Pid(node.name, 4242424, 0, node.creation);
    const ref = w.probe.process.monitor(ghost);
    const d = await w.probe.receive<MessageDown>(isDown);
    expect(d.reason).toBe(A.noproc);
    expect(d.ref.equals(ref)).toBe(true);
  });

  it('by name: DOWN names {Name, Node}; an unregistered name gives noproc', async () => {
    ({ node } = await startNode());
    const w = await spawnProbe(node);
    const t = await spawnProbe(node, undefined, 'named');
    const ref = w.probe.process.monitor('named');
    node.sendExit(t.pid, A.shutdown);
    const d = await w.probe.receive<MessageDown>(isDown);
    expect(d.kind).toBe('name');
    expect(d.target).toEqual(new ProcessID(atom('named'), node.name));
    expect(d.toTerm()).toEqual(tuple(A.DOWN, ref, A.process, tuple(atom('named'), node.name), A.shutdown));
    w.probe.process.monitor('nobody');
    expect((await w.probe.receive<MessageDown>(isDown)).reason).toBe(A.noproc);
  });

  it('demonitor (by ref or by target) means no DOWN; the target does not keep the record', async () => {
    ({ node } = await startNode());
    const w = await spawnProbe(node);
    const t = await spawnProbe(node);
    const ref = w.probe.process.monitor(t.pid);
    w.probe.process.monitor(t.pid);
    expect(node.processInfo(t.pid).monitoredBy.length).toBe(2);
    expect(w.probe.process.demonitor(ref)).toBe(true);
    expect(w.probe.process.demonitor(ref)).toBe(false);
    expect(w.probe.process.demonitor(t.pid)).toBe(true);
    expect(node.processInfo(t.pid).monitoredBy.length).toBe(0);
    node.kill(t.pid);
    await node.wait(t.pid);
    node.send(w.pid, 'marker');
    await w.probe.receive((m) => m === 'marker');
    expect(w.probe.inbox.some((e) => isDown(e.message))).toBe(false);
  });

  it('alias monitor: DOWN when the alias is deleted', async () => {
    ({ node } = await startNode());
    const w = await spawnProbe(node);
    const t = await spawnProbe(node);
    const alias = t.probe.process.createAlias();
    w.probe.process.monitor(alias);
    t.probe.process.deleteAlias(alias);
    const d = await w.probe.receive<MessageDown>(isDown);
    expect(d.kind).toBe('alias');
    expect(d.target instanceof Alias).toBe(true);
    expect(node.hasAlias(alias)).toBe(false);
  });

  it('a DOWN or trapped EXIT never overtakes what the dying process sent before it (Erlang order)', async () => {
    ({ node } = await startNode());
    const w = await spawnProbe(node);
    const t = await spawnProbe(node);
    const u = await spawnProbe(node);
    let release!: () => void;
    w.probe.onMessage = (m) => (m === 'block' ? new Promise<void>((r) => (release = r)) : undefined);
    w.probe.process.trapExit = true;
    w.probe.process.monitor(t.pid);
    w.probe.process.link(u.pid);
    node.send(w.pid, 'block');
    await until(() => w.probe.inbox.length === 1);
    // While w is busy: t and u each send their last word, then die.
    t.probe.process.send(w.pid, 'result from t');
    u.probe.process.send(w.pid, 'result from u');
    node.sendExit(t.pid, atom('done'));
    node.sendExit(u.pid, atom('done'));
    await node.wait(t.pid);
    await node.wait(u.pid);
    release();
    await until(() => w.probe.inbox.length === 5);
    const seq = w.probe.inbox.map((e) => e.message);
    expect(seq[1]).toBe('result from t');
    expect(seq[2]).toBe('result from u');
    expect(isDown(seq[3])).toBe(true);
    expect(seq[4]).toBeInstanceOf(MessageExit);
  });
});

describe("Ergo's one-way links", () => {
  it('the linker dies on any reason, normal included; the target is unaffected by the linker', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    const b = await spawnProbe(node);
    a.probe.process.link(b.pid, { oneWay: true });
    expect(node.processInfo(a.pid).linksTo.length).toBe(1);
    expect(node.processInfo(b.pid).linkedBy.length).toBe(1);
    const c = await spawnProbe(node);
    const d = await spawnProbe(node);
    c.probe.process.link(d.pid, { oneWay: true });
    node.kill(c.pid);
    await node.wait(c.pid);
    expect(node.processInfo(d.pid).linkedBy.length).toBe(0);
    b.probe.process.stop(A.normal);
    expect(await node.wait(a.pid)).toBe(A.normal);
  });

  it('trapped: MessageExit with the kind; by name and alias', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    a.probe.process.trapExit = true;
    const b = await spawnProbe(node, undefined, 'b1');
    const c = await spawnProbe(node);
    a.probe.process.link('b1');
    const alias = c.probe.process.createAlias();
    a.probe.process.link(alias);
    let err: unknown;
    try {
      a.probe.process.link('b1');
    } catch (e) {
      err = e;
    }
    expect((err as RuntimeError).code).toBe(ErrCode.TargetExist);
    node.sendExit(b.pid, boom);
    const m1 = await a.probe.receive<MessageExit>(isExit);
    expect(m1.kind).toBe('name');
    expect(m1.reason).toBe(boom);
    expect(m1.toTerm()).toEqual(tuple(A.EXIT, tuple(atom('b1'), node.name), boom));
    node.sendExit(c.pid, A.shutdown);
    const m2 = await a.probe.receive<MessageExit>(isExit);
    expect(m2.kind).toBe('alias');
    expect(m2.reason).toBe(A.shutdown);
  });

  it('unlink (one-way) removes both records', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    const b = await spawnProbe(node);
    a.probe.process.link(b.pid, { oneWay: true });
    a.probe.process.unlink(b.pid, { oneWay: true });
    expect(node.processInfo(b.pid).linkedBy).toEqual([]);
    node.kill(b.pid);
    await node.wait(b.pid);
    node.send(a.pid, 'alive');
    await a.probe.receive((m) => m === 'alive');
  });
});

describe('termination', () => {
  it('terminate runs for shutdown and for stop(reason), not for kill', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    a.probe.onMessage = () => a.probe.process.stop(tuple(A.shutdown, atom('bye')));
    node.send(a.pid, 'x');
    expect(await node.wait(a.pid)).toEqual(tuple(A.shutdown, atom('bye')));
    expect(a.probe.terminated).toEqual(tuple(A.shutdown, atom('bye')));
    const b = await spawnProbe(node);
    node.sendExit(b.pid, A.shutdown);
    expect(await node.wait(b.pid)).toBe(A.shutdown);
    expect(b.probe.terminated).toBe(A.shutdown);
  });

  it('a trapping actor still stops on an exit from its parent', async () => {
    ({ node } = await startNode());
    const parent = await spawnProbe(node);
    const child = new (await import('./helpers.js')).Probe();
    let childPid!: Pid;
    parent.probe.onMessage = async () => {
      childPid = await parent.probe.process.spawn(() => child);
      child.process.trapExit = true;
      parent.probe.process.sendExit(childPid, A.shutdown);
    };
    node.send(parent.pid, 'go');
    await until(() => child.terminated !== undefined);
    expect(child.terminated).toBe(A.shutdown);
    expect(() => node.processInfo(childPid)).toThrowError(RuntimeError);
  });

  it('the process handle refuses to act after termination', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    const b = await spawnProbe(node);
    node.kill(a.pid);
    await node.wait(a.pid);
    expect(() => a.probe.process.send(b.pid, 'x')).toThrowError(RuntimeError);
    await expect(a.probe.process.call(b.pid, 'x')).rejects.toMatchObject({ code: ErrCode.ProcessTerminated });
  });
});
