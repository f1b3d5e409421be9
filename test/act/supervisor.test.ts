import { afterEach, describe, expect, it } from 'vitest';
import { A, atom, type Pid, type Term } from '../../src/term/index.js';
import { ErrCode } from '../../src/gen/index.js';
import { Actor, Supervisor, type ChildSpec, type SupervisorSpec } from '../../src/act/index.js';
import type { Node } from '../../src/node/index.js';
import { startNode, until } from '../node/helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

/** A journal of starts and stops shared by the workers of one test. */
const journal: string[] = [];

class Worker extends Actor {
  id = '';
  override init(id: unknown, opts?: unknown): void {
    this.id = String(id);
    const o = (opts ?? {}) as { failInit?: boolean; trap?: boolean; slowStop?: boolean };
    if (o.failInit) throw atom('init_crash');
    if (o.trap) this.process.trapExit = true;
    journal.push(`start:${this.id}`);
  }
  override handleMessage(m: unknown, _from: Pid): unknown {
    if (m === 'crash') throw atom('crashed');
    if (m === 'quit') this.process.stop(A.normal);
    return undefined;
  }
  override terminate(reason: Term): unknown {
    journal.push(`stop:${this.id}:${String(reason)}`);
    return undefined;
  }
}

/** Never stops on shutdown: exercises the per-child shutdown timeout. */
class Stubborn extends Worker {
  override terminate(): Promise<void> {
    journal.push(`stubborn:${this.id}`);
    return new Promise(() => undefined);
  }
}

function child(id: string, extra: Partial<ChildSpec> = {}, opts?: object): ChildSpec {
  return { id, start: { factory: Worker, args: [id, opts] }, ...extra };
}

class Sup extends Supervisor {
  spec(s: unknown): SupervisorSpec {
    return s as SupervisorSpec;
  }
}

async function startSup(spec: SupervisorSpec): Promise<Pid> {
  return node.spawnRegister('sup', Sup, { args: [spec] });
}

async function pids(): Promise<Record<string, Pid | undefined>> {
  const out: Record<string, Pid | undefined> = {};
  for (const c of await Supervisor.whichChildren(node, 'sup')) out[c.id] = c.pid;
  return out;
}

async function crash(pid: Pid): Promise<void> {
  const dead = node.wait(pid);
  node.send(pid, 'crash');
  await dead;
}

describe('Supervisor', () => {
  it('starts children in order and stops them in reverse', async () => {
    ({ node } = await startNode());
    journal.length = 0;
    const sup = await startSup({ strategy: 'one_for_one', children: [child('a'), child('b'), child('c')] });
    expect(journal).toEqual(['start:a', 'start:b', 'start:c']);
    const kids = await pids();
    expect(node.processInfo(kids.a!).links.map(String)).toEqual([String(sup)]);
    node.sendExit(sup, A.shutdown);
    await node.wait(sup);
    expect(journal.slice(3)).toEqual(['stop:c:shutdown', 'stop:b:shutdown', 'stop:a:shutdown']);
    expect(node.processCount()).toBe(0);
  });

  it('one_for_one restarts only the failed child', async () => {
    ({ node } = await startNode());
    await startSup({ strategy: 'one_for_one', intensity: 5, children: [child('a'), child('b')] });
    const before = await pids();
    await crash(before.a!);
    await until(() => node.processCount() === 3);
    const after = await pids();
    expect(after.a!.equals(before.a!)).toBe(false);
    expect(after.b!.equals(before.b!)).toBe(true);
  });

  it('all_for_one restarts every child; rest_for_one the failed one and those after it', async () => {
    ({ node } = await startNode());
    await startSup({ strategy: 'all_for_one', intensity: 5, children: [child('a'), child('b'), child('c')] });
    let before = await pids();
    journal.length = 0;
    await crash(before.b!);
    let after = await pids();
    for (const id of ['a', 'b', 'c']) expect(after[id]!.equals(before[id]!)).toBe(false);
    expect(journal.filter((j) => j.startsWith('stop:') && j.endsWith('shutdown'))).toEqual(['stop:c:shutdown', 'stop:a:shutdown']);
    expect(journal.filter((j) => j.startsWith('start:'))).toEqual(['start:a', 'start:b', 'start:c']);
    await node.stopForce();

    ({ node } = await startNode());
    await startSup({ strategy: 'rest_for_one', intensity: 5, children: [child('a'), child('b'), child('c')] });
    before = await pids();
    await crash(before.b!);
    after = await pids();
    expect(after.a!.equals(before.a!)).toBe(true);
    expect(after.b!.equals(before.b!)).toBe(false);
    expect(after.c!.equals(before.c!)).toBe(false);
  });

  it('restart types: permanent always, transient on abnormal exit, temporary never (and forgotten)', async () => {
    ({ node } = await startNode());
    await startSup({
      strategy: 'one_for_one',
      intensity: 10,
      children: [child('perm'), child('trans', { restart: 'transient' }), child('temp', { restart: 'temporary' })],
    });
    let k = await pids();
    for (const id of ['perm', 'trans']) {
      const dead = node.wait(k[id]!);
      node.send(k[id]!, 'quit');
      await dead;
    }
    await crash(k.temp!);
    k = await pids();
    expect(k.perm).toBeDefined();
    expect(k.trans).toBeUndefined();
    expect('temp' in k).toBe(false);
    expect(await Supervisor.countChildren(node, 'sup')).toEqual({ specs: 2, active: 1, workers: 2, supervisors: 0 });
    await Supervisor.restartChild(node, 'sup', 'trans');
    k = await pids();
    await crash(k.trans!);
    expect((await pids()).trans).toBeDefined();
  });

  it('exceeding the restart intensity stops the supervisor with shutdown', async () => {
    let logs;
    ({ node, logs } = await startNode());
    const sup = await startSup({ strategy: 'one_for_one', intensity: 2, period: 60, children: [child('a'), child('b')] });
    const supDead = node.wait(sup);
    for (let i = 0; i < 3; i++) {
      const k = await pids();
      await crash(k.a!);
    }
    expect(await supDead).toBe(A.shutdown);
    expect(node.processCount()).toBe(0);
    expect(logs.lines().some((l) => l.includes('max restart intensity'))).toBe(true);
  });

  it('a child that fails in init fails the supervisor start, stopping those already started', async () => {
    ({ node } = await startNode());
    journal.length = 0;
    const err = await startSup({ strategy: 'one_for_one', children: [child('a'), child('bad', {}, { failInit: true }), child('c')] }).catch((e) => e);
    expect(err.code).toBe(ErrCode.InitFailed);
    expect(String(err.message)).toContain('failed_to_start_child');
    expect(journal).toEqual(['start:a', 'stop:a:shutdown']);
    expect(node.processCount()).toBe(0);
  });

  it('per-child shutdown timeout: a child that does not stop in time is killed', async () => {
    let logs;
    ({ node, logs } = await startNode());
    journal.length = 0;
    const sup = await startSup({
      strategy: 'one_for_one',
      children: [child('fast'), { id: 'slow', start: { factory: Stubborn, args: ['slow'] }, shutdown: 20 }, { id: 'brutal', start: { factory: Worker, args: ['brutal'] }, shutdown: 'brutal_kill' }],
    });
    const k = await pids();
    const slowDead = node.wait(k.slow!);
    node.sendExit(sup, A.shutdown);
    expect(await slowDead).toBe(A.killed);
    await node.wait(sup);
    expect(journal).toContain('stubborn:slow');
    expect(journal).toContain('stop:fast:shutdown');
    expect(journal.some((j) => j.startsWith('stop:brutal'))).toBe(false); // killed: no terminate
    expect(logs.lines().some((l) => l.includes('did not stop within 20 ms'))).toBe(true);
  });

  it('dynamic children: start, terminate, restart, delete; errors for duplicates and unknown ids', async () => {
    ({ node } = await startNode());
    await startSup({ strategy: 'one_for_one', children: [] });
    const p = await Supervisor.startChild(node, 'sup', child('d1'));
    expect((await pids()).d1!.equals(p)).toBe(true);
    await expect(Supervisor.startChild(node, 'sup', child('d1'))).rejects.toMatchObject({ code: ErrCode.CallFailed, reason: atom('already_present') });
    await expect(Supervisor.startChild(node, 'sup', child('bad', {}, { failInit: true }))).rejects.toMatchObject({ code: ErrCode.CallFailed });
    await expect(Supervisor.deleteChild(node, 'sup', 'd1')).rejects.toMatchObject({ reason: atom('running') });
    await Supervisor.terminateChild(node, 'sup', 'd1');
    expect((await pids()).d1).toBeUndefined();
    expect(node.processCount()).toBe(1);
    await Supervisor.restartChild(node, 'sup', 'd1');
    await Supervisor.terminateChild(node, 'sup', 'd1');
    await Supervisor.deleteChild(node, 'sup', 'd1');
    expect(await pids()).toEqual({});
    await expect(Supervisor.terminateChild(node, 'sup', 'nope')).rejects.toMatchObject({ reason: atom('not_found') });
  });

  it('simple_one_for_one: instances from a template with extra args', async () => {
    ({ node } = await startNode());
    journal.length = 0;
    await startSup({ strategy: 'simple_one_for_one', intensity: 5, children: [{ id: 'tpl', start: { factory: Worker, args: [] } }] });
    const w1 = await Supervisor.startChild(node, 'sup', ['w1']);
    const w2 = await Supervisor.startChild(node, 'sup', ['w2']);
    expect(journal).toEqual(['start:w1', 'start:w2']);
    await crash(w1);
    await until(() => journal.filter((j) => j === 'start:w1').length === 2);
    expect(journal.slice(2)).toEqual(['stop:w1:crashed', 'start:w1']);
    await Supervisor.terminateChild(node, 'sup', w2);
    expect((await Supervisor.whichChildren(node, 'sup')).length).toBe(1);
  });

  it('significant children: any_significant and all_significant auto-shutdown', async () => {
    ({ node } = await startNode());
    let sup = await startSup({
      strategy: 'one_for_one',
      autoShutdown: 'any_significant',
      children: [child('plain'), child('sig', { restart: 'transient', significant: true })],
    });
    let dead = node.wait(sup);
    node.send((await pids()).sig!, 'quit');
    expect(await dead).toBe(A.shutdown);
    expect(node.processCount()).toBe(0);

    sup = await startSup({
      strategy: 'one_for_one',
      autoShutdown: 'all_significant',
      children: [child('s1', { restart: 'temporary', significant: true }), child('s2', { restart: 'temporary', significant: true })],
    });
    dead = node.wait(sup);
    const k = await pids();
    node.send(k.s1!, 'quit');
    await node.wait(k.s1!);
    expect(node.processInfo(sup).state).not.toBe('terminated');
    node.send(k.s2!, 'quit');
    expect(await dead).toBe(A.shutdown);
    await expect(startSup({ strategy: 'one_for_one', children: [child('x', { significant: true })] })).rejects.toMatchObject({ code: ErrCode.InitFailed });
  });

  it('a killed supervisor takes its (non-trapping) children with it through the links', async () => {
    ({ node } = await startNode());
    const sup = await startSup({ strategy: 'one_for_one', children: [child('a')] });
    const a = (await pids()).a!;
    node.kill(sup);
    expect(await node.wait(a)).toBe(A.killed);
  });
});
