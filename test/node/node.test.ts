import { afterEach, describe, expect, it } from 'vitest';
import { A, atom, Pid, tuple, type Term } from '../../src/term/index.js';
import { ErrCode, MessageExit, RuntimeError } from '../../src/gen/index.js';
import { Actor, replyLater } from '../../src/act/index.js';
import { Node, MemoryLogger, type LogMessage } from '../../src/node/index.js';
import { Probe, spawnProbe, startNode, until } from './helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

describe('node', () => {
  it('has a full name, a creation and info', async () => {
    node = await Node.start({ name: 'bare', defaultLogger: false, creation: 7, env: { A: 1 } });
    expect(node.name).toBe(atom('bare@localhost'));
    expect(node.creation).toBe(7);
    expect(node.pid.node).toBe(node.name);
    const { pid } = await spawnProbe(node, undefined, 'svc');
    const info = node.info();
    expect(info.processes).toBe(1);
    expect(info.names).toEqual([atom('svc')]);
    expect(info.env).toEqual({ A: 1 });
    expect(info.network).toBe(false);
    const list = node.processList();
    expect(list.length).toBe(1);
    expect(list[0]!.pid.equals(pid)).toBe(true);
    expect(list[0]!.behavior).toBe('Probe');
    expect(list[0]!.state).toBe('sleep');
    expect(list[0]!.mailbox).toBe(0);
  });

  it('pids are unique and local, with the node creation', async () => {
    ({ node } = await startNode());
    const pids = await Promise.all([1, 2, 3].map(() => node.spawn(Probe)));
    expect(new Set(pids.map(String)).size).toBe(3);
    for (const p of pids) expect(p.creation).toBe(node.creation);
  });

  it('spawn: init failure rejects ERR_INIT_FAILED, is logged, and leaves nothing behind', async () => {
    let logs: MemoryLogger;
    ({ node, logs } = await startNode());
    class Bad extends Actor {
      override init(): void {
        throw new Error('no config');
      }
    }
    const err = await node.spawn(Bad).catch((e: RuntimeError) => e);
    expect((err as RuntimeError).code).toBe(ErrCode.InitFailed);
    expect((err as RuntimeError).reason).toEqual(tuple(A.error, 'Error: no config'));
    expect(node.processCount()).toBe(0);
    expect(logs.lines().some((l) => l.includes('init failed'))).toBe(true);
    class BadAsync extends Actor {
      override async init(): Promise<void> {
        await Promise.resolve();
        throw atom('bad_config');
      }
    }
    const e2 = await node.spawnRegister('x', BadAsync).catch((e: RuntimeError) => e);
    expect((e2 as RuntimeError).reason).toBe(atom('bad_config'));
    expect(node.whereis('x')).toBeUndefined();
  });

  it('spawn: async init; messages sent during init wait; args reach init', async () => {
    ({ node } = await startNode());
    const seen: unknown[] = [];
    let release!: () => void;
    class Slow extends Actor {
      override async init(a: unknown, b: unknown): Promise<void> {
        seen.push(a, b);
        await new Promise<void>((r) => (release = r));
      }
      override handleMessage(m: unknown, _f: Pid): void {
        seen.push(m);
      }
    }
    const spawned = node.spawnRegister('slow', Slow, { args: [1, 2] });
    await until(() => seen.length === 2);
    node.send('slow', 'early');
    expect(node.processInfo(node.whereis('slow')!).state).toBe('init');
    release();
    await spawned;
    await until(() => seen.length === 3);
    expect(seen).toEqual([1, 2, 'early']);
  });

  it('a process killed during async init fails the spawn', async () => {
    ({ node } = await startNode());
    class Hang extends Actor {
      override init(): Promise<void> {
        return new Promise(() => undefined);
      }
    }
    const spawned = node.spawnRegister('hang', Hang);
    await until(() => node.whereis('hang') !== undefined);
    node.kill(node.whereis('hang')!);
    await expect(spawned).rejects.toMatchObject({ code: ErrCode.InitFailed, reason: A.killed });
  });

  it('linkParent links child and parent after init', async () => {
    ({ node } = await startNode());
    const parent = await spawnProbe(node);
    parent.probe.process.trapExit = true;
    const child = await parent.probe.process.spawn(Probe, { linkParent: true });
    expect(node.processInfo(child).links.map(String)).toEqual([String(parent.pid)]);
    node.kill(child);
    const m = await parent.probe.receive<MessageExit>((x) => x instanceof MessageExit);
    expect(m.reason).toBe(A.killed);
  });

  it('environment: node → application → parent → process, copy on write', async () => {
    ({ node } = await startNode({ env: { LEVEL: 'node', ONLY_NODE: 1 } }));
    const parent = await spawnProbe(node, { env: { LEVEL: 'parent', P: true } });
    const child = new Probe();
    await parent.probe.process.spawn(() => child, { env: { C: 'c' } });
    const plain = new Probe();
    await parent.probe.process.spawn(() => plain);
    expect(child.process.env('LEVEL')).toBe('parent');
    expect(child.process.env('ONLY_NODE')).toBe(1);
    expect(child.process.env('C')).toBe('c');
    expect(plain.process.env('P')).toBe(true);
    plain.process.setEnv('LEVEL', 'me');
    expect(plain.process.env('LEVEL')).toBe('me');
    expect(parent.probe.process.env('LEVEL')).toBe('parent');
    expect(child.process.envList()).toEqual({ LEVEL: 'parent', ONLY_NODE: 1, P: true, C: 'c' });
    expect(child.process.envDefault('MISSING', 5)).toBe(5);
    node.setEnv('LATE', 'x');
    expect(child.process.env('LATE')).toBe('x');
  });

  it('logging: levels per node and per process, pluggable loggers, a process as logger', async () => {
    let logs: MemoryLogger;
    ({ node, logs } = await startNode({ logLevel: 'info' }));
    node.log.debug('hidden');
    node.log.info('shown %d', 42);
    expect(logs.lines()).toEqual(['info: shown 42']);
    const { probe } = await spawnProbe(node, { logLevel: 'debug' });
    probe.process.log.debug('proc debug');
    probe.process.log.trace('proc trace');
    expect(logs.lines().slice(1)).toEqual(['debug: proc debug']);
    expect(logs.messages[1]!.source.kind).toBe('process');
    probe.process.log.setLevel('disabled');
    probe.process.log.panic('nope');
    expect(logs.messages.length).toBe(2);

    const got: LogMessage[] = [];
    class LogProc extends Actor {
      override handleLog(m: LogMessage): void {
        got.push(m);
      }
    }
    const lp = await node.spawn(LogProc);
    node.loggerAdd('proc', lp, 'warning');
    expect(node.loggers()).toEqual(['memory', 'proc']);
    node.log.info('not for proc');
    node.log.error('for proc');
    await until(() => got.length === 1);
    expect(got[0]!.format).toBe('for proc');
    expect(() => node.loggerAdd('proc', new MemoryLogger())).toThrowError(RuntimeError);
    node.loggerDelete('proc');
    expect(node.loggers()).toEqual(['memory']);
  });

  it('processInfo shows queues, links, monitors, aliases, events, env, trap', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node, { mailboxSize: 10, sendPriority: 'high' }, 'a');
    const b = await spawnProbe(node);
    a.probe.process.link(b.pid);
    a.probe.process.monitor(b.pid);
    a.probe.process.trapExit = true;
    const alias = a.probe.process.createAlias();
    a.probe.process.registerEvent('ev');
    const i = node.processInfo(a.pid);
    expect(i.name).toBe(atom('a'));
    expect(i.links.map(String)).toEqual([String(b.pid)]);
    expect(i.monitors.map(String)).toEqual([String(b.pid)]);
    expect(i.aliases.map(String)).toEqual([String(alias)]);
    expect(i.events).toEqual([atom('ev')]);
    expect(i.trapExit).toBe(true);
    expect(i.mailboxLimit).toBe(10);
    expect(i.sendPriority).toBe('high');
    expect(node.processInfo(b.pid).monitoredBy.map(String)).toEqual([String(a.pid)]);
    expect(() => node.processInfo(new Pid(node.name, 5, 5, node.creation))).toThrowError(RuntimeError);
  });

  it('graceful stop: terminate callbacks run, stragglers are killed after the timeout', async () => {
    ({ node } = await startNode());
    const ok = await spawnProbe(node);
    const slow = new Probe();
    slow.terminate = (): Promise<void> => new Promise(() => undefined);
    const slowPid = await node.spawn(() => slow);
    const trapped = await spawnProbe(node);
    trapped.probe.process.trapExit = true;
    const reasons: Term[] = [];
    void node.wait(ok.pid).then((r) => reasons.push(r));
    await node.stop({ timeout: 30 });
    expect(ok.probe.terminated).toBe(A.shutdown);
    expect(trapped.probe.terminated).toBe(A.shutdown);
    expect(reasons).toEqual([A.shutdown]);
    expect(node.processCount()).toBe(0);
    expect(node.isRunning).toBe(false);
    await node.stopped;
    await expect(node.spawn(Probe)).rejects.toMatchObject({ code: ErrCode.NodeTerminated });
    void slowPid;
  });

  it('forced stop kills everything without terminate callbacks', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    const pending = node.call(a.pid, 'x');
    a.probe.onCall = () => replyLater;
    await node.stopForce();
    expect(a.probe.terminated).toBeUndefined();
    expect(node.processCount()).toBe(0);
    await expect(pending).rejects.toBeInstanceOf(RuntimeError);
  });

  it('split handlers by how a message was addressed', async () => {
    ({ node } = await startNode());
    const seen: string[] = [];
    class Split extends Actor {
      override init(): void {
        this.setSplitHandle(true);
      }
      override handleMessage(): void {
        seen.push('pid');
      }
      override handleMessageName(_m: unknown, _from: Pid, name: import('../../src/term/index.js').Atom): void {
        seen.push(`name:${name.name}`);
      }
      override handleMessageAlias(): void {
        seen.push('alias');
      }
      override handleCallName(): unknown {
        return 'by-name';
      }
    }
    const s = new Split();
    const pid = await node.spawnRegister('sp', () => s);
    node.send(pid, 1);
    node.send('sp', 2);
    node.send(s.process.createAlias(), 3);
    expect(await node.call('sp', 'q')).toBe('by-name');
    await until(() => seen.length === 3);
    expect(seen).toEqual(['pid', 'name:sp', 'alias']);
  });

  it('an Actor without handleCall fails the call, not the process', async () => {
    ({ node } = await startNode());
    const pid = await node.spawn(class extends Actor {});
    await expect(node.call(pid, 'x')).rejects.toMatchObject({ code: ErrCode.CallFailed, reason: atom('unknown_request') });
    expect(node.processInfo(pid).state).toBe('sleep');
  });

  it('Symbol.asyncDispose stops the node', async () => {
    ({ node } = await startNode());
    await spawnProbe(node);
    await node[Symbol.asyncDispose]();
    expect(node.processCount()).toBe(0);
  });
});

describe('graceful stop order', () => {
  it('stops top-level processes first, so a supervisor stops its children itself, in reverse', async () => {
    const { Supervisor } = await import('../../src/act/index.js');
    ({ node } = await startNode());
    const order: string[] = [];
    class W extends Actor {
      tag = '';
      override init(tag: unknown): void {
        this.tag = String(tag);
      }
      override terminate(reason: Term): void {
        order.push(`${this.tag}:${String(reason)}`);
      }
    }
    class S extends Supervisor {
      spec() {
        return {
          strategy: 'one_for_one' as const,
          children: ['a', 'b', 'c'].map((id) => ({ id, start: { factory: W, args: [id] } })),
        };
      }
    }
    await node.spawn(S);
    const orphan = await spawnProbe(node);
    await orphan.probe.process.spawn(() => new W(), { args: ['orphan'] });
    await node.stop({ timeout: 1000 });
    expect(order.slice(0, 3)).toEqual(['c:shutdown', 'b:shutdown', 'a:shutdown']);
    expect(order).toContain('orphan:shutdown');
    expect(node.processCount()).toBe(0);
  });
});
