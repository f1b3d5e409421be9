/**
 * ENP messaging against real Go Ergo v3 nodes, both directions: sends by pid / name / cached
 * name / alias with priorities, important delivery and its errors, calls and their answers,
 * exits, events, compression (gzip, zlib, lzw), frames over 64 KiB, MaxMessageSize, and
 * per-sender order across the pool.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EdfError, GoErr, struct, T, Typed } from '../../../src/codec/edf/index.js';
import { Atom } from '../../../src/term/atom.js';
import { Alias, Pid } from '../../../src/term/ids.js';
import { event, processId } from '../../../src/term/names.js';
import { defaultCache, DeliveryErr, ErgoNetCode, type ErgoConnection, type ErgoNetwork } from '../../../src/net/ergo/index.js';
import { Recorder, until, type Rec } from '../../net/ergo/support.js';
import { aliasTarget, Cluster, go, goAlias, goPid, pidTarget, title } from './harness.js';
import type { GoLine, GoPeer } from './peer.js';

// The registered struct ergo-peer shares with us.
const Sample = struct('#main/Sample', { Name: 'string', N: 'int64', Tags: T.slice('string'), When: 'time', Who: 'pid' });

const GO = 'go@127.0.0.1';
const TS = 'ts@127.0.0.1';
const recvOf = (proc: string, pred: (m: Record<string, unknown>) => boolean) => (l: GoLine) => l.ev === 'recv' && l.proc === proc && pred(l.msg as Record<string, unknown>);
type Sent = Extract<Rec, { op: 'send' }>;
const sendOf = (pred: (r: Sent) => boolean) => (r: Rec): r is Sent => r.op === 'send' && pred(r);

describe.skipIf(!go.ok)(title('ENP messaging with Go Ergo v3'), () => {
  let c: Cluster;
  let net: ErgoNetwork;
  let rec: Recorder;
  let g: GoPeer;
  let conn: ErgoConnection;
  let me: Pid;
  let echo: Pid;

  beforeEach(async () => {
    c = await Cluster.create();
    const name = Atom.of(TS);
    const cache = defaultCache(name);
    cache.addAtom(Atom.of('cached')); // so we send 103/123 for it
    cache.addAtom(Atom.of('tsev')); // and 106 for this event
    ({ net, rec } = await c.node(TS, { cache }));
    g = await c.go(GO, { atoms: ['cached', 'tscached'] });
    conn = await net.connect(GO);
    me = new Pid(net.name, 1004, 0, net.local.creation);
    echo = goPid(g.ready.echo);
  });
  afterEach(async () => {
    await c.close();
  });

  it('TS → Go: send by pid, name, cached name and alias, every priority', async () => {
    expect(conn.send(me, echo, 'by-pid')).toBeUndefined();
    expect(conn.send(me, processId('echo', GO), 'by-name', { priority: 1 })).toBeUndefined();
    expect(conn.send(me, goAlias(g.ready.alias), 'by-alias', { priority: 2 })).toBeUndefined();
    for (const v of ['by-pid', 'by-name', 'by-alias']) {
      const l = await g.wait(recvOf('echo', (m) => m.value === v));
      expect(l.from).toEqual({ node: TS, id: 1004, creation: net.local.creation });
    }
    // "cached" is in our atom cache: the frame is a 103 and Go resolves the id with our table.
    await g.ok({ op: 'victim', name: 'cached' });
    expect(conn.send(me, Atom.of('cached'), 42n)).toBeUndefined();
    await g.wait(recvOf('worker', (m) => m.type === 'int' && m.value === 42));
  });

  it('Go → TS: send by pid, name, cached name and alias, priorities arrive', async () => {
    const tsPid = new Pid(net.name, 4242, 0, net.local.creation);
    const tsAlias = new Alias(net.name, net.local.creation, [7, 0, 8, 0, 9, 0]);
    await g.ok({ op: 'send', to: pidTarget(tsPid), val: { t: 'string', v: 'to-pid' } });
    await g.ok({ op: 'send', to: { name: 'inbox', node: TS }, val: { t: 'int', v: -5 }, priority: 1 });
    await g.ok({ op: 'send', to: { name: 'tscached', node: TS }, val: { t: 'float64', v: 2.5 }, priority: 2 });
    await g.ok({ op: 'send', to: aliasTarget(tsAlias), val: { t: 'bytes', hex: '010203' } });
    const a = await rec.wait(sendOf((r) => r.message === 'to-pid'));
    expect(a).toMatchObject({ to: tsPid, priority: 0, from: goPid(g.ready.tester) });
    expect(await rec.wait(sendOf((r) => r.message === -5))).toMatchObject({ to: Atom.of('inbox'), priority: 1 });
    // Go sent 103 with its own cache id for "tscached": we decoded it with Go's table.
    expect(await rec.wait(sendOf((r) => r.message === 2.5))).toMatchObject({ to: Atom.of('tscached'), priority: 2 });
    const b = await rec.wait(sendOf((r) => r.message instanceof Uint8Array));
    expect(b.to).toEqual(tsAlias);
    expect([...(b.message as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it('Go → TS: values of many kinds, including a registered struct with a pid', async () => {
    const to = { name: 'inbox', node: TS };
    const who = goPid(g.ready.echo);
    await g.ok({ op: 'send', to, val: { t: 'sample', v: 'pt', n: 9, items: [{ t: 'string', v: 'a' }, { t: 'string', v: 'b' }], to: { pid: g.ready.echo } } });
    const s = await rec.wait(sendOf((r) => r.message instanceof Sample));
    expect(s.message).toMatchObject({ Name: 'pt', N: 9n, Tags: ['a', 'b'], Who: who });
    await g.ok({ op: 'send', to, val: { t: 'list', items: [{ t: 'int32', v: 7 }, { t: 'bool', v: true }, { t: 'atom', v: 'ok' }, { t: 'nil' }] } });
    const l = await rec.wait(sendOf((r) => Array.isArray(r.message)));
    expect((l.message as unknown[]).map((x) => (x instanceof Object && 'value' in x ? (x as { value: unknown }).value : x))).toEqual([7, true, Atom.of('ok'), null]);
  });

  it('TS → Go: a registered struct goes through', async () => {
    const v = new Sample({ Name: 'from-ts', N: 3n, Tags: ['x'], Who: me });
    expect(conn.send(me, echo, v)).toBeUndefined();
    const l = await g.wait(recvOf('echo', (m) => m.type === 'main.Sample'));
    expect((l.msg as { value: unknown }).value).toMatchObject({ name: 'from-ts', n: 3, tags: ['x'], who: { node: TS, id: 1004 } });
  });

  it('important delivery TS → Go: acknowledged, and unknown targets reported', async () => {
    await expect(conn.sendImportant(me, echo, 'imp')).resolves.toBeUndefined();
    await expect(conn.sendImportant(me, processId('echo', GO), 'imp-name')).resolves.toBeUndefined();
    await expect(conn.sendImportant(me, goAlias(g.ready.alias), 'imp-alias')).resolves.toBeUndefined();
    const e = await conn.sendImportant(me, processId('nobody', GO), 'x').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: ErgoNetCode.Remote, remote: GoErr.ProcessUnknown });
    const unknownPid = new Pid(echo.node, 999_999, 0, echo.creation);
    await expect(conn.sendImportant(me, unknownPid, 'x')).rejects.toMatchObject({ remote: DeliveryErr.ProcessUnknown });
  });

  it('important delivery Go → TS: we acknowledge, and report unknown targets', async () => {
    await g.ok({ op: 'send', important: true, to: { name: 'inbox', node: TS }, val: { t: 'string', v: 'imp' } });
    rec.known = (t) => t !== Atom.of('nobody');
    const r = await g.cmd({ op: 'send', important: true, to: { name: 'nobody', node: TS }, val: { t: 'string', v: 'x' } });
    expect(r.err).toBe('unknown process');
    const r2 = await g.cmd({ op: 'call', important: true, to: { name: 'nobody', node: TS }, val: { t: 'string', v: 'x' } });
    expect(r2.err).toBe('unknown process');
  });

  it('calls TS → Go: by pid, name, cached name, alias; error answers; important call to nobody', async () => {
    const answers = new Map<string, unknown>();
    const ask = async (to: Pid | Atom | Alias | ReturnType<typeof processId>, req: unknown, o?: { important?: boolean }) => {
      const ref = conn.makeRef();
      expect(conn.call(me, to, ref, req, o)).toBeUndefined();
      const r = await rec.wait((x) => (x.op === 'response' || x.op === 'responseError') && x.ref.equals(ref));
      return r;
    };
    for (const [to, req] of [
      [echo, 'p'],
      [processId('echo', GO), 'n'],
      [goAlias(g.ready.alias), 'a'],
    ] as const) {
      const r = await ask(to, req);
      answers.set(req, r.op === 'response' ? r.value : r);
    }
    expect(Object.fromEntries(answers)).toEqual({ p: 'p', n: 'n', a: 'a' });
    await g.ok({ op: 'victim', name: 'cached' });
    const cached = await ask(Atom.of('cached'), 3.5);
    expect(cached).toMatchObject({ op: 'response', value: 3.5 });
    const fail = await ask(echo, 'fail');
    expect(fail).toMatchObject({ op: 'responseError', error: new EdfError('custom failure') });
    const nobody = await ask(processId('nobody', GO), 'x', { important: true });
    expect(nobody).toMatchObject({ op: 'responseError', error: DeliveryErr.ProcessUnknown });
  });

  it('calls Go → TS: by pid, name, alias; our error answer; the callee times out when we stay silent', async () => {
    const tsPid = new Pid(net.name, 77, 0, net.local.creation);
    const r1 = await g.ok({ op: 'call', to: pidTarget(tsPid), val: { t: 'string', v: 'q1' } });
    expect(r1.value).toMatchObject({ type: 'string', value: 'q1' });
    const r2 = await g.ok({ op: 'call', to: { name: 'srv', node: TS }, val: { t: 'int', v: 5 } });
    expect(r2.value).toMatchObject({ type: 'int', value: 5 });
    const r3 = await g.ok({ op: 'call', to: aliasTarget(new Alias(net.name, net.local.creation, [1, 0, 2, 0, 3, 0])), val: { t: 'bool', v: true } });
    expect(r3.value).toMatchObject({ type: 'bool', value: true });
    const r4 = await g.cmd({ op: 'call', to: { name: 'srv', node: TS }, val: { t: 'string', v: 'fail' } });
    expect(r4.err).toBe('custom failure');
    rec.echo = false;
    const r5 = await g.cmd({ op: 'call', timeout: 1, to: { name: 'srv', node: TS }, val: { t: 'string', v: 'silence' } });
    expect(r5.err).toBe('timed out');
  });

  it('exit signals both ways; a framework reason keeps its identity in Go', async () => {
    expect(conn.sendExit(me, echo, GoErr.TerminateReasonNormal)).toBeUndefined();
    expect(conn.sendExit(me, echo, new EdfError('custom exit'))).toBeUndefined();
    const a = await g.wait(recvOf('echo', (m) => m.type === 'gen.MessageExitPID' && (m.value as { reason: string }).reason === 'normal'));
    // Sent by our ErrCache id, Go maps it to its own gen.TerminateReasonNormal.
    expect((a.msg as { value: { framework: boolean } }).value.framework).toBe(true);
    await g.wait(recvOf('echo', (m) => m.type === 'gen.MessageExitPID' && (m.value as { reason: string }).reason === 'custom exit'));
    const tsPid = new Pid(net.name, 55, 0, net.local.creation);
    await g.ok({ op: 'exit', to: pidTarget(tsPid), reason: 'shutdown' });
    const e = await rec.wait((r) => r.op === 'exit');
    expect(e).toMatchObject({ to: tsPid, from: goPid(g.ready.tester) });
    expect((e as { reason: EdfError }).reason).toBe(GoErr.TerminateReasonShutdown);
  });

  it('events: we subscribe to Go events and Go to ours; each side publishes', async () => {
    const buffered = await conn.monitorEvent(me, event('ev1', GO));
    expect(buffered).toEqual([]);
    await g.ok({ op: 'publish', as: 'echo', val: { t: 'string', v: 'tick' } });
    const ev = await rec.wait((r) => r.op === 'event');
    expect(ev).toMatchObject({ event: { name: Atom.of('ev1'), node: Atom.of(GO) }, message: 'tick', from: echo });
    const again = await conn.linkEvent(me, event('ev1', GO));
    expect(again.map((m) => m.Message)).toEqual(['tick']);
    // Go subscribes to an event of ours, then we publish it.
    const r = await g.ok({ op: 'monitor', to: { event: 'prices', node: TS } });
    expect(r.events).toEqual([]);
    expect(conn.sendEvent(me, Atom.of('prices'), 101.5)).toBeUndefined();
    const got = await g.wait((l) => l.ev === 'event' && l.event === 'prices');
    expect(got).toMatchObject({ node: TS, message: { type: 'float64', value: 101.5 } });
    // An event name in our atom cache goes as 106; Go resolves it with our table.
    await g.ok({ op: 'link', to: { event: 'tsev', node: TS } });
    expect(conn.sendEvent(me, Atom.of('tsev'), 'cached-name')).toBeUndefined();
    await g.wait((l) => l.ev === 'event' && l.event === 'tsev' && (l.message as { value?: string }).value === 'cached-name');
    const bad = await g.cmd({ op: 'link', to: { event: 'nosuch', node: TS } });
    expect(bad.err).toBe('unknown event');
  });

  for (const z of ['gzip', 'zlib', 'lzw'] as const) {
    it(`compression ${z}, both ways`, async () => {
      const big = new Uint8Array(20_000);
      for (let i = 0; i < big.length; i++) big[i] = 97 + ((i * 7919) % 23);
      expect(conn.send(me, echo, big, { compression: { type: z } })).toBeUndefined();
      await g.wait(recvOf('echo', (m) => m.len === 20_000));
      await g.ok({ op: 'send', compress: z, to: { name: 'inbox', node: TS }, val: { t: 'rand', n: 30_000, seed: 7 } });
      const r = await rec.wait(sendOf((x) => x.message instanceof Uint8Array && x.message.length === 30_000));
      expect((r.message as Uint8Array)[0]).toBeGreaterThanOrEqual(97);
    });
  }

  it('frames over 64 KiB Go → TS, and TS → Go when compressed below Go 3.1.0\'s read limit', async () => {
    await g.ok({ op: 'send', to: { name: 'inbox', node: TS }, val: { t: 'bytes', n: 300_000, fill: 5 } });
    const r = await rec.wait(sendOf((x) => x.message instanceof Uint8Array && x.message.length === 300_000));
    expect((r.message as Uint8Array).every((b) => b === 5)).toBe(true);
    expect(conn.send(me, echo, new Uint8Array(200_000).fill(9), { compression: { type: 'gzip' } })).toBeUndefined();
    await g.wait(recvOf('echo', (m) => m.len === 200_000));
  });

  it('the peer\'s MaxMessageSize: Go refuses our big frame at our side (TooLarge), smaller ones pass', async () => {
    const small = await c.go('small@127.0.0.1', { maxMsg: 4096 });
    const sc = await net.connect('small@127.0.0.1');
    expect(sc.peerMaxMessageSize).toBe(4096);
    const target = goPid(small.ready.echo);
    expect(sc.send(me, target, new Uint8Array(5000))).toMatchObject({ code: ErgoNetCode.TooLarge });
    expect(sc.send(me, target, new Uint8Array(4000))).toBeUndefined();
    await small.wait(recvOf('echo', (m) => m.len === 4000));
    expect(sc.links).toBe(3);
  });

  it('our MaxMessageSize: Go refuses to send us more', async () => {
    const { net: tiny } = await c.node('tiny@127.0.0.1', { maxMessageSize: 2048 });
    expect(tiny.local.maxMessageSize).toBe(2048);
    const r = await g.cmd({ op: 'send', to: { name: 'inbox', node: 'tiny@127.0.0.1' }, val: { t: 'bytes', n: 5000 } });
    expect(r.err).toBe('too large');
    await g.ok({ op: 'send', to: { name: 'inbox', node: 'tiny@127.0.0.1' }, val: { t: 'bytes', n: 1000 } });
    const trec = c.recorders.get(tiny)!;
    await trec.wait(sendOf((x) => x.message instanceof Uint8Array && x.message.length === 1000));
  });

  it('per-sender order holds across the pool, both ways', async () => {
    const n = 3000;
    const senders = [me, new Pid(net.name, 2000, 0, net.local.creation), new Pid(net.name, 255 * 9, 0, net.local.creation)];
    for (let i = 0; i < n; i++) for (const s of senders) expect(conn.send(s, echo, [BigInt(i)])).toBeUndefined();
    await until(() => g.lines.filter((l) => l.ev === 'recv').length >= n * senders.length, 30_000, 'all messages at Go');
    for (const s of senders) {
      const seq = g.lines.filter((l) => l.ev === 'recv' && (l.from as { id: number }).id === s.id).map((l) => ((l.msg as { value: { value: number }[] }).value[0]!.value));
      expect(seq).toEqual([...Array(n).keys()]);
    }
    // Go → TS: Go's tester sends [i, msg] n times from one process.
    await g.ok({ op: 'send', count: n, to: { name: 'inbox', node: TS }, val: { t: 'string', v: 'seq' } }, 30_000);
    await until(() => rec.ops('send').filter((r) => Array.isArray((r as { message: unknown }).message)).length >= n, 30_000, 'all messages at TS');
    const got = rec.ops('send').filter((r) => Array.isArray((r as { message: unknown }).message)).map((r) => ((r as { message: unknown[] }).message[0] as Typed<bigint>).value);
    expect(got).toEqual([...Array(n).keys()].map((i) => BigInt(i)));
  });
});

/**
 * TS → Go frames over 65535 bytes, uncompressed. Ergo's 3.1.0 tag closes the link on them (its
 * reader refuses more than 65535 buffered bytes; see proto-spec/ergo-network.md), so this
 * needs a Go peer built against Ergo master: set GO_MASTER to a go command that builds
 * interop/go against it.
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

describe.skipIf(!master.ok)(`ENP frames over 64 KiB TS → Go master${master.ok ? '' : ` [skipped: ${master.reason}]`}`, () => {
  it('100 KB and 3 MB frames arrive whole, on every link', async () => {
    const c = await Cluster.create();
    try {
      const { net } = await c.node(TS);
      const g = await c.go(GO, { binary: (master as { bin: string }).bin });
      const conn = await net.connect(GO);
      const echo = goPid(g.ready.echo);
      for (const [i, n] of [100_000, 3_000_000, 70_000].entries()) {
        expect(conn.send(new Pid(net.name, 1000 + i, 0, net.local.creation), echo, new Uint8Array(n).fill(i))).toBeUndefined();
        await g.wait(recvOf('echo', (m) => m.len === n), 20_000);
      }
    } finally {
      await c.close();
    }
  });
});
