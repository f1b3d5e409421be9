/**
 * EHS pieces without sockets: the seven digests against values two Go nodes exchanged
 * (../shared/ref/ergo-network.md Appendix A, cookie "cookie123"), frame layouts, and the
 * handshake flows refusing what Go would refuse.
 */
import { describe, expect, it } from 'vitest';
import { Handshake } from '../../../src/codec/edf/index.js';
import { Atom } from '../../../src/term/atom.js';
import {
  acceptHandshake,
  certDigest,
  defaultCache,
  defaultNetworkFlags,
  digest,
  encodeHandshake,
  ErgoNetCode,
  handshakeFrameLength,
  joinHandshake,
  startHandshake,
  version,
  type LocalNode,
} from '../../../src/net/ergo/index.js';
import { ReplayIO } from './transcript.js';

const ascii = (s: string): string => Buffer.from(s).toString('hex');
const u16 = (n: number): string => n.toString(16).padStart(4, '0');
const str = (s: string): string => u16(s.length) + ascii(s);

// Appendix A.2 of the reference digest (two Go nodes, master f5ff7ed).
const cookie = 'cookie123';
const sD = 'b82550eb4c7fdc7344213ea0e38ed886502e79c9cd63c7fbcd917360cd4d7ea6';
const d1 = '89684c6b1ebfdd783e66784aad9292c9fe77952c25d3ca146b416619015c83b0';
const sA = 'c7628e0d80aa2e994c5a3cc812b12b8df61f3598d5ede8d1fa0dcad9ff89f429';
const d2 = '68f82c4709d25395c24dc37dc62aa7433c07773a9afb0e55c3d9d4b2a6b690a5';
const d4 = 'b5be8918b355022fdb76906a0c0b2bdfdd05da867d0bc3cf65b3ea0a342de3ba';
const id = 'f8d1d97c12d187c48f99951f5da4eeaf';
const sJ = 'b1d44d10aa1b21fd9a8aa70c04e134efe054b45dfab4d32f9dc75b821aa27e5b';
const d5 = '6d7b62ebb0cfd97723caba554d41a6a09d841e16930eb3a74809869b9cd6cf3d';
const d6 = 'ca891178436b2b0844f41af7cd3bf12c6a947cd4b0ccb7eb33af35ca0693eacd';

function local(name: string, creation = 5): LocalNode {
  const a = Atom.of(name);
  return { name: a, creation, version: version('t', '1'), flags: defaultNetworkFlags(), maxMessageSize: 0, cache: defaultCache(a) };
}

describe('EHS digests and frames', () => {
  it('reproduces the digests two Go nodes exchanged', () => {
    expect(digest(`${sD}:${cookie}`)).toBe(d1);
    expect(digest(`${sA}:${d1}:${cookie}`)).toBe(d2);
    expect(digest(`${sA}:${cookie}`)).toBe(d4);
    expect(digest(`${id}:${sJ}:${cookie}`)).toBe(d5);
    expect(digest(`${d5}:${cookie}`)).toBe(d6);
    // The certificate digests append the 20 raw fingerprint bytes to the text.
    const fp = new Uint8Array(20).fill(7);
    expect(certDigest('x', fp)).not.toBe(digest('x'));
    expect(certDigest('x', fp)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('Hello, Join and the empty Accept have Go\'s exact layout', () => {
    const hello = encodeHandshake(new Handshake.MessageHello({ Salt: sD, Digest: d1, DigestCert: '' }));
    expect(Buffer.from(hello).toString('hex')).toBe('5701000000b7' + '83' + str('#ergo.services/ergo/net/handshake/MessageHello') + str(sD) + str(d1) + '0000');
    const join = encodeHandshake(new Handshake.MessageJoin({ Node: Atom.of('b@localhost'), ConnectionID: id, Salt: sJ, Digest: d5 }));
    expect(join.length).toBe(233);
    const accept = encodeHandshake(new Handshake.MessageAccept({ ID: '', PoolSize: 0n, PoolDSN: null, Digest: '', DigestCert: '' }));
    expect(Buffer.from(accept).toString('hex')).toBe('570100000041' + '83' + str('#ergo.services/ergo/net/handshake/MessageAccept') + '0000' + '0000000000000000' + 'ff' + '0000' + '0000');
  });

  it('frame reader: needs more, too long, bad magic, bad version', () => {
    const f = encodeHandshake(new Handshake.MessageHello({ Salt: 'a', Digest: 'b', DigestCert: '' }));
    for (let n = 0; n < f.length; n++) expect(handshakeFrameLength(f.subarray(0, n), 's')).toBe(0);
    expect(handshakeFrameLength(f, 's')).toBe(f.length);
    expect(() => handshakeFrameLength(Uint8Array.of(0x57, 1, 0, 1, 0, 0), 's')).toThrow(expect.objectContaining({ code: ErgoNetCode.FrameTooLarge }));
    expect(() => handshakeFrameLength(Uint8Array.of(0x58), 's')).toThrow(expect.objectContaining({ code: ErgoNetCode.BadMagic }));
    expect(() => handshakeFrameLength(Uint8Array.of(0x57, 2), 's')).toThrow(expect.objectContaining({ code: ErgoNetCode.BadVersion }));
  });

  it('a full handshake between our two roles, then a Join, over replayed frames', async () => {
    // Dialer half: answer its Hello with what our acceptor would say.
    const a = local('a@h', 11);
    const b = local('b@h', 22);
    const salts = ['1'.repeat(64), '2'.repeat(64), '3'.repeat(64)];
    const dialerEntropy = { salt: () => salts.shift()!, connectionId: () => '' };
    const d = new ReplayIO([]);
    const acc = new ReplayIO([]);
    // Run both sides against each other through two ReplayIOs fed lazily.
    const wire = (from: ReplayIO, to: ReplayIO): void => {
      const w = from.write.bind(from);
      from.write = (f) => {
        w(f);
        to.theirs.push(Uint8Array.from(f));
      };
    };
    wire(d, acc);
    wire(acc, d);
    const lazy = (io: ReplayIO): void => {
      const r = io.read.bind(io);
      let i = 0;
      io.read = async () => {
        while (io.theirs.length <= i) await new Promise((x) => setTimeout(x, 1));
        i++;
        return r();
      };
    };
    lazy(d);
    lazy(acc);
    const [dr, ar] = await Promise.all([
      startHandshake(d, { local: b, cookie, entropy: dialerEntropy, expect: a.name }),
      acceptHandshake(acc, { local: a, cookie, entropy: { salt: () => '4'.repeat(64), connectionId: () => 'c'.repeat(32) }, poolSize: 3, poolDSN: ['127.0.0.1:1'] }),
    ]);
    expect(dr).toMatchObject({ connectionId: 'c'.repeat(32), peer: a.name, peerCreation: 11, poolSize: 3, poolDSN: ['127.0.0.1:1'] });
    expect(ar).toMatchObject({ kind: 'connect', peer: b.name, peerCreation: 22 });
    // Join with the connection id.
    const jd = new ReplayIO([]);
    const ja = new ReplayIO([]);
    wire(jd, ja);
    wire(ja, jd);
    lazy(jd);
    lazy(ja);
    const [, jr] = await Promise.all([
      joinHandshake(jd, { local: b, cookie, connectionId: dr.connectionId, entropy: dialerEntropy }),
      acceptHandshake(ja, { local: a, cookie, poolSize: 3, poolDSN: [] }),
    ]);
    expect(jr).toEqual({ kind: 'join', peer: b.name, connectionId: 'c'.repeat(32) });
  });

  it('refuses what Go refuses: wrong message, our own name, the wrong name, creation 0, bad join digest', async () => {
    const me = local('me@h');
    const hello = (salt: string, d: string) => encodeHandshake(new Handshake.MessageHello({ Salt: salt, Digest: d, DigestCert: '' }));
    // An acceptor that opens with an Introduce.
    await expect(acceptHandshake(new ReplayIO([encodeHandshake(new Handshake.MessageAccept({}))]), { local: me, cookie, poolSize: 3, poolDSN: [] })).rejects.toMatchObject({ code: ErgoNetCode.BadHandshake });
    // A Join with a digest made for another cookie.
    const join = encodeHandshake(new Handshake.MessageJoin({ Node: Atom.of('x@h'), ConnectionID: id, Salt: sJ, Digest: d5 }));
    await expect(acceptHandshake(new ReplayIO([join]), { local: me, cookie: 'other', poolSize: 3, poolDSN: [] })).rejects.toMatchObject({ code: ErgoNetCode.BadDigest, step: 'join' });
    await expect(acceptHandshake(new ReplayIO([join]), { local: me, cookie, poolSize: 3, poolDSN: [], canJoin: () => false })).rejects.toMatchObject({ code: ErgoNetCode.JoinRefused });
    // The acceptor's answers as a dialer sees them.
    const dialer = async (intro: object): Promise<unknown> => {
      const io = new ReplayIO([]);
      const ent = { salt: () => sD, connectionId: () => '' };
      const sAcc = sA;
      io.theirs.push(hello(sAcc, digest(`${sAcc}:${digest(`${sD}:${cookie}`)}:${cookie}`)));
      io.theirs.push(encodeHandshake(new Handshake.MessageAccept({ ID: id, PoolSize: 3n, PoolDSN: ['127.0.0.1:9'] })));
      io.theirs.push(encodeHandshake(new Handshake.MessageIntroduce(intro as never)));
      return startHandshake(io, { local: me, cookie, entropy: ent, expect: Atom.of('peer@h') }).catch((e: unknown) => e);
    };
    expect(await dialer({ Node: Atom.of('me@h'), Creation: 3n, Flags: defaultNetworkFlags() })).toMatchObject({ code: ErgoNetCode.BadPeerName });
    expect(await dialer({ Node: Atom.of('else@h'), Creation: 3n, Flags: defaultNetworkFlags() })).toMatchObject({ code: ErgoNetCode.BadPeerName, message: expect.stringMatching(/introduced itself as else@h/) });
    expect(await dialer({ Node: Atom.of('peer@h'), Creation: 0n, Flags: defaultNetworkFlags() })).toMatchObject({ code: ErgoNetCode.BadIntroduce });
    expect(await dialer({ Node: Atom.of('peer@h'), Creation: 3n, Flags: defaultNetworkFlags() })).toMatchObject({ peer: Atom.of('peer@h'), poolSize: 3 });
  });
});
