import { afterEach, describe, expect, it } from 'vitest';
import { A, Alias, atom, improperList, Pid, Tuple, tuple, type Term } from '../../src/term/index.js';
import { ErrCode } from '../../src/gen/index.js';
import { GenServer, type CallResult, type CastResult, type From, type InitResult } from '../../src/act/index.js';
import type { Node } from '../../src/node/index.js';
import { spawnProbe, startNode, until } from '../node/helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

class Counter extends GenServer<number> {
  pending: From[] = [];
  terminatedWith: [Term, number] | undefined;
  init(start?: unknown): InitResult<number> {
    if (start === 'fail') return ['stop', atom('bad_start')];
    return ['ok', (start as number) ?? 0];
  }
  override handleCall(req: unknown, from: From, n: number): CallResult<number> {
    if (req === 'get') return ['reply', n, n];
    if (req === 'later') {
      this.pending.push(from);
      return ['noreply', n];
    }
    if (req === 'stop') return ['stop', atom('asked'), 'bye', n];
    return ['reply', tuple(A.error, atom('what')), n];
  }
  override async handleCast(msg: unknown, n: number): Promise<CastResult<number>> {
    await Promise.resolve();
    if (msg === atom('inc')) return ['noreply', n + 1];
    return ['stop', A.normal, n];
  }
  override handleInfo(msg: unknown, n: number): CastResult<number> {
    if (msg === 'flush') for (const f of this.pending.splice(0)) this.reply(f, n);
    return ['noreply', n];
  }
  override terminate(reason: Term, n: number): void {
    this.terminatedWith = [reason, n];
  }
}

describe('GenServer', () => {
  it('init, call, cast, info, deferred reply', async () => {
    ({ node } = await startNode());
    const s = new Counter();
    const pid = await node.spawn(() => s, { args: [5] });
    expect(await node.call(pid, 'get')).toBe(5);
    node.cast(pid, atom('inc'));
    node.cast(pid, atom('inc'));
    expect(await node.call(pid, 'get')).toBe(7);
    const later = node.call(pid, 'later');
    node.send(pid, 'flush');
    expect(await later).toBe(7);
  });

  it('init stop fails the spawn with the reason', async () => {
    ({ node } = await startNode());
    await expect(node.spawn(Counter, { args: ['fail'] })).rejects.toMatchObject({ code: ErrCode.InitFailed, reason: atom('bad_start') });
  });

  it('stop from handleCall replies first, then terminates with the reason', async () => {
    ({ node } = await startNode());
    const s = new Counter();
    const pid = await node.spawn(() => s, { args: [1] });
    const dead = node.wait(pid);
    expect(await node.call(pid, 'stop')).toBe('bye');
    expect(await dead).toBe(atom('asked'));
    expect(s.terminatedWith).toEqual([atom('asked'), 1]);
  });

  it("answers Erlang '$gen_call' messages with {Tag, Reply}, and through an alias tag", async () => {
    ({ node } = await startNode());
    const pid = await node.spawn(Counter, { args: [3] });
    const caller = await spawnProbe(node);
    const tag = node.makeRef();
    node.send(pid, tuple(atom('$gen_call'), tuple(caller.pid, tag), 'get'));
    const r = await caller.probe.receive<Tuple>((m) => m instanceof Tuple);
    expect(r).toEqual(tuple(tag, 3));
    const alias = caller.probe.process.createAlias();
    const aliasTag = improperList([atom('alias')], alias.toRef());
    node.send(pid, tuple(atom('$gen_call'), tuple(caller.pid, aliasTag), 'get'));
    const r2 = await caller.probe.receive<Tuple>((m) => m instanceof Tuple);
    expect(r2.elements[1]).toBe(3);
    expect(caller.probe.inbox.length).toBe(0);
    void Alias;
  });

  it('a crash in a callback terminates with the error; an exit from the parent stops it even when trapping', async () => {
    ({ node } = await startNode());
    class Crashy extends GenServer<null> {
      init(): InitResult<null> {
        this.process.trapExit = true;
        return ['ok', null];
      }
      override handleInfo(): CastResult<null> {
        throw new Error('oops');
      }
    }
    const pid = await node.spawn(Crashy);
    const dead = node.wait(pid);
    node.send(pid, 'x');
    expect(await dead).toEqual(tuple(A.error, 'Error: oops'));
    const s = new Counter();
    const pid2 = await node.spawn(() => s);
    s.process.trapExit = true;
    node.sendExit(pid2, A.shutdown);
    await until(() => s.terminatedWith !== undefined);
    expect(s.terminatedWith![0]).toBe(A.shutdown);
    void Pid;
  });
});
