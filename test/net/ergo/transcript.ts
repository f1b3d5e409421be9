/**
 * Recorded live transcripts (proto-spec/vectors/ergo/*.json) and how to replay them: split raw
 * link bytes into frames, recover each side's node description, salts and ids from its own
 * handshake frames, and run our handshake as either side against the other side's frames.
 */
import { EdfEncodeCache, frameworkError, Handshake, type EdfError, type EdfRegistry } from '../../../src/codec/edf/index.js';
import type { Atom } from '../../../src/term/atom.js';
import { canonicalInt, type Creation } from '../../../src/term/ids.js';
import { acceptHandshake, decodeHandshake, joinHandshake, startHandshake, type HandshakeIO, type LocalNode, type Version } from '../../../src/net/ergo/index.js';
import type { NetworkFlags } from '../../../src/codec/edf/index.js';

export interface TranscriptLink {
  link: number;
  /** Frames written by the recording side, hex, in order. */
  out: string[];
  /** Frames it read. */
  in: string[];
}

export interface Transcript {
  format: 'ergo-transcript/1';
  name: string;
  note: string;
  recorded: string;
  ergo: string;
  peer: string;
  cookie: string;
  roles: Record<string, 'dialer' | 'acceptor'>;
  summary?: { connectionId: string; poolSize: number; poolDSN: string[]; tsCreation: number; goCreation: number };
  tls?: { goCertificate: string };
  links: TranscriptLink[];
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/** Split a link's bytes in one direction into handshake (0x57) and ENP (0x4e) frames. */
export function splitFrames(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p + 6 <= b.length) {
    const len = b[p] === 0x57 ? 6 + u32(b, p + 2) : b[p] === 0x4e ? u32(b, p + 2) : -1;
    if (len < 6 || p + len > b.length) throw new Error(`cannot split at ${p} (byte ${b[p]})`);
    out.push(b.subarray(p, p + len));
    p += len;
  }
  if (p !== b.length) throw new Error(`${b.length - p} bytes left over`);
  return out;
}

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
export const isHandshake = (f: Uint8Array): boolean => f[0] === 0x57;

type Introduce = InstanceType<typeof Handshake.MessageIntroduce>;

/** One side of a connection as its own frames show it. */
export interface Side {
  role: 'dialer' | 'acceptor';
  introduce: Introduce;
  name: Atom;
  creation: Creation;
  /** Salt of its Hello (link 1), then of each Join it sent / answered, in link order. */
  salts: string[];
  /** Acceptor: the connection id, pool size and DSN it announced. */
  connectionId: string;
  poolSize: number;
  poolDSN: string[];
}

function msgs(frames: string[], registry?: EdfRegistry): unknown[] {
  return frames.map(hex).filter(isHandshake).map((f) => decodeHandshake(f, 'replay', registry));
}

/** The two sides (the recorder's "out" frames and the other's "in" frames). */
export function sides(t: Transcript, registry?: EdfRegistry): { rec: Side; peer: Side } {
  const build = (dir: 'out' | 'in'): Side => {
    const first = msgs(t.links[0]![dir], registry);
    const intro = first.find((m): m is Introduce => m instanceof Handshake.MessageIntroduce)!;
    const role = intro.Digest !== '' ? 'dialer' : 'acceptor';
    const salts: string[] = [];
    let connectionId = '';
    let poolSize = 0;
    let poolDSN: string[] = [];
    for (const m of first) {
      if (m instanceof Handshake.MessageHello) salts.push(m.Salt);
      if (m instanceof Handshake.MessageAccept && m.ID !== '') {
        connectionId = m.ID;
        poolSize = Number(m.PoolSize);
        poolDSN = m.PoolDSN ?? [];
      }
    }
    for (const l of t.links.slice(1)) {
      const theirs = msgs(l[dir === 'out' ? 'in' : 'out'], registry);
      const mine = msgs(l[dir], registry);
      // A Join carries the dialer's salt; the acceptor's reply reuses it in the cert digest.
      const join = [...mine, ...theirs].find((m) => m instanceof Handshake.MessageJoin) as InstanceType<typeof Handshake.MessageJoin> | undefined;
      if (join) salts.push(join.Salt);
    }
    return { role, introduce: intro, name: intro.Node, creation: canonicalInt(intro.Creation), salts, connectionId, poolSize, poolDSN };
  };
  return { rec: build('out'), peer: build('in') };
}

/** The side's tables, with errors as our catalogue singletons (what our decoder gives back). */
export function cacheOf(intro: Introduce, registry?: EdfRegistry): EdfEncodeCache {
  const errors = new Map<number, EdfError>();
  for (const [id, e] of intro.ErrCache ?? []) if (e) errors.set(id, frameworkError(e.message) ?? e);
  return EdfEncodeCache.fromTables({ atoms: intro.AtomCache, types: intro.RegCache, errors }, registry);
}

export function localOf(s: Side, registry?: EdfRegistry): LocalNode {
  const i = s.introduce;
  return {
    name: i.Node,
    creation: s.creation,
    version: i.Version as Version,
    flags: i.Flags as NetworkFlags,
    maxMessageSize: Number(i.MaxMessageSize),
    cache: cacheOf(i, registry),
  };
}

/** A HandshakeIO that feeds recorded frames and collects what we write. */
export class ReplayIO implements HandshakeIO {
  readonly written: Uint8Array[] = [];
  #i = 0;
  constructor(readonly theirs: Uint8Array[]) {}
  write(frame: Uint8Array): void {
    this.written.push(Uint8Array.from(frame));
  }
  read(): Promise<Uint8Array> {
    const f = this.theirs[this.#i++];
    return f ? Promise.resolve(f) : Promise.reject(new Error('transcript has no more frames'));
  }
}

/**
 * Replay every link's handshake as side `who` against the other side's recorded frames.
 * Returns, per link, what we wrote and what that side really wrote.
 */
export async function replay(t: Transcript, who: 'rec' | 'peer', o: { registry?: EdfRegistry; fingerprint?: Uint8Array } = {}): Promise<{ link: number; ours: Uint8Array[]; recorded: Uint8Array[] }[]> {
  const s = sides(t, o.registry);
  const me = s[who];
  const other = s[who === 'rec' ? 'peer' : 'rec'];
  const mineDir = who === 'rec' ? 'out' : 'in';
  const theirDir = who === 'rec' ? 'in' : 'out';
  const local = localOf(me, o.registry);
  const salts = [...me.salts];
  const entropy = { salt: () => salts.shift()!, connectionId: () => me.connectionId };
  const results = [];
  let connectionId = '';
  for (const [i, l] of t.links.entries()) {
    const theirs = l[theirDir].map(hex).filter(isHandshake);
    const recorded = l[mineDir].map(hex).filter(isHandshake);
    const io = new ReplayIO(theirs);
    const base = { local, cookie: t.cookie, entropy, registry: o.registry };
    if (me.role === 'dialer') {
      if (i === 0) connectionId = (await startHandshake(io, { ...base, expect: other.name, peerFingerprint: o.fingerprint })).connectionId;
      else await joinHandshake(io, { ...base, connectionId, peerFingerprint: o.fingerprint });
    } else {
      await acceptHandshake(io, { ...base, poolSize: me.poolSize, poolDSN: me.poolDSN, localFingerprint: o.fingerprint });
    }
    results.push({ link: l.link, ours: io.written, recorded });
  }
  return results;
}
