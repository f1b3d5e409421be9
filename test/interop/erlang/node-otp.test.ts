/**
 * OTP protocols between a TS `Node` and real BEAM nodes (every available OTP), both ways where
 * they go both ways: rpc:call / erpc:call / rpc:block_call / casts into registered TS functions
 * and erpc from TS into BEAM; erlang:spawn / spawn_link / spawn_monitor of enabled TS
 * behaviours and remote spawn from TS; io from BEAM processes whose group leader is the TS node;
 * supervision — a BEAM supervisor with a child on the TS node, a TS supervisor with a child on BEAM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  A,
  Actor,
  ErrCode,

  MessageExit,
  Pid,
  RuntimeError,
  Supervisor,
  Tuple,
  atom,
  charlist,
  exit,
  formatLog,
  tuple,
  type SupervisorSpec,
  type Term,
} from '../../../src/index.js';
import { Cluster, eachRelease, spawnProbe, until } from './node-kit.js';
import { lit } from './beam.js';

const COOKIE = 'node-otp-cookie';
let cluster: Cluster;

/** What a BEAM spawn of `ts_worker:start/1` runs here: reports its args, crashes on `crash`, traps exits. */
class TsWorker extends Actor {
  static started: { pid: Pid; args: unknown[]; parent: Pid }[] = [];
  static ended: { pid: Pid; reason: Term }[] = [];
  override init(...args: unknown[]): void {
    this.process.trapExit = true;
    TsWorker.started.push({ pid: this.process.pid, args, parent: this.process.parent });
  }
  override handleMessage(m: unknown): void {
    if (m === atom('crash')) throw new Error('asked to crash');
    if (m instanceof Tuple && m.elements[0] === atom('stop')) this.process.stop(m.elements[1]!);
  }
  override terminate(reason: Term): void {
    TsWorker.ended.push({ pid: this.process.pid, reason });
  }
}

/** A behaviour whose init fails. */
class Refuser extends Actor {
  override init(): void {
    throw exit(atom('refused'));
  }
}

beforeAll(async () => {
  cluster = await Cluster.start({ prefix: 'otp', cookie: COOKIE });
  for (const p of cluster.pairs.values()) {
    const s = p.stack;
    s.registerRpc('ts', 'add', ([a, b]) => (a as number) + (b as number));
    s.registerRpc('ts', 'caller', (_args, call) => tuple(call.node, call.caller));
    s.registerRpc('ts', 'slow', async ([ms]) => {
      await new Promise((r) => setTimeout(r, ms as number));
      return atom('slept');
    });
    s.registerRpc('ts', 'throws', () => {
      throw atom('oops');
    });
    s.registerRpc('ts', 'exits', () => {
      throw exit(tuple(atom('gone'), 1));
    });
    s.registerRpc('ts', 'errors', () => {
      throw new TypeError('bad input');
    });
    s.registerRpc('ts', 'noreturn', () => undefined);
    p.node.enableSpawn('ts_worker', TsWorker, { erlang: { module: 'ts_worker', function: 'start' } });
    p.node.enableSpawn('refuser', Refuser, { erlang: { module: 'ts_refuser', function: 'start' } });
    p.node.enableSpawn('only_other', TsWorker, { erlang: { module: 'ts_other', function: 'start' }, nodes: ['nobody@127.0.0.1'] });
  }
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe.each(eachRelease())('OTP protocols with %s', (label, otp) => {
  const P = () => cluster.get(otp);

  it(`BEAM → TS: rpc:call and erpc:call run registered TS functions, with each failure form (${label})`, async () => {
    const { beam, tsName, beamName } = P();
    const N = `'${tsName}'`;
    expect(await beam.eval(`rpc:call(${N}, ts, add, [1, 2])`)).toBe(3);
    expect(await beam.eval(`erpc:call(${N}, ts, add, [40, 2])`)).toBe(42);
    expect(await beam.eval(`erpc:call(${N}, ts, noreturn, [])`)).toBe(A.ok);
    expect(await beam.eval(`erpc:call(${N}, ts, slow, [50], 5000)`)).toBe(atom('slept'));
    const who = (await beam.eval(`{self(), erpc:call(${N}, ts, caller, [])}`)) as Tuple;
    expect(who.elements[1]).toEqual(tuple(atom(beamName), who.elements[0]!));
    const catching = (call: string) => `try ${call} catch C:R -> {caught, C, R} end`;
    expect(await beam.eval(catching(`erpc:call(${N}, ts, throws, [])`))).toEqual(tuple(atom('caught'), atom('throw'), atom('oops')));
    expect(await beam.eval(catching(`erpc:call(${N}, ts, exits, [])`))).toEqual(tuple(atom('caught'), atom('exit'), tuple(atom('exception'), tuple(atom('gone'), 1))));
    const err = (await beam.eval(catching(`erpc:call(${N}, ts, errors, [])`))) as Tuple;
    expect(err.elements.slice(0, 2)).toEqual([atom('caught'), A.error]);
    expect((err.elements[2] as Tuple).elements.slice(0, 2)).toEqual([atom('exception'), tuple(A.error, Buffer.from('TypeError: bad input'))]);
    const undef = (await beam.eval(catching(`erpc:call(${N}, ts, nofun, [1])`))) as Tuple;
    expect((undef.elements[2] as Tuple).elements.slice(0, 3)).toEqual([atom('exception'), atom('undef'), [tuple(atom('ts'), atom('nofun'), [1], [])]]);
    const bad = (await beam.eval(`rpc:call(${N}, ts, exits, [])`)) as Tuple;
    expect(bad).toEqual(tuple(atom('badrpc'), tuple(atom('EXIT'), tuple(atom('gone'), 1))));
    // The rex server's forms: rpc:block_call is a gen_server call to rex.
    expect(await beam.eval(`rpc:block_call(${N}, ts, add, [2, 3])`)).toBe(5);
  });

  it(`BEAM → TS: erpc:cast and rpc:cast run the function without an answer (${label})`, async () => {
    const { beam, node, stack, tsName } = P();
    const { probe, pid } = await spawnProbe(node);
    stack.registerRpc('ts', 'notify', ([m]) => {
      node.send(pid, m);
    });
    await beam.eval(`erpc:cast('${tsName}', ts, notify, [by_erpc_cast])`);
    await beam.eval(`rpc:cast('${tsName}', ts, notify, [by_rpc_cast])`);
    await probe.next((m) => m === atom('by_erpc_cast'));
    await probe.next((m) => m === atom('by_rpc_cast'));
  });

  it(`TS → BEAM: erpc from TS returns values and reports exceptions, timeouts and what was thrown (${label})`, async () => {
    const { stack, beamName } = P();
    expect(await stack.rpc(beamName, 'erlang', 'node', [])).toBe(atom(beamName));
    expect(await stack.rpc(beamName, 'lists', 'seq', [1, 3])).toEqual([1, 2, 3]);
    const e = (await stack.rpc(beamName, 'erlang', 'error', [atom('badarg')]).catch((x: unknown) => x)) as RuntimeError;
    expect(e.code).toBe(ErrCode.CallFailed);
    expect((e.reason as Tuple).elements.slice(0, 2)).toEqual([A.error, atom('badarg')]);
    const t = (await stack.rpc(beamName, 'erlang', 'throw', [atom('ball')]).catch((x: unknown) => x)) as RuntimeError;
    expect(t.reason).toEqual(tuple(atom('throw'), atom('ball')));
    const late = (await stack.rpc(beamName, 'timer', 'sleep', [2000], { timeout: 100 }).catch((x: unknown) => x)) as RuntimeError;
    expect(late.code).toBe(ErrCode.Timeout);
    const release = await stack.otpRelease(beamName);
    expect(String(release)).toBe(otp.release);
  });

  it(`TS → BEAM: remoteApplicationStart starts an OTP application there, with its environment (${label})`, async () => {
    const { beam, node, beamName } = P();
    await node.remoteApplicationStart(beamName, 'runtime_tools', { mode: 'temporary', env: { ergo_ts_key: 42 } });
    const apps = ((await beam.eval(`[A || {A, _, _} <- application:which_applications()]`)) as Term[]).map(String);
    expect(apps).toContain('runtime_tools');
    expect(await beam.eval(`application:get_env(runtime_tools, ergo_ts_key)`)).toEqual(tuple(A.ok, 42));
    // Started already: fine. No such application: the error comes back.
    await node.remoteApplicationStart(beamName, 'runtime_tools');
    const e = (await node.remoteApplicationStart(beamName, 'no_such_app').catch((x: unknown) => x)) as RuntimeError;
    expect(e.code).toBe(ErrCode.CallFailed);
  });

  it(`BEAM → TS: erlang:spawn / spawn_link / spawn_monitor start an enabled TS behaviour with link and monitor honoured (${label})`, async () => {
    const { beam, node, tsName, index } = P();
    TsWorker.started = [];
    const N = `'${tsName}'`;
    const pid = (await beam.eval(`spawn(${N}, ts_worker, start, [a1, [1, 2]])`)) as Pid;
    expect(pid.node).toBe(atom(tsName));
    await until(() => TsWorker.started.find((s) => s.pid.equals(pid)), 'spawned');
    expect(TsWorker.started.find((s) => s.pid.equals(pid))!.args).toEqual([atom('a1'), [1, 2]]);
    // spawn_link from a trapping process: the TS worker's crash reaches it.
    const name = `sp_link${index}`;
    const [, linked] = ((await beam.eval(`node_peer:spawner(${name}, ${N}, {ts_worker, start, [a2], [link]})`)) as Tuple).elements as [Pid, Pid];
    await until(() => node.processInfo(linked).links.length === 1, 'link on the TS side');
    node.send(linked, atom('crash'));
    const got = (await beam.eval(`dist_peer:wait_msgs(${name}, 1, 5000)`)) as Tuple[];
    expect(got[0]!.elements[0]).toBe(atom('EXIT'));
    expect(got[0]!.elements[1]).toEqual(linked);
    expect((got[0]!.elements[2] as Tuple).elements[0]).toBe(A.error);
    // spawn_monitor: the DOWN carries the reason; the monitor ref is the spawn's.
    const r = (await beam.eval(`begin {P, M} = spawn_monitor(${N}, ts_worker, start, [a3]), P ! {stop, {shutdown, bye}}, receive {'DOWN', M, process, P, R} -> {P, R} after 5000 -> timeout end end`)) as Tuple;
    expect(r.elements[1]).toEqual(tuple(A.shutdown, atom('bye')));
  });

  it(`BEAM → TS: a spawn of something not enabled (or not for this node, or failing init) is a process that dies at once (${label})`, async () => {
    const { beam, tsName } = P();
    const N = `'${tsName}'`;
    const mon = (m: string, f: string) => `begin {P, M} = spawn_monitor(${N}, ${m}, ${f}, [x]), receive {'DOWN', M, process, P, R} -> R after 5000 -> timeout end end`;
    expect(await beam.eval(mon('ts_nothing', 'start'))).toEqual(tuple(atom('undef'), [tuple(atom('ts_nothing'), atom('start'), [atom('x')], [])]));
    expect(await beam.eval(mon('ts_other', 'start'))).toEqual(tuple(atom('undef'), [tuple(atom('ts_other'), atom('start'), [atom('x')], [])]));
    expect(await beam.eval(mon('ts_refuser', 'start'))).toBe(atom('refused'));
  });

  it(`TS → BEAM: remote spawn with a link; the BEAM process's end reaches the TS process; an undefined function dies with undef (${label})`, async () => {
    const { beamName, node, beam } = P();
    const { probe } = await spawnProbe(node, true);
    const bp = await probe.process.remoteSpawn(beamName, { module: 'dist_peer', function: 'spawned' }, { args: [60000], link: true });
    expect(bp.node).toBe(atom(beamName));
    expect(((await beam.eval(`element(2, process_info(${lit(bp)}, links))`)) as Pid[]).map(String)).toEqual([String(probe.process.pid)]);
    await beam.eval(`${lit(bp)} ! {stop, finished}`);
    await probe.next((m) => m instanceof MessageExit && m.reason === atom('finished'));
    const bad = await probe.process.remoteSpawn(beamName, { module: 'no_such_module', function: 'go' }, { args: [], link: true });
    const ex = (await probe.next((m) => m instanceof MessageExit && m.from instanceof Pid && m.from.equals(bad))) as MessageExit;
    expect((ex.reason as Tuple).elements[0]).toBe(atom('undef'));
  });

  it(`io from BEAM processes whose group leader is the TS node is answered and lands in the TS log (${label})`, async () => {
    const { beam, node, log, beamName } = P();
    expect(await beam.eval(`node_peer:io(${lit(node.pid)}, "hello from beam")`)).toBe(A.ok);
    const text = () => log.messages.map(formatLog);
    await until(() => text().some((l) => l.includes(`hello from beam {from,'${beamName}'}`)), 'io line in the log');
    // A process TS spawns on BEAM has the TS node as group leader (its parent's leader).
    const { probe } = await spawnProbe(node, true);
    await probe.process.remoteSpawn(beamName, { module: 'io', function: 'format' }, { args: [charlist('spawned by ts: ~p~n'), [[1, atom('two'), Buffer.from('three')]]], link: true });
    await until(() => text().some((l) => l.includes('spawned by ts: [1,two,<<"three">>]')), 'io of a spawned process');
    await probe.next((m) => m instanceof MessageExit && m.reason === A.normal);
  });

  it(`a BEAM supervisor supervises a child on the TS node: restart on crash, shutdown protocol on terminate_child (${label})`, async () => {
    const { beam, node, tsName, index } = P();
    TsWorker.started = [];
    TsWorker.ended = [];
    const sup = `bsup${index}`;
    const r = (await beam.eval(`node_sup:start(${sup}, 5, [{c1, ['${tsName}', ts_worker, start, [child]], permanent, 2000}])`)) as Tuple;
    expect(r.elements[0]).toBe(A.ok);
    const supPid = r.elements[1] as Pid;
    const childOf = async () => ((await beam.eval(`[P || {c1, P, _, _} <- supervisor:which_children(${sup})]`)) as Pid[])[0]!;
    const first = await childOf();
    expect(first.node).toBe(atom(tsName));
    expect(TsWorker.started.find((s) => s.pid.equals(first))!.parent).toEqual(supPid);
    // Crash: the supervisor gets the link EXIT and starts a new one on the TS node.
    node.send(first, atom('crash'));
    const second = await until(async () => {
      const c = await childOf();
      return c instanceof Pid && !c.equals(first) ? c : undefined;
    }, 'restart');
    expect(second.node).toBe(atom(tsName));
    // terminate_child: MONITOR_P + exit(Child, shutdown); the trapping child ends with shutdown.
    expect(await beam.eval(`supervisor:terminate_child(${sup}, c1)`)).toBe(A.ok);
    expect(TsWorker.ended.find((e) => e.pid.equals(second))!.reason).toBe(A.shutdown);
    expect(beam.logs.join('\n')).not.toContain('shutdown_error');
    // Restart it, then stop the supervisor: the child goes with it.
    const again = ((await beam.eval(`supervisor:restart_child(${sup}, c1)`)) as Tuple).elements[1] as Pid;
    const gone = node.wait(again, 10_000);
    await beam.eval(`gen_server:stop(${sup}, shutdown, 10000)`);
    expect(await gone).toBe(A.shutdown);
  });

  it(`a TS supervisor supervises a child on BEAM: restart on crash, shutdown with the OTP protocol (${label})`, async () => {
    const { beam, node, beamName, index } = P();
    const sinkName = `tsup_sink${index}`;
    const sink = (await beam.eval(`dist_peer:start_sink(${sinkName})`)) as Pid;
    class Top extends Supervisor {
      spec(): SupervisorSpec {
        return {
          strategy: 'one_for_one',
          intensity: 5,
          period: 10,
          children: [{ id: 'w', start: { remote: { node: beamName, name: { module: 'node_peer', function: 'worker' }, args: [sink, atom('w')] } }, shutdown: 2000 }],
        };
      }
    }
    const top = await node.spawn(Top);
    const started = async (n: number) => ((await beam.eval(`[P || {worker_started, w, P} <- dist_peer:wait_msgs(${sinkName}, ${n}, 5000)]`)) as Pid[]);
    const [w1] = await started(1);
    const kids = await Supervisor.whichChildren(node, top);
    expect(kids[0]!.pid).toEqual(w1);
    await beam.eval(`${lit(w1!)} ! {crash, boom}`);
    const [, w2] = await until(async () => {
      const l = await started(2);
      return l.length === 2 ? l : undefined;
    }, 'restarted on BEAM');
    expect(w2).not.toEqual(w1);
    expect((await Supervisor.whichChildren(node, top))[0]!.pid).toEqual(w2);
    // terminate: the BEAM worker (trapping) gets exit(shutdown) from the supervisor and ends.
    await Supervisor.terminateChild(node, top, 'w');
    const sig = ((await beam.eval(`[{F, R} || {worker_exit_signal, w, _, F, R} <- dist_peer:wait_msgs(${sinkName}, 3, 5000)]`)) as Tuple[])[0]!;
    expect(sig).toEqual(tuple(top, A.shutdown));
    expect(await beam.eval(`is_process_alive(${lit(w2!)})`)).toBe(false);

  });
});


