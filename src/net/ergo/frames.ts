/**
 * ENP frames (ergo net/proto/connection.go: Send*, Call*, sendAny, handleRecvQueue), both ways.
 *
 * Decoding reads one complete frame from a view of the bytes it arrived in (no copy) into an
 * {@link EnpFrame}. Identities in the header carry only their ids: the sender's node and
 * creation come from the handshake (`ctx.peer*`), the target's are ours (`ctx.local*`), except
 * the refs of 129/130, which come back to the node that made them (ours).
 *
 * Encoding appends frames to a {@link Writer} (the link's batch buffer): header, fields, the
 * EDF payload encoded in place, then the length patched. Nothing is allocated per frame on
 * that path. The `write*` functions return the frame's offset relative to `w.start`.
 */
import { Buffer } from 'node:buffer';
import { decodeAt, EdfError, type EdfDecodeOptions, type EdfEncodeCache, type EdfEncoder, type EdfEncodeOptions } from '../../codec/edf/index.js';
import { DecodeError } from '../../codec/errors.js';
import type { Writer } from '../../codec/writer.js';
import { Atom } from '../../term/atom.js';
import { Alias, Pid, Ref, type Creation } from '../../term/ids.js';
import { decompressFrame } from './compress.js';
import { Enp, EnpType, ResponseCode } from './constants.js';
import { DeliveryErr, ErgoNetCode, FrameError } from './errors.js';

const utf8Slice = Buffer.prototype.utf8Slice as (this: Uint8Array, start: number, end: number) => string;

/** What a decoder needs besides the bytes. */
export interface EnpDecodeContext {
  peer: Atom;
  peerCreation: Creation;
  local: Atom;
  localCreation: Creation;
  /** EDF options with the peer's announced tables (their atoms also resolve header ids). */
  edf: EdfDecodeOptions;
  /** Largest size a MessageZ may inflate to. */
  maxInflated: number;
  /**
   * Keep bytes 17–24 of non-important 101–104 (stale buffer bytes in Go's frames) so the frame
   * re-encodes byte-exact. Off on the live path.
   */
  exact?: boolean;
}

interface Sent {
  order: number;
  from: Pid;
  /** Raw byte 16: priority in bits 0–1, 0x80 = important. */
  flags: number;
  /** Bytes 17–24: the important-delivery id; 0 unless important (or `exact`). */
  msgId: bigint;
  message: unknown;
}
interface Req {
  order: number;
  from: Pid;
  flags: number;
  ref: Ref;
  message: unknown;
}

export type EnpFrame =
  | ({ type: 101 } & Sent & { to: Pid })
  | ({ type: 102 | 103 } & Sent & { to: Atom })
  | ({ type: 104 } & Sent & { to: Alias })
  | { type: 105 | 106; order: number; from: Pid; priority: number; timestamp: bigint; event: Atom; message: unknown }
  | { type: 107; order: number; from: Pid; priority: number; to: Pid; reason: EdfError }
  | ({ type: 121 } & Req & { to: Pid })
  | ({ type: 122 | 123 } & Req & { to: Atom })
  | ({ type: 124 } & Req & { to: Alias })
  | { type: 129; order: number; from: Pid; priority: number; to: Pid; ref: Ref; message: unknown }
  | { type: 130; order: number; from: Pid; priority: number; to: Pid; ref: Ref; code: number; error: EdfError | null }
  | { type: 181; order: number; priority: number; target: Pid; reason: EdfError }
  | { type: 182 | 183; order: number; priority: number; target: Atom; reason: EdfError }
  | { type: 184; order: number; priority: number; target: Alias; reason: EdfError }
  | { type: 185 | 186; order: number; priority: number; target: Atom; reason: EdfError }
  | { type: 199; order: number; message: unknown }
  | { type: 200; order: number; compression: number; size: number; inner: EnpFrame; data: Uint8Array };

// ---------------------------------------------------------------------------------------------
// Decoding

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

function u64(b: Uint8Array, p: number): bigint {
  return (BigInt(u32(b, p)) << 32n) | BigInt(u32(b, p + 4));
}

function pidAt(b: Uint8Array, p: number, node: Atom, creation: Creation): Pid {
  return new Pid(node, u32(b, p + 4), u32(b, p), creation);
}

/** Three u64 ids as the six u32 words of our Ref layout (low half first). */
function words(b: Uint8Array, p: number): number[] {
  return [u32(b, p + 4), u32(b, p), u32(b, p + 12), u32(b, p + 8), u32(b, p + 20), u32(b, p + 16)];
}

function need(b: Uint8Array, n: number, type: number): void {
  if (b.length < n) throw new FrameError(ErgoNetCode.Truncated, `frame of ${b.length} bytes is too short for its type (needs ${n})`, b.length, type);
}

function payload(b: Uint8Array, at: number, type: number, ctx: EnpDecodeContext): unknown {
  if (at >= b.length) throw new FrameError(ErgoNetCode.Truncated, 'no payload', at, type);
  try {
    // Bytes after the value are ignored, as Go does (it only logs them).
    return decodeAt(b, at, ctx.edf).value;
  } catch (e) {
    if (e instanceof DecodeError) {
      const code = e.code === 'ERR_EDF_UNKNOWN_TYPE' ? ErgoNetCode.UnexpectedPayload : ErgoNetCode.BadPayload;
      throw new FrameError(code, `payload: ${e.message}`, at + e.offset, type, { cause: e });
    }
    throw e;
  }
}

function reasonAt(b: Uint8Array, at: number, type: number, ctx: EnpDecodeContext): EdfError {
  const v = payload(b, at, type, ctx);
  if (!(v instanceof EdfError)) throw new FrameError(ErgoNetCode.UnexpectedPayload, 'reason is not an error value', at, type);
  return v;
}

function nameAt(b: Uint8Array, at: number, type: number): [Atom, number] {
  const n = b[at]!;
  need(b, at + 1 + n + 1, type);
  return [Atom.of(utf8Slice.call(b, at + 1, at + 1 + n)), at + 1 + n];
}

function cachedAt(b: Uint8Array, at: number, type: number, ctx: EnpDecodeContext): Atom {
  const id = (b[at]! << 8) | b[at + 1]!;
  const a = ctx.edf.cache?.atoms[id];
  if (a === undefined) throw new FrameError(ErgoNetCode.UnknownCacheId, `atom cache id ${id} was not announced by the peer`, at, type);
  return a;
}

/**
 * Decode one whole frame (`b` is exactly the frame, its length already checked against the
 * length field). Throws {@link FrameError} for anything malformed.
 */
export function decodeFrame(b: Uint8Array, ctx: EnpDecodeContext, nested = false): EnpFrame {
  need(b, Enp.HEADER + 1, -1);
  if (b[0] !== Enp.MAGIC) throw new FrameError(ErgoNetCode.BadMagic, `bad magic ${b[0]}`, 0);
  if (b[1] !== Enp.VERSION) throw new FrameError(ErgoNetCode.BadVersion, `bad version ${b[1]}`, 1);
  const order = b[6]!;
  const type = b[7]!;
  const { peer, peerCreation, local, localCreation } = ctx;
  switch (type) {
    case EnpType.MessagePID: {
      need(b, 34, type);
      const flags = b[16]!;
      return {
        type,
        order,
        from: pidAt(b, 8, peer, peerCreation),
        flags,
        msgId: flags & 0x80 || ctx.exact ? u64(b, 17) : 0n,
        to: pidAt(b, 25, local, localCreation),
        message: payload(b, 33, type, ctx),
      };
    }
    case EnpType.MessageName:
    case EnpType.MessageNameCache: {
      need(b, type === EnpType.MessageName ? 27 : 28, type);
      const flags = b[16]!;
      let to: Atom;
      let at: number;
      if (type === EnpType.MessageName) [to, at] = nameAt(b, 25, type);
      else [to, at] = [cachedAt(b, 25, type, ctx), 27];
      return { type, order, from: pidAt(b, 8, peer, peerCreation), flags, msgId: flags & 0x80 || ctx.exact ? u64(b, 17) : 0n, to, message: payload(b, at, type, ctx) };
    }
    case EnpType.MessageAlias: {
      need(b, 50, type);
      const flags = b[16]!;
      return {
        type,
        order,
        from: pidAt(b, 8, peer, peerCreation),
        flags,
        msgId: flags & 0x80 || ctx.exact ? u64(b, 17) : 0n,
        to: new Alias(local, localCreation, words(b, 25)),
        message: payload(b, 49, type, ctx),
      };
    }
    case EnpType.MessageEvent:
    case EnpType.MessageEventCache: {
      need(b, type === EnpType.MessageEvent ? 27 : 28, type);
      let event: Atom;
      let at: number;
      if (type === EnpType.MessageEvent) [event, at] = nameAt(b, 25, type);
      else [event, at] = [cachedAt(b, 25, type, ctx), 27];
      return { type, order, from: pidAt(b, 8, peer, peerCreation), priority: b[16]!, timestamp: BigInt.asIntN(64, u64(b, 17)), event, message: payload(b, at, type, ctx) };
    }
    case EnpType.MessageExit:
      need(b, 26, type);
      return { type, order, from: pidAt(b, 8, peer, peerCreation), priority: b[16]!, to: pidAt(b, 17, local, localCreation), reason: reasonAt(b, 25, type, ctx) };
    case EnpType.RequestPID:
      need(b, 50, type);
      return {
        type,
        order,
        from: pidAt(b, 8, peer, peerCreation),
        flags: b[16]!,
        ref: new Ref(peer, peerCreation, words(b, 17)),
        to: pidAt(b, 41, local, localCreation),
        message: payload(b, 49, type, ctx),
      };
    case EnpType.RequestName:
    case EnpType.RequestNameCache: {
      need(b, type === EnpType.RequestName ? 43 : 44, type);
      let to: Atom;
      let at: number;
      if (type === EnpType.RequestName) [to, at] = nameAt(b, 41, type);
      else [to, at] = [cachedAt(b, 41, type, ctx), 43];
      return { type, order, from: pidAt(b, 8, peer, peerCreation), flags: b[16]!, ref: new Ref(peer, peerCreation, words(b, 17)), to, message: payload(b, at, type, ctx) };
    }
    case EnpType.RequestAlias:
      need(b, 66, type);
      return {
        type,
        order,
        from: pidAt(b, 8, peer, peerCreation),
        flags: b[16]!,
        ref: new Ref(peer, peerCreation, words(b, 17)),
        to: new Alias(local, localCreation, words(b, 41)),
        message: payload(b, 65, type, ctx),
      };
    case EnpType.MessageResponse:
      need(b, 50, type);
      return {
        type,
        order,
        from: pidAt(b, 8, peer, peerCreation),
        priority: b[16]!,
        to: pidAt(b, 17, local, localCreation),
        // The ref was made by the node receiving the answer: ours.
        ref: new Ref(local, localCreation, words(b, 25)),
        message: payload(b, 49, type, ctx),
      };
    case EnpType.MessageResponseError: {
      need(b, 50, type);
      const code = b[49]!;
      let error: EdfError | null;
      switch (code) {
        case ResponseCode.OK:
          error = null;
          break;
        case ResponseCode.ProcessUnknown:
          error = DeliveryErr.ProcessUnknown;
          break;
        case ResponseCode.MailboxFull:
          error = DeliveryErr.MailboxFull;
          break;
        case ResponseCode.ProcessTerminated:
          error = DeliveryErr.ProcessTerminated;
          break;
        case ResponseCode.Other:
          error = reasonAt(b, 50, type, ctx);
          break;
        default:
          throw new FrameError(ErgoNetCode.BadResponseCode, `response error code ${code}`, 49, type);
      }
      return { type, order, from: pidAt(b, 8, peer, peerCreation), priority: b[16]!, to: pidAt(b, 17, local, localCreation), ref: new Ref(local, localCreation, words(b, 25)), code, error };
    }
    case EnpType.TerminatePID:
      need(b, 18, type);
      return { type, order, priority: b[8]!, target: pidAt(b, 9, peer, peerCreation), reason: reasonAt(b, 17, type, ctx) };
    case EnpType.TerminateName:
    case EnpType.TerminateEvent: {
      need(b, 11, type);
      const [target, at] = nameAt(b, 9, type);
      return { type, order, priority: b[8]!, target, reason: reasonAt(b, at, type, ctx) };
    }
    case EnpType.TerminateNameCache:
    case EnpType.TerminateEventCache:
      need(b, 12, type);
      return { type, order, priority: b[8]!, target: cachedAt(b, 9, type, ctx), reason: reasonAt(b, 11, type, ctx) };
    case EnpType.TerminateAlias:
      need(b, 34, type);
      return { type, order, priority: b[8]!, target: new Alias(peer, peerCreation, words(b, 9)), reason: reasonAt(b, 33, type, ctx) };
    case EnpType.MessageAny:
      return { type, order, message: payload(b, 8, type, ctx) };
    case EnpType.MessageZ: {
      need(b, 14, type);
      // Go would inflate a MessageZ inside a MessageZ again; we refuse the nesting.
      if (nested) throw new FrameError(ErgoNetCode.BadCompression, 'compressed frame inside a compressed frame', 7, type);
      const compression = b[8]!;
      const size = u32(b, 9);
      if (size > ctx.maxInflated) throw new FrameError(ErgoNetCode.DecompressedTooLarge, `inflates to ${size} bytes, limit ${ctx.maxInflated}`, 9, type);
      const data = b.subarray(13);
      let inner: Uint8Array;
      try {
        inner = decompressFrame(compression, data, size);
      } catch (e) {
        throw new FrameError(ErgoNetCode.BadCompression, `cannot inflate: ${(e as Error).message}`, 13, type, { cause: e });
      }
      // Go does not check the inner header's magic, version or length; we do.
      if (inner.length < Enp.HEADER || u32(inner, 2) !== inner.length) throw new FrameError(ErgoNetCode.BadLength, 'inner frame length does not match', 13, type);
      return { type, order, compression, size, inner: decodeFrame(inner, ctx, true), data };
    }
    default:
      throw new FrameError(ErgoNetCode.UnknownType, `unknown message type ${type}`, 7, type);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** The encoder side of a connection: our tables, and the writer+encoder of one link. */
export interface EnpEncodeContext {
  w: Writer;
  enc: EdfEncoder;
  edf: EdfEncodeOptions;
}

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

/** Start a frame: header with the length left to patch; returns the offset from `w.start`. */
function begin(w: Writer, order: number, type: number, fixed: number): number {
  w.ensure(Enp.HEADER + fixed);
  const p = w.pos;
  const b = w.buf;
  b[p] = Enp.MAGIC;
  b[p + 1] = Enp.VERSION;
  b[p + 6] = order;
  b[p + 7] = type;
  w.pos = p + Enp.HEADER;
  return p - w.start;
}

function finish(w: Writer, rel: number): number {
  const len = w.pos - (w.start + rel);
  if (len > 0xffffffff) throw new RangeError('frame over 4 GiB');
  put32(w.buf, w.start + rel + 2, len);
  return rel;
}

/** u64 from a pid's two halves (serial = high word). */
function pid64(w: Writer, p: Pid): void {
  if (w.pos + 8 > w.buf.length) w.ensure(8);
  const b = w.buf;
  const at = w.pos;
  set32(b, at, p.serial);
  set32(b, at + 4, p.id);
  w.pos = at + 8;
}

/**
 * A ref's three u64 ids from its words (low half first; an Erlang-sized ref of up to 5 words
 * is widened with zeros), written as six u32s: no bigint on this path.
 */
function ref64(w: Writer, r: Ref): void {
  if (w.pos + 24 > w.buf.length) w.ensure(24);
  const b = w.buf;
  const at = w.pos;
  const x = r.ids;
  set32(b, at, x[1] ?? 0);
  set32(b, at + 4, x[0] ?? 0);
  set32(b, at + 8, x[3] ?? 0);
  set32(b, at + 12, x[2] ?? 0);
  set32(b, at + 16, x[5] ?? 0);
  set32(b, at + 20, x[4] ?? 0);
  w.pos = at + 24;
}

function name8(w: Writer, a: Atom): void {
  const u = a.utf8;
  if (u.length > 255) throw new RangeError(`name ${a.name} is over 255 bytes`);
  w.u8(u.length);
  w.bytes(u);
}

/** Our atom cache id for a header name, or 0 (Go: encodeOptions.AtomCache lookup). */
function cachedId(cache: EdfEncodeCache | undefined, a: Atom): number {
  return cache?.atoms.get(a) ?? 0;
}

/** Big-endian u32 at `p` (no bounds check: the caller ensured the room). */
function set32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

/** The 8 bytes of an important-delivery id (0 unless important), without a bigint for 0. */
function msgId64(b: Uint8Array, p: number, id: bigint): void {
  if (id === 0n) {
    set32(b, p, 0);
    set32(b, p + 4, 0);
  } else {
    set32(b, p, Number((id >> 32n) & 0xffffffffn));
    set32(b, p + 4, Number(id & 0xffffffffn));
  }
}

/** 101 / 102 / 103 / 104: an async message. */
export function writeSend(c: EnpEncodeContext, order: number, from: Pid, to: Pid | Atom | Alias, flags: number, msgId: bigint, message: unknown): number {
  const { w } = c;
  let rel: number;
  if (to instanceof Pid) {
    // The hot path: the whole fixed part written at once.
    w.ensure(33);
    const b = w.buf;
    const p = w.pos;
    b[p] = Enp.MAGIC;
    b[p + 1] = Enp.VERSION;
    b[p + 6] = order;
    b[p + 7] = EnpType.MessagePID;
    set32(b, p + 8, from.serial);
    set32(b, p + 12, from.id);
    b[p + 16] = flags;
    msgId64(b, p + 17, msgId);
    set32(b, p + 25, to.serial);
    set32(b, p + 29, to.id);
    w.pos = p + 33;
    rel = p - w.start;
  } else if (to instanceof Alias) {
    rel = begin(w, order, EnpType.MessageAlias, 41);
    pid64(w, from);
    w.u8(flags);
    w.u64(msgId);
    ref64(w, to);
  } else {
    const id = cachedId(c.edf.cache, to);
    rel = begin(w, order, id ? EnpType.MessageNameCache : EnpType.MessageName, 19);
    pid64(w, from);
    w.u8(flags);
    w.u64(msgId);
    if (id) w.u16(id);
    else name8(w, to);
  }
  c.enc.write(message, c.edf);
  return finish(w, rel);
}

/** 121 / 122 / 123 / 124: a request (call). */
export function writeRequest(c: EnpEncodeContext, order: number, from: Pid, to: Pid | Atom | Alias, flags: number, ref: Ref, message: unknown): number {
  const { w } = c;
  let rel: number;
  if (to instanceof Pid) {
    rel = begin(w, order, EnpType.RequestPID, 41);
    pid64(w, from);
    w.u8(flags);
    ref64(w, ref);
    pid64(w, to);
  } else if (to instanceof Alias) {
    rel = begin(w, order, EnpType.RequestAlias, 57);
    pid64(w, from);
    w.u8(flags);
    ref64(w, ref);
    ref64(w, to);
  } else {
    const id = cachedId(c.edf.cache, to);
    rel = begin(w, order, id ? EnpType.RequestNameCache : EnpType.RequestName, 35);
    pid64(w, from);
    w.u8(flags);
    ref64(w, ref);
    if (id) w.u16(id);
    else name8(w, to);
  }
  c.enc.write(message, c.edf);
  return finish(w, rel);
}

/** 105 / 106: an event publication. */
export function writeEvent(c: EnpEncodeContext, order: number, from: Pid, priority: number, timestamp: bigint, event: Atom, message: unknown): number {
  const { w } = c;
  const id = cachedId(c.edf.cache, event);
  const rel = begin(w, order, id ? EnpType.MessageEventCache : EnpType.MessageEvent, 19);
  pid64(w, from);
  w.u8(priority);
  w.u64(BigInt.asUintN(64, timestamp));
  if (id) w.u16(id);
  else name8(w, event);
  c.enc.write(message, c.edf);
  return finish(w, rel);
}

/** 107: an exit signal. */
export function writeExit(c: EnpEncodeContext, order: number, from: Pid, priority: number, to: Pid, reason: EdfError): number {
  const { w } = c;
  const rel = begin(w, order, EnpType.MessageExit, 17);
  pid64(w, from);
  w.u8(priority);
  pid64(w, to);
  c.enc.write(reason, c.edf);
  return finish(w, rel);
}

/** 129: a call's answer. */
export function writeResponse(c: EnpEncodeContext, order: number, from: Pid, priority: number, to: Pid, ref: Ref, value: unknown): number {
  const { w } = c;
  const rel = begin(w, order, EnpType.MessageResponse, 41);
  pid64(w, from);
  w.u8(priority);
  pid64(w, to);
  ref64(w, ref);
  c.enc.write(value, c.edf);
  return finish(w, rel);
}

/** 130: a failed call, or an important-delivery acknowledgement (code 0 = delivered). */
export function writeResponseError(c: EnpEncodeContext, order: number, from: Pid | null, priority: number, to: Pid, ref: Ref, error: EdfError | null): number {
  const { w } = c;
  const rel = begin(w, order, EnpType.MessageResponseError, 42);
  if (from === null) w.u64(0n);
  else pid64(w, from);
  w.u8(priority);
  pid64(w, to);
  ref64(w, ref);
  const code = responseCode(error);
  w.u8(code);
  if (code === ResponseCode.Other) c.enc.write(error, c.edf);
  return finish(w, rel);
}

/** The 130 code for an error (Go compares by identity; we by catalogue object or message). */
export function responseCode(error: EdfError | null): number {
  if (error === null) return ResponseCode.OK;
  if (error === DeliveryErr.ProcessUnknown || error.message === DeliveryErr.ProcessUnknown.message) return ResponseCode.ProcessUnknown;
  if (error === DeliveryErr.MailboxFull || error.message === DeliveryErr.MailboxFull.message) return ResponseCode.MailboxFull;
  if (error === DeliveryErr.ProcessTerminated || error.message === DeliveryErr.ProcessTerminated.message) return ResponseCode.ProcessTerminated;
  return ResponseCode.Other;
}

/** 181–186: a local target that a peer process links to or monitors is gone. */
export function writeTerminate(c: EnpEncodeContext, kind: 'pid' | 'name' | 'alias' | 'event', priority: number, target: Pid | Atom | Alias, reason: EdfError, order = 0): number {
  const { w } = c;
  let rel: number;
  if (kind === 'pid') {
    rel = begin(w, order, EnpType.TerminatePID, 9);
    w.u8(priority);
    pid64(w, target as Pid);
  } else if (kind === 'alias') {
    rel = begin(w, order, EnpType.TerminateAlias, 25);
    w.u8(priority);
    ref64(w, target as Alias);
  } else {
    const a = target as Atom;
    const id = cachedId(c.edf.cache, a);
    const type = kind === 'name' ? (id ? EnpType.TerminateNameCache : EnpType.TerminateName) : id ? EnpType.TerminateEventCache : EnpType.TerminateEvent;
    rel = begin(w, order, type, 3);
    w.u8(priority);
    if (id) w.u16(id);
    else name8(w, a);
  }
  c.enc.write(reason, c.edf);
  return finish(w, rel);
}

/** 199: a structured control message (link/monitor/spawn/application start/result). */
export function writeAny(c: EnpEncodeContext, order: number, message: unknown): number {
  const { w } = c;
  const rel = begin(w, order, EnpType.MessageAny, 0);
  c.enc.write(message, c.edf);
  return finish(w, rel);
}

/** Re-encode a decoded frame (tests: byte-exact round trips of captured frames). */
export function encodeFrame(c: EnpEncodeContext, f: EnpFrame): number {
  switch (f.type) {
    case 101:
    case 102:
    case 103:
    case 104:
      return writeSend(c, f.order, f.from, f.to, f.flags, f.msgId, f.message);
    case 105:
    case 106:
      return writeEvent(c, f.order, f.from, f.priority, f.timestamp, f.event, f.message);
    case 107:
      return writeExit(c, f.order, f.from, f.priority, f.to, f.reason);
    case 121:
    case 122:
    case 123:
    case 124:
      return writeRequest(c, f.order, f.from, f.to, f.flags, f.ref, f.message);
    case 129:
      return writeResponse(c, f.order, f.from, f.priority, f.to, f.ref, f.message);
    case 130:
      return writeResponseError(c, f.order, f.from.id === 0 && f.from.serial === 0 ? null : f.from, f.priority, f.to, f.ref, f.error);
    case 181:
      return writeTerminate(c, 'pid', f.priority, f.target, f.reason, f.order);
    case 182:
    case 183:
      return writeTerminate(c, 'name', f.priority, f.target, f.reason, f.order);
    case 184:
      return writeTerminate(c, 'alias', f.priority, f.target, f.reason, f.order);
    case 185:
    case 186:
      return writeTerminate(c, 'event', f.priority, f.target, f.reason, f.order);
    case 199:
      return writeAny(c, f.order, f.message);
    case 200:
      throw new RangeError('re-encode the inner frame of a MessageZ and compress it with wrapCompressed');
  }
}

/**
 * Replace the frame at `rel` (relative to `w.start`, ending at `w.pos`) by its MessageZ
 * wrapper holding `compressed` (the frame compressed with algorithm `id`). Keeps byte 6.
 */
export function wrapCompressed(w: Writer, rel: number, id: number, size: number, compressed: Uint8Array): void {
  const at = w.start + rel;
  const order = w.buf[at + 6]!;
  w.pos = at;
  begin(w, order, EnpType.MessageZ, 5 + compressed.length);
  w.u8(id);
  w.u32(size);
  w.bytes(compressed);
  finish(w, rel);
}
