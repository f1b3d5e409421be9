/**
 * The distribution handshake, version 6 (OTP 23+), in both roles. Step names follow OTP's
 * dist_util. The initiator always sends the new `N` name; the acceptor also takes the old
 * `n` name followed by the `c` complement (what OTP 23/24 nodes without EPMD send; OTP
 * 25.0–25.2 refuse it, 25.3+ take it again).
 *
 *   initiator                              acceptor
 *   sendName      N flags creation name →
 *                                        ← sendStatus  s ok | ok_simultaneous | nok | not_allowed | alive | named:
 *   (alive)       s true | false        →
 *                                        ← sendChallenge  N flags challenge creation name
 *   (after `n`)   c flagsHigh creation  →
 *   sendChallengeReply  r challenge digest →
 *                                        ← sendChallengeAck  a digest
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HandshakeCode, HandshakeError } from './errors.js';
import { DFlag, expandMandatory25, flagNames, missingFlags } from './flags.js';
import type { HandshakeIO } from './handshake-io.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const enc = new TextEncoder();

/** The four random bytes of a challenge, as an unsigned 32-bit number. */
export function genChallenge(): number {
  return randomBytes(4).readUInt32BE(0);
}

/**
 * OTP dist_util: gen_digest — MD5 of the cookie's bytes followed by the challenge as unsigned
 * decimal text. (A signed challenge would give a different digest: keep it `>>> 0`.)
 */
export function genDigest(challenge: number, cookie: string): Buffer {
  return createHash('md5').update(Buffer.from(cookie, 'latin1')).update(String(challenge >>> 0)).digest();
}

/** OTP dist_util: is_name_ok — `alive@host` with both parts non-empty and exactly one `@`. */
export function isNodeName(name: string): boolean {
  const parts = name.split('@');
  return parts.length === 2 && parts[0]!.length > 0 && parts[1]!.length > 0 && [...name].length <= 255;
}

/** Which statuses the acceptor may answer with once it knows who is calling. */
export type AcceptDecision =
  | { status: 'ok' | 'ok_simultaneous' | 'nok' | 'not_allowed' }
  /** We already have a connection to that node: ask whether it is dead (`true` tears it down). */
  | { status: 'alive'; onTrue(): void }
  /** The peer asked for a name (NAME_ME): give it this one. */
  | { status: 'named'; name: string; creation: number };

export interface HandshakeSide {
  /** Our full node name (for a dynamic name: `undefined` until `named:` gives one). */
  name: string;
  creation: number;
  /** Flags we offer (PUBLISHED included unless hidden). */
  flags: bigint;
  /** Flags the peer must have (after expanding MANDATORY_25_DIGEST). */
  required: bigint;
  cookie: (peer: string) => string;
}

export interface HandshakeResult {
  peerName: string;
  peerCreation: number;
  /** The flags the peer offered, MANDATORY_25_DIGEST expanded. */
  peerFlags: bigint;
  /** What both sides use: ours AND the peer's (OTP dist_util: adjust_flags). */
  flags: bigint;
  /** Our name and creation, which differ from the configured ones after `named:`. */
  name: string;
  creation: number;
  /** The status the acceptor answered: ok, ok_simultaneous, alive (then true) or named. */
  status: 'ok' | 'ok_simultaneous' | 'alive' | 'named';
  /** Bytes that arrived after the last handshake message. */
  rest: Buffer;
}

function bad(step: string, what: string, peer?: string): HandshakeError {
  return new HandshakeError(HandshakeCode.BadMessage, step, what, { peer });
}

function u32(b: Buffer, at: number): number {
  return b.readUInt32BE(at);
}

// ---------------------------------------------------------------- initiator

export interface InitiateOptions {
  /** The node we dialled: the challenge must carry exactly this name. */
  peer: string;
  /** Send NAME_ME with `host` instead of a name: the acceptor names us (`named:`). */
  nameMeHost?: string;
  /** Send the old `n` name and `c` complement (for tests of acceptors that take it). */
  legacyName?: boolean;
  /** Answer to status `alive`: true when this attempt is the one we want (default true). */
  onAlive?: () => boolean;
}

/** OTP dist_util: handshake_we_started. Resolves when the connection is up. */
export async function initiate(io: HandshakeIO, me: HandshakeSide, opts: InitiateOptions): Promise<HandshakeResult> {
  const peer = opts.peer;
  io.peer = peer;
  const dynamic = opts.nameMeHost !== undefined;
  const myFlags = dynamic ? (me.flags & ~DFlag.PUBLISHED) | DFlag.NAME_ME : me.flags;
  let myName = dynamic ? opts.nameMeHost! : me.name;
  let myCreation = dynamic ? 0 : me.creation;
  sendName(io, myFlags, myCreation, myName, opts.legacyName === true);

  // recv_status
  const st = await io.read('recv_status');
  if (st.length < 1 || st[0] !== 0x73) throw bad('recv_status', 'expected a status message', peer);
  const status = st.subarray(1);
  let statusName: HandshakeResult['status'];
  if (startsWith(status, 'named:')) {
    statusName = 'named';
    if (!dynamic) throw bad('recv_status', 'named: without NAME_ME', peer);
    const body = status.subarray(6);
    if (body.length < 2) throw bad('recv_status', 'short named: status', peer);
    const n = body.readUInt16BE(0);
    if (body.length < 2 + n + 4) throw bad('recv_status', 'short named: status', peer);
    let given: string;
    try {
      given = utf8.decode(body.subarray(2, 2 + n));
    } catch (e) {
      throw new HandshakeError(HandshakeCode.BadName, 'recv_status', 'named: name is not UTF-8', { cause: e, peer });
    }
    const at = given.indexOf('@');
    if (!isNodeName(given) || given.slice(at + 1) !== opts.nameMeHost) {
      throw new HandshakeError(HandshakeCode.BadName, 'recv_status', `named: gave "${given}", not a name on host ${opts.nameMeHost}`, { peer });
    }
    myName = given;
    myCreation = u32(body, 2 + n);
  } else {
    const s = status.toString('latin1');
    if (s === 'not_allowed') throw new HandshakeError(HandshakeCode.NotAllowed, 'recv_status', 'the peer answered not_allowed', { peer });
    if (dynamic) throw new HandshakeError(HandshakeCode.Status, 'recv_status', `status "${s}" to a NAME_ME request`, { peer });
    switch (s) {
      case 'ok':
      case 'ok_simultaneous':
        statusName = s;
        break;
      case 'nok':
        // Simultaneous connect, and the peer's own attempt wins: its connection will come in.
        throw new HandshakeError(HandshakeCode.Nok, 'recv_status', 'simultaneous connect: the peer keeps its own attempt', { peer });
      case 'alive': {
        const yes = opts.onAlive ? opts.onAlive() : true;
        io.write(enc.encode(yes ? 'strue' : 'sfalse'));
        if (!yes) throw new HandshakeError(HandshakeCode.Alive, 'recv_status', 'the existing connection stays', { peer });
        statusName = 'alive';
        break;
      }
      default:
        throw new HandshakeError(HandshakeCode.Status, 'recv_status', `unknown status "${s.slice(0, 40)}"`, { peer });
    }
  }

  // recv_challenge
  const ch = await io.read('recv_challenge');
  if (ch.length < 19 || ch[0] !== 0x4e) throw bad('recv_challenge', 'expected an N challenge', peer);
  const rawPeerFlags = ch.readBigUInt64BE(1);
  const challengeA = u32(ch, 9);
  const peerCreation = u32(ch, 13);
  const nlen = ch.readUInt16BE(17);
  if (ch.length < 19 + nlen) throw bad('recv_challenge', 'name longer than the message', peer);
  const challengeName = ch.subarray(19, 19 + nlen).toString('latin1');
  // OTP dist_util: recv_challenge_new — the name must be the node we dialled.
  if (challengeName !== peer) {
    throw new HandshakeError(HandshakeCode.BadName, 'recv_challenge', `the peer calls itself "${challengeName}", we dialled "${peer}"`, { peer });
  }
  if (opts.legacyName) {
    const c = Buffer.allocUnsafe(9);
    c[0] = 0x63;
    c.writeUInt32BE(Number(myFlags >> 32n) >>> 0, 1);
    c.writeUInt32BE(myCreation >>> 0, 5);
    io.write(c);
  }
  const peerFlags = expandMandatory25(rawPeerFlags);
  checkFlags('recv_challenge', peerFlags, me.required, peer);
  const flags = expandMandatory25(myFlags) & peerFlags;

  // send_challenge_reply / recv_challenge_ack
  const cookie = me.cookie(peer);
  const challengeB = genChallenge();
  const reply = Buffer.allocUnsafe(21);
  reply[0] = 0x72;
  reply.writeUInt32BE(challengeB, 1);
  genDigest(challengeA, cookie).copy(reply, 5);
  io.write(reply);
  const ack = await io.read('recv_challenge_ack');
  if (ack.length !== 17 || ack[0] !== 0x61) throw bad('recv_challenge_ack', 'expected an a ack of 17 bytes', peer);
  if (!timingSafeEqual(ack.subarray(1), genDigest(challengeB, cookie))) {
    throw new HandshakeError(HandshakeCode.BadDigest, 'recv_challenge_ack', 'the peer\'s digest is wrong (different cookie)', { peer });
  }
  return { peerName: peer, peerCreation, peerFlags, flags, name: myName, creation: myCreation, status: statusName, rest: io.detach() };
}

function sendName(io: HandshakeIO, flags: bigint, creation: number, name: string, legacy: boolean): void {
  // OTP writes node names as latin1 (atom_to_binary(Node, latin1)); only named: uses UTF-8.
  const n = Buffer.from(name, 'latin1');
  if (legacy) {
    const b = Buffer.allocUnsafe(7 + n.length);
    b[0] = 0x6e;
    b.writeUInt16BE(5, 1);
    b.writeUInt32BE(Number(flags & 0xffff_ffffn) >>> 0, 3);
    n.copy(b, 7);
    io.write(b);
    return;
  }
  const b = Buffer.allocUnsafe(15 + n.length);
  b[0] = 0x4e;
  b.writeBigUInt64BE(flags, 1);
  b.writeUInt32BE(creation >>> 0, 9);
  b.writeUInt16BE(n.length, 13);
  n.copy(b, 15);
  io.write(b);
}

function checkFlags(step: string, peerFlags: bigint, required: bigint, peer: string | undefined): void {
  const missing = missingFlags(peerFlags, required);
  if (missing !== 0n) {
    throw new HandshakeError(HandshakeCode.Flags, step, `the peer cannot handle ${flagNames(missing).join(', ')}`, { peer });
  }
}

function startsWith(b: Buffer, s: string): boolean {
  return b.length >= s.length && b.subarray(0, s.length).toString('latin1') === s;
}

// ---------------------------------------------------------------- acceptor

export interface AcceptOptions {
  /**
   * Called once the peer's name and flags are known (OTP net_kernel: accept_pending): checks
   * the allow list, arbitrates simultaneous connects, notices an existing connection, or
   * names a NAME_ME peer.
   */
  decide(peer: string, peerFlags: bigint, nameMe: boolean): AcceptDecision;
}

/** OTP dist_util: handshake_other_started. Resolves when the connection is up. */
export async function accept(io: HandshakeIO, me: HandshakeSide, opts: AcceptOptions): Promise<HandshakeResult> {
  // recv_name
  const nm = await io.read('recv_name');
  let rawFlags: bigint;
  let peerCreation: number | undefined;
  let name: string;
  let legacy = false;
  {
    if (nm[0] === 0x4e && nm.length >= 15) {
      rawFlags = nm.readBigUInt64BE(1);
      peerCreation = u32(nm, 9);
      const n = nm.readUInt16BE(13);
      if (nm.length < 15 + n) throw bad('recv_name', 'name longer than the message');
      name = nm.subarray(15, 15 + n).toString('latin1');
    } else if (nm[0] === 0x6e && nm.length >= 7) {
      // OTP dist_util: recv_name_old — version(2), low 32 flag bits, name to the end.
      legacy = true;
      rawFlags = BigInt(u32(nm, 3));
      name = nm.subarray(7).toString('latin1');
    } else {
      throw bad('recv_name', `expected an N or n name message, got tag ${nm[0]}`);
    }
  }
  const nameMe = (rawFlags & DFlag.NAME_ME) !== 0n && !legacy;
  // OTP dist_util: is_name_ok — a static name is alive@host, a NAME_ME request only a host.
  const nameOk = nameMe ? name.length > 0 && !name.includes('@') && [...name].length <= 255 : isNodeName(name);
  if (!nameOk) throw new HandshakeError(HandshakeCode.BadName, 'recv_name', `"${name.slice(0, 80)}" is not a node name`);
  io.peer = name;
  let peerFlags = expandMandatory25(rawFlags);
  // With the old name only the low 32 bits are known until the complement arrives.
  const requiredNow = legacy ? me.required & 0xffff_ffffn : me.required;
  const missing = missingFlags(peerFlags, requiredNow);
  if (missing !== 0n) {
    io.write(enc.encode('snot_allowed'));
    throw new HandshakeError(HandshakeCode.Flags, 'recv_name', `the peer cannot handle ${flagNames(missing).join(', ')}`, { peer: name });
  }

  // mark_pending
  const d = opts.decide(name, peerFlags, nameMe);
  let peerName = name;
  switch (d.status) {
    case 'ok':
    case 'ok_simultaneous':
      io.write(enc.encode('s' + d.status));
      break;
    case 'not_allowed':
      io.write(enc.encode('snot_allowed'));
      throw new HandshakeError(HandshakeCode.NotAllowed, 'mark_pending', 'not in the allow list', { peer: name });
    case 'nok':
      io.write(enc.encode('snok'));
      throw new HandshakeError(HandshakeCode.Simultaneous, 'mark_pending', 'simultaneous connect: our own attempt wins', { peer: name });
    case 'alive': {
      io.write(enc.encode('salive'));
      const r = await io.read('recv_status_reply');
      const s = r.toString('latin1');
      if (s === 'sfalse') throw new HandshakeError(HandshakeCode.Alive, 'recv_status_reply', 'the peer keeps its existing connection', { peer: name });
      if (s !== 'strue') throw bad('recv_status_reply', `expected strue or sfalse, got "${s.slice(0, 40)}"`, name);
      d.onTrue();
      break;
    }
    case 'named': {
      const nb = Buffer.from(d.name, 'utf8');
      const b = Buffer.allocUnsafe(1 + 6 + 2 + nb.length + 4);
      b.write('snamed:', 0, 'latin1');
      b.writeUInt16BE(nb.length, 7);
      nb.copy(b, 9);
      b.writeUInt32BE(d.creation >>> 0, 9 + nb.length);
      io.write(b);
      peerName = d.name;
      peerCreation = d.creation;
      io.peer = peerName;
      break;
    }
  }

  // send_challenge: a NAME_ME peer gets NAME_ME instead of PUBLISHED (OTP dist_util: publish_flag).
  const myFlags = nameMe ? (me.flags & ~DFlag.PUBLISHED) | DFlag.NAME_ME : me.flags;
  const challengeA = genChallenge();
  const myName = Buffer.from(me.name, 'latin1');
  const ch = Buffer.allocUnsafe(19 + myName.length);
  ch[0] = 0x4e;
  ch.writeBigUInt64BE(myFlags, 1);
  ch.writeUInt32BE(challengeA, 9);
  ch.writeUInt32BE(me.creation >>> 0, 13);
  ch.writeUInt16BE(myName.length, 17);
  myName.copy(ch, 19);
  io.write(ch);

  // recv_complement (only after an old name)
  if (legacy) {
    const c = await io.read('recv_complement');
    if (c.length !== 9 || c[0] !== 0x63) throw bad('recv_complement', 'expected a c complement of 9 bytes', name);
    peerFlags = expandMandatory25(peerFlags | (BigInt(u32(c, 1)) << 32n));
    peerCreation = u32(c, 5);
    checkFlags('recv_complement', peerFlags, me.required, name);
  }
  const flags = expandMandatory25(myFlags) & peerFlags;

  // recv_challenge_reply / send_challenge_ack
  const cookie = me.cookie(peerName);
  const r = await io.read('recv_challenge_reply');
  if (r.length !== 21 || r[0] !== 0x72) throw bad('recv_challenge_reply', 'expected an r reply of 21 bytes', peerName);
  const challengeB = u32(r, 1);
  if (!timingSafeEqual(r.subarray(5), genDigest(challengeA, cookie))) {
    throw new HandshakeError(HandshakeCode.BadDigest, 'recv_challenge_reply', 'the peer\'s digest is wrong (different cookie)', { peer: peerName });
  }
  const ack = Buffer.allocUnsafe(17);
  ack[0] = 0x61;
  genDigest(challengeB, cookie).copy(ack, 1);
  io.write(ack);
  return { peerName, peerCreation: peerCreation ?? 0, peerFlags, flags, name: me.name, creation: me.creation, status: d.status, rest: io.detach() };
}
