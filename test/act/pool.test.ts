import { afterEach, describe, expect, it } from 'vitest';
import { A, atom, type Pid } from '../../src/term/index.js';
import { Actor, Pool, type PoolOptions } from '../../src/act/index.js';
import type { Node } from '../../src/node/index.js';
import { startNode, until } from '../node/helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

const handled: { worker: string; message: unknown }[] = [];

class W extends Actor {
  override handleMessage(m: unknown, _f: Pid): void {
    if (m === 'die') throw atom('die');
    handled.push({ worker: String(this.pid), message: m });
  }
  override handleCall(req: unknown): unknown {
    return { by: String(this.pid), req };
  }
}

class P extends Pool {
  pool(size: unknown): PoolOptions {
    return { size: size as number, worker: W };
  }
}

describe('Pool', () => {
  it('hands messages and calls to workers in rotation; workers answer callers directly', async () => {
    ({ node } = await startNode());
    handled.length = 0;
    const pool = await node.spawnRegister('pool', P, { args: [3] });
    const workers = await Pool.workers(node, pool);
    expect(workers.length).toBe(3);
    for (let i = 0; i < 6; i++) node.send('pool', i);
    await until(() => handled.length === 6);
    const byWorker = new Map<string, number>();
    for (const h of handled) byWorker.set(h.worker, (byWorker.get(h.worker) ?? 0) + 1);
    expect([...byWorker.values()]).toEqual([2, 2, 2]);
    const answers = (await Promise.all([1, 2, 3].map((i) => node.call(pool, i)))) as { by: string }[];
    expect(new Set(answers.map((a) => a.by)).size).toBe(3);
    expect(answers.every((a) => a.by !== String(pool))).toBe(true);
  });

  it('replaces a dead worker, and can grow and shrink', async () => {
    ({ node } = await startNode());
    const pool = await node.spawn(P, { args: [2] });
    const before = await Pool.workers(node, pool);
    node.kill(before[0]!);
    await until(() => node.processCount() === 3 && !node.processList().some((p) => p.pid.equals(before[0]!)));
    let now: Pid[] = [];
    await until(() => true);
    now = await Pool.workers(node, pool);
    expect(now.length).toBe(2);
    expect(now.some((w) => w.equals(before[0]!))).toBe(false);
    expect(now.some((w) => w.equals(before[1]!))).toBe(true);
    expect((await Pool.addWorkers(node, pool, 2)).length).toBe(4);
    expect((await Pool.removeWorkers(node, pool, 3)).length).toBe(1);
    await until(() => node.processCount() === 2);
  });

  it('stopping the pool stops its workers', async () => {
    ({ node } = await startNode());
    const pool = await node.spawn(P, { args: [2] });
    node.sendExit(pool, A.shutdown);
    await node.wait(pool);
    await until(() => node.processCount() === 0);
  });
});

describe('Pool lifetime', () => {
  it('a killed pool takes its workers with it; a dead worker does not take the pool', async () => {
    ({ node } = await startNode());
    const pool = await node.spawn(P, { args: [3] });
    const workers = await Pool.workers(node, pool);
    expect(workers).toHaveLength(3);
    node.sendExit(workers[0]!, atom('boom'));
    expect(await node.wait(workers[0]!)).toBe(atom('boom'));
    let after: Pid[] = [];
    for (let i = 0; i < 100 && !(after.length === 3 && !after.some((w) => w.equals(workers[0]!))); i++) {
      after = await Pool.workers(node, pool);
    }
    expect(after).toHaveLength(3);
    expect(after.some((w) => w.equals(workers[0]!))).toBe(false);
    const ends = [pool, ...after].map((p) => node.wait(p));
    node.kill(pool);
    expect(await Promise.all(ends)).toEqual([A.killed, A.killed, A.killed, A.killed]);
  });
});
