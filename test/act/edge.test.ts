/** Behaviour edge cases found in review: gen:reply rules, bad return values, restart windows. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { A, atom, improperList, Tuple, tuple, type Pid, type Term } from '../../src/term/index.js';
import { Actor, GenServer, Supervisor, type CallResult, type CastResult, type From, type InitResult, type SupervisorSpec } from '../../src/act/index.js';
import type { Node } from '../../src/node/index.js';
import { spawnProbe, startNode, until } from '../node/helpers.js';

let node: Node;
afterEach(async () => {
  vi.restoreAllMocks();
  await node?.stopForce();
});

const GEN_CALL = atom('$gen_call');

/** Answers 'get' with its state; 'slow' once released; returns garbage for 'bad'. */
class Server extends GenServer<number> {
  release: (() => void) | undefined;
  terminated: Term | undefined;
  init(): InitResult<number> {
    return ['ok', 7];
  }
  override async handleCall(req: unknown, _from: From, n: number): Promise<CallResult<number>> {
    if (req === 'slow') await new Promise<void>((r) => (this.release = r));
    if (req === 'bad') return ['ok', n] as unknown as CallResult<number>;
    return ['reply', n, n];
  }
  override handleInfo(m: unknown, n: number): CastResult<number> {
    if (m === 'bad') return ['reply', 1, n] as unknown as CastResult<number>;
    return ['noreply', n];
  }
  override terminate(reason: Term): void {
    this.terminated = reason;
  }
}

describe('GenServer replies (gen:reply rules)', () => {
  it("a '$gen_call' whose caller died meanwhile: the reply is dropped, the server lives on", async () => {
    ({ node } = await startNode());
    const s = new Server();
    const pid = await node.spawn(() => s);
    const caller = await spawnProbe(node);
    node.send(pid, tuple(GEN_CALL, tuple(caller.pid, node.makeRef()), 'slow'));
    await until(() => s.release !== undefined);
    node.kill(caller.pid);
    await node.wait(caller.pid);
    s.release!();
    // OTP's gen:reply is `To ! Msg` inside a catch: it never fails the server.
    expect(await node.call(pid, 'get')).toBe(7);
    // Same for an alias tag whose alias is gone.
    const c2 = await spawnProbe(node);
    const alias = c2.probe.process.createAlias();
    s.release = undefined;
    node.send(pid, tuple(GEN_CALL, tuple(c2.pid, improperList([atom('alias')], alias.toRef())), 'slow'));
    await until(() => s.release !== undefined);
    c2.probe.process.deleteAlias(alias);
    s.release!();
    expect(await node.call(pid, 'get')).toBe(7);
  });

  it("answers the nested tag [[alias|Ref]|_] through the alias, with the whole tag", async () => {
    ({ node } = await startNode());
    const pid = await node.spawn(Server);
    const owner = await spawnProbe(node);
    const other = await spawnProbe(node);
    const alias = owner.probe.process.createAlias();
    const tag = improperList([improperList([atom('alias')], alias.toRef()) as Term], atom('label')) as Term;
    // The pid in From is not the alias owner: OTP's gen:reply sends to the alias only.
    node.send(pid, tuple(GEN_CALL, tuple(other.pid, tag), 'get'));
    const r = await owner.probe.receive<Tuple>((m) => m instanceof Tuple);
    expect(r).toEqual(tuple(tag, 7));
    // A nested tag whose tail is a proper list.
    const tag2 = [improperList([atom('alias')], alias.toRef()) as Term, atom('x')];
    node.send(pid, tuple(GEN_CALL, tuple(other.pid, tag2), 'get'));
    expect(await owner.probe.receive<Tuple>((m) => m instanceof Tuple)).toEqual(tuple(tag2, 7));
    expect(other.probe.inbox.length).toBe(0);
  });

  it('a bad return value stops the server with {bad_return_value, R}', async () => {
    ({ node } = await startNode());
    const s = new Server();
    const pid = await node.spawn(() => s);
    const dead = node.wait(pid);
    await expect(node.call(pid, 'bad')).rejects.toMatchObject({ reason: tuple(atom('bad_return_value'), ['ok', 7]) });
    expect(await dead).toEqual(tuple(atom('bad_return_value'), ['ok', 7]));
    const s2 = new Server();
    const pid2 = await node.spawn(() => s2);
    const dead2 = node.wait(pid2);
    node.send(pid2, 'bad');
    expect(await dead2).toEqual(tuple(atom('bad_return_value'), ['reply', 1, 7]));
    expect(s2.terminated).toEqual(tuple(atom('bad_return_value'), ['reply', 1, 7]));
  });
});

class Crasher extends Actor {
  override handleMessage(m: unknown, _from: Pid): unknown {
    if (m === 'crash') throw atom('crashed');
    return undefined;
  }
}

class Sup extends Supervisor {
  spec(s: unknown): SupervisorSpec {
    return s as SupervisorSpec;
  }
}

describe('Supervisor restart intensity', () => {
  it('restarts older than the period are forgotten (sliding window)', async () => {
    ({ node } = await startNode());
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const sup = await node.spawn(Sup, { args: [{ strategy: 'one_for_one', intensity: 2, period: 10, children: [{ id: 'w', start: { factory: Crasher } }] }] });
    const crashOnce = async (): Promise<void> => {
      // The EXIT reaches the supervisor before `wait` resolves, so the next call sees the restart.
      const [c] = await Supervisor.whichChildren(node, sup);
      const dead = node.wait(c!.pid!);
      node.send(c!.pid!, 'crash');
      await dead;
    };
    await crashOnce(); // t = 0
    now += 6_000;
    await crashOnce(); // t = 6 s: two in the window
    now += 6_000;
    await crashOnce(); // t = 12 s: the first has left the window → still two
    expect(node.processInfo(sup).state).not.toBe('terminated');
    const supDead = node.wait(sup);
    now += 1_000;
    await crashOnce(); // t = 13 s: three within 10 s → the supervisor gives up
    expect(await supDead).toBe(A.shutdown);
  });
});

/** Finishes terminate only once every instance has been asked to stop. */
let stopping = 0;
let allStopping: (() => void)[] = [];
class Together extends Actor {
  override terminate(): Promise<void> {
    stopping++;
    if (stopping === 2) for (const f of allStopping.splice(0)) f();
    return stopping >= 2 ? Promise.resolve() : new Promise<void>((r) => allStopping.push(r));
  }
}

describe('Supervisor shutdown of simple_one_for_one children', () => {
  it('asks every instance to stop at once (OTP stops dynamic children concurrently, no order)', async () => {
    ({ node } = await startNode());
    stopping = 0;
    allStopping = [];
    const sup = await node.spawn(Sup, {
      args: [{
      strategy: 'simple_one_for_one',
      children: [{ id: 't', start: { factory: Together }, shutdown: 2000 }],
      }],
    });
    const w1 = await Supervisor.startChild(node, sup, []);
    const w2 = await Supervisor.startChild(node, sup, []);
    const d1 = node.wait(w1);
    const d2 = node.wait(w2);
    node.sendExit(sup, A.shutdown);
    // One after the other, the first would wait out its 2 s and be killed.
    expect([await d1, await d2]).toEqual([A.shutdown, A.shutdown]);
    expect(await node.wait(sup)).toBe(A.shutdown);
  });
});
