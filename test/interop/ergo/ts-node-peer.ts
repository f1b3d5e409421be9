/**
 * A TS node — the runtime with the Ergo stack, as a user starts it — in a child process driven
 * like ergo-peer (JSON lines in, JSON lines out), for topologies a test cannot run in its own
 * process (inside a private network namespace next to Go registrar servers).
 *
 *   {"op":"start","name":…,"registrarPort":…,"port":…}  → starts the node, with "echo" registered
 *   {"op":"registrar"}                                  → {"serving", "registered", "nodes"}
 *   {"op":"call","node":…,"name":…,"text":…}            → {"value"} (a call to {Name, Node})
 *   {"op":"send","node":…,"name":…,"text":…}
 *   {"op":"stop"}
 * Registrar transitions: {"ev":"registrar","type":…}; what "echo" receives: {"ev":"recv",…}.
 */
import { createInterface } from 'node:readline';
import { Actor } from '../../../src/act/index.js';
import { processId } from '../../../src/gen/index.js';
import { NetworkManager, Node } from '../../../src/node/index.js';
import { ErgoStack } from '../../../src/net/ergo/index.js';

const out = (v: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x))}\n`);
};

class Echo extends Actor {
  override handleCall(r: unknown): unknown {
    return r;
  }
  override handleMessage(m: unknown): void {
    out({ ev: 'recv', message: typeof m === 'string' ? m : String(m) });
  }
}

let node: Node | undefined;
let stack: ErgoStack | undefined;

async function run(c: Record<string, unknown>): Promise<Record<string, unknown>> {
  switch (c.op) {
    case 'start': {
      stack = new ErgoStack({
        cookie: String(c.cookie ?? 'cookie'),
        acceptor: { host: '127.0.0.1', port: Number(c.port) },
        registrar: { port: Number(c.registrarPort), onEvent: (e) => out({ ev: 'registrar', type: e.type }) },
      });
      node = await Node.start({ name: String(c.name), defaultLogger: false, router: new NetworkManager({ stacks: [stack] }) });
      await node.spawnRegister('echo', Echo);
      return { serving: stack.network?.registrar?.server !== undefined };
    }
    case 'registrar': {
      const r = stack?.network?.registrar;
      return { serving: r?.server !== undefined, registered: r?.registered ?? false, nodes: r?.server?.nodes().map((a) => a.name).sort() ?? [] };
    }
    case 'call':
      return { value: await node!.call(processId(String(c.name), String(c.node)), String(c.text), { timeout: 5000 }) };
    case 'send':
      node!.send(processId(String(c.name), String(c.node)), String(c.text));
      return {};
    case 'stop':
      await node?.stop();
      return {};
    default:
      throw new Error(`unknown op ${String(c.op)}`);
  }
}

out({ ev: 'ready', pid: process.pid });
let chain = Promise.resolve();
createInterface({ input: process.stdin })
  .on('line', (line) => {
    const c = JSON.parse(line) as Record<string, unknown>;
    chain = chain.then(async () => {
      try {
        out({ ev: 'result', id: c.id, err: null, ...(await run(c)) });
      } catch (e) {
        out({ ev: 'result', id: c.id, err: (e as Error).message, code: (e as { code?: string }).code });
      }
    });
  })
  .on('close', () => {
    void chain.then(() => node?.stop()).then(() => process.exit(0));
  });
