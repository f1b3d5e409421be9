/**
 * The inbound side of one connection: every frame its links cut from their sockets comes here,
 * in arrival order per link. The hot path — a plain message to a pid or a name, and the answer
 * to a call — is read where it lies, without a frame object, with the sender and target pids
 * reused while they repeat (Link.lastFrom / lastTo); everything else is decoded whole
 * (frames.ts) and dispatched (dispatch.ts).
 */
import { Buffer } from 'node:buffer';
import { EdfDecoder } from '../../codec/edf/index.js';
import { Atom } from '../../term/atom.js';
import { Pid, Ref } from '../../term/ids.js';
import type { ErgoConnection } from './connection.js';
import { EnpFlag, EnpType, type Priority } from './constants.js';
import { dispatchFrame } from './dispatch.js';
import { ErgoNetCode, FrameError } from './errors.js';
import { decodeFrame, type EnpDecodeContext, type EnpFrame } from './frames.js';
import type { ErgoInbound } from './inbound.js';
import type { Link } from './link.js';

const utf8Slice = Buffer.prototype.utf8Slice as (this: Uint8Array, start: number, end: number) => string;

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

export class FrameReader {
  /** The connection's own decoder (the shared one may be mid-decode when a handler decodes). */
  readonly #decoder = new EdfDecoder();
  /** The link whose frame is being handled (for `ErgoConnection.pauseReading`). */
  current: Link | undefined;

  constructor(
    readonly conn: ErgoConnection,
    readonly inbound: ErgoInbound,
    readonly dec: EnpDecodeContext,
  ) {}

  readonly onFrame = (b: Uint8Array, s: number, e: number, link: Link): void => {
    this.current = link;
    const type = b[s + 7]!;
    // The hot path: a plain (not important) message to a pid or a name, decoded in place
    // without a frame object; the sender and target pids are reused while they repeat.
    if (type <= EnpType.MessageNameCache && type >= EnpType.MessagePID && (b[s + 16]! & EnpFlag.IMPORTANT) === 0 && e - s >= 34) {
      const from = this.#fromPid(b, s + 8, link);
      let to: Pid | Atom;
      let at: number;
      if (type === EnpType.MessagePID) {
        to = this.#toPid(b, s + 25, link);
        at = s + 33;
      } else if (type === EnpType.MessageNameCache) {
        const a = this.dec.edf.cache?.atoms[(b[s + 25]! << 8) | b[s + 26]!];
        if (a === undefined) return this.#slowFrame(b, s, e, link);
        to = a;
        at = s + 27;
      } else {
        const n = b[s + 25]!;
        if (s + 26 + n >= e) return this.#slowFrame(b, s, e, link);
        to = Atom.of(utf8Slice.call(b, s + 26, s + 26 + n));
        at = s + 26 + n;
      }
      let message: unknown;
      try {
        message = this.#decoder.decodeAt(b, at, this.dec.edf, e).value;
      } catch {
        return this.#slowFrame(b, s, e, link);
      }
      this.inbound.send(from, to, message, (b[s + 16]! & 3) as Priority, this.conn);
      return;
    }
    // The answer to a call (the latency path): straight to the waiting caller.
    if (type === EnpType.MessageResponse && e - s >= 50) {
      const ref = new Ref(this.dec.local, this.dec.localCreation, [u32(b, s + 29), u32(b, s + 25), u32(b, s + 37), u32(b, s + 33), u32(b, s + 45), u32(b, s + 41)]);
      let value: unknown;
      try {
        value = this.#decoder.decodeAt(b, s + 49, this.dec.edf, e).value;
      } catch {
        return this.#slowFrame(b, s, e, link);
      }
      if (!this.conn.settle(ref, { error: null, result: value })) {
        this.inbound.response(this.#fromPid(b, s + 8, link), this.#toPid(b, s + 17, link), ref, value, this.conn);
      }
      return;
    }
    this.#slowFrame(b, s, e, link);
  };

  #fromPid(b: Uint8Array, p: number, link: Link): Pid {
    const hi = u32(b, p);
    const lo = u32(b, p + 4);
    const c = link.lastFrom;
    if (c !== undefined && c.id === lo && c.serial === hi) return c;
    return (link.lastFrom = new Pid(this.dec.peer, lo, hi, this.dec.peerCreation));
  }

  #toPid(b: Uint8Array, p: number, link: Link): Pid {
    const hi = u32(b, p);
    const lo = u32(b, p + 4);
    const c = link.lastTo;
    if (c !== undefined && c.id === lo && c.serial === hi) return c;
    return (link.lastTo = new Pid(this.dec.local, lo, hi, this.dec.localCreation));
  }

  /** Every frame the hot path does not take (and its failures, to report them the one way). */
  #slowFrame(b: Uint8Array, s: number, e: number, link: Link): void {
    let f: EnpFrame;
    try {
      f = decodeFrame(s === 0 && e === b.length ? b : b.subarray(s, e), this.dec);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      // A message of a type we have no schema for is not a broken link: drop it, as Go does.
      if (err.code === ErgoNetCode.UnexpectedPayload) this.conn.reportLinkError(err);
      else link.close(err);
      return;
    }
    dispatchFrame(this.conn, this.inbound, f.type === EnpType.MessageZ ? f.inner : f);
  }
}
