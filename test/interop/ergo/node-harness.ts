/**
 * Node-level interop setup: TS nodes (the full runtime with the Ergo stack, as users run it)
 * next to Go Ergo v3 nodes (interop/go/cmd/ergo-peer), all on 127.0.0.1 with one private
 * registrar port. The first TS node serves the registrar; Go peers register with it (they never
 * serve outside a network namespace: Go binds the registrar's UDP on every interface).
 *
 * Variants: plain TCP, TLS on every acceptor (a certificate made for this run; Go dials with
 * InsecureSkipVerify, we with the certificate as CA), and compression of every message over
 * 1 KiB from the TS side (Go compresses per send command).
 */
import { MemoryLogger, Node, type NodeOptions } from '../../../src/node/index.js';
import type { ErgoStackOptions } from '../../../src/net/ergo/index.js';
import { freePort } from '../../net/ergo/support.js';
import { makeCert } from '../../net/ergo/node-support.js';
import { GoPeer, type GoPeerOptions } from './peer.js';

export { go, goPid, goAlias, pidTarget, aliasTarget, title } from './harness.js';

export type Variant = 'tcp' | 'tls' | 'gzip';
export const VARIANTS: readonly Variant[] = ['tcp', 'tls', 'gzip'];

export class NodeCluster {
  registrarPort = 0;
  readonly ts: { node: Node; logs: MemoryLogger }[] = [];
  readonly goPeers: GoPeer[] = [];
  #certFiles: { certFile: string; keyFile: string } | undefined;

  private constructor(readonly variant: Variant) {}

  static async create(variant: Variant = 'tcp'): Promise<NodeCluster> {
    const c = new NodeCluster(variant);
    c.registrarPort = await freePort(true);
    return c;
  }

  /** Stack options for this variant (TLS acceptor and CA; compression). */
  ergoOptions(extra: ErgoStackOptions = {}): ErgoStackOptions {
    const o: ErgoStackOptions = { registrar: { port: this.registrarPort }, acceptor: { host: '127.0.0.1', port: 0 }, ...extra };
    if (this.variant === 'tls') {
      const c = makeCert();
      o.acceptor = { host: '127.0.0.1', port: 0, ...(extra.acceptor || {}), tls: c };
      o.tls = { ca: c.cert };
    }
    if (this.variant === 'gzip') o.compression = { type: 'gzip', threshold: 1024, ...extra.compression };
    return o;
  }

  /** A TS node `name` (full name; no suffix) with the Ergo stack. */
  async node(name: string, ergo: ErgoStackOptions = {}, extra: Partial<NodeOptions> = {}): Promise<Node> {
    const logs = new MemoryLogger();
    const node = await Node.start({
      name,
      cookie: 'cookie',
      defaultLogger: false,
      loggers: [{ name: 'memory', logger: logs }],
      ...extra,
      ergo: this.ergoOptions(ergo),
    });
    this.ts.push({ node, logs });
    return node;
  }

  /** A Go peer registered with our registrar; TLS acceptor in the TLS variant. */
  async go(name: string, o: Partial<GoPeerOptions> = {}): Promise<GoPeer> {
    const tls = this.variant === 'tls' ? await this.#certs() : undefined;
    const p = await GoPeer.start({
      name,
      registrarPort: this.registrarPort,
      port: o.hidden ? undefined : await freePort(),
      ...(tls ? { tls: { cert: tls.certFile, key: tls.keyFile }, insecure: true } : {}),
      ...o,
    });
    this.goPeers.push(p);
    return p;
  }

  async #certs(): Promise<{ certFile: string; keyFile: string }> {
    if (this.#certFiles) return this.#certFiles;
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const c = makeCert();
    const dir = mkdtempSync(join(tmpdir(), 'ergo-ts-go-tls-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(certFile, c.cert);
    writeFileSync(keyFile, c.key);
    this.#certFiles = { certFile, keyFile };
    return this.#certFiles;
  }

  /** Go peers first (killed if they linger), then TS nodes newest first (the first one serves the registrar). */
  async close(): Promise<void> {
    await Promise.all(this.goPeers.map((p) => p.close()));
    for (const { node } of [...this.ts].reverse()) await node.stopForce().catch(() => undefined);
    if (this.#certFiles) {
      const { rmSync } = await import('node:fs');
      const { dirname } = await import('node:path');
      rmSync(dirname(this.#certFiles.certFile), { recursive: true, force: true });
    }
  }
}
