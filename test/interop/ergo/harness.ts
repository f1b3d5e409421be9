/**
 * Shared setup of the Go ↔ TS interop suites: a private registrar port per test, TS nodes with
 * a recording inbound handler, Go peers, and conversions between Go's JSON and our terms.
 * Everything is on 127.0.0.1 and is stopped by `close()` (afterEach).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Atom } from '../../../src/term/atom.js';
import { Alias, Pid } from '../../../src/term/ids.js';
import { ErgoNetwork, type ErgoNetworkOptions } from '../../../src/net/ergo/index.js';
import { goPeers } from '../../support/go.js';
import { Recorder, freePort } from '../../net/ergo/support.js';
import { GoPeer, type GoAlias, type GoPeerOptions, type GoPid } from './peer.js';

export const go = goPeers();
/** Test title with the skip reason when the Go peer cannot be built. */
export const title = (s: string): string => (go.ok ? s : `${s} [skipped: ${go.reason}]`);

export function goPid(p: GoPid): Pid {
  return new Pid(Atom.of(p.node), p.id % 2 ** 32, Math.floor(p.id / 2 ** 32), p.creation);
}

export function goAlias(a: GoAlias): Alias {
  const w: number[] = [];
  for (const v of a.id) w.push(v % 2 ** 32, Math.floor(v / 2 ** 32));
  return new Alias(Atom.of(a.node), a.creation, w);
}

/** Our pid as ergo-peer's JSON target. */
export function pidTarget(p: Pid): { pid: GoPid } {
  return { pid: { node: p.node.name, id: p.number, creation: Number(p.creation) } };
}

export function aliasTarget(a: Alias): { alias: GoAlias } {
  const [x, y, z] = a.ergoIds();
  return { alias: { node: a.node.name, creation: Number(a.creation), id: [Number(x), Number(y), Number(z)] } };
}

export class Cluster {
  registrarPort = 0;
  readonly ts: ErgoNetwork[] = [];
  readonly goPeers: GoPeer[] = [];
  readonly recorders = new Map<ErgoNetwork, Recorder>();

  static async create(): Promise<Cluster> {
    const c = new Cluster();
    c.registrarPort = await freePort(true);
    return c;
  }

  /** A TS node; starts it unless `start: false`. */
  async node(name: string, o: Partial<ErgoNetworkOptions> & { start?: boolean } = {}): Promise<{ net: ErgoNetwork; rec: Recorder }> {
    const rec = (o.inbound as Recorder | undefined) ?? new Recorder();
    const net = new ErgoNetwork({
      name,
      cookie: 'cookie',
      inbound: rec,
      acceptor: { port: await freePort() },
      registrar: { port: this.registrarPort },
      ...o,
    });
    this.ts.push(net);
    this.recorders.set(net, rec);
    if (o.start !== false) await net.start();
    return { net, rec };
  }

  async go(name: string, o: Partial<GoPeerOptions> = {}): Promise<GoPeer> {
    const p = await GoPeer.start({ name, registrarPort: this.registrarPort, port: o.hidden ? undefined : await freePort(), ...o });
    this.goPeers.push(p);
    return p;
  }

  async close(): Promise<void> {
    await Promise.all(this.goPeers.map((p) => p.close()));
    await Promise.all(this.ts.map((n) => n.stop()));
  }
}

/** A self-signed certificate for 127.0.0.1 made with openssl for this run. */
export function makeCert(): { cert: string; key: string; certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ergo-ts-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const cnf = join(dir, 'san.cnf');
  writeFileSync(cnf, '[req]\ndistinguished_name=dn\nx509_extensions=v3\n[dn]\n[v3]\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-config', cnf], { stdio: 'ignore' });
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}
