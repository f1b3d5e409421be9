/**
 * Every outbound operation between two of our endpoints, checked at the receiving handler;
 * the protocol's own answers (EXIT / DOWN noproc, UNLINK_ID_ACK); the op variants chosen by
 * the negotiated flags; framing modes; the atom cache at its limits; fragments; back-pressure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atom, Atom, Pid, Ref, Tuple, tuple } from '../../../src/term/index.js';
import { AltactFlag, DFlag, DistCode, DistError, SpawnFlag, type DistConnection } from '../../../src/net/erlang/index.js';
import { RawNode } from './raw-node.js';
import { freePort } from '../../interop/erlang/beam.js';

let epmdPort: number;
const started: RawNode[] = [];
let a: RawNode;
let b: RawNode;
let ab: DistConnection;
let ba: DistConnection;

async function node(name: string, opts: Partial<Parameters<typeof RawNode.start>[0]> = {}): Promise<RawNode> {
  const n = await RawNode.start({ name: `${name}@127.0.0.1`, cookie: 'cookie', epmd: { port: epmdPort }, ...opts });
  started.push(n);
  return n;
}

async function pair(x: string, y: string, ox: Partial<Parameters<typeof RawNode.start>[0]> = {}, oy = ox) {
  const nx = await node(x, ox);
  const ny = await node(y, oy);
  const c = await nx.ep.connect(`${y}@127.0.0.1`);
  const up = await ny.waitFor('up');
  return { nx, ny, c, back: up.conn };
}

beforeAll(async () => {
  epmdPort = await freePort();
  ({ nx: a, ny: b, c: ab, back: ba } = await pair('opa', 'opb'));
});

afterAll(async () => {
  await Promise.all(started.map((n) => n.stop()));
});

describe('operations between two TS endpoints', () => {
  it('send: SEND_SENDER with the sender, and the _TT form with a token', async () => {
    const p = a.pid();
    const q = b.pid();
    ab.send(p, q, tuple(atom('hello'), 1));
    const m = await b.waitFor('message', (s) => s.to.equals(q));
    expect(m.from!.equals(p)).toBe(true);
    expect(m.msg).toEqual(tuple(atom('hello'), 1));
    expect(m.token).toBeUndefined();
    const token = tuple(0, atom('label'), 1, p, 0);
    ab.send(p, q, atom('traced'), token);
    expect((await b.waitFor('message', (s) => s.msg === atom('traced'))).token).toEqual(token);
  });

  it('send without SEND_SENDER negotiated: SEND, and the receiver sees no sender', async () => {
    const { nx, ny, c } = await pair('ssa', 'ssb', { flags: { remove: DFlag.SEND_SENDER } });
    const q = ny.pid();
    c.send(nx.pid(), q, atom('plain'));
    expect((await ny.waitFor('message', (s) => s.to.equals(q))).from).toBeUndefined();
  });

  it('reg_send, alias send as op 37 (ALTACT_SIG) or op 33, priority and exit signals through op 37', async () => {
    const p = a.pid();
    ab.regSend(p, atom('some_name'), atom('to_name'), atom('tok'));
    const r = await b.waitFor('regMessage', (s) => s.msg === atom('to_name'));
    expect(r.to).toBe(atom('some_name'));
    expect(r.token).toBe(atom('tok'));
    const alias = b.ref();
    expect(ab.aliasSend(p, alias, atom('to_alias'))).toBe(true);
    expect((await b.waitFor('aliasMessage', (s) => s.msg === atom('to_alias'))).to.equals(alias)).toBe(true);
    const q = b.pid();
    ab.altactSend(AltactFlag.PRIO, p, q, atom('urgent'));
    expect((await b.waitFor('message', (s) => s.msg === atom('urgent'))).prio).toBe(true);
    ab.altactSend(AltactFlag.PRIO | AltactFlag.NAME, p, atom('prio_name'), atom('urgent_name'), atom('t'));
    const pn = await b.waitFor('regMessage', (s) => s.msg === atom('urgent_name'));
    expect([pn.prio, pn.token]).toEqual([true, atom('t')]);
    ab.exit2(p, alias, atom('alias_exit'));
    const ax = await b.waitFor('exit2', (s) => s.reason === atom('alias_exit'));
    expect(ax.to instanceof Ref && ax.to.equals(alias)).toBe(true);
    ab.exit2(p, q, atom('prio_exit'), { prio: true });
    expect((await b.waitFor('exit2', (s) => s.reason === atom('prio_exit'))).prio).toBe(true);
    // Without ALTACT_SIG: ALIAS_SEND; without ALIAS either, an alias cannot be reached.
    const { nx, ny, c } = await pair('ala', 'alb', { flags: { remove: DFlag.ALTACT_SIG } });
    const al = ny.ref();
    expect(c.aliasSend(nx.pid(), al, atom('op33'))).toBe(true);
    await ny.waitFor('aliasMessage', (s) => s.to.equals(al));
    expect(c.altactSend(0, nx.pid(), ny.pid(), atom('x'))).toBe(false);
    const { nx: n2, ny: m2, c: c2 } = await pair('ana', 'anb', { flags: { remove: DFlag.ALTACT_SIG | DFlag.ALIAS } });
    expect(c2.aliasSend(n2.pid(), m2.ref(), atom('nowhere'))).toBe(false);
  });

  it('link; link to a pid that is gone is answered EXIT noproc by the connection', async () => {
    const p = a.pid();
    const q = b.pid();
    ab.link(p, q);
    const l = await b.waitFor('link', (s) => s.to.equals(q));
    expect(l.from.equals(p)).toBe(true);
    const dead = b.pid();
    b.kill(dead);
    ab.link(p, dead);
    const x = await a.waitFor('linkExit', (s) => s.from.equals(dead));
    expect(x.reason).toBe(atom('noproc'));
    expect(x.to.equals(p)).toBe(true);
  });

  it('UNLINK_ID is acknowledged by the receiving connection; id 0 is refused', async () => {
    const p = a.pid();
    const q = b.pid();
    ab.unlinkId(12345678901234n, p, q);
    const u = await b.waitFor('unlink', (s) => s.to.equals(q));
    expect(u.id).toBe(12345678901234);
    const ack = await a.waitFor('unlinkAck', (s) => s.to.equals(p));
    expect(ack.from.equals(q)).toBe(true);
    expect(ack.id).toBe(12345678901234);
    expect(() => ab.unlinkId(0, p, q)).toThrow(DistError);
  });

  it('link exits and exit/2: payload forms when EXIT_PAYLOAD is negotiated, classic forms without', async () => {
    const p = a.pid();
    const q = b.pid();
    ab.exit(p, q, tuple(atom('shutdown'), atom('x')));
    expect((await b.waitFor('linkExit', (s) => s.to.equals(q))).reason).toEqual(tuple(atom('shutdown'), atom('x')));
    ab.exit(p, q, atom('traced_exit'), atom('token'));
    expect((await b.waitFor('linkExit', (s) => s.reason === atom('traced_exit'))).token).toBe(atom('token'));
    ab.exit2(p, q, atom('kill'));
    expect((await b.waitFor('exit2', (s) => s.reason === atom('kill'))).from.equals(p)).toBe(true);
    ab.exit2(p, q, atom('kill_tt'), { token: atom('tk') });
    expect((await b.waitFor('exit2', (s) => s.reason === atom('kill_tt'))).token).toBe(atom('tk'));
    const { nx, ny, c } = await pair('epa', 'epb', { flags: { remove: DFlag.EXIT_PAYLOAD } });
    const r = ny.pid();
    c.exit(nx.pid(), r, atom('classic'));
    c.exit2(nx.pid(), r, atom('classic2'));
    c.monitorExit(nx.pid(), r, nx.ref(), atom('classic_down'));
    await ny.waitFor('linkExit', (s) => s.reason === atom('classic'));
    await ny.waitFor('exit2', (s) => s.reason === atom('classic2'));
    await ny.waitFor('monitorExit', (s) => s.reason === atom('classic_down'));
  });

  it('monitor by pid and by name, demonitor, DOWN; noproc answered by the connection with the name echoed', async () => {
    const p = a.pid();
    const q = b.pid();
    const r = a.ref();
    ab.monitor(p, q, r);
    const m = await b.waitFor('monitor', (s) => s.ref.equals(r));
    expect(m.to instanceof Pid && m.to.equals(q)).toBe(true);
    ba.monitorExit(q, p, r, atom('bye'));
    const d = await a.waitFor('monitorExit', (s) => s.ref.equals(r));
    expect(d.reason).toBe(atom('bye'));
    b.register('known', b.pid());
    const r2 = a.ref();
    ab.monitor(p, atom('known'), r2);
    expect((await b.waitFor('monitor', (s) => s.ref.equals(r2))).to).toBe(atom('known'));
    ab.demonitor(p, atom('known'), r2);
    expect((await b.waitFor('demonitor', (s) => s.ref.equals(r2))).to).toBe(atom('known'));
    const r3 = a.ref();
    ab.monitor(p, atom('unknown'), r3);
    const n = await a.waitFor('monitorExit', (s) => s.ref.equals(r3));
    expect(n.from).toBe(atom('unknown'));
    expect(n.reason).toBe(atom('noproc'));
  });

  it('group leader, spawn request and reply (with token)', async () => {
    const p = a.pid();
    const q = b.pid();
    ab.groupLeader(p, q);
    expect((await b.waitFor('groupLeader', (s) => s.to.equals(q))).leader.equals(p)).toBe(true);
    const child = b.pid();
    b.onSpawn = (req, c) => c.spawnReply(req.reqId, req.from, SpawnFlag.LINK | SpawnFlag.MONITOR, child, req.token);
    const req = a.ref();
    ab.spawnRequest({ reqId: req, from: p, groupLeader: p, module: atom('m'), fn: atom('f'), args: [1, 2, 3], options: [atom('link'), atom('monitor')], token: atom('tt') });
    const s = await b.waitFor('spawnRequest', (x) => x.req.reqId.equals(req));
    expect(s.req).toMatchObject({ module: atom('m'), fn: atom('f'), arity: 3, args: [1, 2, 3], options: [atom('link'), atom('monitor')], token: atom('tt') });
    const rep = await a.waitFor('spawnReply', (x) => x.reqId.equals(req));
    expect(rep.flags).toBe(3);
    expect((rep.result as Pid).equals(child)).toBe(true);
    expect(rep.token).toBe(atom('tt'));
    b.onSpawn = undefined;
  });

  it('signals to a previous incarnation of our node are treated as to a process that is gone', async () => {
    const p = a.pid();
    const stale = new Pid(b.ep.node!, 999, 0, (b.ep.creation + 1) >>> 0);
    const before = b.signals.length;
    ab.send(p, stale, atom('lost'));
    ab.link(p, stale);
    const x = await a.waitFor('linkExit', (s) => s.from.equals(stale));
    expect(x.reason).toBe(atom('noproc'));
    expect(b.signals.slice(before).filter((s) => s.kind === 'message' || s.kind === 'link')).toEqual([]);
  });

  it('foreign pids are refused on send (a BEAM would drop the connection)', () => {
    const other = new Pid(atom('third@127.0.0.1'), 1, 0, 1);
    expect(() => ab.send(other, b.pid(), atom('x'))).toThrow(DistError);
    expect(() => ab.send(a.pid(), other, atom('x'))).toThrow(/not of node/);
    expect(ab.isOpen).toBe(true);
  });

  it('the atom cache: long UTF-8 atoms (LongAtoms), more than 255 atoms in one message, reuse', async () => {
    const p = a.pid();
    const q = b.pid();
    const long = atom('ж'.repeat(200)); // 400 bytes of UTF-8
    const many = Array.from({ length: 300 }, (_, i) => atom(`many_atoms_${i}`));
    const msg = tuple(long, many);
    const before = ab.cacheStats.out;
    ab.send(p, q, msg);
    const got = await b.waitFor('message', (s) => s.to.equals(q));
    expect(got.msg).toEqual(msg);
    const after = ab.cacheStats.out;
    expect(after.newEntries - before.newEntries).toBeLessThanOrEqual(255);
    ab.send(p, q, tuple(long, atom('again')));
    const again = await b.waitFor('message', (s) => s.to.equals(q) && (s.msg as Tuple).elements[1] === atom('again'));
    expect((again.msg as Tuple).elements[0]).toBe(long);
    expect(ab.cacheStats.out.hits).toBeGreaterThan(after.hits);
  });

  it('fragments: a message split into many small fragments arrives whole, interleaved with others', async () => {
    const { nx, ny, c } = await pair('fra', 'frb', { fragmentSize: 1000 });
    const p = nx.pid();
    const q = ny.pid();
    const big = Buffer.alloc(100_000);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
    c.send(p, q, tuple(atom('first'), big));
    c.send(p, q, atom('small_after'));
    c.send(p, q, tuple(atom('second'), big));
    await ny.waitFor('message', (s) => s.msg instanceof Tuple && s.msg.elements[0] === atom('second'));
    const got = ny.signals.filter((s) => s.kind === 'message' && s.to.equals(q)).map((s) => (s as { msg: unknown }).msg);
    expect(got[0]).toEqual(tuple(atom('first'), big));
    expect(got[1]).toBe(atom('small_after'));
    // 100,000 payload bytes plus the control message, 1000 per fragment: 101 fragments each.
    expect(c.stats.fragmentsOut).toBe(2 * 101);
    expect(ny.ep.connection('fra@127.0.0.1')!.stats.fragmentsIn).toBe(2 * 101);
  });

  it('pass-through framing and header-only framing between two TS endpoints', async () => {
    for (const remove of [DFlag.DIST_HDR_ATOM_CACHE | DFlag.FRAGMENTS, DFlag.DIST_HDR_ATOM_CACHE]) {
      const tag = remove === DFlag.DIST_HDR_ATOM_CACHE ? 'h' : 'p';
      const { nx, ny, c } = await pair(`${tag}ta`, `${tag}tb`, { flags: { remove } });
      const q = ny.pid();
      c.send(nx.pid(), q, tuple(atom('framed'), Buffer.alloc(70_000, 7)));
      const m = await ny.waitFor('message', (s) => s.to.equals(q));
      expect(((m.msg as Tuple).elements[1] as Uint8Array).length).toBe(70_000);
      expect(c.cacheStats.out.newEntries).toBe(0);
    }
  });

  it('an unknown op from a peer closes that connection with ERR_DIST_BAD_CONTROL; others live on', async () => {
    const { ny, c } = await pair('uoa', 'uob');
    c.sendRaw(tuple(99, atom('what')));
    const down = await ny.waitFor('down');
    expect((down.reason as DistError).code).toBe(DistCode.BadControl);
    expect(ab.isOpen).toBe(true);
  });

  it('back-pressure: needsDrain while the peer does not read, drain() resolves once it does', async () => {
    const { nx, ny, c } = await pair('bpa', 'bpb', { highWaterMark: 256 * 1024 });
    const q = ny.pid();
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    // The peer's event loop keeps reading, so fill faster than it can: many sends in one turn.
    while (!c.needsDrain && sent < 10_000) {
      c.send(nx.pid(), q, chunk);
      sent++;
    }
    expect(c.needsDrain).toBe(true);
    await c.drain();
    expect(c.needsDrain).toBe(false);
    await ny.waitFor('message', (s) => s.to.equals(q) && ny.signals.filter((x) => x.kind === 'message' && x.to.equals(q)).length === sent, 30_000);
  });

  it('close(): the peer sees the connection go, links and monitors can fire (connectionDown)', async () => {
    const { nx, ny, c } = await pair('cla', 'clb');
    c.close();
    expect((await c.closed as DistError).code).toBe(DistCode.Shutdown);
    const down = await ny.waitFor('down');
    expect((down.reason as DistError).code).toBe(DistCode.Closed);
    expect(nx.ep.nodes()).toEqual([]);
    expect(c.send(nx.pid(), ny.pid(), atom('late'))).toBe(false);
    void Atom;
  });
});
