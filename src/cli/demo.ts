/**
 * `npm start`: a demo of what exists today — a local node with a supervised gen_server, and
 * the ETF codec proven against a real BEAM when `erl` is installed. The network stacks (EPMD /
 * DIST, Ergo registrar / ENP) are not built yet, so this node talks to no other node.
 */
import { spawnSync } from 'node:child_process';
import { decode, encode } from '../codec/etf/index.js';
import { GenServer, Supervisor, type From, type SupervisorSpec } from '../act/index.js';
import { Node } from '../node/index.js';
import { A, Alias, ImproperList, Pid, TermMap, atom, charlist, format, tuple, type Term } from '../term/index.js';

class Counter extends GenServer<number> {
  init(): ['ok', number] {
    return ['ok', 0];
  }
  override handleCall(req: unknown, _from: From, n: number): ['reply', Term, number] {
    if (req === 'crash') throw new Error('asked to crash');
    return ['reply', n + 1, n + 1];
  }
}

class Top extends Supervisor {
  spec(): SupervisorSpec {
    return { strategy: 'one_for_one', intensity: 3, period: 5, children: [{ id: 'counter', name: 'counter', start: { factory: Counter } }] };
  }
}

async function runtimeDemo(): Promise<void> {
  const node = await Node.start({ name: 'demo@127.0.0.1', logLevel: 'warning' });
  await node.spawnRegister('top', Top);
  const counter = atom('counter');
  console.log('runtime    counter says', await node.call(counter, 'inc'), 'then', await node.call(counter, 'inc'));
  const before = node.whereis(counter);
  await node.call(counter, 'crash').catch((e: Error) => console.log(`runtime    call failed: ${e.message}`));
  await new Promise((r) => setTimeout(r, 20));
  console.log(`runtime    supervisor restarted it: ${before} → ${node.whereis(counter)}, count starts over at`, await node.call(counter, 'inc'));
  await node.stop();
}

function codecDemo(): void {
  const node = atom('demo@127.0.0.1');
  const caller = new Pid(node, 84, 0, 1700000000);
  const mref = new Alias(node, 1700000000, [0x9a1, 0x2b3c, 0x4d5e]);
  // What a gen_server:call from OTP 24+ puts on the wire: {'$gen_call', {From, [alias | Mref]}, Request}
  const request: Term = tuple(
    atom('$gen_call'),
    tuple(caller, new ImproperList([atom('alias')], mref)),
    tuple(atom('put'), 'user:42', new TermMap([[atom('name'), 'Ada'], [atom('langs'), [charlist('erlang'), charlist('go')]], [atom('score'), 98.6]])),
  );
  const bytes = encode(request);
  console.log('ETF term  ', format(request));
  console.log(`ETF bytes  ${bytes.length}: ${Buffer.from(bytes).toString('hex')}`);
  console.log('decoded   ', format(decode(bytes)));
  const erl = spawnSync(
    'erl',
    ['-noshell', '-eval', `B = binary:decode_hex(<<"${Buffer.from(bytes).toString('hex')}">>), io:format("~0p~n", [binary_to_term(B)]), halt().`],
    { encoding: 'utf8' },
  );
  if (erl.status === 0) console.log('BEAM reads', erl.stdout.trim());
  else console.log('BEAM check skipped: `erl` is not installed (apt-get install erlang-nox)');
  console.log(`reply tag  ${format(tuple(new ImproperList([atom('alias')], mref), A.ok))} goes back to the alias`);
}

codecDemo();
await runtimeDemo();
