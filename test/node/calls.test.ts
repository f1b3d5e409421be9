import { afterEach, describe, expect, it } from 'vitest';
import { A, atom, Pid, type Ref } from '../../src/term/index.js';
import { ErrCode, RuntimeError } from '../../src/gen/index.js';
import { Actor, replyLater } from '../../src/act/index.js';
import type { Node } from '../../src/node/index.js';
import { spawnProbe, startNode, until } from './helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

async function rejection(p: Promise<unknown>): Promise<RuntimeError> {
  try {
    await p;
  } catch (e) {
    return e as RuntimeError;
  }
  throw new Error('expected a rejection');
}

describe('calls', () => {
  it('answers by returning a value, through a pid, a name and an alias', async () => {
    ({ node } = await startNode());
    const { probe, pid } = await spawnProbe(node, undefined, 'echo');
    probe.onCall = (req) => ({ echoed: req });
    expect(await node.call(pid, 1)).toEqual({ echoed: 1 });
    expect(await node.call('echo', 2)).toEqual({ echoed: 2 });
    expect(await node.call(probe.process.createAlias(), 3)).toEqual({ echoed: 3 });
  });

  it('answers later with sendResponse, or fails with sendResponseError', async () => {
    ({ node } = await startNode());
    const { probe, pid } = await spawnProbe(node);
    const held: { from: Pid; ref: Ref; req: unknown }[] = [];
    probe.onCall = (req, from, ref) => {
      held.push({ from, ref, req });
      return replyLater;
    };
    const p1 = node.call(pid, 'a');
    const p2 = node.call(pid, 'b');
    await until(() => held.length === 2);
    probe.process.sendResponse(held[1]!.from, held[1]!.ref, 'B');
    probe.process.sendResponseError(held[0]!.from, held[0]!.ref, atom('nope'));
    expect(await p2).toBe('B');
    const e = await rejection(p1);
    expect(e.code).toBe(ErrCode.CallFailed);
    expect(e.reason).toBe(atom('nope'));
  });

  it('async handlers: the callee takes no other message while it awaits, the node keeps running', async () => {
    ({ node } = await startNode());
    const order: string[] = [];
    const a = await spawnProbe(node);
    const b = await spawnProbe(node);
    b.probe.onCall = (req) => {
      order.push(`b:${String(req)}`);
      return 'pong';
    };
    a.probe.onMessage = async (m) => {
      order.push(`a:${String(m)}:start`);
      const r = await a.probe.process.call(b.pid, m);
      order.push(`a:${String(m)}:${String(r)}`);
    };
    node.send(a.pid, 'one');
    node.send(a.pid, 'two');
    await until(() => order.length === 6);
    expect(order).toEqual(['a:one:start', 'b:one', 'a:one:pong', 'a:two:start', 'b:two', 'a:two:pong']);
  });

  it('times out with ERR_TIMEOUT, and a late answer is dropped', async () => {
    ({ node } = await startNode());
    const { probe, pid } = await spawnProbe(node);
    let late: (() => void) | undefined;
    probe.onCall = (_r, from, ref) => {
      late = () => probe.process.sendResponse(from, ref, 'late');
      return replyLater;
    };
    const e = await rejection(node.call(pid, 'x', { timeout: 10 }));
    expect(e.code).toBe(ErrCode.Timeout);
    expect(e.reason).toBe(A.timeout);
    expect(() => late!()).not.toThrow();
  });

  it('is cancelled by an AbortSignal', async () => {
    ({ node } = await startNode());
    const { probe, pid } = await spawnProbe(node);
    probe.onCall = () => replyLater;
    const ac = new AbortController();
    const p = node.call(pid, 'x', { signal: ac.signal, timeout: Infinity });
    ac.abort();
    expect((await rejection(p)).code).toBe(ErrCode.Aborted);
    const pre = new AbortController();
    pre.abort();
    expect((await rejection(node.call(pid, 'x', { signal: pre.signal }))).code).toBe(ErrCode.Aborted);
  });

  it('a call to self fails fast', async () => {
    ({ node } = await startNode());
    const { probe, pid } = await spawnProbe(node);
    let err: RuntimeError | undefined;
    probe.onMessage = async () => {
      err = await rejection(probe.process.call(pid, 'me'));
    };
    node.send(pid, 'go');
    await until(() => err !== undefined);
    expect(err!.code).toBe(ErrCode.CallSelf);
  });

  it('a crash during a call fails the caller with the crash reason', async () => {
    ({ node } = await startNode());
    const { probe, pid } = await spawnProbe(node);
    probe.onCall = () => {
      throw new Error('kaboom');
    };
    const dead = node.wait(pid);
    const e = await rejection(node.call(pid, 'x'));
    expect(e.code).toBe(ErrCode.CallFailed);
    expect(String((e.reason as unknown as { elements: unknown[] }).elements[1])).toContain('kaboom');
    expect(await dead).toEqual(e.reason);
    expect(await node.wait(pid)).toBe(A.noproc);
  });

  it('a call to a dead or unknown process fails with ERR_PROCESS_UNKNOWN', async () => {
    ({ node } = await startNode());
    const { pid } = await spawnProbe(node);
    node.kill(pid);
    await node.wait(pid);
    expect((await rejection(node.call(pid, 'x'))).code).toBe(ErrCode.ProcessUnknown);
    expect((await rejection(node.call('ghost', 'x'))).code).toBe(ErrCode.NameUnknown);
  });

  it('a caller that dies while waiting does not leak its pending call', async () => {
    ({ node } = await startNode());
    const slow = await spawnProbe(node);
    slow.probe.onCall = () => replyLater;
    const caller = await spawnProbe(node);
    let err: RuntimeError | undefined;
    caller.probe.onMessage = async () => {
      try {
        await caller.probe.process.call(slow.pid, 'x', { timeout: Infinity });
      } catch (e) {
        err = e as RuntimeError;
      }
    };
    node.send(caller.pid, 'go');
    await until(() => node.processInfo(caller.pid).state === 'waiting');
    node.kill(caller.pid);
    await node.wait(caller.pid);
    await until(() => err !== undefined);
    expect(err!.code).toBe(ErrCode.ProcessTerminated);
  });

  it('inspect asks handleInspect', async () => {
    ({ node } = await startNode());
    class Insp extends Actor {
      override handleInspect(_from: Pid, ...items: string[]): Record<string, string> {
        return { items: items.join(',') };
      }
    }
    const pid = await node.spawn(Insp);
    expect(await node.inspect(pid, 'a', 'b')).toEqual({ items: 'a,b' });
  });

  it('call priorities put requests in the chosen queue', async () => {
    ({ node } = await startNode());
    const seen: unknown[] = [];
    let release!: () => void;
    const { probe, pid } = await spawnProbe(node);
    probe.onMessage = (m) => (m === 'block' ? new Promise<void>((r) => (release = r)) : undefined);
    probe.onCall = (req) => {
      seen.push(req);
      return req;
    };
    node.send(pid, 'block');
    await until(() => probe.inbox.length === 1);
    const a = node.call(pid, 'normal');
    const b = node.call(pid, 'max', { priority: 'max' });
    release();
    await Promise.all([a, b]);
    expect(seen).toEqual(['max', 'normal']);
  });
});
