/**
 * Records the bytes of real Erlang distribution connections, one per available OTP release,
 * into proto-spec/vectors/dist/otp-<version>.json. A TS node (ours) dials each BEAM through a
 * recording TCP proxy on 127.0.0.1, then a fixed scenario makes the BEAM send every kind of
 * control message it sends in practice (sends by pid, name and alias, link, UNLINK_ID, exits
 * with payloads, monitors by pid and name, demonitor, exit/2, group leader, spawn_request, a
 * seq-trace token, a fragmented 66 KB binary, repeated atoms for the atom cache) and answer
 * what we send. Handshake messages and distribution packets are stored apart, in hex, per
 * direction, in order: the atom cache makes a packet depend on the ones before it.
 *
 *   npx tsx proto-spec/scripts/dist-capture.ts [out-dir]
 *
 * Needs `erl` and `epmd` (and the chroots for 27/29, see test/support/otp.ts).
 */
import { createServer, connect, type Socket } from 'node:net';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atom, tuple, type Pid, type Tuple } from '../../src/term/index.js';
import { otpReleases, type Otp } from '../../test/support/otp.js';
import { Beam, Epmd, freePort, lit } from '../../test/interop/erlang/beam.js';
import { RawNode } from '../../test/net/erlang/raw-node.js';
import { EpmdClient } from '../../src/net/erlang/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(here, '../vectors/dist');
const COOKIE = 'dist-capture-cookie';

interface Recording {
  toBeam: Buffer[];
  fromBeam: Buffer[];
}

/** A proxy that forwards one connection to `target` and keeps every chunk of each direction. */
function proxy(target: number): Promise<{ port: number; rec: Recording; close(): void }> {
  const rec: Recording = { toBeam: [], fromBeam: [] };
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: target });
    sockets.push(client, upstream);
    client.on('data', (d) => {
      rec.toBeam.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      rec.fromBeam.push(Buffer.from(d));
      client.write(d);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  return new Promise((resolve) =>
    server.listen({ host: '127.0.0.1', port: 0 }, () =>
      resolve({
        port: (server.address() as { port: number }).port,
        rec,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

/** Split a direction into its handshake messages (2-byte framing) and its packets (4-byte). */
function split(stream: Buffer, handshakeMessages: number): { handshake: string[]; packets: string[] } {
  const handshake: string[] = [];
  let p = 0;
  for (let i = 0; i < handshakeMessages; i++) {
    const n = stream.readUInt16BE(p);
    handshake.push(stream.subarray(p + 2, p + 2 + n).toString('hex'));
    p += 2 + n;
  }
  const packets: string[] = [];
  while (p + 4 <= stream.length) {
    const n = stream.readUInt32BE(p);
    if (p + 4 + n > stream.length) break;
    packets.push(stream.subarray(p + 4, p + 4 + n).toString('hex'));
    p += 4 + n;
  }
  return { handshake, packets };
}

async function capture(otp: Otp, i: number, epmd: Epmd): Promise<void> {
  const beamNode = `cap${i}@127.0.0.1`;
  const tsNode = `tscap${i}@127.0.0.1`;
  const beam = await Beam.start(otp, { name: beamNode, cookie: COOKIE, epmdPort: epmd.port });
  const beamPort = (await new EpmdClient({ port: epmd.port }).portPlease(`cap${i}`)).port;
  const px = await proxy(beamPort);
  const ts = await RawNode.start({ name: tsNode, cookie: COOKIE, epmd: false, creation: 0x5eed0000 + i, routes: { [beamNode]: { port: px.port } } });
  try {
    const conn = await ts.ep.connect(beamNode);
    const p = ts.pid();
    const q = ts.pid();
    ts.register('ts_inbox', q);
    const alias = ts.ref();
    // BEAM → TS, every kind of signal.
    await beam.eval(`erlang:send(${lit(p)}, {hello, self(), 1.5, [1,2,3], <<"bin">>, #{key => value}})`);
    await beam.eval(`{ts_inbox, '${tsNode}'} ! {by_name, "a string", -123456789012345678901234567890}`);
    await beam.eval(`${lit(alias)} ! by_alias`);
    await beam.eval(`[erlang:send(${lit(p)}, {repeated_atom_for_the_cache, N}) || N <- lists:seq(1, 5)]`);
    await beam.eval(`dist_peer:linker(capl, ${lit(p)})`);
    await beam.eval(`capl ! {unlink, ${lit(p)}}`);
    await beam.eval(`capl ! {link, ${lit(p)}}`);
    await beam.eval(`capl ! {exit, {shutdown, captured}}`);
    await beam.eval(`dist_peer:monitorer(capm, ${lit(p)})`);
    await beam.eval(`dist_peer:monitorer(capn, {ts_inbox, '${tsNode}'})`);
    const [, mref] = ((await beam.eval(`dist_peer:monitorer(capd, ${lit(p)})`)) as Tuple).elements;
    await beam.eval(`dist_peer:do(capd, fun() -> erlang:demonitor(${lit(mref!)}) end)`);
    await beam.eval(`exit(${lit(p)}, kill)`);
    await beam.eval(`group_leader(self(), ${lit(p)})`);
    ts.onSpawn = (req, c) => c.spawnReply(req.reqId, req.from, 2, ts.pid());
    await beam.eval(`begin R = spawn_request('${tsNode}', m, f, [1], [monitor]), receive {spawn_reply, R, _, _} -> ok after 2000 -> timeout end end`);
    await beam.eval(`begin seq_trace:set_token(label, 3), erlang:send(${lit(p)}, traced), seq_trace:set_token([]) end`);
    await beam.eval(`erlang:send(${lit(p)}, {big, binary:copy(<<"0123456789">>, 6600)})`);
    // TS → BEAM, with the BEAM's answers (EXIT noproc, DOWN noproc, spawn reply, ...).
    const target = (await beam.eval(`spawn(dist_peer, stay, [])`)) as Pid;
    conn.send(p, target, atom('hi'));
    conn.link(p, target);
    conn.monitor(p, target, ts.ref());
    conn.monitor(p, atom('no_such_name'), ts.ref());
    conn.unlinkId(1, p, target);
    conn.spawnRequest({ reqId: ts.ref(), from: p, groupLeader: p, module: atom('dist_peer'), fn: atom('spawned'), args: [0], options: [atom('link'), atom('monitor')] });
    conn.regSend(p, atom('rex'), tuple(atom('nothing'), atom('to_see')));
    await beam.eval(`begin timer:sleep(300), exit(${lit(target)}, kill) end`);
    await new Promise((r) => setTimeout(r, 500));
    const to = split(Buffer.concat(px.rec.toBeam), 2);
    const from = split(Buffer.concat(px.rec.fromBeam), 3);
    const out = {
      description: `Distribution connection between ergo-ts (${tsNode}, initiator) and ${otp.label} (${beamNode}), recorded by proto-spec/scripts/dist-capture.ts`,
      otp: otp.version,
      initiator: tsNode,
      acceptor: beamNode,
      initiatorCreation: ts.ep.creation,
      negotiatedFlags: '0x' + conn.flags.toString(16),
      acceptorFlags: '0x' + conn.peerFlags.toString(16),
      toAcceptor: to,
      fromAcceptor: from,
    };
    writeFileSync(join(outDir, `otp-${otp.version}.json`), JSON.stringify(out, null, 1) + '\n');
    console.log(`otp-${otp.version}.json: ${from.packets.length} packets from BEAM, ${to.packets.length} to it`);
  } finally {
    await ts.stop();
    px.close();
    await beam.stop();
  }
}

mkdirSync(outDir, { recursive: true });
const epmd = await Epmd.start();
try {
  const releases = otpReleases();
  for (let i = 0; i < releases.length; i++) await capture(releases[i]!, i, epmd);
} finally {
  await epmd.stop();
}
