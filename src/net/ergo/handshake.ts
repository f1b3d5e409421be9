/**
 * EHS R1, the handshake of Ergo 3.x (ergo net/handshake: start.go, accept.go, join.go).
 *
 * - {@link startHandshake}: the dialer of a new connection (Hello → Introduce → Accept).
 * - {@link acceptHandshake}: the acceptor; answers a Hello (new connection) or a Join (an
 *   extra link of an existing connection).
 * - {@link joinHandshake}: the dialer of an extra pooled link.
 *
 * They run over a {@link HandshakeIO} that moves whole frames, so the same code runs on a
 * socket and against recorded transcripts. Random parts (salts, connection id) come from
 * `entropy`, so a replay with recorded values produces the recorded bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { decodeAt, EdfDecodeCache, encode, Gen, Handshake, NetworkFlags, type EdfEncodeCache, type EdfError, type EdfRegistry } from '../../codec/edf/index.js';
import { DecodeError } from '../../codec/errors.js';
import { Atom } from '../../term/atom.js';
import { canonicalInt, type Creation } from '../../term/ids.js';
import { Ehs } from './constants.js';
import { ErgoNetCode, HandshakeError } from './errors.js';

export type Version = InstanceType<typeof Gen.Version>;
type Hello = InstanceType<typeof Handshake.MessageHello>;
type Join = InstanceType<typeof Handshake.MessageJoin>;
type Introduce = InstanceType<typeof Handshake.MessageIntroduce>;
type Accept = InstanceType<typeof Handshake.MessageAccept>;

/** Moves whole handshake frames (6-byte header included). */
export interface HandshakeIO {
  write(frame: Uint8Array): void;
  /** The next whole frame; rejects with a HandshakeError on timeout, close or bad framing. */
  read(timeoutMs: number, step: string): Promise<Uint8Array>;
}

/** Where salts and connection ids come from (random unless replaying). */
export interface HandshakeEntropy {
  /** 64 lowercase hex characters (ergo lib.RandomString(64)). */
  salt(): string;
  /** 32 lowercase hex characters (lib.RandomString(32)). */
  connectionId(): string;
}

export const randomEntropy: HandshakeEntropy = {
  salt: () => randomBytes(32).toString('hex'),
  connectionId: () => randomBytes(16).toString('hex'),
};

/** What this node says about itself in MessageIntroduce. */
export interface LocalNode {
  name: Atom;
  /** Non-zero; Go uses the node's start time in Unix seconds. */
  creation: Creation;
  version: Version;
  flags: NetworkFlags;
  /** Largest frame we accept; 0 = no limit. */
  maxMessageSize: number;
  /** Our announced tables (we encode with these ids). */
  cache: EdfEncodeCache;
}

export interface HandshakeOptions {
  local: LocalNode;
  cookie: string;
  entropy?: HandshakeEntropy;
  /** Per read (Go: 1 s per read, renewed). */
  timeoutMs?: number;
  /** Registry the peer's type names resolve in. */
  registry?: EdfRegistry;
}

/** The peer as its Introduce described it, plus the pool the acceptor decided. */
export interface HandshakeResult {
  connectionId: string;
  peer: Atom;
  peerCreation: Creation;
  peerVersion: Version;
  peerFlags: NetworkFlags;
  peerMaxMessageSize: number;
  /** Decode tables built from the peer's Introduce. */
  peerCache: EdfDecodeCache;
  /** The peer's Introduce itself (tables as announced). */
  peerIntroduce: Introduce;
  /** The acceptor's pool size (on both sides) and, for a dialer, where to send Joins. */
  poolSize: number;
  poolDSN: string[];
}

// ---------------------------------------------------------------------------------------------
// Digests (ergo start.go / accept.go / join.go; the inputs are ':'-joined text)

/** Lowercase hex SHA-256 of the UTF-8 of `s`. */
export function digest(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** TLS digests: SHA-256 over the text followed by the 20 raw bytes of SHA-1(certificate DER). */
export function certDigest(s: string, fingerprint: Uint8Array): string {
  return createHash('sha256').update(s, 'utf8').update(fingerprint).digest('hex');
}

/** SHA-1 of a DER certificate: the fingerprint ergo binds into the cert digests. */
export function certFingerprint(der: Uint8Array): Uint8Array {
  return createHash('sha1').update(der).digest();
}

// ---------------------------------------------------------------------------------------------
// Frames

/** `57 01 u32 len` + EDF(message) without caches (ergo handshake.go writeMessage). */
export function encodeHandshake(message: object): Uint8Array {
  const body = encode(message);
  if (body.length > Ehs.MAX_BODY) throw new HandshakeError(ErgoNetCode.FrameTooLarge, `message of ${body.length} bytes (Go reads at most 65535)`, 'encode');
  const out = new Uint8Array(Ehs.HEADER + body.length);
  out[0] = Ehs.MAGIC;
  out[1] = Ehs.VERSION;
  new DataView(out.buffer).setUint32(2, body.length);
  out.set(body, Ehs.HEADER);
  return out;
}

/** Decode a whole frame from {@link HandshakeIO.read} into its message. */
export function decodeHandshake(frame: Uint8Array, step: string, registry?: EdfRegistry): unknown {
  try {
    return decodeAt(frame, Ehs.HEADER, registry ? { registry } : undefined, frame.length).value;
  } catch (e) {
    if (e instanceof DecodeError) throw new HandshakeError(ErgoNetCode.BadHandshake, `undecodable message: ${e.message}`, step, undefined, { cause: e });
    throw e;
  }
}

/**
 * Scan `buf` for a whole handshake frame: its length, 0 when more bytes are needed, or a
 * HandshakeError for a frame Go would refuse (handshake.go readMessage).
 */
export function handshakeFrameLength(buf: Uint8Array, step: string): number {
  if (buf.length >= 1 && buf[0] !== Ehs.MAGIC) throw new HandshakeError(ErgoNetCode.BadMagic, 'malformed handshake packet', step);
  if (buf.length >= 2 && buf[1] !== Ehs.VERSION) throw new HandshakeError(ErgoNetCode.BadVersion, 'mismatch handshake version', step);
  if (buf.length < Ehs.HEADER) return 0;
  const len = ((buf[2]! << 24) | (buf[3]! << 16) | (buf[4]! << 8) | buf[5]!) >>> 0;
  if (len > Ehs.MAX_BODY) throw new HandshakeError(ErgoNetCode.FrameTooLarge, 'too long handshake message', step);
  return buf.length >= Ehs.HEADER + len ? Ehs.HEADER + len : 0;
}

function introduce(local: LocalNode, digestText: string): Introduce {
  const t = local.cache.tables();
  return new Handshake.MessageIntroduce({
    Node: local.name,
    Version: local.version,
    Flags: local.flags,
    Creation: BigInt(local.creation),
    MaxMessageSize: BigInt(local.maxMessageSize),
    AtomCache: t.atoms,
    RegCache: t.types,
    ErrCache: t.errors,
    Digest: digestText,
  });
}

async function expect<T>(io: HandshakeIO, timeoutMs: number, step: string, cls: { new (...a: never[]): T }, registry: EdfRegistry | undefined, peer?: string): Promise<T> {
  const m = decodeHandshake(await io.read(timeoutMs, step), step, registry);
  if (!(m instanceof cls)) throw new HandshakeError(ErgoNetCode.BadHandshake, `expected ${cls.name}, got ${describe(m)}`, step, peer);
  return m;
}

/** A nil error in the peer's ErrCache means nothing; leave it out. */
function nonNil(m: ReadonlyMap<number, EdfError | null> | null): Map<number, EdfError> | null {
  if (m === null) return null;
  const out = new Map<number, EdfError>();
  for (const [k, v] of m) if (v !== null) out.set(k, v);
  return out;
}

function describe(v: unknown): string {
  return v !== null && typeof v === 'object' ? (v.constructor?.name ?? 'an object') : String(v);
}

function result(local: LocalNode, id: string, intro: Introduce, poolSize: number, poolDSN: string[], registry: EdfRegistry | undefined, step: string): HandshakeResult {
  if (intro.Node === local.name) throw new HandshakeError(ErgoNetCode.BadPeerName, 'peer introduced itself with our own name', step, intro.Node.name);
  // ergo proto/enp.go NewConnection refuses creation 0.
  if (intro.Creation === 0n) throw new HandshakeError(ErgoNetCode.BadIntroduce, 'peer creation is 0', step, intro.Node.name);
  const max = intro.MaxMessageSize;
  return {
    connectionId: id,
    peer: intro.Node,
    peerCreation: canonicalInt(intro.Creation),
    peerVersion: intro.Version,
    peerFlags: intro.Flags,
    peerMaxMessageSize: max > 0n && max < 2n ** 53n ? Number(max) : 0,
    peerCache: new EdfDecodeCache({ atoms: intro.AtomCache, types: intro.RegCache, errors: nonNil(intro.ErrCache) }, registry, local.cache.errors.keys() as Iterable<EdfError>),
    peerIntroduce: intro,
    poolSize,
    poolDSN,
  };
}

// ---------------------------------------------------------------------------------------------
// Flows

export interface StartOptions extends HandshakeOptions {
  /** The name we dialed; the peer must introduce itself with it (ergo network.go connect). */
  expect?: Atom;
  /** SHA-1 of the acceptor's TLS certificate, when the link is TLS (enables the c3 check). */
  peerFingerprint?: Uint8Array;
}

/** The dialer of a new connection (ergo start.go Start). */
export async function startHandshake(io: HandshakeIO, o: StartOptions): Promise<HandshakeResult> {
  const { local, cookie } = o;
  const ent = o.entropy ?? randomEntropy;
  const t = o.timeoutMs ?? 5000;
  const peerName = o.expect?.name;

  const salt = ent.salt();
  const d1 = digest(`${salt}:${cookie}`);
  io.write(encodeHandshake(new Handshake.MessageHello({ Salt: salt, Digest: d1, DigestCert: '' })));

  const hello: Hello = await expect(io, t, 'hello', Handshake.MessageHello, o.registry, peerName);
  if (hello.Digest !== digest(`${hello.Salt}:${d1}:${cookie}`)) throw new HandshakeError(ErgoNetCode.BadDigest, 'incorrect digest (wrong cookie?)', 'hello', peerName);
  if (o.peerFingerprint && hello.DigestCert !== certDigest(`${hello.Salt}:${salt}:${cookie}`, o.peerFingerprint)) {
    throw new HandshakeError(ErgoNetCode.BadCertDigest, 'incorrect cert digest', 'hello', peerName);
  }

  io.write(encodeHandshake(introduce(local, digest(`${hello.Salt}:${cookie}`))));

  const accept: Accept = await expect(io, t, 'accept', Handshake.MessageAccept, o.registry, peerName);
  const intro: Introduce = await expect(io, t, 'introduce', Handshake.MessageIntroduce, o.registry, peerName);
  if (o.expect && intro.Node !== o.expect) throw new HandshakeError(ErgoNetCode.BadPeerName, `remote node ${o.expect.name} introduced itself as ${intro.Node.name}`, 'introduce', peerName);
  const poolSize = Number(accept.PoolSize);
  // Go's dialer divides by the pool size; 0 would crash it, so we treat it as 1.
  const r = result(local, accept.ID, intro, poolSize >= 1 && poolSize <= 64 ? poolSize : 1, accept.PoolDSN ?? [], o.registry, 'introduce');

  io.write(encodeHandshake(new Handshake.MessageAccept({ ID: '', PoolSize: 0n, PoolDSN: null, Digest: '', DigestCert: '' })));
  return r;
}

export interface AcceptOptions extends HandshakeOptions {
  /** Pool size we dictate (ergo: the acceptor's handshake PoolSize; default 3, at least 1). */
  poolSize: number;
  /** Where Join links should go: our end of this link as "ip:port" (ergo: conn.LocalAddr()). */
  poolDSN: string[];
  /** SHA-1 of our TLS certificate when the link is TLS (we then send DigestCert). */
  localFingerprint?: Uint8Array;
  /**
   * Called for a Join before we answer: false closes the link without a reply (Go answers and
   * closes afterwards; the dialer sees the same failure either way).
   */
  canJoin?: (node: Atom, connectionId: string) => boolean;
}

export type AcceptResult = ({ kind: 'connect' } & HandshakeResult) | { kind: 'join'; peer: Atom; connectionId: string };

/** The acceptor (ergo accept.go Accept). */
export async function acceptHandshake(io: HandshakeIO, o: AcceptOptions): Promise<AcceptResult> {
  const { local, cookie } = o;
  const ent = o.entropy ?? randomEntropy;
  const t = o.timeoutMs ?? 5000;

  const first = decodeHandshake(await io.read(t, 'hello'), 'hello', o.registry);
  if (first instanceof Handshake.MessageJoin) {
    const m: Join = first;
    if (m.Digest !== digest(`${m.ConnectionID}:${m.Salt}:${cookie}`)) throw new HandshakeError(ErgoNetCode.BadDigest, 'incorrect join digest', 'join', m.Node.name);
    if (o.canJoin && !o.canJoin(m.Node, m.ConnectionID)) throw new HandshakeError(ErgoNetCode.JoinRefused, `no connection ${m.ConnectionID} to join`, 'join', m.Node.name);
    const fp = o.localFingerprint;
    io.write(
      encodeHandshake(
        new Handshake.MessageAccept({
          ID: '',
          PoolSize: 0n,
          PoolDSN: null,
          Digest: digest(`${m.Digest}:${cookie}`),
          DigestCert: fp ? certDigest(`${m.Digest}:${m.Salt}:${cookie}`, fp) : '',
        }),
      ),
    );
    return { kind: 'join', peer: m.Node, connectionId: m.ConnectionID };
  }
  if (!(first instanceof Handshake.MessageHello)) throw new HandshakeError(ErgoNetCode.BadHandshake, `expected Hello or Join, got ${describe(first)}`, 'hello');
  const hello: Hello = first;
  if (hello.Digest !== digest(`${hello.Salt}:${cookie}`)) throw new HandshakeError(ErgoNetCode.BadDigest, "incorrect digest (accept stage 'hello')", 'hello');
  const salt = ent.salt();
  const fp = o.localFingerprint;
  io.write(
    encodeHandshake(
      new Handshake.MessageHello({
        Salt: salt,
        Digest: digest(`${salt}:${hello.Digest}:${cookie}`),
        DigestCert: fp ? certDigest(`${salt}:${hello.Salt}:${cookie}`, fp) : '',
      }),
    ),
  );

  const intro: Introduce = await expect(io, t, 'introduce', Handshake.MessageIntroduce, o.registry);
  if (intro.Digest !== digest(`${salt}:${cookie}`)) throw new HandshakeError(ErgoNetCode.BadDigest, "incorrect digest (accept stage 'introduce')", 'introduce', intro.Node.name);
  const poolSize = o.poolSize >= 1 ? o.poolSize : 1;
  const id = ent.connectionId();
  const r = result(local, id, intro, poolSize, o.poolDSN, o.registry, 'introduce');
  io.write(encodeHandshake(new Handshake.MessageAccept({ ID: id, PoolSize: BigInt(poolSize), PoolDSN: o.poolDSN, Digest: '', DigestCert: '' })));
  io.write(encodeHandshake(introduce(local, '')));
  // Only the type of the dialer's last message is checked (as in Go).
  await expect(io, t, 'accept', Handshake.MessageAccept, o.registry, intro.Node.name);
  return { kind: 'connect', ...r };
}

export interface JoinOptions extends HandshakeOptions {
  connectionId: string;
  peerFingerprint?: Uint8Array;
  peer?: Atom;
}

/** The dialer of an extra link of an existing connection (ergo join.go Join). */
export async function joinHandshake(io: HandshakeIO, o: JoinOptions): Promise<void> {
  const { local, cookie, connectionId } = o;
  const ent = o.entropy ?? randomEntropy;
  const salt = ent.salt();
  const d5 = digest(`${connectionId}:${salt}:${cookie}`);
  io.write(encodeHandshake(new Handshake.MessageJoin({ Node: local.name, ConnectionID: connectionId, Salt: salt, Digest: d5 })));
  const accept: Accept = await expect(io, o.timeoutMs ?? 5000, 'join', Handshake.MessageAccept, o.registry, o.peer?.name);
  if (accept.Digest !== digest(`${d5}:${cookie}`)) throw new HandshakeError(ErgoNetCode.BadDigest, 'incorrect digest (join)', 'join', o.peer?.name);
  if (o.peerFingerprint && accept.DigestCert !== certDigest(`${d5}:${salt}:${cookie}`, o.peerFingerprint)) {
    throw new HandshakeError(ErgoNetCode.BadCertDigest, 'incorrect cert digest (join)', 'join', o.peer?.name);
  }
}

/** The flags Go uses by default (gen.DefaultNetworkFlags = 0x67). */
export function defaultNetworkFlags(): NetworkFlags {
  return new NetworkFlags({
    Enable: true,
    EnableRemoteSpawn: true,
    EnableRemoteApplicationStart: true,
    EnableProxyAccept: true,
    EnableImportantDelivery: true,
  });
}

export function version(name: string, release: string, commit = '', license = 'MIT'): Version {
  return new Gen.Version({ Name: name, Release: release, Commit: commit, License: license });
}
