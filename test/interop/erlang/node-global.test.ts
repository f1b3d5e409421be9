/**
 * `global` with a visible TS node in the cluster (every available OTP): two BEAM nodes and a
 * TS node connected to both. The TS node does not run global's protocol (proto-spec
 * erlang-dist.md §6): global on the BEAM side must go on working — names registered and seen
 * on both BEAM nodes, a TS pid registered through BEAM and dropped when it ends, locks and
 * transactions that do not wait for us, and no BEAM-to-BEAM disconnect when we leave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A, Actor, Pid, atom, tuple, type Term } from '../../../src/index.js';
import { Cluster, eachRelease, spawnProbe, until } from './node-kit.js';
import type { Beam } from './beam.js';
import { lit } from './beam.js';

const COOKIE = 'node-global-cookie';
let cluster: Cluster;
const second = new Map<string, { beam: Beam; name: string }>();

beforeAll(async () => {
  cluster = await Cluster.start({ prefix: 'glb', cookie: COOKIE });
  await Promise.all(
    [...cluster.pairs.values()].map(async (p) => {
      const name = `bglb2_${p.index}@127.0.0.1`;
      const beam = await cluster.beam(p.otp, name, COOKIE);
      second.set(p.otp.version, { beam, name });
      // BEAM–BEAM first (global syncs them), then the TS node joins both.
      expect(await p.beam.eval(`net_adm:ping('${name}')`)).toBe(atom('pong'));
      await p.beam.eval(`global:sync()`);
      await p.node.connect(p.beamName);
      await p.node.connect(name);
    }),
  );
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

class Named extends Actor {
  override handleMessage(m: unknown): void {
    if (m === atom('stop')) this.process.stop();
  }
}

describe.each(eachRelease())('global with a visible TS node, %s', (label, otp) => {
  const P = () => cluster.get(otp);
  const B2 = () => second.get(otp.version)!;

  it(`both BEAM nodes list the TS node and each other; global names registered on one are seen on the other (${label})`, async () => {
    const { beam, tsName } = P();
    const { beam: beam2, name: name2 } = B2();
    expect(await beam.nodesWith('visible', tsName)).toEqual(expect.arrayContaining([atom(tsName), atom(name2)].map((a) => a.name)));
    expect(await beam2.nodesWith('visible', tsName)).toContain(tsName);
    const sink = (await beam.eval(`dist_peer:start_sink(glb_sink)`)) as Pid;
    expect(await beam.eval(`global:register_name(glb_one, ${lit(sink)})`)).toBe(atom('yes'));
    expect(await until(async () => {
      const w = await beam2.eval(`global:whereis_name(glb_one)`);
      return w instanceof Pid ? w : undefined;
    }, 'name on the second node')).toEqual(sink);
    // The TS node asks BEAM where a global name is.
    expect(await P().stack.rpc(P().beamName, 'global', 'whereis_name', [atom('glb_one')])).toEqual(sink);
    // The TS node is not in global's view of the cluster (it never synced).
    expect((await beam.eval(`global:registered_names()`)) as Term[]).toContain(atom('glb_one'));
  });

  it(`locks and transactions over [node() | nodes()] complete with the TS node among the nodes (${label})`, async () => {
    const { beam } = P();
    expect(await beam.eval(`global:trans({glb_lock, self()}, fun() -> inside end)`, 15_000)).toBe(atom('inside'));
    expect(await beam.eval(`global:set_lock({glb_lock2, self()}, [node() | nodes()], 0)`, 15_000)).toBe(true);
    expect(await beam.eval(`global:del_lock({glb_lock2, self()})`)).toBe(true);
  });

  it(`a TS process registered globally (through BEAM) is reached by name from both BEAM nodes and dropped when it ends (${label})`, async () => {
    const { beam, node } = P();
    const { beam: beam2 } = B2();
    const { probe, pid } = await spawnProbe(node);
    expect(await beam.eval(`global:register_name(glb_ts, ${lit(pid)})`)).toBe(atom('yes'));
    await until(async () => (await beam2.eval(`global:whereis_name(glb_ts)`)) instanceof Pid, 'seen on the second node');
    await beam2.eval(`global:send(glb_ts, {hello, node()})`);
    await probe.next((m) => JSON.stringify(m) === JSON.stringify(tuple(atom('hello'), atom(B2().name))));
    // global monitors the pid: when the TS process ends, the name goes everywhere.
    const named = await node.spawn(Named);
    expect(await beam.eval(`global:register_name(glb_ts2, ${lit(named)})`)).toBe(atom('yes'));
    node.send(named, atom('stop'));
    await until(async () => (await beam.eval(`global:whereis_name(glb_ts2)`)) === A.undefined, 'name dropped on the first node');
    await until(async () => (await beam2.eval(`global:whereis_name(glb_ts2)`)) === A.undefined, 'name dropped on the second node');
  });

  it(`the TS node leaving does not break the BEAM side: no BEAM-to-BEAM disconnect, names intact (${label})`, async () => {
    const { beam, node, beamName } = P();
    const { beam: beam2, name: name2 } = B2();
    node.disconnect(beamName);
    await until(async () => !((await beam.eval('nodes()')) as Term[]).some((a) => a === atom(P().tsName)), 'TS gone from the first node');
    await new Promise((r) => setTimeout(r, 500));
    expect((await beam.eval('nodes()')) as Term[]).toContain(atom(name2));
    expect((await beam2.eval('nodes()')) as Term[]).toContain(atom(beamName));
    expect(await beam2.eval(`global:whereis_name(glb_one)`)).toBeInstanceOf(Pid);
    expect(beam.logs.concat(beam2.logs).join('\n')).not.toMatch(/global.*(disconnect|overlapping|unexpected)/i);
    // Reconnecting is fine too.
    await node.connect(beamName);
    expect(await beam.eval(`net_adm:ping('${P().tsName}')`)).toBe(atom('pong'));
  });
});
