/**
 * The API a new user meets: one argument order for calls in Actor and GenServer, an explicit
 * "reply later", spawn arguments typed from `init`, typed calls, GenServer results without
 * `as const`, cast and call in one place, watching processes from outside any process, node
 * names checked, misuse reported with codes, and a root export without internals.
 */
import { describe, expect, expectTypeOf, it, afterEach } from 'vitest';
import * as root from '../../src/index.js';
import * as internal from '../../src/internal.js';
import { A, atom, Pid, type Term } from '../../src/term/index.js';
import { ErrCode, MessageDown, MessageExit } from '../../src/gen/index.js';
import { Actor, GenServer, replyLater, type From } from '../../src/act/index.js';
import { Node } from '../../src/node/index.js';
import { spawnProbe, startNode, until } from '../node/helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

class Counter extends Actor {
  n = 0;
  override init(start: number): void {
    this.n = start;
  }
  override handleCall(request: unknown, _from: From): unknown {
    if (request === 'get') return this.n;
    if (request === 'nothing') return undefined;
    return replyLater;
  }
}

class Stack extends GenServer<number[]> {
  init(...items: number[]) {
    return ['ok', items];
  }
  override handleCall(request: unknown, _from: From, state: number[]) {
    if (request === 'pop') return ['reply', state[state.length - 1], state.slice(0, -1)];
    return ['reply', state.length, state];
  }
  override handleCast(message: unknown, state: number[]) {
    return ['noreply', [...state, message as number]];
  }
}

describe('calls', () => {
  it('handleCall takes (request, from) in Actor and (request, from, state) in GenServer', () => {
    expectTypeOf<Parameters<Actor['handleCall']>>().toEqualTypeOf<[request: unknown, from: From]>();
    expectTypeOf<Parameters<GenServer<number>['handleCall']>>().toEqualTypeOf<[request: unknown, from: From, state: number]>();
  });

  it('an Actor that returns nothing answers `undefined` at once; replyLater defers to reply(from, …)', async () => {
    ({ node } = await startNode());
    const c = new Counter();
    const pid = await node.spawn(() => c, { args: [5] });
    expect(await node.call(pid, 'nothing', { timeout: 200 })).toBeUndefined();
    const later = node.call<number>(pid, 'later');
    let settled = false;
    later.then(
      () => (settled = true),
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    expect(replyLater).toBeTypeOf('symbol');
  });

  it('call<T>() is typed; GenServer results are plain arrays (no `as const`); cast lives beside call', async () => {
    ({ node } = await startNode());
    const pid = await node.spawn(Stack, { args: [1, 2] });
    const popped = node.call<number>(pid, 'pop');
    expectTypeOf(popped).toEqualTypeOf<Promise<number>>();
    expect(await popped).toBe(2);
    node.cast(pid, 7);
    const { probe } = await spawnProbe(node);
    probe.process.cast(pid, 8);
    await until(() => true);
    expect(await node.call(pid, 'size')).toBe(3);
    expect(await node.call(pid, 'pop')).toBe(8);
    expect(await node.call(pid, 'pop')).toBe(7);
    expect('cast' in root).toBe(false);
  });

  it('an Actor answers an Erlang gen_server:call too ({$gen_call, {Pid, Tag}, Req} → {Tag, Reply})', async () => {
    ({ node } = await startNode());
    const pid = await node.spawn(Counter, { args: [3] });
    const caller = await spawnProbe(node);
    const tag = node.makeRef();
    node.send(pid, root.tuple(atom('$gen_call'), root.tuple(caller.pid, tag), 'get'));
    expect(await caller.probe.receive((m) => m instanceof root.Tuple)).toEqual(root.tuple(tag, 3));
  });
});

describe('spawn', () => {
  it('the options carry the init arguments with their types', async () => {
    ({ node } = await startNode());
    const c = new Counter();
    await node.spawn(() => c, { args: [41] });
    expect(c.n).toBe(41);
    expectTypeOf<root.InitArgs<typeof Counter>>().toEqualTypeOf<[start: number]>();
    // @ts-expect-error init needs a number
    await node.spawn(Counter, { args: ['x'] }).catch(() => undefined);
    // @ts-expect-error init needs its argument
    await node.spawn(Counter).catch(() => undefined);
    await node.spawn(Stack); // GenServer<...>.init(...items) needs none
  });

  it('misuse gets a coded error, not a TypeError', async () => {
    ({ node } = await startNode());
    for (const bad of [{}, 42, class NotABehaviour {}, () => 5, null]) {
      await expect(node.spawn(bad as never, {} as never)).rejects.toMatchObject({ code: ErrCode.Incorrect });
    }
    expect(() => node.send(42 as never, 'x')).toThrowError(expect.objectContaining({ code: ErrCode.Incorrect }));
  });
});

describe('watching from outside any process', () => {
  it('node.monitor resolves with the DOWN; node.link with the exit, whatever the reason', async () => {
    ({ node } = await startNode());
    const a = await spawnProbe(node);
    const b = await spawnProbe(node, undefined, 'b');
    const m = node.monitor(a.pid);
    const l = node.link('b');
    node.sendExit(a.pid, atom('boom'));
    const down = await m.down;
    expect(down).toBeInstanceOf(MessageDown);
    expect(down.ref.equals(m.ref)).toBe(true);
    expect(down.reason).toBe(atom('boom'));
    b.probe.process.stop();
    const exit = await l.exit;
    expect(exit).toBeInstanceOf(MessageExit);
    expect(exit.reason).toBe(A.normal);
    expect((await node.monitor(new Pid(node.name, 999999, 0, node.creation)).down).reason).toBe(A.noproc);
    expect(() => node.link(new Pid(node.name, 999999, 0, node.creation))).toThrowError(expect.objectContaining({ code: ErrCode.ProcessUnknown }));
    const c = await spawnProbe(node);
    const m2 = node.monitor(c.pid);
    expect(m2.demonitor()).toBe(true);
    await until(() => node.processCount() === 1);
  });

  it('node.sendExit: a trapping child of another process gets the EXIT; a top-level Actor (the node is its parent) ends', async () => {
    ({ node } = await startNode());
    const parent = await spawnProbe(node);
    const child = new (class extends Actor {
      got: unknown[] = [];
      override init(): void {
        this.process.trapExit = true;
      }
      override handleMessage(m: unknown): void {
        this.got.push(m);
      }
    })();
    const cpid = await parent.probe.process.spawn(() => child);
    node.sendExit(cpid, atom('please'));
    await until(() => child.got.length === 1);
    expect((child.got[0] as MessageExit).reason).toBe(atom('please'));
    const top = await spawnProbe(node);
    top.probe.process.trapExit = true;
    node.sendExit(top.pid, atom('please'));
    expect(await node.wait(top.pid)).toBe(atom('please'));
  });
});

describe('node names', () => {
  it('are validated: name@host, one @, no spaces', async () => {
    for (const bad of ['a b@h', 'a@b@c', '@h', 'a@', 'a@h st', 'ü@h']) {
      await expect(Node.start({ name: bad, defaultLogger: false })).rejects.toMatchObject({ code: ErrCode.Incorrect });
    }
    node = await Node.start({ name: 'bare', defaultLogger: false });
    expect(node.name).toBe(atom('bare@localhost'));
    await node.stop();
    node = await Node.start({ name: 'x-1.y_2@127.0.0.1', defaultLogger: false });
    expect(node.name.name).toBe('x-1.y_2@127.0.0.1');
  });
});

describe('exports', () => {
  it('the root lists what users need; internals are in ./internal', () => {
    for (const name of ['Node', 'Actor', 'GenServer', 'Supervisor', 'Pool', 'replyLater', 'format', 'atom', 'tuple', 'encodeEtf', 'decodeEtf', 'edf', 'ErrCode', 'RuntimeError', 'ErrorCatalogue', 'MessageDown', 'MessageExit', 'NetworkManager', 'Delivery']) {
      expect(root, name).toHaveProperty(name);
    }
    for (const name of ['exitFromParent', 'canonicalInt', 'termKey', 'hash', 'Err', 'Writer', 'EtfTag', 'replyTo', 'reasonToGoError']) {
      expect(name in root, name).toBe(false);
      expect(internal, name).toHaveProperty(name);
    }
  });
});

void (undefined as unknown as Term);
