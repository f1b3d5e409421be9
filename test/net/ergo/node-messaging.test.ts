/**
 * Two TS nodes over the Ergo stack (registrar, EHS, ENP on loopback), through the node API
 * only: sends by pid / name / alias with priorities, important delivery and its errors, calls,
 * exits, large messages, per-sender order across the pool — over TCP, over TLS, and with
 * compression. The same scenarios run against Go Ergo v3 in test/interop/ergo/node-*.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, atom, Pid, tuple } from '../../../src/term/index.js';
import { ErrCode, MessageExit, processId } from '../../../src/gen/index.js';
import { Actor } from '../../../src/act/index.js';
import type { Node } from '../../../src/node/index.js';
import { Cluster, Echo, Gate, spawnProbe, until, VARIANTS, type Variant } from './node-support.js';

/** Sends `n` numbered messages to `to` in bursts (a process like any other, parked when busy). */
class Burst extends Actor {
  to!: Pid;
  n = 0;
  #i = 0;
  override handleMessage(): void {
    const end = Math.min(this.n, this.#i + 500);
    for (; this.#i < end; this.#i++) this.process.send(this.to, [this.process.pid, BigInt(this.#i)]);
    if (this.#i < this.n) this.process.send(this.process.pid, 'more');
  }
}

async function gate(node: Node, name?: string, mailboxSize?: number): Promise<{ g: Gate; pid: Pid }> {
  const g = new Gate();
  const opts = mailboxSize === undefined ? undefined : { mailboxSize };
  const pid = name ? await node.spawnRegister(name, () => g, opts) : await node.spawn(() => g, opts);
  return { g, pid };
}

describe.each(VARIANTS)('Ergo stack node to node over %s', (v: Variant) => {
  let c: Cluster;
  let a: Node;
  let b: Node;
  beforeEach(async () => {
    c = await Cluster.create();
    a = await c.node('a', v);
    b = await c.node('b', v);
  });
  afterEach(async () => {
    await c.close();
  });

  it('sends by pid, name and alias reach the process; priorities land in their queues', async () => {
    const { g, pid } = await gate(b, 'gate');
    a.send(pid, 'by-pid');
    a.send(processId('gate', b.name), 'by-name');
    a.send(g.alias, 'by-alias');
    await until(() => g.handled.length === 3, 5000, 'three messages');
    expect(g.handled).toEqual(['by-pid', 'by-name', 'by-alias']);
    // Sent from the node: the sender is a's core pid.
    expect(g.froms.every((f) => f.equals(a.pid))).toBe(true);
    expect(a.nodes()).toEqual([b.name]);
    expect(b.nodes()).toEqual([a.name]);

    a.send(pid, 'hold');
    await until(() => g.waiting, 5000, 'gate held');
    a.send(pid, 'n1');
    a.send(pid, 'h1', { priority: 'high' });
    a.send(pid, 'm1', { priority: 'max' });
    a.send(pid, 'n2');
    await until(() => b.processInfo(pid).mailbox === 4, 5000, 'four queued');
    expect(b.processInfo(pid).queues).toEqual({ urgent: 1, system: 1, main: 2, log: 0 });
    g.release();
    await until(() => g.handled.length === 7, 5000, 'drained');
    expect(g.handled.slice(3)).toEqual(['m1', 'h1', 'n1', 'n2']);
  });

  it('messages of 70 KB and 3 MB (binary) and a big string arrive whole', async () => {
    const { probe, pid } = await spawnProbe(b);
    const big = new Uint8Array(3_000_000).map((_, i) => (i * 7) & 0xff);
    const mid = new Uint8Array(70_000).fill(0x61);
    a.send(pid, mid);
    a.send(pid, big);
    a.send(pid, 'x'.repeat(60_000));
    const got = await probe.receive<Uint8Array>((m) => m instanceof Uint8Array && m.length === big.length, 10_000);
    expect(Buffer.compare(got, big)).toBe(0);
    expect(Buffer.compare(await probe.receive<Uint8Array>((m) => m instanceof Uint8Array, 5000), mid)).toBe(0);
    expect(await probe.receive((m) => typeof m === 'string', 5000)).toBe('x'.repeat(60_000));
  });

  it('important delivery: confirmed; unknown process and name; mailbox full', async () => {
    const { probe, pid } = await spawnProbe(b, undefined, 'imp');
    await a.sendImportant(pid, 'first');
    await a.sendImportant(processId('imp', b.name), 'second');
    expect(probe.inbox.map((e) => e.message)).toEqual(['first', 'second']);
    const dead = await b.spawn(Gate);
    b.kill(dead);
    await b.wait(dead);
    await expect(a.sendImportant(dead, 'x')).rejects.toMatchObject({ code: ErrCode.ProcessUnknown });
    await expect(a.sendImportant(processId('nobody', b.name), 'x')).rejects.toMatchObject({ code: ErrCode.ProcessUnknown });
    const { g: sg, pid: small } = await gate(b, undefined, 1);
    a.send(small, 'hold');
    await until(() => sg.waiting, 5000, 'gate held');
    await a.sendImportant(small, 'fills');
    await expect(a.sendImportant(small, 'over')).rejects.toMatchObject({ code: ErrCode.MailboxFull });
  });

  it('calls by pid, name and alias; an error answer; an unknown callee fails at once; the node owns the timeout', async () => {
    const echo = new Echo();
    const pid = await b.spawnRegister('echo', () => echo);
    expect(await a.call(pid, 'ping')).toBe('ping');
    // A safe integer travels as Go's int and comes back a number (term-mapping.md).
    expect(await a.call(processId('echo', b.name), 42n)).toBe(42);
    expect(await a.call(echo.alias, [1n, 'two'])).toEqual([1, 'two']);
    await expect(a.call(pid, 'fail')).rejects.toMatchObject({ code: ErrCode.CallFailed, reason: atom('custom_failure') });
    // Failing at once: with 30 s to wait, only the peer's answer can end it as noproc.
    await expect(a.call(processId('nobody', b.name), 'x', { timeout: 30_000 })).rejects.toMatchObject({ code: ErrCode.CallFailed, reason: A.noproc });
    await expect(a.call(pid, 'silent', { timeout: 150 })).rejects.toMatchObject({ code: ErrCode.Timeout });
    // From a process: the answer comes back to it.
    const { probe } = await spawnProbe(a);
    expect(await probe.process.call(pid, 'from-process')).toBe('from-process');
  });

  it('exit signals: kill, a reason, normal ignored unless trapping; trapped as MessageExit', async () => {
    const { probe: sender } = await spawnProbe(a);
    const victim = await b.spawn(Gate);
    sender.process.sendExit(victim, atom('boom'));
    expect(await b.wait(victim, 5000)).toBe(atom('boom'));

    const survivor = await b.spawn(Gate);
    sender.process.sendExit(survivor, A.normal);
    const { probe: trap, pid: trapPid } = await spawnProbe(b);
    trap.process.trapExit = true;
    sender.process.sendExit(trapPid, tuple(A.shutdown, atom('why')));
    const m = await trap.receive<MessageExit>((x) => x instanceof MessageExit, 5000);
    expect(m.from).toEqual(sender.process.pid);
    // A tuple crosses as its Erlang text (Ergo reasons are Go errors).
    expect(m.reason).toEqual(tuple(A.error, '{shutdown,why}'));
    expect(b.processInfo(survivor).state).not.toBe('terminated');

    sender.process.sendExit(survivor, A.kill);
    expect(await b.wait(survivor, 5000)).toBe(A.killed);
  });

  it('each sender keeps its order across the pool (3 senders × 2000 messages)', async () => {
    const { probe, pid } = await spawnProbe(b);
    const senders: Pid[] = [];
    for (let i = 0; i < 3; i++) {
      const s = new Burst();
      s.to = pid;
      s.n = 2000;
      senders.push(await a.spawn(() => s));
    }
    for (const s of senders) a.send(s, 'go');
    await until(() => probe.inbox.length === 6000, 20_000, '6000 messages');
    const next = new Map<string, number>();
    for (const { message } of probe.inbox) {
      const [from, i] = message as [Pid, number];
      const k = from.identity;
      expect(i).toBe(next.get(k) ?? 0);
      next.set(k, i + 1);
    }
    expect(next.size).toBe(3);
  });
});
