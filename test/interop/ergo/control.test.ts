/**
 * ENP control traffic against real Go Ergo v3 nodes, both directions: link / unlink / monitor
 * / demonitor of pids, names, aliases and events, termination notifications (181–186), remote
 * spawn with Go's allow-list, remote application start, and losing the peer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EdfError, GoErr } from '../../../src/codec/edf/index.js';
import { Atom } from '../../../src/term/atom.js';
import { Alias, Pid, Ref } from '../../../src/term/ids.js';
import { Event, event, processId, ProcessID } from '../../../src/term/names.js';
import { defaultCache, ErgoNetCode, type ErgoConnection, type ErgoNetwork } from '../../../src/net/ergo/index.js';
import { eventMessage, until, type Recorder } from '../../net/ergo/support.js';
import { aliasTarget, Cluster, go, goAlias, goPid, pidTarget, title } from './harness.js';
import type { GoLine, GoPeer } from './peer.js';

const GO = 'go@127.0.0.1';
const TS = 'ts@127.0.0.1';

describe.skipIf(!go.ok)(title('ENP links, monitors, spawn and application start with Go Ergo v3'), () => {
  let c: Cluster;
  let g: GoPeer;
  let net: ErgoNetwork;
  let rec: Recorder;
  let conn: ErgoConnection;
  let me: Pid;

  beforeEach(async () => {
    c = await Cluster.create();
    // A registrar-only TS node serves first; the node under test is made per case.
    await c.node('reg@127.0.0.1');
    g = await c.go(GO, { atoms: ['cachedvictim'] });
  });
  afterEach(async () => {
    await c.close();
  });

  /** Our node, with Go's creation when `sameCreation` (so Go sends us 181 and 184, see the spec). */
  async function tsNode(sameCreation = false): Promise<void> {
    // "svc2" and "news" are in our atom cache: we send 183 and 186 for them.
    const cache = defaultCache(Atom.of(TS));
    cache.addAtom(Atom.of('svc2'));
    cache.addAtom(Atom.of('news'));
    ({ net, rec } = await c.node(TS, { cache, creation: sameCreation ? g.ready.creation : g.ready.creation - 7 }));
    conn = await net.connect(GO);
    me = new Pid(net.name, 1004, 0, net.local.creation);
  }

  async function victim(name: string): Promise<{ pid: Pid; alias: Alias }> {
    await g.ok({ op: 'victim', name });
    const v = await g.wait((l) => l.ev === 'victim' && l.name === name);
    return { pid: goPid(v.pid as never), alias: goAlias(v.alias as never) };
  }

  it('TS → Go: link/monitor every target kind; the target dies; every notification kind arrives (181–186)', async () => {
    await tsNode(true);
    const v = await victim('victim1');
    await victim('cachedvictim');
    await conn.link(me, v.pid);
    await conn.monitor(me, v.alias);
    await conn.monitor(me, processId('victim1', GO));
    await conn.linkEvent(me, event('victim1', GO));
    await conn.link(me, processId('cachedvictim', GO));
    await conn.monitorEvent(me, event('cachedvictim', GO));
    await g.ok({ op: 'send', to: { name: 'victim1', node: GO }, val: { t: 'string', v: 'stop:custom end' } });
    await g.ok({ op: 'send', to: { name: 'cachedvictim', node: GO }, val: { t: 'string', v: 'stop:normal' } });
    await until(() => rec.ops('terminate').length >= 6, 10_000, 'six terminate notifications');
    const t = rec.ops('terminate') as { target: unknown; reason: EdfError }[];
    const find = (pred: (x: unknown) => boolean) => t.find((x) => pred(x.target));
    expect(find((x) => x instanceof Pid && x.equals(v.pid))?.reason).toEqual(new EdfError('custom end'));
    expect(find((x) => x instanceof Alias && x.equals(v.alias))?.reason).toEqual(new EdfError('custom end'));
    expect(find((x) => x instanceof ProcessID && x.name.name === 'victim1')).toBeDefined();
    expect(find((x) => x instanceof Event && x.name.name === 'victim1')).toBeDefined();
    // Go sends 183/186 for "cachedvictim" (an atom in its cache), with its ErrCache id for "normal".
    expect(find((x) => x instanceof ProcessID && x.name.name === 'cachedvictim')?.reason).toBe(GoErr.TerminateReasonNormal);
    expect(find((x) => x instanceof Event && x.name.name === 'cachedvictim')?.reason).toBe(GoErr.TerminateReasonNormal);
  });

  it('TS → Go: unlink/demonitor are answered; unknown targets are refused with Go\'s errors', async () => {
    await tsNode();
    const v = await victim('victim2');
    await conn.link(me, v.pid);
    await conn.unlink(me, v.pid);
    await conn.monitor(me, processId('victim2', GO));
    await conn.demonitor(me, processId('victim2', GO));
    await conn.link(me, v.alias);
    await conn.unlink(me, v.alias);
    await conn.monitorEvent(me, event('victim2', GO));
    await conn.demonitorEvent(me, event('victim2', GO));
    await conn.linkEvent(me, event('victim2', GO));
    await conn.unlinkEvent(me, event('victim2', GO));
    const gone = new Pid(v.pid.node, 999_999, 0, v.pid.creation);
    await expect(conn.link(me, gone)).rejects.toMatchObject({ code: ErgoNetCode.Remote, remote: GoErr.ProcessUnknown });
    await expect(conn.monitorEvent(me, event('nosuch', GO))).rejects.toMatchObject({ remote: new EdfError('unknown event') });
    // A pid of another incarnation never leaves us.
    await expect(conn.monitor(me, new Pid(v.pid.node, 5, 0, 1))).rejects.toMatchObject({ code: ErgoNetCode.Incarnation });
  });

  it('Go → TS: links and monitors of every target kind reach us; our terminate notifications (181–186) reach Go', async () => {
    await tsNode();
    const tsPid = new Pid(net.name, 501, 0, net.local.creation);
    const tsAlias = new Alias(net.name, net.local.creation, [11, 0, 12, 0, 13, 0]);
    await g.ok({ op: 'link', to: pidTarget(tsPid) });
    await g.ok({ op: 'monitor', to: aliasTarget(tsAlias) });
    await g.ok({ op: 'monitor', to: { name: 'svc', node: TS } });
    await g.ok({ op: 'link', to: { name: 'svc2', node: TS } });
    await g.ok({ op: 'link', to: { event: 'news', node: TS } });
    await g.ok({ op: 'monitor', to: { event: 'news2', node: TS } });
    const tester = goPid(g.ready.tester);
    expect(rec.log.filter((r) => r.op === 'link' || r.op === 'monitor' || r.op === 'linkEvent' || r.op === 'monitorEvent').map((r) => [r.op, label((r as { target: unknown }).target)])).toEqual([
      ['link', String(tsPid)],
      ['monitor', tsAlias.identity],
      ['monitor', 'svc'],
      ['link', 'svc2'],
      ['linkEvent', 'news'],
      ['monitorEvent', 'news2'],
    ]);
    expect(rec.log.find((r) => r.op === 'link')).toMatchObject({ source: tester });
    // Now every target goes away.
    expect(conn.sendTerminate(tsPid, GoErr.TerminateReasonShutdown)).toBeUndefined();
    expect(conn.sendTerminate(tsAlias, new EdfError('alias gone'))).toBeUndefined();
    expect(conn.sendTerminate(processId('svc', TS), GoErr.TerminateReasonNormal)).toBeUndefined();
    expect(conn.sendTerminate(processId('svc2', TS), new EdfError('svc2 down'))).toBeUndefined();
    expect(conn.sendTerminate(new Event(Atom.of('news'), net.name), GoErr.TerminateReasonNormal)).toBeUndefined();
    expect(conn.sendTerminate(event('news2', TS), GoErr.TerminateReasonKill)).toBeUndefined();
    const seen = async (type: string, pred: (v: Record<string, unknown>) => boolean): Promise<GoLine> =>
      g.wait((l) => l.ev === 'recv' && l.proc === 'tester' && (l.msg as { type: string }).type === type && pred((l.msg as { value: Record<string, unknown> }).value));
    const exitPid = await seen('gen.MessageExitPID', (x) => (x.pid as { id: number }).id === 501);
    expect((exitPid.msg as { value: { reason: string; framework: boolean } }).value).toMatchObject({ reason: 'shutdown', framework: true });
    await seen('gen.MessageDownAlias', (x) => x.reason === 'alias gone');
    await seen('gen.MessageDownProcessID', (x) => x.name === 'svc' && x.reason === 'normal');
    await seen('gen.MessageExitProcessID', (x) => x.name === 'svc2' && x.reason === 'svc2 down');
    await seen('gen.MessageExitEvent', (x) => x.name === 'news');
    await seen('gen.MessageDownEvent', (x) => x.name === 'news2' && x.reason === 'kill');
  });

  it('Go → TS: unlink/demonitor reach us; our refusals reach Go', async () => {
    await tsNode();
    const tsPid = new Pid(net.name, 600, 0, net.local.creation);
    await g.ok({ op: 'monitor', to: pidTarget(tsPid) });
    await g.ok({ op: 'demonitor', to: pidTarget(tsPid) });
    await g.ok({ op: 'link', to: { name: 'x', node: TS } });
    await g.ok({ op: 'unlink', to: { name: 'x', node: TS } });
    await g.ok({ op: 'monitor', to: { event: 'e', node: TS } });
    await g.ok({ op: 'demonitor', to: { event: 'e', node: TS } });
    expect(rec.log.map((r) => r.op).filter((o) => /link|monitor/i.test(o))).toEqual(['monitor', 'demonitor', 'link', 'unlink', 'monitorEvent', 'demonitorEvent']);
    rec.known = () => false;
    const r = await g.cmd({ op: 'link', to: pidTarget(new Pid(net.name, 601, 0, net.local.creation)) });
    expect(r.err).toBe('unknown process');
    // Events buffered here are replayed to a new Go subscriber, typed as []gen.MessageEvent.
    rec.events = [eventMessage(event('e', TS), 17n, 'old-news')];
    const r2 = await g.ok({ op: 'link', to: { event: 'e', node: TS } });
    expect(r2.events).toEqual([{ event: 'e', node: TS, timestamp: 17, message: { type: 'string', value: 'old-news', len: 8, crc: expect.any(Number) } }]);
  });

  it('remote spawn both ways, with Go\'s allow-list', async () => {
    await tsNode();
    const pid = await conn.spawn(Atom.of('worker'), { Args: ['a1', 2n] });
    expect(pid.node.name).toBe(GO);
    const l = await g.wait((x) => x.ev === 'spawned' && (x.pid as { id: number }).id === pid.id);
    expect(l.args).toEqual([
      { type: 'string', value: 'a1', len: 2, crc: expect.any(Number) },
      { type: 'int', value: 2 },
    ]);
    await expect(conn.spawn(Atom.of('restricted'), {})).rejects.toMatchObject({ remote: GoErr.NotAllowed });
    await expect(conn.spawn(Atom.of('nosuch'), {})).rejects.toMatchObject({ remote: GoErr.NameUnknown });
    // Go spawns on us.
    rec.spawned = (name) => (name.name === 'tsworker' ? new Pid(net.name, 777, 0, net.local.creation) : GoErr.NameUnknown);
    const r = await g.ok({ op: 'spawn', node: TS, name: 'tsworker', args: [{ t: 'string', v: 'x' }] });
    expect(r.pid).toEqual({ node: TS, id: 777, creation: net.local.creation });
    const sp = rec.ops('spawn')[0] as { name: Atom; options: { Args: unknown[]; ParentPID: Pid } };
    expect(sp.name.name).toBe('tsworker');
    expect(sp.options.Args).toEqual(['x']);
    const bad = await g.cmd({ op: 'spawn', node: TS, name: 'other' });
    expect(bad.err).toBe('unknown name');
  });

  it('remote application start both ways', async () => {
    await tsNode();
    await conn.applicationStart(Atom.of('app1'), 3);
    const l = await g.wait((x) => x.ev === 'app-started');
    expect(l.mode).toBe(3);
    // Go answers "unknown name" for an application not enabled for remote start.
    await expect(conn.applicationStart(Atom.of('noapp'), 0)).rejects.toMatchObject({ remote: GoErr.NameUnknown });
    rec.started = (name) => (name.name === 'tsapp' ? null : GoErr.ApplicationUnknown);
    await g.ok({ op: 'appstart', node: TS, name: 'tsapp', mode: 2 });
    expect(rec.ops('applicationStart')[0]).toMatchObject({ name: Atom.of('tsapp'), mode: 2 });
    const r = await g.cmd({ op: 'appstart', node: TS, name: 'other' });
    expect(r.err).toBe('unknown application');
  });

  it('kill -9 of the Go node: the connection goes down at once and pending requests fail', async () => {
    await tsNode();
    const v = await victim('slowpoke');
    await conn.monitor(me, v.pid);
    g.kill();
    const d = await rec.wait((r) => r.op === 'disconnected', 5000);
    expect(d).toMatchObject({ peer: Atom.of(GO) });
    expect(conn.alive).toBe(false);
    expect(net.connection(GO)).toBeUndefined();
    await expect(conn.link(me, v.pid)).rejects.toMatchObject({ code: ErgoNetCode.NoConnection });
    expect(conn.send(me, v.pid, 'late')).toMatchObject({ code: ErgoNetCode.NoConnection });
  });
});

/** A target as text; a reference by its identity (EDF returns the shortest of its word forms). */
function label(t: unknown): string {
  return t instanceof Ref ? t.identity : String(t);
}
