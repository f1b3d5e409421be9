/**
 * `npm start`: a TS node and a real BEAM node working together on loopback — ping, a
 * gen_server call each way, a link that fires when one side crashes — then both stop cleanly.
 * It needs `erl` and `erlc` (Debian: `apt-get install erlang-nox`); without them it says so and
 * shows what runs without BEAM: a supervised gen_server on a local node.
 *
 * Nothing leaves 127.0.0.1: the TS node runs its own EPMD on a free port and the BEAM node
 * registers there (ERL_EPMD_PORT); the Erlang module the BEAM side runs is compiled into a temp
 * directory, removed at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor, GenServer, Supervisor, type From, type SupervisorSpec } from '../act/index.js';
import { MessageExit } from '../gen/index.js';
import { ErlangStack } from '../net/erlang/index.js';
import { Node } from '../node/index.js';
import { atom, format, tuple, type Pid, type Term, type Tuple } from '../term/index.js';

const COOKIE = 'ergo-ts-demo';
const TS = 'ts@127.0.0.1';
const BEAM = 'beam@127.0.0.1';

/** The BEAM side: a gen_server, a call into the TS node, and a process that links to a TS process. */
const DEMO_ERL = `
-module(demo_beam).
-behaviour(gen_server).
-export([start/0, call_ts/2, watch/2, init/1, handle_call/3, handle_cast/2]).
start() -> gen_server:start({local, demo_beam}, ?MODULE, [], []).
init([]) -> {ok, 0}.
handle_call(Req, {From, _}, N) -> {reply, {beam_got, Req, from, node(From), calls, N + 1}, N + 1}.
handle_cast(_, N) -> {noreply, N}.
%% A gen_server:call from BEAM to a GenServer on the TS node.
call_ts(Node, Req) -> gen_server:call({counter, Node}, Req).
%% A BEAM process linked to a TS process; it reports the EXIT it gets to the TS reporter.
watch(TsPid, Reporter) ->
    Self = self(),
    P = spawn(fun() ->
                      process_flag(trap_exit, true),
                      link(TsPid),
                      Self ! linked,
                      receive {'EXIT', TsPid, Why} -> Reporter ! {beam_saw_exit, TsPid, Why} end
              end),
    receive linked -> P end.
`;

class Counter extends GenServer<number> {
  init(): ['ok', number] {
    return ['ok', 0];
  }
  override handleCall(req: unknown, from: From, n: number): ['reply', Term, number] {
    if (req === atom('crash')) throw tuple(atom('crashed'), atom('asked_to'));
    return ['reply', tuple(atom('ts_got'), req as Term, atom('from'), from.pid.node, atom('count'), n + 1), n + 1];
  }
}

class Top extends Supervisor {
  spec(): SupervisorSpec {
    return { strategy: 'one_for_one', intensity: 3, period: 5, children: [{ id: 'counter', name: 'counter', start: { factory: Counter } }] };
  }
}

/** Keeps what it gets; `next()` resolves with the next message. */
class Inbox extends Actor {
  #waiting: ((m: unknown) => void)[] = [];
  #got: unknown[] = [];
  override init(trap?: boolean): void {
    this.process.trapExit = trap === true;
  }
  override handleMessage(m: unknown): void {
    const w = this.#waiting.shift();
    if (w) w(m);
    else this.#got.push(m);
  }
  next(): Promise<unknown> {
    return this.#got.length > 0 ? Promise.resolve(this.#got.shift()) : new Promise((r) => this.#waiting.push(r));
  }
}

/** A process that dies when told to. */
class Doomed extends Actor {
  override handleMessage(m: unknown): void {
    // A term thrown is the exit reason (an Error would be logged with its stack).
    if (m === atom('crash')) throw tuple(atom('crashed'), atom('on_purpose'));
  }
}

function have(tool: string): boolean {
  return spawnSync(tool, tool === 'erl' ? ['-version'] : ['-v'], { stdio: 'ignore' }).error === undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

const say = (what: string, text: string): void => console.log(`${what.padEnd(10)} ${text}`);

async function localDemo(): Promise<void> {
  const node = await Node.start({ name: 'demo@127.0.0.1', logLevel: 'warning' });
  await node.spawnRegister('top', Top);
  const counter = atom('counter');
  say('local', `counter says ${format(await node.call(counter, 'inc'))}`);
  const before = node.whereis(counter);
  await node.call(counter, atom('crash')).catch((e: Error) => say('local', `call failed: ${e.message}`));
  await new Promise((r) => setTimeout(r, 20));
  say('local', `supervisor restarted it: ${before} → ${node.whereis(counter)}`);
  await node.stop();
}

async function withBeam(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ergo-ts-demo-'));
  let erl: ChildProcess | undefined;
  let node: Node | undefined;
  try {
    writeFileSync(join(dir, 'demo_beam.erl'), DEMO_ERL);
    const c = spawnSync('erlc', ['-o', dir, join(dir, 'demo_beam.erl')], { encoding: 'utf8' });
    if (c.status !== 0) throw new Error(`erlc failed: ${c.stderr || c.stdout}`);
    const epmdPort = await freePort();

    // 1. The TS node: the Erlang stack, with its own EPMD on a private port.
    node = await Node.start({ name: TS, cookie: COOKIE, erlang: { epmd: { port: epmdPort, embedded: true } }, logLevel: 'warning' });
    const stack = ErlangStack.of(node)!;
    await node.spawnRegister('top', Top);
    say('ts', `${TS} up: distribution on port ${stack.endpoint!.port}, EPMD on ${epmdPort} (embedded)`);

    // 2. The BEAM node, registered with our EPMD.
    erl = spawn('erl', ['-noshell', '-name', BEAM, '-setcookie', COOKIE, '-start_epmd', 'false', '-pa', dir], {
      env: { ...process.env, ERL_EPMD_PORT: String(epmdPort) },
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    const exited = new Promise<void>((r) => erl!.once('exit', () => r()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await node.connect(BEAM);
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`the BEAM node did not come up: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const release = await stack.rpc(BEAM, 'erlang', 'system_info', [atom('otp_release')]);
    say('beam', `${BEAM} up: OTP ${String.fromCharCode(...(release as number[]))}, connected; nodes() on BEAM: ${format(await stack.rpc(BEAM, 'erlang', 'nodes', []))}`);

    // 3. Ping, both ways.
    say('ping', `BEAM net_adm:ping('${TS}') → ${format(await stack.rpc(BEAM, 'net_adm', 'ping', [atom(TS)]))}`);
    say('ping', `TS asks BEAM's net_kernel {is_auth, ${TS}} → ${format(await node.call(tuple(atom('net_kernel'), atom(BEAM)), tuple(atom('is_auth'), atom(TS))))}`);

    // 4. A gen_server call each way.
    await stack.rpc(BEAM, 'demo_beam', 'start', []);
    say('call', `TS → BEAM gen_server:  ${format(await node.call(tuple(atom('demo_beam'), atom(BEAM)), tuple(atom('hello'), 'from ts')))}`);
    say('call', `BEAM → TS GenServer:   ${format(await stack.rpc(BEAM, 'demo_beam', 'call_ts', [atom(TS), atom('inc')]))}`);

    // 5. Links across the boundary, both ways.
    const inbox = new Inbox();
    const inboxPid = await node.spawnRegister('reporter', () => inbox);
    const doomed = await node.spawn(Doomed);
    await stack.rpc(BEAM, 'demo_beam', 'watch', [doomed, inboxPid]);
    node.send(doomed, atom('crash'));
    const saw = (await inbox.next()) as Term;
    say('link', `TS process ${doomed} crashed; the linked BEAM process got the EXIT: ${format(saw, 200)}`);
    const watcher = new Inbox();
    await node.spawn(() => watcher, { args: [true] });
    const beamPid = (await stack.rpc(BEAM, 'erlang', 'spawn', [atom('timer'), atom('sleep'), [atom('infinity')]])) as Pid;
    watcher.process.link(beamPid);
    // The link is in place on BEAM once the process lists it.
    const linked = async () => ((await stack.rpc(BEAM, 'erlang', 'process_info', [beamPid, atom('links')])) as Tuple).elements[1] as Term[];
    while ((await linked()).length === 0) await new Promise((r) => setTimeout(r, 10));
    await stack.rpc(BEAM, 'erlang', 'exit', [beamPid, atom('boom')]);
    const ex = (await watcher.next()) as MessageExit;
    say('link', `BEAM process ${beamPid} was killed with boom; the linked TS process got ${format(ex, 200)}`);

    // 6. Stop both cleanly: the BEAM node with init:stop(), then ours.
    await stack.rpc(BEAM, 'init', 'stop', []).catch(() => undefined);
    await exited;
    erl = undefined;
    say('beam', 'stopped (init:stop)');
    await node.stop();
    node = undefined;
    say('ts', 'stopped');
  } finally {
    if (erl !== undefined) erl.kill('SIGKILL');
    await node?.stopForce();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('ergo-ts demo: a TypeScript node and a real BEAM node on 127.0.0.1\n');
if (have('erl') && have('erlc')) {
  await withBeam();
} else {
  console.log('This demo needs Erlang/OTP 25 or later (`erl` and `erlc` on PATH; Debian: apt-get install erlang-nox).');
  console.log('Without it, here is what runs without BEAM: a supervised gen_server on a local node.\n');
  await localDemo();
}
