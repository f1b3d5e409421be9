/**
 * Our EPMD client against our embedded EPMD server (the real epmd is exercised by the interop
 * suite): registration with 32-bit and 16-bit creations, duplicates, lookups, NAMES,
 * unregistering on close, requests cut into single bytes, garbage, and an endpoint taking over
 * as EPMD when the one it registered with goes away.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { EpmdClient, EpmdCode, EpmdError, EpmdServer } from '../../../src/net/erlang/index.js';
import { RawNode } from './raw-node.js';
import { freePort } from '../../interop/erlang/beam.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function server(): Promise<EpmdServer> {
  const s = await EpmdServer.start({ port: 0 });
  cleanup.push(() => s.close());
  return s;
}

function raw(port: number, bytes: number[][], expectBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port }, async () => {
      for (const b of bytes) {
        s.write(Buffer.from(b));
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    s.on('data', (d) => {
      chunks.push(d);
      if (Buffer.concat(chunks).length >= expectBytes) {
        s.destroy();
        resolve(Buffer.concat(chunks));
      }
    });
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

describe('EPMD', () => {
  it('registers (ALIVE2_X_RESP, 32-bit creation), resolves, lists, unregisters on close', async () => {
    const s = await server();
    const c = new EpmdClient({ port: s.port });
    const reg = await c.register({ name: 'alpha', port: 4567 });
    expect(reg.extended).toBe(true);
    expect(reg.creation).toBeGreaterThan(3);
    const e = await c.portPlease('alpha');
    expect(e).toMatchObject({ name: 'alpha', port: 4567, nodeType: 77, protocol: 0, highVersion: 6, lowVersion: 6 });
    const hidden = await c.register({ name: 'beta', port: 4568, hidden: true });
    expect(hidden.creation).not.toBe(reg.creation);
    expect((await c.portPlease('beta')).nodeType).toBe(72);
    const names = await c.names();
    expect(names.epmdPort).toBe(s.port);
    expect(names.names).toEqual(expect.arrayContaining([{ name: 'alpha', port: 4567 }, { name: 'beta', port: 4568 }]));
    reg.close();
    expect(await reg.closed).toBeUndefined();
    for (let i = 0; i < 50 && s.lookup('alpha'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.lookup('alpha')).toBeUndefined();
    await expect(c.portPlease('alpha')).rejects.toMatchObject({ code: EpmdCode.NotFound });
    hidden.close();
  });

  it('refuses a name that is taken; a new registration of a name gets a new creation', async () => {
    const s = await server();
    const c = new EpmdClient({ port: s.port });
    const a = await c.register({ name: 'dup', port: 1000 });
    await expect(c.register({ name: 'dup', port: 1001 })).rejects.toMatchObject({ code: EpmdCode.Register });
    a.close();
    await a.closed;
    for (let i = 0; i < 50 && s.lookup('dup'); i++) await new Promise((r) => setTimeout(r, 10));
    const b = await c.register({ name: 'dup', port: 1002 });
    expect(b.creation).not.toBe(a.creation);
    b.close();
  });

  it('a version 5 registrant gets ALIVE2_RESP with a 16-bit creation in 1..3', async () => {
    const s = await server();
    const reg = await new EpmdClient({ port: s.port }).register({ name: 'old', port: 999, highVersion: 5, lowVersion: 5 });
    expect(reg.extended).toBe(false);
    expect(reg.creation).toBeGreaterThanOrEqual(1);
    expect(reg.creation).toBeLessThanOrEqual(3);
    reg.close();
  });

  it('reads requests however the bytes arrive, one at a time included', async () => {
    const s = await server();
    const reg = await new EpmdClient({ port: s.port }).register({ name: 'split', port: 3333 });
    const req = [0, 6, 122, ...Buffer.from('split')];
    const reply = await raw(s.port, req.map((b) => [b]), 14 + 5);
    expect(reply[0]).toBe(119);
    expect(reply[1]).toBe(0);
    expect(reply.readUInt16BE(2)).toBe(3333);
    reg.close();
  });

  it('closes on garbage and keeps serving', async () => {
    const s = await server();
    expect((await raw(s.port, [[0, 0]], 1)).length).toBe(0); // length 0
    expect((await raw(s.port, [[0, 1, 250]], 1)).length).toBe(0); // unknown request
    expect((await raw(s.port, [[0, 5, 120, 1, 2, 3, 4]], 1)).length).toBe(0); // ALIVE2 too short
    expect((await raw(s.port, [[0xff, 0xff, 1]], 1)).length).toBe(0); // over the size limit
    const reg = await new EpmdClient({ port: s.port }).register({ name: 'after', port: 1 });
    expect(reg.creation).toBeGreaterThan(3);
    reg.close();
  });

  it('KILL is refused and NAMES answered by the embedded EPMD', async () => {
    const s = await server();
    expect((await raw(s.port, [[0, 1, 107]], 2)).toString()).toBe('NO');
    const names = await raw(s.port, [[0, 1, 110]], 4);
    expect(names.readUInt32BE(0)).toBe(s.port);
  });

  it('says when nothing answers', async () => {
    const port = await freePort();
    const err = await new EpmdClient({ port, timeout: 2000 }).portPlease('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EpmdError);
    expect((err as EpmdError).code).toBe(EpmdCode.Unreachable);
  });

  it('an endpoint starts an embedded EPMD when none answers; others register with it; one takes over when it goes', async () => {
    const port = await freePort();
    const a = await RawNode.start({ name: 'ea@127.0.0.1', cookie: 'c', epmd: { port } });
    cleanup.push(() => a.stop());
    expect(a.ep.embeddedEpmd?.port).toBe(port);
    const b = await RawNode.start({ name: 'eb@127.0.0.1', cookie: 'c', epmd: { port } });
    cleanup.push(() => b.stop());
    expect(b.ep.embeddedEpmd).toBeUndefined();
    expect(a.ep.embeddedEpmd!.lookup('eb')!.creation).toBe(b.ep.creation);
    const conn = await b.ep.connect('ea@127.0.0.1');
    expect(conn.node.name).toBe('ea@127.0.0.1');
    const creationB = b.ep.creation;
    await a.stop();
    // b lost its registration: within about a second it registers again, now as the EPMD.
    for (let i = 0; i < 100 && !b.ep.embeddedEpmd; i++) await new Promise((r) => setTimeout(r, 50));
    expect(b.ep.embeddedEpmd?.port).toBe(port);
    expect(b.ep.creation).toBe(creationB);
    const c = await RawNode.start({ name: 'ec@127.0.0.1', cookie: 'c', epmd: { port } });
    cleanup.push(() => c.stop());
    await c.ep.connect('eb@127.0.0.1');
    expect(b.ep.nodes().map((n) => n.name)).toContain('ec@127.0.0.1');
  });
});
