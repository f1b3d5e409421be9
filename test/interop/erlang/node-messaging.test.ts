/**
 * A TS `Node` with the Erlang stack and real BEAM nodes (every available OTP), through the
 * node's API: visibility and ping, sends by pid / name / alias, gen_server calls and casts with
 * `[alias|Ref]` tags, and sys messages against a TS GenServer — each in both directions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A, Alias, Atom, GenServer, ErrCode, ImproperList, Pid, Ref, RuntimeError, Tuple, atom, tuple, type Term } from '../../../src/index.js';
import { Cluster, eachRelease, spawnProbe, until } from './node-kit.js';
import { lit } from './beam.js';

const COOKIE = 'node-messaging-cookie';
let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.start({ prefix: 'msg', cookie: COOKIE });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/** A TS GenServer: echoes calls, keeps casts and infos, records how it ended. */
class Echo extends GenServer<Term[]> {
  static ended: Term[] = [];
  init(): ['ok', Term[]] {
    return ['ok', []];
  }
  override handleCall(req: unknown, _from: unknown, s: Term[]): readonly unknown[] {
    if (req === atom('state_size')) return ['reply', s.length, s];
    return ['reply', tuple(atom('echo'), req as Term), s];
  }
  override handleCast(m: unknown, s: Term[]): readonly unknown[] {
    return ['noreply', [...s, tuple(atom('cast'), m as Term)]];
  }
  override handleInfo(m: unknown, s: Term[]): readonly unknown[] {
    return ['noreply', [...s, tuple(atom('info'), m as Term)]];
  }
  override terminate(reason: Term): void {
    Echo.ended.push(reason);
  }
}

describe.each(eachRelease())('node messaging with %s', (label, otp) => {
  const P = () => cluster.get(otp);

  it(`visible by default: each lists the other, net_adm:ping gives pong both ways (${label})`, async () => {
    const { beam, node, beamName, tsName } = P();
    expect(await beam.eval(`net_adm:ping('${tsName}')`)).toBe(atom('pong'));
    expect(await beam.nodesWith('visible', tsName)).toContain(tsName);
    expect(node.nodes().map((n) => n.name)).toContain(beamName);
    // TS → BEAM: what net_adm:ping does, a call to net_kernel.
    expect(await node.call(tuple(atom('net_kernel'), atom(beamName)), tuple(atom('is_auth'), atom(tsName)))).toBe(atom('yes'));
  });

  it(`hidden as an option: only in nodes(hidden), still pings (${label})`, async () => {
    const { beam, beamName, index } = P();
    const name = `thid${index}@127.0.0.1`;
    const { node } = await cluster.tsNode(name, COOKIE, { hidden: true });
    const info = await node.connect(beamName);
    expect(info.hidden).toBe(true);
    expect(await beam.nodesWith('hidden', name)).toContain(name);
    expect((await beam.eval('nodes()')) as Atom[]).not.toContain(atom(name));
    expect(await beam.eval(`net_adm:ping('${name}')`)).toBe(atom('pong'));
    await node.stop();
  });

  it(`TS → BEAM: node and process sends by pid, by name and to an alias (${label})`, async () => {
    const { beam, node, beamName, index } = P();
    const sink = (await beam.eval(`dist_peer:start_sink(nm_pid${index})`)) as Pid;
    await beam.eval(`dist_peer:start_sink(nm_name${index})`);
    const [, alias] = ((await beam.eval(`dist_peer:alias_sink(nm_alias${index})`)) as Tuple).elements as [Pid, Ref];
    node.send(sink, tuple(atom('by_pid'), 1));
    node.send(tuple(atom(`nm_name${index}`), atom(beamName)), tuple(atom('by_name'), 2));
    const { probe } = await spawnProbe(node);
    probe.process.send(new Alias(alias.node, alias.creation, alias.ids), tuple(atom('by_alias'), probe.process.pid));
    expect(await beam.eval(`dist_peer:wait_msgs(nm_pid${index}, 1, 5000)`)).toEqual([tuple(atom('by_pid'), 1)]);
    expect(await beam.eval(`dist_peer:wait_msgs(nm_name${index}, 1, 5000)`)).toEqual([tuple(atom('by_name'), 2)]);
    expect(await beam.eval(`dist_peer:wait_msgs(nm_alias${index}, 1, 5000)`)).toEqual([tuple(atom('by_alias'), probe.process.pid)]);
  });

  it(`BEAM → TS: sends by pid, by {Name, Node} and to a TS alias reach TS processes (${label})`, async () => {
    const { beam, node, tsName } = P();
    const { probe, pid } = await spawnProbe(node);
    node.register('nm_inbox', pid);
    const alias = probe.process.createAlias();
    const sender = (await beam.eval(`begin ${lit(pid)} ! {by_pid, self()}, {nm_inbox, '${tsName}'} ! by_name, ${lit(alias)} ! by_alias, self() end`)) as Pid;
    expect(await probe.next((m) => m instanceof Tuple && m.elements[0] === atom('by_pid'))).toEqual(tuple(atom('by_pid'), sender));
    await probe.next((m) => m === atom('by_name'));
    await probe.next((m) => m === atom('by_alias'));
    // A deleted alias is dead: BEAM's message to it is dropped, nothing else arrives.
    probe.process.deleteAlias(alias);
    await beam.eval(`${lit(alias)} ! after_delete`);
    await beam.eval(`${lit(pid)} ! marker`);
    await probe.next((m) => m === atom('marker'));
    expect(probe.got).not.toContain(atom('after_delete'));
    node.unregister('nm_inbox');
  });

  it(`BEAM → TS: gen_server:call and cast to a TS GenServer by name and by pid; noproc for nothing there (${label})`, async () => {
    const { beam, node, tsName, index } = P();
    const name = `nm_echo${index}`;
    const pid = await node.spawnRegister(name, Echo);
    expect(await beam.eval(`gen_server:call({${name}, '${tsName}'}, hello)`)).toEqual(tuple(atom('echo'), atom('hello')));
    expect(await beam.eval(`gen_server:call(${lit(pid)}, {a, [1, 2], <<"b">>})`)).toEqual(tuple(atom('echo'), tuple(atom('a'), [1, 2], Buffer.from('b'))));
    // send_request/receive_response puts the same [alias|Ref] call on the wire.
    expect(await beam.eval(`gen_server:receive_response(gen_server:send_request(${lit(pid)}, req), 5000)`)).toEqual(tuple(atom('reply'), tuple(atom('echo'), atom('req'))));
    await beam.eval(`gen_server:cast({${name}, '${tsName}'}, c1)`);
    await beam.eval(`${lit(pid)} ! i1`);
    await until(async () => (await node.call(pid, atom('state_size'))) === 2, 'cast and info');
    const noproc = (await beam.eval(`catch gen_server:call({nm_nobody, '${tsName}'}, x, 2000)`)) as Tuple;
    expect(noproc.elements[0]).toBe(atom('EXIT'));
    expect((noproc.elements[1] as Tuple).elements[0]).toBe(A.noproc);
  });

  it(`TS → BEAM: calls to a BEAM gen_server by pid and name, casts, noproc, timeout with the late reply dropped (${label})`, async () => {
    const { beam, node, beamName, index } = P();
    const name = `nm_gs${index}`;
    const gs = ((await beam.eval(`node_peer:start(${name})`)) as Tuple).elements[1] as Pid;
    const byName = tuple(atom(name), atom(beamName));
    expect(await node.call(gs, atom('ping'))).toEqual(tuple(atom('echo'), atom('ping')));
    const { probe } = await spawnProbe(node);
    expect(await probe.process.call(byName, [1, 2, 3])).toEqual(tuple(atom('echo'), [1, 2, 3]));
    // Each call's monitor is taken down once its reply is in (the DEMONITOR_P rides with the
    // next write): after many calls, by pid and by name, the server is monitored by nobody.
    for (let k = 0; k < 50; k++) await (k % 2 === 0 ? node.call(gs, k) : probe.process.call(byName, k));
    expect(await until(async () => {
      const by = (await beam.eval(`element(2, erlang:process_info(${lit(gs)}, monitored_by))`)) as Term[];
      return by.length === 0 ? by : undefined;
    }, 'no monitors left on the server')).toEqual([]);
    probe.process.cast(byName, atom('c1'));
    node.cast(gs, atom('c2'));
    probe.process.send(gs, atom('i1'));
    expect(await until(async () => {
      const got = (await beam.eval(`node_peer:got(${name})`)) as Term[];
      return got.length === 3 ? got : undefined;
    }, 'casts')).toEqual([tuple(atom('cast'), atom('c1')), tuple(atom('cast'), atom('c2')), tuple(atom('info'), atom('i1'))]);
    // No such name: the monitor's DOWN noproc fails the call.
    const e = await probe.process.call(tuple(atom('nm_nobody'), atom(beamName)), 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as RuntimeError).code).toBe(ErrCode.CallFailed);
    expect((e as RuntimeError).reason).toBe(A.noproc);
    // The callee dies: its reason fails the call.
    const crash = await probe.process.call(byName, atom('crash')).catch((x: unknown) => x);
    expect((crash as RuntimeError).reason).toBe(atom('asked_to_crash'));
    // A timeout: the late reply (to the alias, already dropped) never reaches the caller.
    const gs2 = ((await beam.eval(`node_peer:start(${name})`)) as Tuple).elements[1] as Pid;
    const t = await probe.process.call(gs2, tuple(atom('later'), 300), { timeout: 50 }).catch((x: unknown) => x);
    expect((t as RuntimeError).code).toBe(ErrCode.Timeout);
    await new Promise((r) => setTimeout(r, 500));
    probe.process.send(probe.process.pid, atom('marker'));
    await probe.next((m) => m === atom('marker'));
    expect(probe.got.filter((m) => m instanceof Tuple && m.elements[1] === atom('late'))).toEqual([]);
  });

  it(`sys messages against a TS GenServer: get_state, get_status, suspend/resume, gen_server:stop (${label})`, async () => {
    const { beam, node, tsName, index } = P();
    const name = `nm_sys${index}`;
    const pid = await node.spawnRegister(name, Echo);
    const ref = `{${name}, '${tsName}'}`;
    expect(await beam.eval(`sys:get_state(${ref})`)).toEqual([]);
    const status = (await beam.eval(`sys:get_status(${ref})`)) as Tuple;
    expect(status.elements[0]).toBe(atom('status'));
    expect(status.elements[1]).toEqual(pid);
    // Suspended: casts and calls wait; system messages still answer.
    expect(await beam.eval(`sys:suspend(${ref})`)).toBe(A.ok);
    await beam.eval(`gen_server:cast(${ref}, while_suspended)`);
    await beam.eval(`begin P = self(), spawn(fun() -> P2 = gen_server:call(${ref}, after_resume, 10000), dist_peer:start_sink(nm_resumed${index}) ! P2 end), ok end`);
    await new Promise((r) => setTimeout(r, 200));
    expect(await beam.eval(`sys:get_state(${ref})`)).toEqual([]);
    expect(await beam.eval(`sys:resume(${ref})`)).toBe(A.ok);
    expect(await beam.eval(`dist_peer:wait_msgs(nm_resumed${index}, 1, 5000)`)).toEqual([tuple(atom('echo'), atom('after_resume'))]);
    expect(await beam.eval(`sys:get_state(${ref})`)).toEqual([tuple(atom('cast'), atom('while_suspended'))]);
    // gen_server:stop = proc_lib:stop: sys:terminate, then the DOWN with the reason.
    Echo.ended = [];
    expect(await beam.eval(`gen_server:stop(${ref}, {shutdown, done}, 5000)`)).toBe(A.ok);
    expect(Echo.ended).toEqual([tuple(A.shutdown, atom('done'))]);
    expect(node.whereis(name)).toBeUndefined();
  });

  it(`the [alias|Ref] tag comes back whole: a TS Actor answering a raw '$gen_call' (${label})`, async () => {
    const { beam, node, tsName, index } = P();
    const name = `nm_tag${index}`;
    await node.spawnRegister(name, Echo);
    const r = (await beam.eval(`begin Ref = erlang:monitor(process, {${name}, '${tsName}'}, [{alias, demonitor}]), {${name}, '${tsName}'} ! {'$gen_call', {self(), [alias | Ref]}, x}, receive {[alias | Ref] = T, Reply} -> {T, Reply} after 5000 -> timeout end end`)) as Tuple;
    expect(r.elements[0]).toBeInstanceOf(ImproperList);
    expect(r.elements[1]).toEqual(tuple(atom('echo'), atom('x')));
  });
});
