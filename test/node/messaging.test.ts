import { afterEach, describe, expect, it } from 'vitest';
import { A, Alias, atom, Pid, tuple } from '../../src/term/index.js';
import { ErrCode, MessageDown, MessageFallback, processId, RuntimeError } from '../../src/gen/index.js';
import { Actor } from '../../src/act/index.js';
import type { Node } from '../../src/node/index.js';
import { spawnProbe, startNode, until, type Probe } from './helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (e) {
    return (e as RuntimeError).code;
  }
  return undefined;
}

describe('messaging', () => {
  it('delivers to a pid, a name, a {name, node} target and an alias, in order', async () => {
    ({ node } = await startNode());
    const { probe, pid } = await spawnProbe(node, undefined, 'p1');
    node.send(pid, 1);
    node.send('p1', 2);
    node.send(atom('p1'), 3);
    node.send(processId('p1', node.name), 4);
    node.send(tuple(atom('p1'), node.name), 5);
    const alias = probe.process.createAlias();
    node.send(alias, 6);
    await until(() => probe.inbox.length === 6);
    expect(probe.inbox.map((e) => e.message)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(probe.inbox[0]!.from.equals(node.pid)).toBe(true);
  });

  it('fails for unknown local targets with catalogue codes', async () => {
    ({ node } = await startNode());
    const { probe } = await spawnProbe(node);
    const ghost = new Pid(node.name, 999_999, 0, node.creation);
    expect(await codeOf(() => node.send(ghost, 'x'))).toBe(ErrCode.ProcessUnknown);
    expect(await codeOf(() => node.send('nobody', 'x'))).toBe(ErrCode.NameUnknown);
    const a = probe.process.createAlias();
    probe.process.deleteAlias(a);
    expect(await codeOf(() => node.send(a, 'x'))).toBe(ErrCode.AliasUnknown);
    const old = new Pid(node.name, 1000, 0, (node.creation as number) + 1);
    expect(await codeOf(() => node.send(old, 'x'))).toBe(ErrCode.ProcessIncarnation);
    expect(await codeOf(node.sendImportant(ghost, 'x'))).toBe(ErrCode.ProcessUnknown);
  });

  it('fails remote targets with ERR_NO_CONNECTION while no router is installed', async () => {
    ({ node } = await startNode());
    const { probe } = await spawnProbe(node);
    const remote = new Pid(atom('other@host'), 1000, 0, 1);
    expect(await codeOf(() => node.send(remote, 'x'))).toBe(ErrCode.NoConnection);
    expect(await codeOf(() => probe.process.send(processId('x', 'other@host'), 'x'))).toBe(ErrCode.NoConnection);
    expect(await codeOf(probe.process.call(remote, 'x'))).toBe(ErrCode.NoConnection);
    expect(await codeOf(() => probe.process.link(remote))).toBe(ErrCode.NoConnection);
    expect(await codeOf(() => probe.process.monitor(remote))).toBe(ErrCode.NoConnection);
    // a node monitor never throws: it fires at once ({nodedown, Node}, as monitor_node/2 does)
    probe.process.monitorNode('other@host');
    expect((await probe.receive<MessageDown>((m) => m instanceof MessageDown)).reason).toBe(A.noconnection);
    expect(await codeOf(probe.process.remoteSpawn('other@host', 'worker'))).toBe(ErrCode.NoConnection);
    const alias = new Alias(atom('other@host'), 1, [1, 2, 3]);
    expect(await codeOf(() => node.send(alias, 'x'))).toBe(ErrCode.NoConnection);
  });

  it('processes urgent > system > main > log', async () => {
    ({ node } = await startNode());
    const seen: unknown[] = [];
    class Blocker extends Actor {
      release!: () => void;
      override handleMessage(m: unknown, _f: Pid): unknown {
        seen.push(m);
        if (m === 'block') return new Promise<void>((r) => (this.release = r));
        return undefined;
      }
      override handleLog(m: import('../../src/node/index.js').LogMessage): unknown {
        seen.push(`log:${m.format}`);
        return undefined;
      }
    }
    const b = new Blocker();
    const pid = await node.spawn(() => b);
    node.loggerAdd('proc', pid, 'info');
    node.send(pid, 'block');
    await until(() => seen.length === 1);
    node.log.info('L');
    node.send(pid, 'main1');
    node.send(pid, 'sys', { priority: 'high' });
    node.send(pid, 'main2');
    node.send(pid, 'urg', { priority: 'max' });
    expect(node.processInfo(pid).queues).toEqual({ urgent: 1, system: 1, main: 2, log: 1 });
    expect(node.processInfo(pid).state).toBe('waiting');
    b.release();
    await until(() => seen.length === 6);
    expect(seen).toEqual(['block', 'urg', 'sys', 'main1', 'main2', 'log:L']);
  });

  it('mailbox limit: MailboxFull without fallback, MessageFallback with one', async () => {
    ({ node } = await startNode());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { probe, pid } = await spawnProbe(node, { mailboxSize: 2 });
    probe.onMessage = (m) => (m === 'block' ? gate : undefined);
    node.send(pid, 'block');
    await until(() => probe.inbox.length === 1);
    node.send(pid, 'a');
    node.send(pid, 'b');
    expect(await codeOf(() => node.send(pid, 'c'))).toBe(ErrCode.MailboxFull);
    // Signals are never refused: the urgent queue is not limited.
    node.send(pid, 'urgent', { priority: 'max' });

    const fb = await spawnProbe(node, undefined, 'overflow');
    const { probe: p2, pid: pid2 } = await spawnProbe(node, { mailboxSize: 1, fallback: { name: 'overflow', tag: 'full' } });
    let release2!: () => void;
    const gate2 = new Promise<void>((r) => (release2 = r));
    p2.onMessage = (m) => (m === 'block' ? gate2 : undefined);
    node.send(pid2, 'block');
    await until(() => p2.inbox.length === 1);
    node.send(pid2, 'x');
    node.send(pid2, 'y');
    const f = await fb.probe.receive<MessageFallback>((m) => m instanceof MessageFallback);
    expect(f.tag).toBe('full');
    expect(f.message).toBe('y');
    expect(f.pid.equals(pid2)).toBe(true);
    release();
    release2();
    await probe.receive((m) => m === 'c', 50).then(
      () => expect.unreachable('c was refused'),
      () => undefined,
    );
  });

  it('sendAfter delivers later and can be cancelled', async () => {
    ({ node } = await startNode());
    const { probe, pid } = await spawnProbe(node);
    const cancel = node.sendAfter(pid, 'never', 20);
    expect(cancel()).toBe(true);
    expect(cancel()).toBe(false);
    const fired = probe.process.sendAfter(pid, 'later', 5);
    expect(await probe.receive((m) => m === 'later')).toBe('later');
    expect(fired()).toBe(false);
    expect(probe.inbox.find((e) => e.message === 'never')).toBeUndefined();
  });

  it('registers, unregisters and refuses taken names', async () => {
    ({ node } = await startNode());
    const { probe, pid } = await spawnProbe(node, undefined, 'svc');
    expect(node.whereis('svc')?.equals(pid)).toBe(true);
    expect(await codeOf(node.spawnRegister('svc', () => new (class extends Actor {})()))).toBe(ErrCode.Taken);
    probe.process.unregisterName();
    expect(node.whereis('svc')).toBeUndefined();
    probe.process.registerName('svc2');
    expect(node.whereis('svc2')?.equals(pid)).toBe(true);
    expect(await codeOf(() => probe.process.registerName('svc3'))).toBe(ErrCode.Taken);
    node.kill(pid);
    await node.wait(pid);
    expect(node.whereis('svc2')).toBeUndefined();
  });

  it('a handler that throws terminates only its process, with the error as reason, and is logged', async () => {
    let logs;
    ({ node, logs } = await startNode());
    const { probe, pid } = await spawnProbe(node);
    const other = await spawnProbe(node);
    probe.onMessage = () => {
      throw new TypeError('boom');
    };
    node.send(pid, 'go');
    const reason = await node.wait(pid);
    expect(reason).toEqual(tuple(A.error, 'TypeError: boom'));
    expect(probe.terminated).toEqual(reason);
    expect(node.processInfo(other.pid).state).toBe('sleep');
    expect(logs.lines().some((l) => l.startsWith('error:') && l.includes('TypeError: boom'))).toBe(true);
  });

  it('a handler that rejects terminates its process', async () => {
    ({ node } = await startNode());
    const { probe, pid } = await spawnProbe(node);
    probe.onMessage = async () => {
      await Promise.resolve();
      throw atom('badarg');
    };
    node.send(pid, 'go');
    expect(await node.wait(pid)).toBe(atom('badarg'));
  });

  it('counts messages in and out', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    const b = await spawnProbe(node);
    a.probe.onMessage = (m) => {
      if (m === 'fwd') a.probe.process.send(b.pid, 'hi');
    };
    node.send(a.pid, 'fwd');
    await b.probe.receive();
    expect(node.processInfo(a.pid).messagesIn).toBe(1);
    expect(node.processInfo(a.pid).messagesOut).toBe(1);
    expect(node.processInfo(b.pid).messagesIn).toBe(1);
  });
});

export type { Probe };

describe('send priority option', () => {
  it("a process's default send priority picks the receiver's queue", async () => {
    node = (await startNode()).node;
    const seen: unknown[] = [];
    let release!: () => void;
    const { probe, pid } = await spawnProbe(node);
    probe.onMessage = (m) => {
      seen.push(m);
      return m === 'block' ? new Promise<void>((r) => (release = r)) : undefined;
    };
    const urgentSender = await spawnProbe(node, { sendPriority: 'max' });
    node.send(pid, 'block');
    await until(() => seen.length === 1);
    node.send(pid, 'plain');
    urgentSender.probe.process.send(pid, 'urgent');
    expect(node.processInfo(pid).queues.urgent).toBe(1);
    release();
    await until(() => seen.length === 3);
    expect(seen).toEqual(['block', 'urgent', 'plain']);
  });
});
