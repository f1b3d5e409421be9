import { afterEach, describe, expect, it } from 'vitest';
import { A, atom, Pid, type Term } from '../../src/term/index.js';
import { ErrCode, MessageExit, RuntimeError, TimeoutError } from '../../src/gen/index.js';
import { Actor } from '../../src/act/index.js';
import type { Node, Process, ProcessBehavior } from '../../src/node/index.js';
import { Probe, spawnProbe, startNode, until } from './helpers.js';
import { FakeRouter } from './fake-router.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

describe('spawn and process options', () => {
  it('links made by a failing init fire with the init failure reason', async () => {
    ({ node } = await startNode());
    const watcher = await spawnProbe(node);
    watcher.probe.process.trapExit = true;
    class LinkThenFail extends Actor {
      override init(to: unknown): void {
        this.process.link(to as Pid);
        throw atom('init_broke');
      }
    }
    await expect(node.spawn(LinkThenFail, { args: [watcher.pid] })).rejects.toMatchObject({ code: ErrCode.InitFailed });
    const m = await watcher.probe.receive<MessageExit>((x) => x instanceof MessageExit);
    expect(m.reason).toBe(atom('init_broke'));
  });

  it('a plain ProcessBehavior object works through a factory function', async () => {
    ({ node } = await startNode());
    const seen: unknown[] = [];
    let self: Process | undefined;
    const behavior: ProcessBehavior = {
      processInit(p) {
        self = p;
        return undefined;
      },
      processHandle(_k, _f, m) {
        seen.push(m);
        return undefined;
      },
      processTerminate(reason: Term) {
        seen.push(reason);
        return undefined;
      },
    };
    const pid = await node.spawn(() => behavior);
    expect(self!.pid.equals(pid)).toBe(true);
    expect(self!.parent.equals(node.pid)).toBe(true);
    expect(self!.leader.equals(node.pid)).toBe(true);
    node.send(pid, 'x');
    await until(() => seen.length === 1);
    node.sendExit(pid, A.shutdown);
    await until(() => seen.length === 2);
    expect(seen).toEqual(['x', A.shutdown]);
  });

  it('children know their parent and inherit its leader; the parent counts them as sent', async () => {
    ({ node } = await startNode());
    const parent = await spawnProbe(node, { leader: new Pid(node.name, 77, 0, node.creation) });
    const child = new Probe();
    await parent.probe.process.spawn(() => child);
    expect(child.process.parent.equals(parent.pid)).toBe(true);
    expect(child.process.leader.id).toBe(77);
  });

  it('importantDelivery: remote sends ask the router for an acknowledgement; failures are logged', async () => {
    const router = new FakeRouter();
    router.connection(atom('peer@host')).importantResult = () => Promise.reject(new Error('unknown process on peer'));
    let logs;
    ({ node, logs } = await startNode({ router }));
    const a = await spawnProbe(node, { importantDelivery: true });
    const b = await spawnProbe(node);
    const remote = new Pid(atom('peer@host'), 1000, 0, 1);
    a.probe.process.send(remote, 'x');
    b.probe.process.send(remote, 'y');
    expect(router.connection(atom('peer@host')).names()).toEqual(['sendImportant', 'send']);
    await until(() => logs.lines().some((l) => l.includes('unknown process on peer')));
    const ghost = new Pid(node.name, 123456, 0, node.creation);
    expect(() => a.probe.process.send(ghost, 'x')).toThrowError(RuntimeError);
  });

  it('node.wait with a timeout rejects ERR_TIMEOUT; sendExit to an unknown pid throws', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    await expect(node.wait(a.pid, 5)).rejects.toBeInstanceOf(TimeoutError);
    const ghost = new Pid(node.name, 123456, 0, node.creation);
    expect(() => node.sendExit(ghost, A.normal)).toThrowError(RuntimeError);
    expect(await node.wait(ghost)).toBe(A.noproc);
  });

  it('log level is inherited by children', async () => {
    ({ node } = await startNode());
    const parent = await spawnProbe(node, { logLevel: 'error' });
    const child = new Probe();
    await parent.probe.process.spawn(() => child);
    expect(child.process.log.level()).toBe('error');
    expect(node.processInfo(child.process.pid).logLevel).toBe('error');
  });
});
