/**
 * Node-level messaging between a TS node (the runtime with the Ergo stack) and a Go Ergo v3
 * node, both directions, over TCP, TLS and with compression: sends by pid / name / alias with
 * priorities, important delivery and its errors (unknown process, mailbox full, timeout),
 * calls and their errors, exits, large messages, MaxMessageSize, per-sender order.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, atom, Pid, tuple } from '../../../src/term/index.js';
import { Typed } from '../../../src/codec/edf/index.js';
import { ErrCode, MessageExit, processId } from '../../../src/gen/index.js';
import { Actor } from '../../../src/act/index.js';
import type { Node } from '../../../src/node/index.js';
import { Echo, Gate, Probe, spawnProbe, until } from '../../net/ergo/node-support.js';
import { WireLog } from '../../net/ergo/wire-log.js';
import { aliasTarget, go, goAlias, goPid, NodeCluster, pidTarget, title, VARIANTS, type Variant } from './node-harness.js';
import type { GoLine, GoPeer } from './peer.js';

const GO = 'go@127.0.0.1';
const TS = 'ts@127.0.0.1';
type Desc = { type: string; value?: unknown; len?: number; crc?: number };
const recv = (proc: string, pred: (m: Desc) => boolean) => (l: GoLine) => l.ev === 'recv' && l.proc === proc && pred(l.msg as Desc);

describe.skipIf(!go.ok).each(VARIANTS)(title('node-level messaging with Go Ergo v3 over %s'), (v: Variant) => {
  let c: NodeCluster;
  let ts: Node;
  let g: GoPeer;
  let echo: Pid;
  beforeEach(async () => {
    c = await NodeCluster.create(v);
    ts = await c.node(TS, { requestTimeout: 1000 });
    g = await c.go(GO);
    echo = goPid(g.ready.echo);
  });
  afterEach(async () => {
    await c.close();
  });

  it('TS → Go: sends by pid, name and alias; Go takes max before high before normal', async () => {
    ts.send(echo, 'by-pid');
    ts.send(processId('echo', GO), 'by-name');
    ts.send(goAlias(g.ready.alias), 'by-alias');
    for (const m of ['by-pid', 'by-name', 'by-alias']) {
      const l = await g.wait(recv('echo', (d) => d.value === m));
      expect(l.from).toEqual({ node: TS, id: 1, creation: ts.creation });
    }
    await g.ok({ op: 'victim', name: 'held' });
    const held = processId('held', GO);
    ts.send(held, 'hold:400');
    await g.wait((l) => l.ev === 'holding');
    ts.send(held, 'n1');
    ts.send(held, 'h1', { priority: 'high' });
    ts.send(held, 'm1', { priority: 'max' });
    await g.wait(recv('worker', (d) => d.value === 'n1'));
    const order = g.lines.filter((l) => l.ev === 'recv' && l.proc === 'worker').map((l) => (l.msg as Desc).value);
    expect(order).toEqual(['m1', 'h1', 'n1']);
  });

  it('Go → TS: sends by pid, name and alias; priorities land in their queues', async () => {
    const gate = new Gate();
    const pid = await ts.spawnRegister('gate', () => gate);
    await g.ok({ op: 'send', to: pidTarget(pid), val: { t: 'string', v: 'by-pid' } });
    await g.ok({ op: 'send', to: { name: 'gate', node: TS }, val: { t: 'string', v: 'by-name' } });
    await g.ok({ op: 'send', to: aliasTarget(gate.alias), val: { t: 'string', v: 'by-alias' } });
    await until(() => gate.handled.length === 3, 5000, 'three');
    expect(gate.handled).toEqual(['by-pid', 'by-name', 'by-alias']);
    await g.ok({ op: 'send', to: pidTarget(pid), val: { t: 'string', v: 'hold' } });
    await until(() => gate.waiting, 5000, 'held');
    await g.ok({ op: 'send', to: pidTarget(pid), val: { t: 'string', v: 'n1' } });
    await g.ok({ op: 'send', to: pidTarget(pid), val: { t: 'string', v: 'h1' }, priority: 1 });
    await g.ok({ op: 'send', to: pidTarget(pid), val: { t: 'string', v: 'm1' }, priority: 2 });
    await until(() => ts.processInfo(pid).mailbox === 3, 5000, 'three queued');
    expect(ts.processInfo(pid).queues).toEqual({ urgent: 1, system: 1, main: 1, log: 0 });
    gate.release();
    await until(() => gate.handled.length === 6, 5000, 'all');
    expect(gate.handled.slice(3)).toEqual(['m1', 'h1', 'n1']);
  });

  it('TS → Go important delivery: confirmed; unknown process and name; mailbox full; timeout', async () => {
    await ts.sendImportant(echo, 'important');
    await g.wait(recv('echo', (d) => d.value === 'important'));
    await g.ok({ op: 'victim', name: 'gone' });
    const gone = (await g.wait((l) => l.ev === 'victim' && l.name === 'gone')).pid as { node: string; id: number; creation: number };
    ts.send(processId('gone', GO), 'stop:normal');
    await g.wait((l) => l.ev === 'terminated' && l.name === 'gone');
    await expect(ts.sendImportant(goPid(gone), 'x')).rejects.toMatchObject({ code: ErrCode.ProcessUnknown });
    await expect(ts.sendImportant(processId('nobody', GO), 'x')).rejects.toMatchObject({ code: ErrCode.ProcessUnknown });
    await g.ok({ op: 'smallbox', name: 'small', count: 1 });
    ts.send(processId('small', GO), 'hold:1500');
    await g.wait((l) => l.ev === 'holding');
    await ts.sendImportant(processId('small', GO), 'fills');
    await expect(ts.sendImportant(processId('small', GO), 'over')).rejects.toMatchObject({ code: ErrCode.MailboxFull });
    // A Go node that does not answer (stopped): the wait is ours, and it ends.
    process.kill(g.pid!, 'SIGSTOP');
    // SIGSTOP lands asynchronously: wait until every thread of it is stopped.
    await until(() => /^State:\s+T/m.test(readFileSync(`/proc/${g.pid}/status`, 'utf8')), 5000, 'Go node stopped');
    try {
      await expect(ts.sendImportant(echo, 'while stopped')).rejects.toMatchObject({ code: ErrCode.Timeout });
    } finally {
      process.kill(g.pid!, 'SIGCONT');
    }
  });

  it('Go → TS important delivery: confirmed; unknown process; mailbox full', async () => {
    const { probe, pid } = await spawnProbe(ts, undefined, 'imp');
    await g.ok({ op: 'send', to: pidTarget(pid), val: { t: 'string', v: 'i1' }, important: true });
    await g.ok({ op: 'send', to: { name: 'imp', node: TS }, val: { t: 'string', v: 'i2' }, important: true });
    expect(probe.inbox.map((e) => e.message)).toEqual(['i1', 'i2']);
    const dead = await ts.spawn(Gate);
    ts.kill(dead);
    await ts.wait(dead);
    expect((await g.cmd({ op: 'send', to: pidTarget(dead), val: { t: 'string', v: 'x' }, important: true })).err).toBe('unknown process');
    expect((await g.cmd({ op: 'send', to: { name: 'nobody', node: TS }, val: { t: 'string', v: 'x' }, important: true })).err).toBe('unknown process');
    const gate = new Gate();
    const small = await ts.spawn(() => gate, { mailboxSize: 1 });
    ts.send(small, 'hold');
    await until(() => gate.waiting, 5000, 'held');
    await g.ok({ op: 'send', to: pidTarget(small), val: { t: 'string', v: 'fills' }, important: true });
    expect((await g.cmd({ op: 'send', to: pidTarget(small), val: { t: 'string', v: 'over' }, important: true })).err).toBe('process mailbox is full');
  });

  it('TS → Go calls: by pid, name and alias; an error answer; an unknown callee fails at once; our timeout', async () => {
    expect(await ts.call(echo, 'ping')).toBe('ping');
    // A safe integer travels as Go's int and comes back a number (term-mapping.md).
    expect(await ts.call(processId('echo', GO), 42n)).toBe(42);
    expect(await ts.call(goAlias(g.ready.alias), 'via alias')).toBe('via alias');
    await expect(ts.call(echo, 'fail')).rejects.toMatchObject({ code: ErrCode.CallFailed, reason: tuple(A.error, 'custom failure') });
    // Failing at once: with 30 s to wait, only the peer's answer can end it as noproc.
    await expect(ts.call(processId('nobody', GO), 'x', { timeout: 30_000 })).rejects.toMatchObject({ code: ErrCode.CallFailed, reason: A.noproc });
    await expect(ts.call(echo, 'slow', { timeout: 50 })).rejects.toMatchObject({ code: ErrCode.Timeout });
    const { probe } = await spawnProbe(ts);
    expect(await probe.process.call(echo, 'from a process')).toBe('from a process');
  });

  it('Go → TS calls: by pid, name and alias; our error answer; an unknown callee; a callee that stays silent', async () => {
    const e = new Echo(atom('ts_failure'));
    const pid = await ts.spawnRegister('tsecho', () => e);
    expect((await g.ok({ op: 'call', to: pidTarget(pid), val: { t: 'string', v: 'p' } })).value).toMatchObject({ value: 'p' });
    expect((await g.ok({ op: 'call', to: { name: 'tsecho', node: TS }, val: { t: 'int64', v: 7 } })).value).toMatchObject({ type: 'int64', value: 7 });
    expect((await g.ok({ op: 'call', to: aliasTarget(e.alias), val: { t: 'string', v: 'a' } })).value).toMatchObject({ value: 'a' });
    expect((await g.cmd({ op: 'call', to: pidTarget(pid), val: { t: 'string', v: 'fail' } })).err).toBe('ts_failure');
    expect((await g.cmd({ op: 'call', to: { name: 'nobody', node: TS }, val: { t: 'string', v: 'x' }, important: true })).err).toBe('unknown process');
    expect((await g.cmd({ op: 'call', to: pidTarget(pid), val: { t: 'string', v: 'silent' }, timeout: 1 })).err).toBe('timed out');
  });

  it('exits both ways: a reason, kill; normal ignored by a TS process unless trapping', async () => {
    const { probe: p } = await spawnProbe(ts);
    await g.ok({ op: 'victim', name: 'v1' });
    const v1 = goPid((await g.wait((l) => l.ev === 'victim' && l.name === 'v1')).pid as never);
    p.process.sendExit(v1, atom('boom'));
    expect((await g.wait((l) => l.ev === 'terminated' && l.name === 'v1')).reason).toMatch(/boom/);

    const target = await ts.spawn(Gate);
    await g.ok({ op: 'exit', to: pidTarget(target), reason: 'normal' });
    const trap = new Probe();
    const trapPid = await ts.spawn(() => trap);
    trap.process.trapExit = true;
    await g.ok({ op: 'exit', to: pidTarget(trapPid), reason: 'custom' });
    const m = await trap.receive<MessageExit>((x) => x instanceof MessageExit, 5000);
    expect(m.from).toEqual(goPid(g.ready.tester));
    expect(m.reason).toBe(atom('custom'));
    expect(ts.processInfo(target).state).not.toBe('terminated');
    const end = ts.wait(target);
    await g.ok({ op: 'exit', to: pidTarget(target), reason: 'kill' });
    expect(await end).toBe(A.killed);
  });

  it('large messages: Go → TS 300 KB; TS → Go up to 65535 bytes a frame (3.1.0) or compressed', async () => {
    const { probe, pid } = await spawnProbe(ts);
    await g.ok({ op: 'send', to: pidTarget(pid), val: { t: 'bytes', n: 300_000, fill: 7 } });
    const got = await probe.receive<Uint8Array>((m) => m instanceof Uint8Array, 10_000);
    expect(got.length).toBe(300_000);
    expect(got.every((x) => x === 7)).toBe(true);
    ts.send(echo, new Uint8Array(65_000).fill(3));
    await g.wait(recv('echo', (d) => d.len === 65_000));
    if (v === 'gzip') {
      ts.send(echo, new Uint8Array(400_000).fill(9));
      await g.wait(recv('echo', (d) => d.len === 400_000), 10_000);
    }
  });

  it('MaxMessageSize both ways: over the limit is refused at the sender', async () => {
    const g2 = await c.go('small@127.0.0.1', { maxMsg: 50_000 });
    const ts2 = await c.node('tssmall@127.0.0.1', { maxMessageSize: 50_000 });
    // The limit is the peer's, learnt in the handshake: connect first (a send queued while
    // connecting that turns out too large is dropped, as it cannot fail the sender any more).
    await ts.connect('small@127.0.0.1');
    // Random bytes: compression (in that variant) cannot bring them under the limit.
    expect(() => ts.send(goPid(g2.ready.echo), randomBytes(60_000))).toThrow(expect.objectContaining({ code: ErrCode.NotAllowed }));
    ts.send(goPid(g2.ready.echo), new Uint8Array(40_000));
    await g2.wait(recv('echo', (d) => d.len === 40_000));
    const { probe, pid } = await spawnProbe(ts2);
    expect((await g.cmd({ op: 'send', to: pidTarget(pid), val: { t: 'bytes', n: 60_000 } })).err).toBe('too large');
    await g.ok({ op: 'send', to: pidTarget(pid), val: { t: 'bytes', n: 40_000 } });
    await probe.receive((m) => m instanceof Uint8Array, 5000);
  });

  it('per-sender order across the pool, both ways', async () => {
    class Burst extends Actor {
      to!: Pid;
      i = 0;
      override handleMessage(): void {
        const end = Math.min(2000, this.i + 400);
        for (; this.i < end; this.i++) this.process.send(this.to, [BigInt(this.i)]);
        if (this.i < 2000) this.process.send(this.process.pid, 'more');
      }
    }
    for (let k = 0; k < 3; k++) {
      const b = new Burst();
      b.to = echo;
      ts.send(await ts.spawn(() => b), 'go');
    }
    await until(() => g.lines.filter((l) => l.ev === 'recv' && l.proc === 'echo').length >= 6000, 30_000, '6000 at Go');
    const next = new Map<number, number>();
    for (const l of g.lines.filter((x) => x.ev === 'recv' && x.proc === 'echo')) {
      const from = (l.from as { id: number }).id;
      const i = Number(((l.msg as { value: Desc[] }).value[0] as Desc).value);
      expect(i).toBe(next.get(from) ?? 0);
      next.set(from, i + 1);
    }
    expect(next.size).toBe(3);

    const { probe, pid } = await spawnProbe(ts);
    await g.ok({ op: 'send', to: pidTarget(pid), val: { t: 'string', v: 'x' }, count: 3000 });
    await g.ok({ as: 'echo', op: 'send', to: pidTarget(pid), val: { t: 'string', v: 'y' }, count: 3000 });
    await until(() => probe.inbox.length === 6000, 30_000, '6000 at TS');
    const seq = new Map<string, bigint>();
    for (const { from, message } of probe.inbox) {
      // Go's int64 in an []any: a Typed value (it re-encodes as int64).
      const i = (message as [Typed, string])[0].value as bigint;
      expect(i).toBe(seq.get(from.identity) ?? 0n);
      seq.set(from.identity, i + 1n);
    }
    expect(seq.size).toBe(2);
  });
});

describe.skipIf(!go.ok)(title('compression with Go Ergo v3, every algorithm, both ways'), () => {
  let c: NodeCluster;
  let g: GoPeer;
  let echo: Pid;
  beforeEach(async () => {
    c = await NodeCluster.create('tcp');
    await c.node(TS);
    g = await c.go(GO);
    echo = goPid(g.ready.echo);
  });
  afterEach(async () => {
    await c.close();
  });

  it.each(['gzip', 'zlib', 'lzw'])('compression %s both ways, seen on the wire', async (type) => {
    const wire = new WireLog();
    const z = await c.node(`tsz${type}@127.0.0.1`, { compression: { type: type as 'gzip', threshold: 1024 }, tap: wire.tap });
    const text = 'compressible text that repeats itself. '.repeat(300);
    z.send(echo, text);
    await g.wait(recv('echo', (d) => d.len === text.length));
    const { probe, pid } = await spawnProbe(z);
    await g.ok({ op: 'send', to: pidTarget(pid), val: { t: 'strrep', v: 'abc', n: 3000 }, compress: type });
    expect(await probe.receive((m) => typeof m === 'string', 5000)).toBe('abc'.repeat(3000));
    const id = { lzw: 100, zlib: 101, gzip: 102 }[type]!;
    expect(wire.frames.some((f) => f.dir === 'out' && f.type === 200 && f.bytes[8] === id)).toBe(true);
    expect(wire.frames.some((f) => f.dir === 'in' && f.type === 200 && f.bytes[8] === id)).toBe(true);
  });
});

/**
 * TS → Go frames over 65535 bytes, uncompressed: Ergo's 3.1.0 tag loses them (its reader
 * refuses more than 65535 buffered bytes; proto-spec/ergo-network.md §9), so this needs Go
 * peers built against Ergo master: GO_MASTER names a go command that builds interop/go so.
 */
const master = ((): { ok: true; bin: string } | { ok: false; reason: string } => {
  const cmd = process.env.GO_MASTER;
  if (!go.ok) return { ok: false, reason: go.reason };
  if (!cmd) return { ok: false, reason: 'no Go peer from Ergo master (3.1.0 drops TS → Go frames over 65535 bytes): set GO_MASTER' };
  const dir = join(import.meta.dirname, '../../../interop/go');
  const bin = join(dir, 'bin', 'ergo-peer-master');
  const r = spawnSync(cmd, ['build', '-o', bin, './cmd/ergo-peer'], { cwd: dir, encoding: 'utf8' });
  return r.status === 0 ? { ok: true, bin } : { ok: false, reason: `GO_MASTER build failed: ${r.stderr.split('\n')[0]}` };
})();

describe.skipIf(!master.ok)(`node-level messages over 64 KiB TS → Go master${master.ok ? '' : ` [skipped: ${master.reason}]`}`, () => {
  it('100 KB and 3 MB messages from a TS process arrive whole', async () => {
    const c = await NodeCluster.create('tcp');
    try {
      const ts = await c.node(TS);
      const g = await c.go(GO, { binary: (master as { bin: string }).bin });
      const { probe } = await spawnProbe(ts);
      for (const n of [100_000, 3_000_000]) {
        probe.process.send(goPid(g.ready.echo), new Uint8Array(n).fill(n & 0xff));
        await g.wait(recv('echo', (d) => d.len === n), 20_000);
      }
    } finally {
      await c.close();
    }
  });
});
