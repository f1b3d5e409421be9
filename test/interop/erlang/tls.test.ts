/**
 * TLS distribution against real BEAM nodes running `-proto_dist inet_tls`, with a CA and a
 * node certificate made by `openssl` for this run: both roles, messages over it, and a node
 * whose certificate the BEAM does not trust is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atom, tuple } from '../../../src/term/index.js';
import { otpReleases, type Otp } from '../../support/otp.js';
import { RawNode } from '../../net/erlang/raw-node.js';
import { Beam, Epmd } from './beam.js';

const releases = otpReleases();
const COOKIE = 'dist-tls-cookie';

let epmd: Epmd;
let dir: string;
const beams = new Map<Otp, Beam>();
const staged: (() => void)[] = [];
const nodes: RawNode[] = [];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, and a certificate for 127.0.0.1 signed by it (server and client use); plus an untrusted one. */
function makeCerts(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  // inet_tls_dist dials with server_name_indication = the host part of the node name; OTP 25
  // then checks "127.0.0.1" as a DNS name (27+ also match the IP entry), hence DNS:127.0.0.1.
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  for (const ca of ['ca', 'rogue-ca']) {
    openssl(['req', '-x509', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=ergo-ts ${ca}`]);
  }
  for (const [name, ca] of [['node', 'ca'], ['rogue', 'rogue-ca']]) {
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=127.0.0.1']);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', 'ext.cnf']);
  }
}

function tlsOptions(name: 'node' | 'rogue') {
  const key = readFileSync(join(dir, `${name}.key`));
  const cert = readFileSync(join(dir, `${name}.pem`));
  const ca = readFileSync(join(dir, 'ca.pem'));
  return {
    server: { key, cert, ca, requestCert: true, rejectUnauthorized: true },
    client: { key, cert, ca, rejectUnauthorized: true },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ergo-ts-tls-'));
  makeCerts();
  epmd = await Epmd.start();
  await Promise.all(
    releases.map(async (otp, i) => {
      const s = otp.stage(dir);
      staged.push(s.cleanup);
      const f = (n: string) => JSON.stringify(join(s.path, n));
      const common = `{certfile, ${f('node.pem')}}, {keyfile, ${f('node.key')}}, {cacertfile, ${f('ca.pem')}}, {verify, verify_peer}, {secure_renegotiate, true}`;
      writeFileSync(join(dir, `dist${i}.conf`), `[{server, [${common}, {fail_if_no_peer_cert, true}]}, {client, [${common}]}].\n`);
      // Stage again so the chroot copy has the option file too.
      const s2 = otp.stage(dir);
      staged.push(s2.cleanup);
      const beam = await Beam.start(otp, {
        name: `tls${i}@127.0.0.1`,
        cookie: COOKIE,
        epmdPort: epmd.port,
        args: ['-proto_dist', 'inet_tls', '-ssl_dist_optfile', join(s2.path, `dist${i}.conf`)],
      });
      beams.set(otp, beam);
    }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await Promise.all([...beams.values()].map((b) => b.stop()));
  await epmd?.stop();
  for (const c of staged) c();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ts(name: string, cert: 'node' | 'rogue' = 'node'): Promise<RawNode> {
  const n = await RawNode.start({ name, cookie: COOKIE, epmd: { port: epmd.port, embedded: false }, tls: tlsOptions(cert) });
  nodes.push(n);
  return n;
}

describe.each(releases.map((otp, i) => [otp.label, otp, i] as const))('TLS distribution with %s', (label, otp, i) => {
  it(`TS dials a BEAM running inet_tls; messages both ways (${label})`, async () => {
    const beam = beams.get(otp)!;
    const n = await ts(`tlsa${i}@127.0.0.1`);
    const conn = await n.ep.connect(`tls${i}@127.0.0.1`);
    expect(conn.tls).toBe(true);
    await beam.eval(`dist_peer:start_sink(tls_sink${i})`);
    const p = n.pid();
    conn.regSend(p, atom(`tls_sink${i}`), tuple(atom('over_tls'), Buffer.alloc(200_000, 3)));
    expect(await beam.eval(`[{T, byte_size(B)} || {T, B} <- dist_peer:wait_msgs(tls_sink${i}, 1, 5000)]`)).toEqual([tuple(atom('over_tls'), 200_000)]);
    expect(await beam.eval(`net_adm:ping('tlsa${i}@127.0.0.1')`)).toBe(atom('pong'));
  });

  it(`BEAM running inet_tls dials TS: ping gets pong (${label})`, async () => {
    const beam = beams.get(otp)!;
    const n = await ts(`tlsb${i}@127.0.0.1`);
    expect(await beam.eval(`net_adm:ping('tlsb${i}@127.0.0.1')`)).toBe(atom('pong'));
    const up = await n.waitFor('up');
    expect(up.conn.tls).toBe(true);
    expect(up.conn.initiated).toBe(false);
  });

  it(`a certificate the BEAM does not trust is refused both ways (${label})`, async () => {
    const beam = beams.get(otp)!;
    const n = await ts(`tlsc${i}@127.0.0.1`, 'rogue');
    await expect(n.ep.connect(`tls${i}@127.0.0.1`)).rejects.toThrow();
    expect(await beam.eval(`net_adm:ping('tlsc${i}@127.0.0.1')`)).toBe(atom('pang'));
    expect(n.ep.nodes()).toEqual([]);
  });
});
