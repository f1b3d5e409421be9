/**
 * `npm start`: a small, honest demo of what exists today — the term model and the ETF codec —
 * proven against a real BEAM when `erl` is installed. (The node runtime and the network stacks
 * will replace this with a real node; see README.)
 */
import { spawnSync } from 'node:child_process';
import { decode, encode } from '../codec/etf/index.js';
import { A, Alias, ImproperList, Pid, TermMap, atom, charlist, format, tuple, type Term } from '../term/index.js';

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
console.log('term      ', format(request));
console.log(`ETF bytes  ${bytes.length}: ${Buffer.from(bytes).toString('hex')}`);
const back = decode(bytes);
console.log('decoded   ', format(back));

const erl = spawnSync(
  'erl',
  ['-noshell', '-eval', `B = binary:decode_hex(<<"${Buffer.from(bytes).toString('hex')}">>), io:format("~0p~n", [binary_to_term(B)]), halt().`],
  { encoding: 'utf8' },
);
if (erl.status === 0) {
  console.log('BEAM reads', erl.stdout.trim());
} else {
  console.log('BEAM check skipped: `erl` is not installed (apt-get install erlang-nox)');
}
console.log(`reply tag  ${format(tuple(new ImproperList([atom('alias')], mref), A.ok))} goes back to the alias`);
