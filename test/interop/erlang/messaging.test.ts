/**
 * Traffic between a raw TS connection and real BEAM processes on every available OTP: sends
 * by pid, name and alias both ways, the atom cache both ways, fragments both ways,
 * pass-through framing, and link / unlink / exit / monitor / spawn / group-leader signals
 * with the shapes OTP gives them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { atom, Atom, Pid, Ref, Tuple, tuple, type Term } from '../../../src/term/index.js';
import { connect } from 'node:net';
import { DFlag, Dop, HandshakeIO, initiate, OTP_DEFAULT, SpawnFlag, type DistConnection, type DistError } from '../../../src/net/erlang/index.js';
import { otpReleases, type Otp } from '../../support/otp.js';
import { RawNode } from '../../net/erlang/raw-node.js';
import { Beam, Epmd, lit } from './beam.js';

const releases = otpReleases();
const COOKIE = 'dist-messaging-cookie';

interface Peer {
  beam: Beam;
  ts: RawNode;
  conn: DistConnection;
  node: string;
  tsNode: string;
}

let epmd: Epmd;
const peers = new Map<Otp, Peer>();
const extra: RawNode[] = [];

beforeAll(async () => {
  epmd = await Epmd.start();
  await Promise.all(
    releases.map(async (otp, i) => {
      const node = `m${i}@127.0.0.1`;
      const tsNode = `tm${i}@127.0.0.1`;
      const [beam, ts] = await Promise.all([
        Beam.start(otp, { name: node, cookie: COOKIE, epmdPort: epmd.port }),
        RawNode.start({ name: tsNode, cookie: COOKIE, epmd: { port: epmd.port, embedded: false } }),
      ]);
      const conn = await ts.ep.connect(node);
      peers.set(otp, { beam, ts, conn, node, tsNode });
    }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([...peers.values()].map((p) => p.ts.stop()));
  await Promise.all(extra.map((n) => n.stop()));
  await Promise.all([...peers.values()].map((p) => p.beam.stop()));
  await epmd?.stop();
});

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest();

describe.each(releases.map((otp, i) => [otp.label, otp, i] as const))('messaging with %s', (label, otp, i) => {
  const P = () => peers.get(otp)!;

  it(`TS → BEAM: send by pid, by name and to an alias (${label})`, async () => {
    const { beam, ts, conn } = P();
    const sinkPid = (await beam.eval(`dist_peer:start_sink(to_pid${i})`)) as Pid;
    await beam.eval(`dist_peer:start_sink(to_name${i})`);
    const [, alias] = ((await beam.eval(`dist_peer:alias_sink(to_alias${i})`)) as Tuple).elements as [Pid, Ref];
    const me = ts.pid();
    expect(conn.send(me, sinkPid, tuple(atom('by_pid'), 1))).toBe(true);
    expect(conn.regSend(me, atom(`to_name${i}`), tuple(atom('by_name'), 2))).toBe(true);
    // OTP 28+ peers get op 37 (ALTACT_SIG_SEND with ALIAS), older ones op 33.
    expect(conn.aliasSend(me, alias, tuple(atom('by_alias'), 3))).toBe(true);
    expect(await beam.eval(`dist_peer:wait_msgs(to_pid${i}, 1, 5000)`)).toEqual([tuple(atom('by_pid'), 1)]);
    expect(await beam.eval(`dist_peer:wait_msgs(to_name${i}, 1, 5000)`)).toEqual([tuple(atom('by_name'), 2)]);
    expect(await beam.eval(`dist_peer:wait_msgs(to_alias${i}, 1, 5000)`)).toEqual([tuple(atom('by_alias'), 3)]);
  });

  it(`BEAM → TS: send by pid (SEND_SENDER), by name (REG_SEND), to an alias (${label})`, async () => {
    const { beam, ts, tsNode } = P();
    const p = ts.pid();
    const alias = ts.ref();
    const sender = (await beam.eval(`begin erlang:send(${lit(p)}, {by_pid, self()}), self() end`)) as Pid;
    const m = await ts.waitFor('message', (s) => s.to.equals(p));
    expect(m.from!.equals(sender)).toBe(true);
    expect(m.msg).toEqual(tuple(atom('by_pid'), sender));
    expect(m.prio).toBe(false);
    await beam.eval(`{ts_inbox${i}, '${tsNode}'} ! by_name`);
    const r = await ts.waitFor('regMessage', (s) => s.to === atom(`ts_inbox${i}`));
    expect(r.msg).toBe(atom('by_name'));
    await beam.eval(`${lit(alias)} ! by_alias`);
    const a = await ts.waitFor('aliasMessage', (s) => s.to.equals(alias));
    expect(a.msg).toBe(atom('by_alias'));
  });

  it(`atom cache both ways: BEAM reuses entries toward us, ours save bytes (${label})`, async () => {
    const { beam, ts, conn } = P();
    const p = ts.pid();
    // BEAM → TS: the same atoms many times; OTP sends them as cache references after the first.
    await beam.eval(`[erlang:send(${lit(p)}, {cache_probe_atom, some_long_atom_name_for_the_cache, N}) || N <- lists:seq(1, 20)]`);
    for (let n = 1; n <= 20; n++) await ts.waitFor('message', (s) => s.to.equals(p) && (s.msg as Tuple).elements[2] === n);
    expect(conn.cacheStats.in.hits).toBeGreaterThan(20);
    // TS → BEAM: the same message twice; the second is smaller by about the atom texts.
    await beam.eval(`dist_peer:start_sink(cache_sink${i})`);
    const msg = tuple(atom('a_rather_long_atom_to_cache_number_one'), atom('a_rather_long_atom_to_cache_number_two'), 42);
    const before = conn.stats.bytesOut;
    conn.regSend(p, atom(`cache_sink${i}`), msg);
    conn.flush();
    const first = conn.stats.bytesOut - before;
    conn.regSend(p, atom(`cache_sink${i}`), msg);
    conn.flush();
    const second = conn.stats.bytesOut - before - first;
    expect(first - second).toBeGreaterThan(60);
    expect(conn.cacheStats.out.hits).toBeGreaterThan(0);
    expect(await beam.eval(`dist_peer:wait_msgs(cache_sink${i}, 2, 5000)`)).toEqual([msg, msg]);
  });

  it(`fragments both ways: 300 KB binaries arrive whole (${label})`, async () => {
    const { beam, ts, conn } = P();
    const p = ts.pid();
    const fragsBefore = conn.stats.fragmentsIn;
    await beam.eval(`erlang:send(${lit(p)}, {big, binary:copy(<<"0123456789abcdef">>, 20000)})`);
    const m = await ts.waitFor('message', (s) => s.to.equals(p));
    const big = (m.msg as Tuple).elements[1] as Uint8Array;
    expect(big.length).toBe(320000);
    expect(Buffer.from(big).equals(Buffer.alloc(320000, '0123456789abcdef'))).toBe(true);
    // OTP cuts at 64 KiB: five fragments.
    expect(conn.stats.fragmentsIn - fragsBefore).toBeGreaterThanOrEqual(5);
    await beam.eval(`dist_peer:start_sink(frag_sink${i})`);
    const payload = Buffer.alloc(300_001);
    for (let k = 0; k < payload.length; k++) payload[k] = (k * 31 + 7) & 0xff;
    const out = conn.stats.fragmentsOut;
    conn.regSend(p, atom(`frag_sink${i}`), tuple(atom('big_from_ts'), payload, atom('after_payload_atom')));
    expect(conn.stats.fragmentsOut - out).toBe(5);
    const got = await beam.eval(`[{Tag, byte_size(B), erlang:md5(B), A} || {Tag, B, A} <- dist_peer:wait_msgs(frag_sink${i}, 1, 5000)]`);
    expect(got).toEqual([tuple(atom('big_from_ts'), 300_001, md5(payload), atom('after_payload_atom'))]);
  });

  it(`pass-through framing (no atom cache, no fragments) both ways (${label})`, async () => {
    const { beam, node } = P();
    const ts = await RawNode.start({ name: `tp${i}@127.0.0.1`, cookie: COOKIE, epmd: { port: epmd.port, embedded: false }, flags: { remove: DFlag.DIST_HDR_ATOM_CACHE | DFlag.FRAGMENTS } });
    extra.push(ts);
    const conn = await ts.ep.connect(node);
    expect(conn.flags & (DFlag.DIST_HDR_ATOM_CACHE | DFlag.FRAGMENTS)).toBe(0n);
    const p = ts.pid();
    await beam.eval(`dist_peer:start_sink(pt_sink${i})`);
    conn.regSend(p, atom(`pt_sink${i}`), tuple(atom('pass_through'), Buffer.alloc(100_000, 1)));
    expect(await beam.eval(`[{T, byte_size(B)} || {T, B} <- dist_peer:wait_msgs(pt_sink${i}, 1, 5000)]`)).toEqual([tuple(atom('pass_through'), 100_000)]);
    await beam.eval(`erlang:send(${lit(p)}, {pass_back, binary:copy(<<"x">>, 100000)})`);
    const m = await ts.waitFor('message', (s) => s.to.equals(p));
    expect(((m.msg as Tuple).elements[1] as Uint8Array).length).toBe(100_000);
    expect(conn.stats.fragmentsIn).toBe(0);
    expect(conn.cacheStats.in.newEntries + conn.cacheStats.out.newEntries).toBe(0);
  });

  it(`header without atom cache (FRAGMENTS only) both ways (${label})`, async () => {
    const { beam, node } = P();
    const ts = await RawNode.start({ name: `tq${i}@127.0.0.1`, cookie: COOKIE, epmd: { port: epmd.port, embedded: false }, flags: { remove: DFlag.DIST_HDR_ATOM_CACHE } });
    extra.push(ts);
    const conn = await ts.ep.connect(node);
    const p = ts.pid();
    await beam.eval(`dist_peer:start_sink(hq_sink${i})`);
    conn.regSend(p, atom(`hq_sink${i}`), tuple(atom('no_cache'), Buffer.alloc(200_000, 2)));
    expect(await beam.eval(`[{T, byte_size(B)} || {T, B} <- dist_peer:wait_msgs(hq_sink${i}, 1, 5000)]`)).toEqual([tuple(atom('no_cache'), 200_000)]);
    await beam.eval(`erlang:send(${lit(p)}, {back, binary:copy(<<"y">>, 200000)})`);
    await ts.waitFor('message', (s) => s.to.equals(p));
    expect(conn.stats.fragmentsIn).toBeGreaterThanOrEqual(4);
    expect(conn.stats.fragmentsOut).toBeGreaterThanOrEqual(4);
  });

  it(`BEAM links, unlinks (UNLINK_ID, acked), relinks and exits: shapes as sent (${label})`, async () => {
    const { beam, ts } = P();
    const p = ts.pid();
    const linker = (await beam.eval(`dist_peer:linker(linker${i}, ${lit(p)})`)) as Pid;
    const l = await ts.waitFor('link', (s) => s.to.equals(p));
    expect(l.from.equals(linker)).toBe(true);
    await beam.eval(`linker${i} ! {unlink, ${lit(p)}}`);
    const u = await ts.waitFor('unlink', (s) => s.to.equals(p));
    expect(u.from.equals(linker)).toBe(true);
    expect(Number(u.id)).toBeGreaterThan(0);
    await beam.eval(`linker${i} ! {link, ${lit(p)}}`);
    await ts.waitFor('link', (s) => s.to.equals(p) && s !== l);
    await beam.eval(`linker${i} ! {exit, {shutdown, because}}`);
    const x = await ts.waitFor('linkExit', (s) => s.to.equals(p));
    expect(x.from.equals(linker)).toBe(true);
    expect(x.reason).toEqual(tuple(atom('shutdown'), atom('because')));
    // exit/2 from BEAM, and a link to a TS pid that is gone (answered EXIT noproc).
    await beam.eval(`exit(${lit(p)}, kill)`);
    const e2 = await ts.waitFor('exit2', (s) => s.to instanceof Pid && s.to.equals(p));
    expect(e2.reason).toBe(atom('kill'));
    const dead = ts.pid();
    ts.kill(dead);
    await beam.eval(`dist_peer:linker(linker_dead${i}, ${lit(dead)})`);
    const got = await beam.eval(`dist_peer:wait_msgs(linker_dead${i}, 1, 5000)`);
    expect(got).toEqual([tuple(atom('EXIT'), dead, atom('noproc'))]);
  });

  it(`BEAM monitors a TS pid and a TS name; DOWN both ways, noproc, demonitor (${label})`, async () => {
    const { beam, ts, conn, tsNode } = P();
    const p = ts.pid();
    const [mon, mref] = ((await beam.eval(`dist_peer:monitorer(mon${i}, ${lit(p)})`)) as Tuple).elements as [Pid, Ref];
    const m = await ts.waitFor('monitor', (s) => s.ref.equals(mref));
    expect(m.from.equals(mon)).toBe(true);
    expect(m.to instanceof Pid && m.to.equals(p)).toBe(true);
    conn.monitorExit(p, mon, mref, tuple(atom('gone'), 1));
    expect(await beam.eval(`dist_peer:wait_msgs(mon${i}, 1, 5000)`)).toEqual([tuple(atom('DOWN'), mref, atom('process'), p, tuple(atom('gone'), 1))]);
    // By name: the DOWN names {Name, Node}.
    ts.register(`named${i}`, ts.pid());
    const [mon2, mref2] = ((await beam.eval(`dist_peer:monitorer(mon_name${i}, {named${i}, '${tsNode}'})`)) as Tuple).elements as [Pid, Ref];
    const m2 = await ts.waitFor('monitor', (s) => s.ref.equals(mref2));
    expect(m2.to).toBe(atom(`named${i}`));
    conn.monitorExit(atom(`named${i}`), mon2, mref2, atom('normal'));
    expect(await beam.eval(`dist_peer:wait_msgs(mon_name${i}, 1, 5000)`)).toEqual([tuple(atom('DOWN'), mref2, atom('process'), tuple(atom(`named${i}`), atom(tsNode)), atom('normal'))]);
    // A pid that is gone: noproc at once.
    const dead = ts.pid();
    ts.kill(dead);
    const [, mref3] = ((await beam.eval(`dist_peer:monitorer(mon_dead${i}, ${lit(dead)})`)) as Tuple).elements as [Pid, Ref];
    expect(await beam.eval(`dist_peer:wait_msgs(mon_dead${i}, 1, 5000)`)).toEqual([tuple(atom('DOWN'), mref3, atom('process'), dead, atom('noproc'))]);
    // demonitor.
    const q = ts.pid();
    const [, mref4] = ((await beam.eval(`dist_peer:monitorer(mon_de${i}, ${lit(q)})`)) as Tuple).elements as [Pid, Ref];
    await ts.waitFor('monitor', (s) => s.ref.equals(mref4));
    await beam.eval(`dist_peer:do(mon_de${i}, fun() -> erlang:demonitor(${lit(mref4)}) end)`);
    const d = await ts.waitFor('demonitor', (s) => s.ref.equals(mref4));
    expect(d.to instanceof Pid && d.to.equals(q)).toBe(true);
  });

  it(`TS links to, monitors, unlinks and exits BEAM processes (${label})`, async () => {
    const { beam, ts, conn, node } = P();
    const p = ts.pid();
    const target = (await beam.eval(`spawn(dist_peer, stay, [])`)) as Pid;
    conn.link(p, target);
    const r1 = ts.ref();
    conn.monitor(p, target, r1);
    await beam.eval(`begin timer:sleep(100), exit(${lit(target)}, kill) end`);
    const x = await ts.waitFor('linkExit', (s) => s.from.equals(target));
    expect(x.to.equals(p)).toBe(true);
    expect(x.reason).toBe(atom('killed'));
    const d = await ts.waitFor('monitorExit', (s) => s.ref.equals(r1));
    expect(d.reason).toBe(atom('killed'));
    expect(d.from instanceof Pid && d.from.equals(target)).toBe(true);
    // A dead target: LINK answered with EXIT noproc, MONITOR_P with DOWN noproc.
    const r2 = ts.ref();
    conn.link(p, target);
    conn.monitor(p, target, r2);
    expect((await ts.waitFor('linkExit', (s) => s.from.equals(target) && s !== x)).reason).toBe(atom('noproc'));
    expect((await ts.waitFor('monitorExit', (s) => s.ref.equals(r2))).reason).toBe(atom('noproc'));
    // By name, then the name goes away.
    await beam.eval(`dist_peer:start_sink(watched${i})`);
    const r3 = ts.ref();
    conn.monitor(p, atom(`watched${i}`), r3);
    await beam.eval(`begin timer:sleep(100), exit(whereis(watched${i}), bye) end`);
    const d3 = await ts.waitFor('monitorExit', (s) => s.ref.equals(r3));
    expect(d3.from).toBe(atom(`watched${i}`));
    expect(d3.reason).toBe(atom('bye'));
    // UNLINK_ID: the BEAM acks it.
    const t2 = (await beam.eval(`spawn(dist_peer, stay, [])`)) as Pid;
    conn.link(p, t2);
    conn.unlinkId(7, p, t2);
    const ack = await ts.waitFor('unlinkAck', (s) => s.from.equals(t2));
    expect(ack.id).toBe(7);
    expect(ack.to.equals(p)).toBe(true);
    expect(await beam.eval(`erlang:process_info(${lit(t2)}, links)`)).toEqual(tuple(atom('links'), []));
    // exit/2 to a trapping process: it gets the EXIT message.
    const lk = (await beam.eval(`dist_peer:linker(trapper${i}, spawn(dist_peer, stay, []))`)) as Pid;
    conn.exit2(p, lk, tuple(atom('custom'), atom('exit2')));
    expect(await beam.eval(`dist_peer:wait_msgs(trapper${i}, 1, 5000)`)).toEqual([tuple(atom('EXIT'), p, tuple(atom('custom'), atom('exit2')))]);
    void node;
  });

  it(`spawn both ways: SPAWN_REQUEST / SPAWN_REPLY with link and monitor flags (${label})`, async () => {
    const { beam, ts, conn, tsNode } = P();
    const p = ts.pid();
    const reqId = ts.ref();
    conn.spawnRequest({ reqId, from: p, groupLeader: p, module: atom('dist_peer'), fn: atom('spawned'), args: [10_000], options: [atom('link'), atom('monitor')] });
    const rep = await ts.waitFor('spawnReply', (s) => s.reqId.equals(reqId));
    expect(rep.flags).toBe(SpawnFlag.LINK | SpawnFlag.MONITOR);
    const child = rep.result as Pid;
    expect(child).toBeInstanceOf(Pid);
    conn.send(p, child, tuple(atom('stop'), atom('done_here')));
    expect((await ts.waitFor('linkExit', (s) => s.from.equals(child))).reason).toBe(atom('done_here'));
    expect((await ts.waitFor('monitorExit', (s) => s.ref.equals(reqId))).reason).toBe(atom('done_here'));
    // An undefined function still spawns, then dies with undef.
    const req2 = ts.ref();
    conn.spawnRequest({ reqId: req2, from: p, groupLeader: p, module: atom('no_such_module'), fn: atom('f'), args: [], options: [atom('monitor')] });
    const rep2 = await ts.waitFor('spawnReply', (s) => s.reqId.equals(req2));
    expect(rep2.flags).toBe(SpawnFlag.MONITOR);
    const down = await ts.waitFor('monitorExit', (s) => s.ref.equals(req2));
    expect(((down.reason as Tuple).elements[0] as Atom).name).toBe('undef');
    // BEAM → TS: spawn_request with monitor, answered by our handler with a pid and flag 2.
    const made = ts.pid();
    ts.onSpawn = (req, c) => c.spawnReply(req.reqId, req.from, req.options.includes(atom('monitor')) ? SpawnFlag.MONITOR : 0, made);
    const res = await beam.eval(
      `begin R = spawn_request('${tsNode}', some_mod, some_fun, [1, two], [monitor]), receive {spawn_reply, R, ok, P} -> {ok, P} after 5000 -> timeout end end`,
    );
    expect(res).toEqual(tuple(atom('ok'), made));
    const sreq = await ts.waitFor('spawnRequest', (s) => s.req.module === atom('some_mod'));
    expect(sreq.req.fn).toBe(atom('some_fun'));
    expect(sreq.req.arity).toBe(2);
    expect(sreq.req.args).toEqual([1, atom('two')]);
    expect(sreq.req.options).toEqual([atom('monitor')]);
    ts.onSpawn = undefined;
  });

  it(`group leader and trace tokens (${label})`, async () => {
    const { beam, ts, conn } = P();
    const p = ts.pid();
    // BEAM sets the group leader of a TS process: GROUP_LEADER {7, Leader, TsPid}.
    const gl = (await beam.eval(`begin G = spawn(dist_peer, stay, []), group_leader(G, ${lit(p)}), G end`)) as Pid;
    const g = await ts.waitFor('groupLeader', (s) => s.to.equals(p));
    expect(g.leader.equals(gl)).toBe(true);
    // TS sets the group leader of a BEAM process.
    const bp = (await beam.eval(`spawn(dist_peer, stay, [])`)) as Pid;
    conn.groupLeader(p, bp);
    // Poll on the BEAM side: the signal is asynchronous.
    expect(
      await beam.eval(
        `(fun W(0) -> erlang:process_info(${lit(bp)}, group_leader); W(K) -> case erlang:process_info(${lit(bp)}, group_leader) of {group_leader, G} when node(G) =/= node() -> {group_leader, G}; _ -> timer:sleep(20), W(K - 1) end end)(250)`,
      ),
    ).toEqual(tuple(atom('group_leader'), p));
    // A sender with a seq_trace token: SEND_SENDER_TT; we send one back with the token.
    await beam.eval(`begin seq_trace:set_token(label, 17), erlang:send(${lit(p)}, traced), seq_trace:set_token([]) end`);
    const tm = await ts.waitFor('message', (s) => s.to.equals(p) && s.msg === atom('traced'));
    expect(tm.token).toBeInstanceOf(Tuple);
    await beam.eval(`dist_peer:start_sink(tt_sink${i})`);
    conn.regSend(p, atom(`tt_sink${i}`), atom('with_token'), tm.token);
    expect(await beam.eval(`dist_peer:wait_msgs(tt_sink${i}, 1, 5000)`)).toEqual([atom('with_token')]);
    void Dop;
  });

  it(`a second peer that sends garbage is cut off; the BEAM connection carries on (${label})`, async () => {
    const { beam, ts, conn, tsNode } = P();
    const sock = connect({ host: '127.0.0.1', port: ts.ep.port });
    await new Promise((r) => sock.once('connect', r));
    sock.on('error', () => {});
    const evilName = `evil${i}@127.0.0.1`;
    await initiate(new HandshakeIO(sock, 2, 5000), { name: evilName, creation: 5, flags: OTP_DEFAULT | DFlag.PUBLISHED, required: 0n, cookie: () => COOKIE }, { peer: tsNode });
    sock.write(Buffer.from([0, 0, 0, 5, 131, 68, 0, 104, 0]));
    const down = await ts.waitFor('down', (s) => s.conn.node.name === evilName);
    expect((down.reason as DistError).code).toBe('ERR_DIST_BAD_CONTROL');
    expect(conn.isOpen).toBe(true);
    await beam.eval(`dist_peer:start_sink(after_evil${i})`);
    conn.regSend(ts.pid(), atom(`after_evil${i}`), atom('still_fine'));
    expect(await beam.eval(`dist_peer:wait_msgs(after_evil${i}, 1, 5000)`)).toEqual([atom('still_fine')]);
    sock.destroy();
  });

  it(`the BEAM killed with SIGKILL: the connection closes, the handler is told (${label})`, async () => {
    const { beam, ts, conn } = P();
    beam.signal('SIGKILL');
    const reason = await conn.closed;
    expect((reason as DistError).code).toBe('ERR_DIST_CLOSED');
    const down = await ts.waitFor('down', (s) => s.conn === conn);
    expect(down.reason).toBe(reason);
    expect(ts.ep.connection(P().node)).toBeUndefined();
  });
});
