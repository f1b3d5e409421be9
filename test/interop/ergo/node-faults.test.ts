/**
 * Node-level faults with Go Ergo v3 nodes: kill -9 of a Go node fires every TS link and monitor
 * into it with `noconnection` at once (three nodes: only the dead node's); the next send
 * reconnects (to a restarted Go node under the same name); a wrong cookie is refused on both
 * sides with nothing reachable.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { A, atom, type Pid } from '../../../src/term/index.js';
import { ErrCode, event, MessageDown, MessageExit, processId } from '../../../src/gen/index.js';
import { Actor } from '../../../src/act/index.js';
import { ErgoChannels } from '../../../src/net/ergo/index.js';
import type { Node } from '../../../src/node/index.js';
import { spawnProbe, until } from '../../net/ergo/node-support.js';
import { go, goAlias, goPid, NodeCluster, pidTarget, title, VARIANTS, type Variant } from './node-harness.js';
import type { GoPeer, GoPid } from './peer.js';

const TS = 'ts@127.0.0.1';
const TSC = 'tsc@127.0.0.1';
const downOf = (m: unknown): m is MessageDown => m instanceof MessageDown;
const exitOf = (m: unknown): m is MessageExit => m instanceof MessageExit;

class Idle extends Actor {}

async function victim(g: GoPeer, name: string): Promise<{ pid: Pid; alias: ReturnType<typeof goAlias> }> {
  await g.ok({ op: 'victim', name });
  const l = await g.wait((x) => x.ev === 'victim' && x.name === name);
  return { pid: goPid(l.pid as GoPid), alias: goAlias(l.alias as never) };
}

describe.skipIf(!go.ok).each(VARIANTS)(title('node-level faults with Go Ergo v3 over %s'), (v: Variant) => {
  let c: NodeCluster;
  beforeEach(async () => {
    c = await NodeCluster.create(v);
  });
  afterEach(async () => {
    await c.close();
  });

  it('kill -9 of the Go node: every link and monitor into it fires noconnection at once; the next send reconnects', async () => {
    await c.node(TS);
    const g = await c.go('go@127.0.0.1');
    const ts = await c.node(TSC, {}, { creation: g.ready.creation });
    const { probe: p } = await spawnProbe(ts);
    p.process.trapExit = true;
    const a = await victim(g, 'k1');
    const b = await victim(g, 'k2');
    p.process.link(a.pid);
    p.process.link(processId('k2', g.ready.node as string), { oneWay: true });
    p.process.monitor(a.pid);
    p.process.monitor(processId('k1', 'go@127.0.0.1'));
    p.process.monitor(b.alias);
    await p.process.linkEvent(event('ev1', 'go@127.0.0.1'));
    p.process.monitorNode('go@127.0.0.1');
    const { probe: plain } = await spawnProbe(ts);
    plain.process.link(b.pid);
    const plainEnd = ts.wait(plain.process.pid);
    await g.ok({ op: 'sleep', timeout: 300 });
    const pending = ts.call(goPid(g.ready.echo), 'slow', { timeout: 10_000 });
    pending.catch(() => undefined);
    g.kill();
    const got: unknown[] = [];
    await until(
      () => {
        for (const e of p.inbox.splice(0)) got.push(e.message);
        return got.length >= 7;
      },
      5000,
      'seven notices',
    );
    expect(got.filter(exitOf).map((x) => x.reason)).toEqual([A.noconnection, A.noconnection, A.noconnection]);
    const downs = got.filter(downOf);
    expect(downs).toHaveLength(4);
    expect(downs.filter((d) => d.kind !== 'node').every((d) => d.reason === A.noconnection)).toBe(true);
    expect(await plainEnd).toBe(A.noconnection);
    await expect(pending).rejects.toMatchObject({ code: ErrCode.NoConnection });
    expect(ts.nodes()).not.toContain(atom('go@127.0.0.1'));

    // Restarted under the same name: the next send connects to the new incarnation.
    const g2 = await c.go('go@127.0.0.1');
    expect(await ts.call(processId('echo', 'go@127.0.0.1'), 'again')).toBe('again');
    expect(await ts.call(goPid(g2.ready.echo), 'by its pid')).toBe('by its pid');
    expect(ts.nodes()).toContain(atom('go@127.0.0.1'));
  });

  it('three nodes (TS, Go, Go): kill -9 of one Go node fires only what points at it', async () => {
    const ts = await c.node(TS);
    const g1 = await c.go('g1@127.0.0.1');
    const g2 = await c.go('g2@127.0.0.1');
    const { probe: p } = await spawnProbe(ts);
    p.process.trapExit = true;
    await victim(g1, 'a');
    await victim(g2, 'b');
    const r1 = p.process.monitor(processId('a', 'g1@127.0.0.1'));
    const r2 = p.process.monitor(processId('b', 'g2@127.0.0.1'));
    p.process.link(processId('a', 'g1@127.0.0.1'));
    p.process.link(processId('b', 'g2@127.0.0.1'));
    await g2.ok({ op: 'sleep', timeout: 300 });
    g1.kill();
    const d = await p.receive<MessageDown>(downOf, 5000);
    expect(d.ref).toEqual(r1);
    expect(d.reason).toBe(A.noconnection);
    const x = await p.receive<MessageExit>(exitOf, 5000);
    expect(x.from).toEqual(processId('a', 'g1@127.0.0.1'));
    expect(ts.nodes()).toEqual([atom('g2@127.0.0.1')]);
    // g2's relations are intact: its process ends and we hear that, with its reason.
    ts.send(processId('b', 'g2@127.0.0.1'), 'stop:done');
    const d2 = await p.receive<MessageDown>(downOf, 5000);
    expect(d2.ref).toEqual(r2);
    expect(d2.reason).toBe(atom('done'));
    expect((await p.receive<MessageExit>(exitOf, 5000)).reason).toBe(atom('done'));
    expect(await ts.call(processId('echo', 'g2@127.0.0.1'), 'ok')).toBe('ok');
  });

  it('wrong cookie, both sides: refused, nothing reachable, the refusal reported', async () => {
    const codes: string[] = [];
    const onErr = (m: unknown): void => void codes.push((m as { error: { code: string } }).error.code);
    subscribe(ErgoChannels.handshakeError.name, onErr);
    onTestFinished(() => void unsubscribe(ErgoChannels.handshakeError.name, onErr));
    const ts: Node = await c.node(TS);
    const g = await c.go('bad@127.0.0.1', { cookie: 'not-the-cookie' });
    const { probe, pid } = await spawnProbe(ts);
    await expect(ts.call(goPid(g.ready.echo), 'x')).rejects.toMatchObject({ code: ErrCode.NoConnection });
    await expect(ts.sendImportant(processId('echo', 'bad@127.0.0.1'), 'x')).rejects.toMatchObject({ code: ErrCode.NoConnection });
    ts.send(goPid(g.ready.echo), 'lost');
    const r = await g.cmd({ op: 'send', to: pidTarget(pid), val: { t: 'string', v: 'x' } });
    expect(r.err).not.toBeNull();
    const r2 = await g.cmd({ op: 'call', to: pidTarget(pid), val: { t: 'string', v: 'x' } });
    expect(r2.err).not.toBeNull();
    await until(() => codes.includes('ERR_ERGO_BAD_DIGEST'), 5000, 'our refusal of the Go dialer');
    expect(probe.inbox).toEqual([]);
    expect(ts.nodes()).toEqual([]);
    expect(g.lines.some((l) => l.ev === 'recv' && l.proc === 'echo')).toBe(false);
    void Idle;
  });
});
