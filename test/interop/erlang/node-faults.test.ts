/**
 * Faults between a TS `Node` and real BEAM nodes (every available OTP): kill -9 of the BEAM
 * mid-stream and a BEAM that goes silent (SIGSTOP) fire every TS link and monitor with
 * `noconnection` and fail what waits; our side leaving gives the BEAM its `noconnection`
 * EXITs and DOWNs; a wrong cookie is refused both ways with nothing delivered; malformed,
 * mutated-real and oversize packets through a live node close that connection only, with a
 * typed error in the node's log, while its other connections carry on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { A, ErrCode, MessageDown, MessageExit, Pid, ProcessID, RuntimeError, Tuple, atom, formatLog, tuple, type MemoryLogger } from '../../../src/index.js';
import { DEFAULT_FLAGS, DFlag, HandshakeIO, initiate } from '../../../src/net/erlang/index.js';
import { Cluster, eachRelease, spawnProbe, until } from './node-kit.js';
import { lit } from './beam.js';

const COOKIE = 'node-faults-cookie';
let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.start({ prefix: 'flt', cookie: COOKIE });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const downOf = (m: unknown): m is MessageDown => m instanceof MessageDown;
const exitOf = (m: unknown): m is MessageExit => m instanceof MessageExit;

function closes(log: MemoryLogger, peer: string): string[] {
  return log.messages.map(formatLog).filter((l) => l.startsWith(`erlang: connection to ${peer} closed`));
}

describe.each(eachRelease())('faults with %s', (label, otp) => {
  const P = () => cluster.get(otp);

  it(`kill -9 of the BEAM mid-stream: every TS link and monitor into it fires noconnection, waits fail, the node goes on (${label})`, async () => {
    const { node, index } = P();
    const name = `bkill${index}@127.0.0.1`;
    const victim = await cluster.beam(otp, name, COOKIE);
    const gs = ((await victim.eval(`node_peer:start(kgs)`)) as Tuple).elements[1] as Pid;
    const b1 = (await victim.eval(`spawn(dist_peer, spawned, [600000])`)) as Pid;
    await victim.eval(`begin P = spawn(dist_peer, spawned, [600000]), register(kreg, P), P end`);
    const { probe: linked } = await spawnProbe(node, true);
    linked.process.link(b1);
    const { probe: oneWay } = await spawnProbe(node, true);
    oneWay.process.link(tuple(atom('kreg'), atom(name)));
    const { probe: watcher } = await spawnProbe(node);
    watcher.process.monitor(b1);
    watcher.process.monitor(tuple(atom('kreg'), atom(name)));
    watcher.process.monitorNode(name);
    await until(async () => ((await victim.eval(`length(element(2, process_info(${lit(b1)}, monitored_by)))`)) as number) === 1, 'monitor in place');
    await until(async () => ((await victim.eval(`length(element(2, process_info(whereis(kreg), monitored_by)))`)) as number) === 2, 'monitors by name in place');
    // Mid-stream: the BEAM blasts messages at a TS process while it dies.
    const { probe: target, pid: tp } = await spawnProbe(node);
    await victim.eval(`begin spawn(dist_peer, blast, [${lit(tp)}, 100000000, {stream, <<"0123456789">>}]), ok end`);
    await until(() => target.got.length > 100, 'stream flowing');
    const call = node.call(gs, tuple(atom('sleep'), 600_000), { timeout: 60_000 }).catch((e: unknown) => e);
    const rpc = P().stack.rpc(name, 'timer', 'sleep', [600_000], { timeout: 60_000 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    victim.signal('SIGKILL');
    const ex = (await linked.next(exitOf)) as MessageExit;
    expect([ex.from, ex.reason]).toEqual([b1, A.noconnection]);
    const ow = (await oneWay.next(exitOf)) as MessageExit;
    expect([ow.from, ow.reason]).toEqual([new ProcessID(atom('kreg'), atom(name)), A.noconnection]);
    const procDowns = () => watcher.got.filter((m): m is MessageDown => downOf(m) && m.kind !== 'node');
    await until(() => procDowns().length === 2 && watcher.got.some((m) => downOf(m) && m.kind === 'node'), 'DOWNs and nodedown');
    expect(procDowns().map((d) => d.reason)).toEqual([A.noconnection, A.noconnection]);
    expect(((await call) as RuntimeError).code).toBe(ErrCode.NoConnection);
    expect(((await rpc) as RuntimeError).code).toBe(ErrCode.NoConnection);
    expect(node.nodes().map((n) => n.name)).not.toContain(name);
    // The node carries on with its other peer.
    expect(await P().beam.eval(`net_adm:ping('${P().tsName}')`)).toBe(atom('pong'));
  });

  it(`a BEAM gone silent (SIGSTOP) is dropped by the tick window: noconnection for links and monitors (${label})`, async () => {
    const { index } = P();
    const name = `bstop${index}@127.0.0.1`;
    const frozen = await cluster.beam(otp, name, COOKIE, ['-kernel', 'net_ticktime', '2']);
    const { node } = await cluster.tsNode(`tstop${index}@127.0.0.1`, COOKIE, { netTicktime: 2 });
    const b = (await frozen.eval(`spawn(dist_peer, spawned, [600000])`)) as Pid;
    const { probe } = await spawnProbe(node, true);
    probe.process.link(b);
    const ref = probe.process.monitor(b);
    await until(async () => ((await frozen.eval(`length(element(2, process_info(${lit(b)}, links)))`)) as number) === 1, 'linked');
    frozen.signal('SIGSTOP');
    try {
      const ex = (await probe.next(exitOf, 20_000)) as MessageExit;
      expect(ex.reason).toBe(A.noconnection);
      const d = (await probe.next((m) => downOf(m) && m.ref.equals(ref), 5_000)) as MessageDown;
      expect(d.reason).toBe(A.noconnection);
    } finally {
      frozen.signal('SIGCONT');
    }
    await node.stop();
  }, 40_000);

  it(`the TS side leaving: the BEAM's links and monitors on TS processes fire noconnection (${label})`, async () => {
    const { beam, beamName, index } = P();
    const tsName = `tleave${index}@127.0.0.1`;
    const { node } = await cluster.tsNode(tsName, COOKIE);
    const { pid } = await spawnProbe(node);
    await beam.eval(`node_peer:trapper(lv_link${index}, {link, ${lit(pid)}})`);
    await beam.eval(`node_peer:trapper(lv_mon${index}, {monitor, ${lit(pid)}})`);
    await until(() => node.processInfo(pid).links.length === 1 && node.processInfo(pid).monitoredBy.length === 1, 'relations in place');
    node.disconnect(beamName);
    expect(await beam.eval(`dist_peer:wait_msgs(lv_link${index}, 1, 5000)`)).toEqual([tuple(atom('EXIT'), pid, A.noconnection)]);
    const d = ((await beam.eval(`dist_peer:wait_msgs(lv_mon${index}, 1, 5000)`)) as Tuple[])[0]!;
    expect([d.elements[0], d.elements[3], d.elements[4]]).toEqual([atom('DOWN'), pid, A.noconnection]);
    await node.stop();
  });

  it(`a wrong cookie is refused both ways, nothing gets through, the node carries on (${label})`, async () => {
    const { beam, beamName, index } = P();
    // TS dials with the wrong cookie.
    const { node: bad, log: badLog } = await cluster.tsNode(`tbadck${index}@127.0.0.1`, 'not-the-cookie');
    const e = (await bad.connect(beamName).catch((x: unknown) => x)) as RuntimeError;
    expect(e.code).toBe(ErrCode.NoConnection);
    await beam.waitLog(/tbadck.*rejected|Invalid challenge reply/i);
    await beam.eval(`dist_peer:start_sink(ck_sink${index})`);
    bad.send(tuple(atom(`ck_sink${index}`), atom(beamName)), atom('should_not_arrive'));
    await new Promise((r) => setTimeout(r, 300));
    expect(await beam.eval(`dist_peer:msgs(ck_sink${index})`)).toEqual([]);
    expect(badLog.messages.map(formatLog).some((l) => /ERR_HANDSHAKE_/.test(l))).toBe(true);
    // BEAM dials with the wrong cookie.
    const tsName = `tck${index}@127.0.0.1`;
    const { node, log } = await cluster.tsNode(tsName, COOKIE);
    const { probe, pid } = await spawnProbe(node);
    node.register('ck_inbox', pid);
    expect(await beam.eval(`begin erlang:set_cookie('${tsName}', 'wrong'), R = net_adm:ping('${tsName}'), {ck_inbox, '${tsName}'} ! sneaky, R end`)).toBe(atom('pang'));
    await until(() => log.messages.map(formatLog).some((l) => l.includes('ERR_HANDSHAKE_BAD_DIGEST')), 'bad digest logged');
    expect(probe.got).toEqual([]);
    // The send above started another (wrong-cookie) connection attempt in the background; a
    // ping made while BEAM still has it pending joins it and fails. With the right cookie back,
    // the next attempt succeeds.
    await beam.eval(`erlang:set_cookie('${tsName}', '${COOKIE}')`);
    await until(async () => (await beam.eval(`net_adm:ping('${tsName}')`)) === atom('pong'), 'pong with the right cookie');
    await bad.stop();
    await node.stop();
  });

  it(`malformed, mutated and oversize packets through a live node close that connection only, with a typed error logged (${label})`, async () => {
    const { beam, index } = P();
    const vector = JSON.parse(readFileSync(join(import.meta.dirname, `../../../proto-spec/vectors/dist/otp-${otp.version}.json`), 'utf8')) as {
      initiator: string;
      acceptor: string;
      fromAcceptor: { packets: string[] };
    };
    // A node named as the recorded initiator (its pids in the recording name an older
    // incarnation, so real messages are dropped), attacked by a peer with the recorded acceptor's name.
    const { node, log } = await cluster.tsNode(vector.initiator, COOKIE);
    const port = (await import('../../../src/net/erlang/index.js')).ErlangStack.of(node)!.endpoint!.port;
    expect(await beam.eval(`net_adm:ping('${vector.initiator}')`)).toBe(atom('pong'));
    const recorded = vector.fromAcceptor.packets.map((h) => Buffer.from(h, 'hex'));
    let seed = 0x5eed + index;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const frame = (b: Uint8Array) => {
      const h = Buffer.alloc(4);
      h.writeUInt32BE(b.length);
      return Buffer.concat([h, b]);
    };
    const attack = async (bytes: Buffer[]): Promise<string> => {
      const before = closes(log, vector.acceptor).length;
      const sock: Socket = connect({ host: '127.0.0.1', port });
      sock.on('error', () => undefined);
      await new Promise((r) => sock.once('connect', r));
      await initiate(new HandshakeIO(sock, 2, 5000), { name: vector.acceptor, creation: 7 + rand(1000), flags: DEFAULT_FLAGS | DFlag.PUBLISHED, required: 0n, cookie: () => COOKIE }, { peer: vector.initiator, onAlive: () => true });
      sock.on('data', () => undefined);
      for (const b of bytes) sock.write(b);
      sock.end();
      await until(() => closes(log, vector.acceptor).length > before, 'the attacked connection closed');
      sock.destroy();
      return closes(log, vector.acceptor).at(-1)!;
    };
    const results: string[] = [];
    // Mutated real packets: the recording up to a packet with 1–3 bytes changed (or cut short).
    for (let round = 0; round < 25; round++) {
      const k = rand(recorded.length);
      const m = Buffer.from(recorded[k]!);
      const how = rand(3);
      if (how === 0) for (let j = 0, n = 1 + rand(3); j < n; j++) m[rand(m.length)] = rand(256);
      const body = how === 1 ? m.subarray(0, rand(m.length)) : how === 2 ? Buffer.concat([m, Buffer.from([rand(256)])]) : m;
      results.push(await attack([...recorded.slice(0, k).map(frame), frame(body)]));
    }
    // Random packets, some behind a valid header start.
    for (let round = 0; round < 10; round++) {
      const junk = Buffer.alloc(1 + rand(200));
      for (let j = 0; j < junk.length; j++) junk[j] = rand(256);
      results.push(await attack([frame(round % 2 === 0 ? Buffer.concat([Buffer.from([131, 68, 0]), junk]) : junk)]));
    }
    // A length prefix far over the limit: refused before any allocation.
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(0x7fff_fff0);
    results.push(await attack([huge]));
    expect(results.at(-1)).toMatch(/ERR_DIST_PACKET_TOO_LARGE/);
    for (const r of results) expect(r).toMatch(/closed(:| \()\s*ERR_DIST_[A-Z_]+/);
    const faults = results.filter((r) => !/ERR_DIST_CLOSED/.test(r));
    expect(faults.length).toBeGreaterThan(10);
    expect(faults.every((r) => /^erlang: connection to .* closed: ERR_DIST_[A-Z_]+: /.test(r))).toBe(true);
    // The node and its BEAM connection carry on.
    expect(await beam.eval(`net_adm:ping('${vector.initiator}')`)).toBe(atom('pong'));
    const { pid } = await spawnProbe(node);
    expect(await beam.eval(`is_pid(${lit(pid)})`)).toBe(true);
    await node.stop();
  }, 60_000);
});


