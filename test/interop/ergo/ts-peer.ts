/**
 * A TS Ergo node as a child process, driven like ergo-peer (JSON lines in, JSON lines out), for
 * topologies a test cannot run in its own process: inside a private network namespace next to
 * a Go registrar server.
 *
 *   {"op":"start","name":…,"registrarPort":…,"port":…}   → {"ev":"started"} | {"ev":"error"}
 *   {"op":"resolve","node":…}                           → {"ev":"result","routes":[…]}
 *   {"op":"connect","node":…} / {"op":"send","node":…,"name":…,"text":…}
 *   {"op":"registrar"}  {"op":"stop"}
 * Registrar transitions and inbound sends are reported as {"ev":"registrar",…} / {"ev":"recv",…}.
 */
import { createInterface } from 'node:readline';
import { Atom } from '../../../src/term/atom.js';
import { Pid } from '../../../src/term/ids.js';
import { processId } from '../../../src/term/names.js';
import { ErgoNetwork } from '../../../src/net/ergo/index.js';
import { Recorder } from '../../net/ergo/support.js';

const out = (v: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x))}\n`);
};

class Inbound extends Recorder {
  override send(from: Pid, to: Pid | Atom | import('../../../src/term/ids.js').Alias, message: unknown, priority: number) {
    out({ ev: 'recv', from: String(from), to: String(to), message: typeof message === 'string' ? message : String(message) });
    return super.send(from, to, message, priority);
  }
}

let net: ErgoNetwork | undefined;

async function run(c: Record<string, unknown>): Promise<Record<string, unknown>> {
  switch (c.op) {
    case 'start': {
      net = new ErgoNetwork({
        name: String(c.name),
        cookie: String(c.cookie ?? 'cookie'),
        inbound: new Inbound(),
        acceptor: { host: '127.0.0.1', port: Number(c.port) },
        registrar: { port: Number(c.registrarPort), onEvent: (e) => out({ ev: 'registrar', type: e.type, ...('server' in e ? { server: e.server } : {}) }) },
      });
      await net.start();
      return { serving: net.registrar?.server !== undefined };
    }
    case 'resolve':
      return { routes: (await net!.registrar!.resolve(String(c.node))).map((r) => ({ host: r.Host, port: r.Port, tls: r.TLS })) };
    case 'connect': {
      const conn = await net!.connect(String(c.node));
      return { links: conn.links, poolSize: conn.poolSize };
    }
    case 'send': {
      const conn = await net!.connect(String(c.node));
      const err = conn.send(new Pid(net!.name, 1004, 0, net!.local.creation), processId(String(c.name), String(c.node)), String(c.text));
      return { sent: err === undefined };
    }
    case 'registrar':
      return { serving: net?.registrar?.server !== undefined, registered: net?.registrar?.registered ?? false, nodes: net?.registrar?.server?.nodes().map((a) => a.name) ?? [] };
    case 'stop':
      await net?.stop();
      return {};
    default:
      throw new Error(`unknown op ${String(c.op)}`);
  }
}

out({ ev: 'ready', pid: process.pid });
let chain = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as Record<string, unknown>;
  chain = chain.then(async () => {
    try {
      out({ ev: 'result', id: c.id, err: null, ...(await run(c)) });
    } catch (e) {
      out({ ev: 'result', id: c.id, err: (e as Error).message, code: (e as { code?: string }).code });
    }
  });
}).on('close', () => {
  void chain.then(() => net?.stop()).then(() => process.exit(0));
});
