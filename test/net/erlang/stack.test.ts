/**
 * Two TS nodes over Erlang distribution (ErlangStack on both sides, the first running an
 * embedded EPMD on a free port): the node API's calls, links, monitors, exits, rpc and spawn
 * mapped onto control messages and back — both halves of src/net/erlang/peer*.ts at once, no
 * BEAM needed. The BEAM-facing behaviour is proven in test/interop/erlang/node-*.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A, Actor, ErlangStack, ErrCode, GenServer, MemoryLogger, MessageDown, MessageExit, Node, Pid, RuntimeError, Tuple, atom, formatLog, tuple } from '../../../src/index.js';
import { freePort } from '../../interop/erlang/beam.js';

let epmdPort: number;
let a: Node;
let b: Node;
const logA = new MemoryLogger();

class Probe extends Actor {
  readonly got: unknown[] = [];
  #w: { p: (m: unknown) => boolean; r: (m: unknown) => void }[] = [];
  override init(trap?: boolean): void {
    this.process.trapExit = trap === true;
  }
  override handleMessage(m: unknown): void {
    this.got.push(m);
    for (const w of [...this.#w]) if (w.p(m)) (this.#w.splice(this.#w.indexOf(w), 1), w.r(m));
  }
  next(p: (m: unknown) => boolean): Promise<unknown> {
    const f = this.got.find(p);
    return f !== undefined ? Promise.resolve(f) : new Promise((r) => this.#w.push({ p, r }));
  }
}

class Counter extends GenServer<number> {
  init(start?: number): ['ok', number] {
    return ['ok', start ?? 0];
  }
  override handleCall(req: unknown, _f: unknown, n: number): readonly unknown[] {
    if (req === atom('crash')) throw atom('crashed');
    return ['reply', n + 1, n + 1];
  }
}

class Mortal extends Actor {
  override handleMessage(m: unknown): void {
    if (m instanceof Tuple && m.elements[0] === atom('die')) this.process.stop(m.elements[1]!);
  }
}

async function until(f: () => boolean, what: string): Promise<void> {
  for (let i = 0; !f(); i++) {
    if (i > 500) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function probe(node: Node, trap = false): Promise<{ p: Probe; pid: Pid }> {
  const p = new Probe();
  return { p, pid: await node.spawn(() => p, { args: [trap] }) };
}

beforeAll(async () => {
  epmdPort = await freePort();
  a = await Node.start({ name: 'sa@127.0.0.1', cookie: 'stack-test', erlang: { epmd: { port: epmdPort } }, defaultLogger: false, loggers: [{ name: 'm', logger: logA, level: 'debug' }] });
  b = await Node.start({ name: 'sb@127.0.0.1', cookie: 'stack-test', erlang: { epmd: { port: epmdPort, embedded: false } }, defaultLogger: false });
  ErlangStack.of(b)!.registerRpc('math', 'mul', ([x, y]) => (x as number) * (y as number));
  b.enableSpawn('counter', Counter, { erlang: { module: 'ts_counter', function: 'start' } });
});

afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

describe('two TS nodes over Erlang distribution', () => {
  it('connect on first use, visible both ways, creations from the embedded EPMD', async () => {
    expect(ErlangStack.of(a)!.endpoint!.embeddedEpmd).toBeDefined();
    const pid = await b.spawnRegister('counter1', Counter);
    expect(await a.call(tuple(atom('counter1'), atom('sb@127.0.0.1')), 'x')).toBe(1);
    expect(await a.call(pid, 'x')).toBe(2);
    expect(a.nodes().map(String)).toContain('sb@127.0.0.1');
    expect(b.nodes().map(String)).toContain('sa@127.0.0.1');
    expect(a.creation).toBe(ErlangStack.of(a)!.endpoint!.creation);
    expect(await a.call(tuple(atom('net_kernel'), atom('sb@127.0.0.1')), tuple(atom('is_auth'), atom('sa@127.0.0.1')))).toBe(atom('yes'));
  });

  it('a call to a callee that crashes fails with its reason; to nothing, with noproc', async () => {
    const pid = await b.spawn(Counter);
    const e = (await a.call(pid, atom('crash')).catch((x: unknown) => x)) as RuntimeError;
    expect([e.code, e.reason]).toEqual([ErrCode.CallFailed, atom('crashed')]);
    const n = (await a.call(tuple(atom('nobody'), atom('sb@127.0.0.1')), 1).catch((x: unknown) => x)) as RuntimeError;
    expect(n.reason).toBe(A.noproc);
  });

  it('links both ways with exits, unlink, and monitors by pid and name', async () => {
    const { p, pid } = await probe(a, true);
    const m1 = await b.spawn(Mortal);
    p.process.link(m1);
    const m2 = await b.spawnRegister('m2', Mortal);
    const ref = p.process.monitor(tuple(atom('m2'), atom('sb@127.0.0.1')));
    await until(() => b.processInfo(m1).links.length === 1 && b.processInfo(m2).monitoredBy.length === 1, 'link and monitor on b');
    b.send(m1, tuple(atom('die'), atom('bye')));
    const ex = (await p.next((m) => m instanceof MessageExit)) as MessageExit;
    expect([ex.from, ex.reason]).toEqual([m1, atom('bye')]);
    b.send(m2, tuple(atom('die'), tuple(A.shutdown, 1)));
    const d = (await p.next((m) => m instanceof MessageDown && m.ref.equals(ref))) as MessageDown;
    expect(d.reason).toEqual(tuple(A.shutdown, 1));
    // The other direction: a process on b linked to our probe hears its end.
    const { p: q } = await probe(b, true);
    q.process.link(pid);
    await until(() => a.processInfo(pid).links.length === 1, 'link on a');
    // Unlink: b's side goes, and a later end is not heard.
    q.process.unlink(pid);
    await until(() => a.processInfo(pid).links.length === 0, 'unlink on a');
    p.process.stop(atom('done'));
    await until(() => !a.processList().some((x) => x.pid.equals(pid)), 'probe gone');
    // A round trip over the same connection: an EXIT sent before its answer is queued by now.
    await b.call(tuple(atom('net_kernel'), atom('sa@127.0.0.1')), tuple(atom('is_auth'), atom('sb@127.0.0.1')));
    q.process.send(q.process.pid, atom('marker'));
    await q.next((m) => m === atom('marker'));
    expect(q.got.filter((m) => m instanceof MessageExit)).toEqual([]);
  });

  it('rpc into the other node, spawn there by {Module, Function}, and a refused spawn', async () => {
    expect(await ErlangStack.of(a)!.rpc('sb@127.0.0.1', 'math', 'mul', [6, 7])).toBe(42);
    const e = (await ErlangStack.of(a)!.rpc('sb@127.0.0.1', 'math', 'nope', []).catch((x: unknown) => x)) as RuntimeError;
    expect((e.reason as Tuple).elements.slice(0, 2)).toEqual([A.error, atom('undef')]);
    const { p } = await probe(a, true);
    const pid = await p.process.remoteSpawn('sb@127.0.0.1', { module: 'ts_counter', function: 'start' }, { args: [10], link: true });
    expect(await a.call(pid, 'x')).toBe(11);
    b.kill(pid);
    const ex = (await p.next((m) => m instanceof MessageExit)) as MessageExit;
    expect(ex.reason).toBe(A.killed);
    const bad = await p.process.remoteSpawn('sb@127.0.0.1', { module: 'not_enabled', function: 'start' }, { args: [], link: true });
    const ex2 = (await p.next((m) => m instanceof MessageExit && (m.from as Pid).equals(bad))) as MessageExit;
    expect((ex2.reason as Tuple).elements[0]).toBe(atom('undef'));
  });

  it('the other node going away fires links and monitors with noconnection and fails calls', async () => {
    const c = await Node.start({ name: 'sc@127.0.0.1', cookie: 'stack-test', erlang: { epmd: { port: epmdPort, embedded: false } }, defaultLogger: false });
    const target = await c.spawn(Mortal);
    const slow = await c.spawn(
      class extends Actor {
        override handleCall(): unknown {
          return new Promise(() => undefined);
        }
      },
    );
    const { p } = await probe(a, true);
    p.process.link(target);
    const ref = p.process.monitor(target);
    await until(() => c.processInfo(target).links.length === 1 && c.processInfo(target).monitoredBy.length === 1, 'link and monitor on c');
    const call = a.call(slow, 1, { timeout: 30_000 }).catch((x: unknown) => x);
    await until(() => c.processInfo(slow).state === 'waiting', 'the call in progress');
    await c.stopForce();
    const ex = (await p.next((m) => m instanceof MessageExit)) as MessageExit;
    // stopForce kills the process first (killed), or the connection goes first (noconnection).
    expect([A.killed, A.noconnection]).toContain(ex.reason);
    await p.next((m) => m instanceof MessageDown && m.ref.equals(ref));
    const err = (await call) as RuntimeError;
    expect([ErrCode.NoConnection, ErrCode.CallFailed]).toContain(err.code);
    for (let i = 0; i < 200 && !logA.messages.map(formatLog).some((l) => l.startsWith('erlang: connection to sc@127.0.0.1 closed')); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(logA.messages.map(formatLog).some((l) => l.startsWith('erlang: connection to sc@127.0.0.1 closed'))).toBe(true);
    expect(a.nodes().map(String)).not.toContain('sc@127.0.0.1');
  });
});


