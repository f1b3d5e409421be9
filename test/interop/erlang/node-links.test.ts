/**
 * Links, monitors and exit signals between TS processes and real BEAM processes (every
 * available OTP), through the node's API, both directions: two-way links (with the UNLINK_ID
 * protocol), one-way links carried as monitors, monitors by pid and by name, exit/2 with
 * `kill`, `normal` and structured reasons, and `noproc` for targets that are gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A, Actor, MessageDown, MessageExit, Pid, ProcessID, Ref, Tuple, atom, tuple, type Process, type Term } from '../../../src/index.js';
import { Cluster, eachRelease, spawnProbe, until } from './node-kit.js';
import { lit } from './beam.js';

const COOKIE = 'node-links-cookie';
let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.start({ prefix: 'lnk', cookie: COOKIE });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/** A TS process that ends with whatever reason it is sent (`{die, Reason}`); its handle is kept for the test. */
class Mortal extends Actor {
  static readonly handles = new Map<string, Process>();
  override init(): void {
    Mortal.handles.set(this.process.pid.identity, this.process);
  }
  override handleMessage(m: unknown): void {
    if (m instanceof Tuple && m.elements[0] === atom('die')) this.process.stop(m.elements[1]!);
  }
}

/** The process handle of a Mortal, to act as it. */
function as(pid: Pid): Process {
  const p = Mortal.handles.get(pid.identity);
  if (p === undefined) throw new Error(`no handle for ${pid}`);
  return p;
}

const isExit = (from: Pid, reason?: Term) => (m: unknown) => m instanceof MessageExit && m.from instanceof Pid && m.from.equals(from) && (reason === undefined || JSON.stringify(m.reason) === JSON.stringify(reason));
const isDown = (ref: Ref) => (m: unknown) => m instanceof MessageDown && m.ref.equals(ref);
const structured = tuple(A.shutdown, tuple(atom('because'), [1, 2], Buffer.from('why')));

describe.each(eachRelease())('links and monitors with %s', (label, otp) => {
  const P = () => cluster.get(otp);
  let n = 0;
  const uniq = (base: string) => `${base}${P().index}_${++n}`;

  it(`BEAM links to a TS process: its crash, its normal end and a structured reason reach the trapping BEAM process (${label})`, async () => {
    const { beam, node } = P();
    for (const reason of [atom('boom'), A.normal, structured]) {
      const pid = await node.spawn(Mortal);
      const name = uniq('lk_b');
      await beam.eval(`node_peer:trapper(${name}, {link, ${lit(pid)}})`);
      // The link is in place on our side too: the process lists it.
      await until(() => node.processInfo(pid).links.length === 1, 'link recorded');
      node.send(pid, tuple(atom('die'), reason));
      const got = (await beam.eval(`dist_peer:wait_msgs(${name}, 1, 5000)`)) as Term[];
      expect(got).toEqual([tuple(atom('EXIT'), pid, reason)]);
    }
  });

  it(`TS links to a BEAM process: the BEAM process's end reaches the TS process, killing it unless trapping, normal ignored (${label})`, async () => {
    const { beam, node } = P();
    // Trapping: every reason arrives as {'EXIT', Pid, R}.
    for (const reason of [atom('boom'), A.normal, structured]) {
      const bp = (await beam.eval(`spawn(dist_peer, spawned, [60000])`)) as Pid;
      const { probe } = await spawnProbe(node, true);
      probe.process.link(bp);
      await until(async () => ((await beam.eval(`element(2, process_info(${lit(bp)}, links))`)) as Term[]).length === 1, 'BEAM side link');
      await beam.eval(`${lit(bp)} ! {stop, ${lit(reason)}}`);
      await probe.next(isExit(bp, reason));
    }
    // Not trapping: an abnormal reason kills, normal does not.
    const b1 = (await beam.eval(`spawn(dist_peer, spawned, [60000])`)) as Pid;
    const p1 = await node.spawn(Mortal);
    const watch1 = node.monitor(p1);
    as(p1).link(b1);
    const linkedOnBeam = async (b: Pid) => ((await beam.eval(`element(2, process_info(${lit(b)}, links))`)) as Term[]).length === 1;
    await until(() => linkedOnBeam(b1), 'BEAM side link');
    await beam.eval(`${lit(b1)} ! {stop, ${lit(structured)}}`);
    expect((await watch1.down).reason).toEqual(structured);
    const b2 = (await beam.eval(`spawn(dist_peer, spawned, [60000])`)) as Pid;
    const p2 = await node.spawn(Mortal);
    as(p2).link(b2);
    await until(() => linkedOnBeam(b2), 'BEAM side link');
    await beam.eval(`${lit(b2)} ! {stop, normal}`);
    await until(async () => (await beam.eval(`is_process_alive(${lit(b2)})`)) === false, 'BEAM process ended');
    await new Promise((r) => setTimeout(r, 100));
    expect(node.processInfo(p2).state).not.toBe('terminated');
  });

  it(`the TS end of a TS-made link reaches a trapping BEAM process (${label})`, async () => {
    const { beam, node } = P();
    const name = uniq('lk_t');
    const [bp] = ((await beam.eval(`node_peer:trapper(${name}, none)`)) as Tuple).elements as [Pid];
    const pid = await node.spawn(Mortal);
    as(pid).link(bp);
    await until(async () => ((await beam.eval(`element(2, process_info(${lit(bp)}, links))`)) as Term[]).length === 1, 'BEAM side link');
    node.send(pid, tuple(atom('die'), structured));
    const got = (await beam.eval(`dist_peer:wait_msgs(${name}, 1, 5000)`)) as Term[];
    expect(got.filter((m) => m instanceof Tuple && m.elements[0] === atom('EXIT'))).toEqual([tuple(atom('EXIT'), pid, structured)]);
  });

  it(`unlink both ways (UNLINK_ID): after it, neither end hears of the other (${label})`, async () => {
    const { beam, node } = P();
    // TS unlinks.
    const bp = (await beam.eval(`spawn(dist_peer, spawned, [60000])`)) as Pid;
    const { probe } = await spawnProbe(node, true);
    probe.process.link(bp);
    await until(async () => ((await beam.eval(`element(2, process_info(${lit(bp)}, links))`)) as Term[]).length === 1, 'linked');
    probe.process.unlink(bp);
    await until(async () => ((await beam.eval(`element(2, process_info(${lit(bp)}, links))`)) as Term[]).length === 0, 'unlinked on BEAM');
    await beam.eval(`${lit(bp)} ! {stop, boom}`);
    probe.process.send(probe.process.pid, atom('marker'));
    await new Promise((r) => setTimeout(r, 100));
    await probe.next((m) => m === atom('marker'));
    expect(probe.got.filter((m) => m instanceof MessageExit)).toEqual([]);
    // BEAM unlinks.
    const pid = await node.spawn(Mortal);
    const name = uniq('lk_u');
    await beam.eval(`node_peer:trapper(${name}, {link, ${lit(pid)}})`);
    await until(() => node.processInfo(pid).links.length === 1, 'link recorded');
    await beam.eval(`dist_peer:do(${name}, fun() -> unlink(${lit(pid)}) end)`);
    await until(() => node.processInfo(pid).links.length === 0, 'unlink reached TS');
    node.send(pid, tuple(atom('die'), atom('boom')));
    await new Promise((r) => setTimeout(r, 100));
    expect(await beam.eval(`dist_peer:msgs(${name})`)).toEqual([]);
  });

  it(`noproc: linking or monitoring what is gone, either way (${label})`, async () => {
    const { beam, node, beamName, tsName } = P();
    const dead = (await beam.eval(`begin P = spawn(fun() -> ok end), timer:sleep(50), P end`)) as Pid;
    const { probe } = await spawnProbe(node, true);
    probe.process.link(dead);
    await probe.next(isExit(dead, A.noproc));
    const ref = probe.process.monitor(dead);
    expect(((await probe.next(isDown(ref))) as MessageDown).reason).toBe(A.noproc);
    const ref2 = probe.process.monitor(tuple(atom('lk_nobody'), atom(beamName)));
    const d2 = (await probe.next(isDown(ref2))) as MessageDown;
    expect(d2.reason).toBe(A.noproc);
    expect(d2.target).toEqual(new ProcessID(atom('lk_nobody'), atom(beamName)));
    // BEAM → TS.
    const gone = await node.spawn(Mortal);
    node.send(gone, tuple(atom('die'), A.normal));
    await until(async () => (await node.wait(gone)) !== undefined, 'gone');
    const r = (await beam.eval(`begin process_flag(trap_exit, true), link(${lit(gone)}), R1 = receive {'EXIT', _, W} -> W after 5000 -> none end, M = erlang:monitor(process, ${lit(gone)}), R2 = receive {'DOWN', M, process, _, W2} -> W2 after 5000 -> none end, M3 = erlang:monitor(process, {lk_nobody, '${tsName}'}), R3 = receive {'DOWN', M3, process, O, W3} -> {O, W3} after 5000 -> none end, {R1, R2, R3} end`)) as Tuple;
    expect(r).toEqual(tuple(A.noproc, A.noproc, tuple(tuple(atom('lk_nobody'), atom(tsName)), A.noproc)));
  });

  it(`monitors both ways, by pid and by name; DOWN carries the reason; demonitor stops it (${label})`, async () => {
    const { beam, node, beamName, tsName } = P();
    // TS monitors BEAM.
    const name = uniq('mn_b');
    const bp = (await beam.eval(`begin P = spawn(dist_peer, spawned, [60000]), register(${name}, P), P end`)) as Pid;
    const { probe } = await spawnProbe(node);
    const byPid = probe.process.monitor(bp);
    const byName = probe.process.monitor(tuple(atom(name), atom(beamName)));
    const dropped = probe.process.monitor(bp);
    probe.process.demonitor(dropped);
    await until(async () => ((await beam.eval(`element(2, process_info(${lit(bp)}, monitored_by))`)) as Term[]).length === 2, 'monitors on BEAM');
    await beam.eval(`${lit(bp)} ! {stop, ${lit(structured)}}`);
    const d1 = (await probe.next(isDown(byPid))) as MessageDown;
    expect(d1.reason).toEqual(structured);
    expect(d1.target).toEqual(bp);
    const d2 = (await probe.next(isDown(byName))) as MessageDown;
    expect(d2.target).toEqual(new ProcessID(atom(name), atom(beamName)));
    expect(d2.reason).toEqual(structured);
    await new Promise((r) => setTimeout(r, 50));
    expect(probe.got.filter((m) => m instanceof MessageDown && m.ref.equals(dropped))).toEqual([]);
    // BEAM monitors TS, by pid and by name.
    const tname = uniq('mn_t');
    const pid = await node.spawnRegister(tname, Mortal);
    const w1 = uniq('mw');
    const w2 = uniq('mw');
    await beam.eval(`node_peer:trapper(${w1}, {monitor, ${lit(pid)}})`);
    await beam.eval(`node_peer:trapper(${w2}, {monitor, {${tname}, '${tsName}'}})`);
    await until(() => node.processInfo(pid).monitoredBy.length === 2, 'monitors recorded');
    node.send(pid, tuple(atom('die'), structured));
    const m1 = ((await beam.eval(`dist_peer:wait_msgs(${w1}, 1, 5000)`)) as Tuple[])[0]!;
    expect([m1.elements[0], m1.elements[2], m1.elements[3], m1.elements[4]]).toEqual([atom('DOWN'), A.process, pid, structured]);
    const m2 = ((await beam.eval(`dist_peer:wait_msgs(${w2}, 1, 5000)`)) as Tuple[])[0]!;
    expect(m2.elements[3]).toEqual(tuple(atom(tname), atom(tsName)));
    // demonitor from BEAM: the record goes on our side.
    const pid2 = await node.spawn(Mortal);
    await beam.eval(`begin M = erlang:monitor(process, ${lit(pid2)}), erlang:demonitor(M), ok end`);
    await until(() => node.processInfo(pid2).monitoredBy.length === 0, 'demonitor reached TS');
  });

  it(`one-way (Ergo) links to a BEAM pid or name: any end, normal included, reaches the linker; unlink stops it (${label})`, async () => {
    const { beam, node, beamName } = P();
    const bp = (await beam.eval(`spawn(dist_peer, spawned, [60000])`)) as Pid;
    const bname = uniq('ow');
    const bp2 = (await beam.eval(`begin P = spawn(dist_peer, spawned, [60000]), register(${bname}, P), P end`)) as Pid;
    // Not trapping: a normal end of the target kills the linker (Ergo's rule).
    const linker = await node.spawn(Mortal);
    const watch = node.monitor(linker);
    as(linker).link(bp, { oneWay: true });
    const monitored = async (p: Pid) => ((await beam.eval(`element(2, process_info(${lit(p)}, monitored_by))`)) as Term[]).length === 1;
    await until(() => monitored(bp), 'one-way link on BEAM');
    await beam.eval(`${lit(bp)} ! {stop, normal}`);
    expect((await watch.down).reason).toBe(A.normal);
    // Trapping, by name: a MessageExit naming {Name, Node}.
    const { probe } = await spawnProbe(node, true);
    probe.process.link(tuple(atom(bname), atom(beamName)));
    await until(() => monitored(bp2), 'one-way link by name on BEAM');
    await beam.eval(`${lit(bp2)} ! {stop, bye}`);
    const ex = (await probe.next((m) => m instanceof MessageExit)) as MessageExit;
    expect(ex.from).toEqual(new ProcessID(atom(bname), atom(beamName)));
    expect(ex.reason).toBe(atom('bye'));
    // Unlinked: nothing.
    const bp3 = (await beam.eval(`spawn(dist_peer, spawned, [60000])`)) as Pid;
    const { probe: p3 } = await spawnProbe(node, true);
    p3.process.link(bp3, { oneWay: true });
    p3.process.unlink(bp3, { oneWay: true });
    await until(async () => ((await beam.eval(`element(2, process_info(${lit(bp3)}, monitored_by))`)) as Term[]).length === 0, 'monitor gone on BEAM');
    await beam.eval(`${lit(bp3)} ! {stop, boom}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(p3.got).toEqual([]);
  });

  it(`exit/2 both ways: kill is untrappable, normal ignored unless trapping, reasons stay terms (${label})`, async () => {
    const { beam, node } = P();
    // TS → BEAM.
    const name = uniq('ex_b');
    const [bp] = ((await beam.eval(`node_peer:trapper(${name}, none)`)) as Tuple).elements as [Pid];
    const { probe, pid } = await spawnProbe(node);
    probe.process.sendExit(bp, structured);
    probe.process.sendExit(bp, A.normal);
    const got = (await beam.eval(`dist_peer:wait_msgs(${name}, 2, 5000)`)) as Term[];
    expect(got.filter((m) => m instanceof Tuple && m.elements[0] === atom('EXIT'))).toEqual([tuple(atom('EXIT'), pid, structured), tuple(atom('EXIT'), pid, A.normal)]);
    probe.process.sendExit(bp, A.kill);
    await until(async () => (await beam.eval(`is_process_alive(${lit(bp)})`)) === false, 'killed');
    // BEAM → TS.
    const { probe: trapping, pid: tp } = await spawnProbe(node, true);
    const sender = (await beam.eval(`begin exit(${lit(tp)}, ${lit(structured)}), exit(${lit(tp)}, normal), self() end`)) as Pid;
    await trapping.next(isExit(sender, structured));
    await trapping.next(isExit(sender, A.normal));
    const victim = await node.spawn(Mortal);
    const w = node.monitor(victim);
    const killed = node.wait(tp, 5000);
    await beam.eval(`exit(${lit(victim)}, normal)`);
    await beam.eval(`exit(${lit(tp)}, kill)`);
    expect(await killed).toBe(A.killed);
    await beam.eval(`exit(${lit(victim)}, ${lit(structured)})`);
    expect((await w.down).reason).toEqual(structured);
  });
});
