/**
 * Handshake, names and EPMD against real BEAM nodes of every available OTP release: both
 * roles, wrong cookies both ways, hidden and visible, the old `n` name, dynamic names both
 * ways, a real epmd, our embedded EPMD with short names, and epmd-less operation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atom, Tuple, type Term } from '../../../src/term/index.js';
import { DFlag, EpmdClient, HandshakeCode, HandshakeError, MANDATORY_26 } from '../../../src/net/erlang/index.js';
import { otpReleases, type Otp } from '../../support/otp.js';
import { RawNode } from '../../net/erlang/raw-node.js';
import { Beam, Epmd, freePort, lit } from './beam.js';

const releases = otpReleases();
const COOKIE = 'dist-handshake-cookie';

interface Peers {
  main: Beam;
  dyn: Beam;
  noEpmd: Beam;
  noEpmdPort: number;
  short: Beam;
  shortTs: RawNode;
}

let epmd: Epmd;
const peers = new Map<Otp, Peers>();
const nodes: RawNode[] = [];

async function ts(opts: Partial<Parameters<typeof RawNode.start>[0]> & { name: string }): Promise<RawNode> {
  const n = await RawNode.start({ cookie: COOKIE, epmd: { port: epmd.port, embedded: false }, netTicktime: 60, ...opts });
  nodes.push(n);
  return n;
}

beforeAll(async () => {
  epmd = await Epmd.start();
  await Promise.all(
    releases.map(async (otp, i) => {
      const noEpmdPort = await freePort();
      const shortEpmdPort = await freePort();
      // Our embedded EPMD is up first, so the short-name BEAM registers with it.
      const shortTs = await ts({ name: `tss${i}@localhost`, epmd: { port: shortEpmdPort, embedded: true } });
      const [main, dyn, noEpmd, short] = await Promise.all([
        Beam.start(otp, { name: `h${i}@127.0.0.1`, cookie: COOKIE, epmdPort: epmd.port }),
        Beam.start(otp, { name: 'undefined@127.0.0.1', cookie: COOKIE, epmdPort: epmd.port }),
        Beam.start(otp, { name: `ne${i}@127.0.0.1`, cookie: COOKIE, epmdPort: epmd.port, args: ['-erl_epmd_port', String(noEpmdPort)] }),
        Beam.start(otp, { name: `bs${i}@localhost`, sname: true, cookie: COOKIE, epmdPort: shortEpmdPort }),
      ]);
      peers.set(otp, { main, dyn, noEpmd, noEpmdPort, short, shortTs });
    }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await Promise.all([...peers.values()].flatMap((p) => [p.main.stop(), p.dyn.stop(), p.noEpmd.stop(), p.short.stop()]));
  await epmd?.stop();
});

function atoms(t: Term): string[] {
  return (t as Term[]).map((a) => (a as { name: string }).name);
}

describe.each(releases.map((otp, i) => [otp.label, otp, i] as const))('handshake with %s', (label, otp, i) => {
  const beamNode = `h${i}@127.0.0.1`;

  it(`TS connects to BEAM; BEAM lists it in nodes() (${label})`, async () => {
    const n = await ts({ name: `tsa${i}@127.0.0.1` });
    const conn = await n.ep.connect(beamNode);
    expect(conn.initiated).toBe(true);
    expect(conn.visible).toBe(true);
    expect(conn.node).toBe(atom(beamNode));
    expect(conn.peerFlags & MANDATORY_26).toBe(MANDATORY_26);
    expect(conn.peerFlags & DFlag.PUBLISHED).toBe(DFlag.PUBLISHED);
    // OTP 28+ offers ALTACT_SIG, OTP 29 native records too.
    const major = Number(otp.release);
    expect((conn.peerFlags & DFlag.ALTACT_SIG) !== 0n).toBe(major >= 28);
    expect((conn.peerFlags & DFlag.NATIVE_RECORDS) !== 0n).toBe(major >= 29);
    expect(conn.peerCreation).toBeGreaterThan(3);
    expect(await peers.get(otp)!.main.nodesWith('visible', `tsa${i}@127.0.0.1`)).toContain(`tsa${i}@127.0.0.1`);
    // The connection carries traffic: BEAM pings us over it.
    expect(await peers.get(otp)!.main.eval(`net_adm:ping('tsa${i}@127.0.0.1')`)).toBe(atom('pong'));
  });

  it(`BEAM connects to TS: net_adm:ping gets pong (${label})`, async () => {
    const n = await ts({ name: `tsb${i}@127.0.0.1` });
    expect(await peers.get(otp)!.main.eval(`net_adm:ping('tsb${i}@127.0.0.1')`)).toBe(atom('pong'));
    const up = await n.waitFor('up');
    expect(up.conn.initiated).toBe(false);
    expect(up.conn.visible).toBe(true);
    expect(n.ep.nodes('visible')).toContain(atom(beamNode));
    // net_adm:ping is a gen call to net_kernel: MONITOR_P by name, REG_SEND, DEMONITOR_P.
    const mon = await n.waitFor('monitor', (s) => s.to === atom('net_kernel'));
    await n.waitFor('demonitor', (s) => s.ref.equals(mon.ref));
  });

  it(`wrong cookie, TS dialling: BEAM refuses (${label})`, async () => {
    const n = await ts({ name: `tsc${i}@127.0.0.1`, cookie: 'not-the-cookie' });
    const err = await n.ep.connect(beamNode).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandshakeError);
    // OTP just closes the socket after a bad challenge reply.
    expect((err as HandshakeError).code).toBe(HandshakeCode.Closed);
    expect((err as HandshakeError).step).toBe('recv_challenge_ack');
    await peers.get(otp)!.main.waitLog(/tsc\d@127\.0\.0\.1.*rejected|rejected.*tsc\d/i);
    expect(atoms(await peers.get(otp)!.main.eval('nodes(connected)'))).not.toContain(`tsc${i}@127.0.0.1`);
  });

  it(`wrong cookie, BEAM dialling: TS refuses, ping gets pang (${label})`, async () => {
    const n = await ts({ name: `tsd${i}@127.0.0.1`, cookie: 'not-the-cookie' });
    expect(await peers.get(otp)!.main.eval(`net_adm:ping('tsd${i}@127.0.0.1')`)).toBe(atom('pang'));
    const err = n.errors.find((e) => e instanceof HandshakeError) as HandshakeError;
    expect(err.code).toBe(HandshakeCode.BadDigest);
    expect(err.step).toBe('recv_challenge_reply');
    expect(n.ep.nodes()).toEqual([]);
  });

  it(`hidden TS: in nodes(hidden) only, both ways (${label})`, async () => {
    const beam = peers.get(otp)!.main;
    const n = await ts({ name: `tse${i}@127.0.0.1`, hidden: true });
    const conn = await n.ep.connect(beamNode);
    expect(conn.visible).toBe(false);
    expect(conn.flags & DFlag.PUBLISHED).toBe(0n);
    expect(await beam.nodesWith('hidden', `tse${i}@127.0.0.1`)).toContain(`tse${i}@127.0.0.1`);
    expect(atoms(await beam.eval('nodes()'))).not.toContain(`tse${i}@127.0.0.1`);
    const m = await ts({ name: `tsf${i}@127.0.0.1`, hidden: true });
    expect(await beam.eval(`net_adm:ping('tsf${i}@127.0.0.1')`)).toBe(atom('pong'));
    expect(atoms(await beam.eval('nodes(hidden)'))).toContain(`tsf${i}@127.0.0.1`);
    expect(atoms(await beam.eval('nodes()'))).not.toContain(`tsf${i}@127.0.0.1`);
    expect(m.ep.nodes('hidden')).toContain(atom(beamNode));
  });

  it(`old n name message: refused by 25.0–25.2, taken by 25.3+ (${label})`, async () => {
    const n = await ts({ name: `tsg${i}@127.0.0.1`, legacyName: true });
    const result = await n.ep.connect(beamNode).then(
      (c) => c,
      (e: unknown) => e,
    );
    if (/^25\.[0-2](\.|$)/.test(otp.version)) {
      expect(result).toBeInstanceOf(HandshakeError);
      expect((result as HandshakeError).step).toBe('recv_status');
    } else {
      expect(result).not.toBeInstanceOf(Error);
      expect(await peers.get(otp)!.main.eval(`net_adm:ping('tsg${i}@127.0.0.1')`)).toBe(atom('pong'));
    }
  });

  it(`dynamic name: BEAM names a TS node that asks (NAME_ME) (${label})`, async () => {
    const beam = peers.get(otp)!.main;
    const n = await ts({ name: 'undefined@127.0.0.1' });
    expect(n.ep.node).toBeUndefined();
    const conn = await n.ep.connect(beamNode);
    // OTP net_kernel: generate_node_name — upper-case base 36 of a random number.
    expect(n.ep.name).toMatch(/^[0-9A-Z]+@127\.0\.0\.1$/);
    expect(conn.localNode).toBe(atom(n.ep.name));
    expect(n.ep.creation).toBeGreaterThan(0);
    // Dynamic names are hidden (OTP dist_util: publish_flag gives NAME_ME instead of PUBLISHED).
    expect(conn.visible).toBe(false);
    expect(await beam.nodesWith('hidden', n.ep.name)).toContain(n.ep.name);
    await beam.eval(`dist_peer:start_sink(dyn_sink${i})`);
    conn.regSend(n.pid(), atom(`dyn_sink${i}`), atom('named_hello'));
    expect(await beam.eval(`dist_peer:wait_msgs(dyn_sink${i}, 1, 5000)`)).toEqual([atom('named_hello')]);
  });

  it(`dynamic name: TS names a BEAM started as undefined@host (${label})`, async () => {
    const dyn = peers.get(otp)!.dyn;
    const n = await ts({ name: `tsh${i}@127.0.0.1` });
    expect(await dyn.eval(`net_kernel:connect_node('tsh${i}@127.0.0.1')`)).toBe(true);
    const given = (await dyn.eval('node()')) as { name: string };
    expect(given.name).toMatch(/^[0-9A-Z]+@127\.0\.0\.1$/);
    const up = await n.waitFor('up');
    expect(up.conn.node.name).toBe(given.name);
    expect(up.conn.visible).toBe(false);
    expect(await dyn.nodesWith('hidden', `tsh${i}@127.0.0.1`)).toContain(`tsh${i}@127.0.0.1`);
  });

  it(`not_allowed: a node without V4_NC / UNLINK_ID is refused by OTP 26+ (${label})`, async () => {
    const beam = peers.get(otp)!.main;
    const n = await ts({ name: `tsl${i}@127.0.0.1`, flags: { remove: DFlag.V4_NC | DFlag.UNLINK_ID }, required: 0n });
    const result = await n.ep.connect(beamNode).then(
      (c) => c,
      (e: unknown) => e,
    );
    if (Number(otp.release) >= 26) {
      expect((result as HandshakeError).code).toBe(HandshakeCode.NotAllowed);
      await beam.waitLog(/tsl\d@127\.0\.0\.1.*(V4_NC|UNLINK_ID)/);
    } else {
      expect(result).not.toBeInstanceOf(Error);
    }
  });

  it(`alive: a TS node that comes back under the same name while BEAM holds the old connection is let in (${label})`, async () => {
    const beam = peers.get(otp)!.main;
    const first = await ts({ name: `tsm${i}@127.0.0.1` });
    const old = await first.ep.connect(beamNode);
    const port = (await new EpmdClient({ port: epmd.port }).portPlease(`h${i}`)).port;
    const again = await ts({ name: `tsm${i}@127.0.0.1`, epmd: false, routes: { [beamNode]: { port } }, creation: 4242 });
    const conn = await again.ep.connect(beamNode);
    expect(conn.status).toBe('alive');
    expect(conn.isOpen).toBe(true);
    await old.closed;
    // The BEAM talks to the new incarnation: its pids carry the new creation.
    const p = again.pid();
    expect(p.creation).toBe(4242);
    await beam.eval(`erlang:send(${lit(p)}, hello_again)`);
    await again.waitFor('message', (m) => m.to.equals(p) && m.msg === atom('hello_again'));
    expect(await beam.nodesWith('visible', `tsm${i}@127.0.0.1`)).toContain(`tsm${i}@127.0.0.1`);
  });

  it(`simultaneous connect with BEAM ends in one connection both sides use (${label})`, async () => {
    const beam = peers.get(otp)!.main;
    // Names on both sides of the BEAM's name, so either side may win the race.
    for (const name of [`a${i}sim@127.0.0.1`, `z${i}sim@127.0.0.1`]) {
      const n = await ts({ name });
      const [conn] = await Promise.all([n.ep.connect(beamNode), beam.eval(`net_kernel:connect_node('${name}')`)]);
      await new Promise((r) => setTimeout(r, 200));
      expect(n.ep.nodes()).toEqual([atom(beamNode)]);
      const live = n.ep.connection(beamNode)!;
      expect(live.isOpen).toBe(true);
      void conn;
      await beam.eval(`dist_peer:start_sink(sim_${name.slice(0, 5)})`);
      live.regSend(n.pid(), atom(`sim_${name.slice(0, 5)}`), atom('after_race'));
      expect(await beam.eval(`dist_peer:wait_msgs(sim_${name.slice(0, 5)}, 1, 5000)`)).toEqual([atom('after_race')]);
      expect(await beam.nodesWith('visible', name)).toContain(name);
    }
  });

  it(`registers with a real epmd: BEAM resolves it; we resolve BEAM (${label})`, async () => {
    const beam = peers.get(otp)!.main;
    const n = await ts({ name: `tsi${i}@127.0.0.1` });
    expect(n.ep.creation).toBeGreaterThan(3);
    const names = (await beam.eval(`net_adm:names("127.0.0.1")`)) as Tuple;
    const list = (names.elements[1] as Tuple[]).map((t) => [Buffer.from(t.elements[0] as number[]).toString(), t.elements[1]]);
    expect(list).toContainEqual([`tsi${i}`, n.ep.port]);
    const client = new EpmdClient({ port: epmd.port });
    const entry = await client.portPlease(`h${i}`);
    expect(entry.highVersion).toBe(6);
    expect(entry.port).toBeGreaterThan(0);
    expect((await client.names()).names.map((x) => x.name)).toEqual(expect.arrayContaining([`h${i}`, `tsi${i}`]));
  });

  it(`epmd-less: TS reaches a BEAM without EPMD (-erl_epmd_port) by a static port (${label})`, async () => {
    const p = peers.get(otp)!;
    const n = await ts({ name: `tsj${i}@127.0.0.1`, epmd: false, defaultPort: p.noEpmdPort, creation: 12345 });
    expect(n.ep.creation).toBe(12345);
    const conn = await n.ep.connect(`ne${i}@127.0.0.1`);
    expect(conn.visible).toBe(true);
    await p.noEpmd.eval(`dist_peer:start_sink(ne_sink${i})`);
    conn.regSend(n.pid(), atom(`ne_sink${i}`), atom('no_epmd'));
    expect(await p.noEpmd.eval(`dist_peer:wait_msgs(ne_sink${i}, 1, 5000)`)).toEqual([atom('no_epmd')]);
    expect(await p.noEpmd.nodesWith('visible', `tsj${i}@127.0.0.1`)).toContain(`tsj${i}@127.0.0.1`);
  });

  it(`short names through our embedded EPMD: BEAM registers with it, both dial (${label})`, async () => {
    const { short, shortTs } = peers.get(otp)!;
    const epmdServer = shortTs.ep.embeddedEpmd!;
    expect(epmdServer).toBeDefined();
    const reg = epmdServer.lookup(`bs${i}`)!;
    expect(reg).toBeDefined();
    expect(reg.highVersion).toBe(6);
    // The creation BEAM took is the one our EPMD gave it.
    expect(await short.eval('erlang:system_info(creation)')).toBe(reg.creation);
    expect(epmdServer.lookup(`tss${i}`)!.creation).toBe(shortTs.ep.creation);
    expect(await short.eval(`net_adm:ping('tss${i}@localhost')`)).toBe(atom('pong'));
    const conn = await shortTs.ep.connect(`bs${i}@localhost`);
    expect(conn.initiated).toBe(false);
    expect(atoms(await short.eval('nodes()'))).toEqual([`tss${i}@localhost`]);
    // A second TS node resolves the BEAM through our EPMD and dials it.
    const other = await ts({ name: `tsk${i}@localhost`, epmd: { port: epmdServer.port } });
    const c2 = await other.ep.connect(`bs${i}@localhost`);
    expect(c2.initiated).toBe(true);
  });
});
