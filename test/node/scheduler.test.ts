import { afterEach, describe, expect, it } from 'vitest';
import type { Pid } from '../../src/term/index.js';
import { Actor } from '../../src/act/index.js';
import type { Node } from '../../src/node/index.js';
import { Ring, EntryRing } from '../../src/node/ring.js';
import { spawnProbe, startNode } from './helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

class Spinner extends Actor {
  turns = 0;
  override handleMessage(): void {
    this.turns++;
    this.process.send(this.process.pid, 'again');
  }
}

describe('scheduler', () => {
  it('a process that never goes idle starves neither timers, I/O nor other processes', async () => {
    ({ node } = await startNode());
    const spinners = [new Spinner(), new Spinner()];
    for (const s of spinners) node.send(await node.spawn(() => s), 'go');
    const other = await spawnProbe(node);
    node.send(other.pid, 'hello');
    await other.probe.receive((m) => m === 'hello');
    const before = spinners[0]!.turns;
    await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setImmediate(r));
    expect(spinners[0]!.turns).toBeGreaterThan(before);
    expect(spinners[1]!.turns).toBeGreaterThan(0);
  });

  it('messages from one sender arrive in order, across many scheduling turns', async () => {
    ({ node } = await startNode());
    const got: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const N = 200_000;
    class Sink extends Actor {
      override handleMessage(m: unknown, _f: Pid): void {
        got.push(m as number);
        if (got.length === N) done();
      }
    }
    const sink = await node.spawn(Sink);
    for (let i = 0; i < N; i++) node.send(sink, i);
    await finished;
    let ordered = true;
    for (let i = 0; i < N; i++) if (got[i] !== i) ordered = false;
    expect(ordered).toBe(true);
  });
});

describe('ring buffers', () => {
  it('Ring keeps FIFO order across growth and wrap-around', () => {
    const r = new Ring<number>(4);
    const ref: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < (round % 7) + 1; i++) {
        r.push(next);
        ref.push(next++);
      }
      for (let i = 0; i < (round % 5); i++) expect(r.shift()).toBe(ref.shift());
      expect(r.length).toBe(ref.length);
    }
    expect(r.toArray()).toEqual(ref);
    r.filter((v) => v % 2 === 0);
    expect(r.toArray()).toEqual(ref.filter((v) => v % 2 === 0));
    r.clear();
    expect(r.shift()).toBeUndefined();
  });

  it('EntryRing keeps five-slot entries intact across growth', () => {
    const r = new EntryRing(2);
    const out: unknown[] = [];
    for (let i = 0; i < 100; i++) {
      r.push(i % 5, `f${i}`, i, `r${i}`, `v${i}`);
      if (i % 3 === 0) {
        expect(r.shiftInto(out)).toBe(true);
      }
    }
    const first = out[2] as number;
    let expected = first + 1;
    while (r.shiftInto(out)) {
      expect(out).toEqual([expected % 5, `f${expected}`, expected, `r${expected}`, `v${expected}`]);
      expected++;
    }
    expect(expected).toBe(100);
    expect(r.length).toBe(0);
  });
});
