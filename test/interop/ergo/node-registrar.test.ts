/**
 * Registrar failover with three nodes (TS, Go, Go), at node level: when the node serving the
 * host's registrar leaves, another one takes over (whoever binds first, Go or TS), the rest
 * re-register with it, and every node still reaches every other by name — including pairs that
 * had never connected before the failover.
 *
 * Go's registrar server binds UDP on every interface, so these run in a private network
 * namespace whose only interface is loopback (netns.ts); the TS nodes run in child processes
 * inside it (ts-node-peer.ts).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { go } from './harness.js';
import { makeNetns, netnsUnavailable } from './netns.js';
import { GoPeer, LinesProcess } from './peer.js';

const ns = go.ok ? netnsUnavailable() : go.reason;

async function tsNodeIn(prefix: string[], name: string, registrarPort: number, port: number): Promise<LinesProcess> {
  const [cmd, ...pre] = prefix;
  const p = new LinesProcess(cmd!, [...pre, process.execPath, '--import', 'tsx', join(import.meta.dirname, 'ts-node-peer.ts')], undefined, `TS node ${name}`);
  await p.wait((l) => l.ev === 'ready', 20_000);
  await p.ok({ op: 'start', name, registrarPort, port });
  return p;
}

/** Retry `f` until it succeeds (a node re-registers a second or so after losing its server). */
async function eventually<T>(f: () => Promise<T>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe.skipIf(!go.ok || ns !== undefined)(`registrar failover at node level, TS and Go nodes, in a loopback-only network namespace${ns ? ` [skipped: ${ns}]` : ''}`, () => {
  const stop: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of stop.splice(0).reverse()) await f();
  });

  async function setup(): Promise<{ prefix: string[]; port: () => number }> {
    const n = await makeNetns();
    if (!n.ok) throw new Error(n.reason);
    stop.push(() => n.close());
    let next = 21000 + Math.floor(Math.random() * 20000);
    return { prefix: n.prefix, port: () => next++ };
  }

  async function goIn(prefix: string[], name: string, registrarPort: number, port: number): Promise<GoPeer> {
    const g = await GoPeer.start({ name, registrarPort, port, registrarServe: true, prefix });
    stop.push(() => g.close());
    return g;
  }

  async function tsIn(prefix: string[], name: string, registrarPort: number, port: number): Promise<LinesProcess> {
    const t = await tsNodeIn(prefix, name, registrarPort, port);
    stop.push(() => t.close());
    return t;
  }

  async function server(nodes: { who: string; serving: () => Promise<boolean> }[]): Promise<string> {
    for (let i = 0; i < 100; i++) {
      for (const n of nodes) if (await n.serving()) return n.who;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('nobody took the registrar over');
  }

  it('(TS, Go, Go): the serving TS node leaves; one node takes over; TS and Go reach each other by name', async () => {
    const { prefix, port } = await setup();
    const rp = port();
    const t1 = await tsIn(prefix, 'ts1@127.0.0.1', rp, port());
    expect((await t1.ok({ op: 'registrar' })).serving).toBe(true);
    const g1 = await goIn(prefix, 'g1@127.0.0.1', rp, port());
    const g2 = await goIn(prefix, 'g2@127.0.0.1', rp, port());
    const t2 = await tsIn(prefix, 'ts2@127.0.0.1', rp, port());
    expect((await t1.ok({ op: 'registrar' })).nodes).toEqual(['g1@127.0.0.1', 'g2@127.0.0.1', 'ts1@127.0.0.1', 'ts2@127.0.0.1']);
    // Before: TS reaches one Go node by name.
    expect((await t2.ok({ op: 'call', node: 'g1@127.0.0.1', name: 'echo', text: 'before' })).value).toBe('before');
    await t1.ok({ op: 'stop' });
    const who = await server([
      { who: 'g1', serving: async () => (await g1.ok({ op: 'registrar' })).embedded === true },
      { who: 'g2', serving: async () => (await g2.ok({ op: 'registrar' })).embedded === true },
      { who: 'ts2', serving: async () => (await t2.ok({ op: 'registrar' })).serving === true },
    ]);
    expect(['g1', 'g2', 'ts2']).toContain(who);
    // After: pairs that never met resolve each other through the new server.
    expect((await eventually(() => t2.ok({ op: 'call', node: 'g2@127.0.0.1', name: 'echo', text: 'after' }))).value).toBe('after');
    const r = await eventually(() => g2.ok({ op: 'call', to: { name: 'echo', node: 'ts2@127.0.0.1' }, val: { t: 'string', v: 'go-to-ts' } }));
    expect(r.value).toMatchObject({ value: 'go-to-ts' });
    await eventually(() => g1.ok({ op: 'send', to: { name: 'echo', node: 'ts2@127.0.0.1' }, val: { t: 'string', v: 'g1-after' } }));
    await t2.wait((l) => l.ev === 'recv' && l.message === 'g1-after');
  });

  it('(Go, TS, Go): the serving Go node leaves; one node takes over; TS and Go reach each other by name', async () => {
    const { prefix, port } = await setup();
    const rp = port();
    const g1 = await goIn(prefix, 'g1@127.0.0.1', rp, port());
    expect((await g1.ok({ op: 'registrar' })).embedded).toBe(true);
    const t = await tsIn(prefix, 'ts@127.0.0.1', rp, port());
    const g2 = await goIn(prefix, 'g2@127.0.0.1', rp, port());
    expect((await t.ok({ op: 'registrar' })).serving).toBe(false);
    await g1.close();
    const who = await server([
      { who: 'g2', serving: async () => (await g2.ok({ op: 'registrar' })).embedded === true },
      { who: 'ts', serving: async () => (await t.ok({ op: 'registrar' })).serving === true },
    ]);
    expect(['g2', 'ts']).toContain(who);
    expect((await eventually(() => t.ok({ op: 'call', node: 'g2@127.0.0.1', name: 'echo', text: 'ts-to-go' }))).value).toBe('ts-to-go');
    const r = await eventually(() => g2.ok({ op: 'call', to: { name: 'echo', node: 'ts@127.0.0.1' }, val: { t: 'string', v: 'go-to-ts' } }));
    expect(r.value).toMatchObject({ value: 'go-to-ts' });
  });
});
