/**
 * Two (or more) TS nodes in this process, each with the Ergo stack on loopback, sharing a
 * registrar on a free port: the first node serves it, the others register with it. Variants
 * run the same scenarios over plain TCP, TLS (certificates made for this run), and with
 * compression of every message over 1 KiB.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger, NetworkManager, Node, type NodeOptions } from '../../../src/node/index.js';
import { ErgoStack, type ErgoStackOptions } from '../../../src/net/ergo/index.js';
import { freePort } from './support.js';

export { Echo, Gate, Probe, spawnProbe, until } from '../../node/helpers.js';

export type Variant = 'tcp' | 'tls' | 'gzip' | 'zlib' | 'lzw';
export const VARIANTS: readonly Variant[] = ['tcp', 'tls', 'gzip'];

let certs: { cert: string; key: string } | undefined;

/** A self-signed certificate for 127.0.0.1, made with openssl once per test file. */
export function makeCert(): { cert: string; key: string } {
  if (certs) return certs;
  const dir = mkdtempSync(join(tmpdir(), 'ergo-ts-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    const cnf = join(dir, 'san.cnf');
    writeFileSync(cnf, '[req]\ndistinguished_name=dn\nx509_extensions=v3\n[dn]\n[v3]\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-config', cnf], { stdio: 'ignore' });
    certs = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    return certs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stack options for a variant. */
export function variantOptions(v: Variant): ErgoStackOptions {
  switch (v) {
    case 'tcp':
      return {};
    case 'tls': {
      const c = makeCert();
      return { acceptor: { host: '127.0.0.1', port: 0, tls: c }, tls: { ca: c.cert } };
    }
    default:
      return { compression: { type: v, threshold: 1024 } };
  }
}

export interface TestNode {
  node: Node;
  logs: MemoryLogger;
}

/** Nodes sharing one registrar; `close()` stops them all (also on failure, from afterEach). */
export class Cluster {
  readonly nodes: TestNode[] = [];
  registrarPort = 0;
  static #n = 0;

  static async create(): Promise<Cluster> {
    const c = new Cluster();
    c.registrarPort = await freePort(true);
    return c;
  }

  /** A node `name@127.0.0.1` with the Ergo stack (acceptor on a free port, this cluster's registrar). */
  async node(name: string, v: Variant = 'tcp', ergo: ErgoStackOptions = {}, extra: Partial<NodeOptions> = {}): Promise<Node> {
    const base = variantOptions(v);
    const logs = new MemoryLogger();
    const node = await Node.start({
      name: `${name}${++Cluster.#n}@127.0.0.1`,
      cookie: 'test-cookie',
      defaultLogger: false,
      loggers: [{ name: 'memory', logger: logs }],
      ...extra,
      ergo: {
        ...base,
        ...ergo,
        acceptor: ergo.acceptor ?? { host: '127.0.0.1', port: 0, ...(base.acceptor || {}) },
        registrar: ergo.registrar ?? { port: this.registrarPort },
      },
    });
    this.nodes.push({ node, logs });
    return node;
  }

  /** Like `node`, with the stack at hand (a NetworkManager built here) for looking inside. */
  async nodeWithStack(name: string, v: Variant = 'tcp', ergo: ErgoStackOptions = {}, extra: Partial<NodeOptions> = {}): Promise<{ node: Node; stack: ErgoStack }> {
    const base = variantOptions(v);
    const stack = new ErgoStack({
      cookie: 'test-cookie',
      ...base,
      ...ergo,
      acceptor: ergo.acceptor ?? { host: '127.0.0.1', port: 0, ...(base.acceptor || {}) },
      registrar: ergo.registrar ?? { port: this.registrarPort },
    });
    const logs = new MemoryLogger();
    const node = await Node.start({
      name: `${name}${++Cluster.#n}@127.0.0.1`,
      defaultLogger: false,
      loggers: [{ name: 'memory', logger: logs }],
      ...extra,
      router: new NetworkManager({ stacks: [stack] }),
    });
    this.nodes.push({ node, logs });
    return { node, stack };
  }

  async close(): Promise<void> {
    // Newest first: the first node serves the registrar; let the others leave before it.
    for (const { node } of [...this.nodes].reverse()) await node.stopForce().catch(() => undefined);
    this.nodes.length = 0;
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
