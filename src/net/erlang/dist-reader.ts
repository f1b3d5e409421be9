/**
 * The receive side of a connection: cuts the byte stream into packets (4-byte length; length
 * 0 is a tick), reads the distribution header (`131, 68`), fragments (`131, 69` / `131, 70`)
 * or pass-through framing (`112`), and decodes the control message and payload where the
 * bytes lie: a packet that arrived in one socket chunk is decoded from that chunk; only a
 * packet split across chunks is copied, once, into a buffer of its exact size.
 *
 * Framing follows the negotiated flags as OTP's erts_prepare_dist_ext does: with
 * DIST_HDR_ATOM_CACHE or FRAGMENTS every message has a header and its terms no version byte;
 * with neither, `112` and a version byte before each term. The other form is refused.
 */
import type { Atom } from '../../term/atom.js';
import type { Term } from '../../term/types.js';
import { EtfDecoder, type DecodeOptions } from '../../codec/etf/decode.js';
import { DecodeError } from '../../codec/errors.js';
import { InAtomCache } from './atom-cache.js';
import { DistCode, DistError } from './errors.js';
import { FastControl, isSendSender } from './fast-control.js';
import type { Pid } from '../../term/ids.js';

export interface ReaderLimits {
  /** Largest packet accepted (default 128 MiB). */
  maxPacketSize: number;
  /** Largest message rebuilt from fragments (default 256 MiB). */
  maxMessageSize: number;
  /** Fragmented messages in flight at once (default 256). */
  maxSequences: number;
  /** Refuse to intern atoms past this many (default 1,048,576, as BEAM). */
  maxAtoms: number;
  /** Copy binaries out of the packet instead of returning views into it. */
  copyBinaries: boolean;
}

export const DEFAULT_READER_LIMITS: ReaderLimits = {
  maxPacketSize: 128 * 1024 * 1024,
  maxMessageSize: 256 * 1024 * 1024,
  maxSequences: 256,
  maxAtoms: 1_048_576,
  copyBinaries: false,
};

interface Sequence {
  atoms: Atom[];
  parts: Uint8Array[];
  bytes: number;
  next: bigint;
}

/** Receives one decoded message; returns an error to close the connection with. */
export type MessageSink = (control: Term, payload: Term | undefined) => DistError | undefined;

/** Receives a SEND_SENDER read by the fast path (fast-control.ts): sender, target, message. */
export type SendSink = (from: Pid, to: Pid, payload: Term) => DistError | undefined;

export class DistReader {
  readonly #limits: ReaderLimits;
  readonly #headerMode: boolean;
  readonly #sink: MessageSink;
  readonly #sendSink: SendSink | undefined;
  readonly #fast = new FastControl();
  readonly #cache: InAtomCache;
  /** Atom cache entries received: new ones, and references to earlier ones. */
  get cacheStats(): { newEntries: number; hits: number } {
    return { newEntries: this.#cache.newEntries, hits: this.#cache.hits };
  }
  readonly #decoder = new EtfDecoder();
  readonly #atoms: (Atom | undefined)[] = new Array(256).fill(undefined);
  readonly #opts: DecodeOptions;
  readonly #passOpts: DecodeOptions;
  readonly #sequences = new Map<bigint, Sequence>();
  // Packet in progress across chunks: its length prefix, then its bytes.
  readonly #len = Buffer.alloc(4);
  #lenHave = 0;
  #pkt: Buffer | undefined;
  #pktHave = 0;
  /** Bytes read so far (ticks included), for silence detection. */
  bytesIn = 0;
  messagesIn = 0;
  /** Fragments received (first fragments of multi-fragment messages included). */
  fragmentsIn = 0;

  constructor(headerMode: boolean, sink: MessageSink, limits: Partial<ReaderLimits> = {}, sendSink?: SendSink) {
    this.#limits = { ...DEFAULT_READER_LIMITS, ...limits };
    this.#headerMode = headerMode;
    this.#sink = sink;
    this.#sendSink = sendSink;
    this.#cache = new InAtomCache(this.#limits.maxAtoms);
    this.#opts = {
      versionByte: false,
      atomCache: this.#atoms as Atom[],
      maxAtoms: this.#limits.maxAtoms,
      copyBinaries: this.#limits.copyBinaries,
    };
    this.#passOpts = { versionByte: false, maxAtoms: this.#limits.maxAtoms, copyBinaries: this.#limits.copyBinaries };
  }

  /** Feed bytes from the socket. Returns the error to close the connection with, if any. */
  push(chunk: Uint8Array): DistError | undefined {
    this.bytesIn += chunk.length;
    let p = 0;
    const end = chunk.length;
    try {
      while (p < end) {
        if (this.#pkt !== undefined) {
          const want = this.#pkt.length - this.#pktHave;
          const take = Math.min(want, end - p);
          this.#pkt.set(chunk.subarray(p, p + take), this.#pktHave);
          this.#pktHave += take;
          p += take;
          if (this.#pktHave < this.#pkt.length) break;
          const pkt = this.#pkt;
          this.#pkt = undefined;
          const err = this.#packet(pkt, 0, pkt.length);
          if (err) return err;
          continue;
        }
        let n: number;
        if (this.#lenHave > 0 || end - p < 4) {
          while (this.#lenHave < 4 && p < end) this.#len[this.#lenHave++] = chunk[p++]!;
          if (this.#lenHave < 4) break;
          this.#lenHave = 0;
          n = this.#len.readUInt32BE(0);
        } else {
          n = ((chunk[p]! << 24) | (chunk[p + 1]! << 16) | (chunk[p + 2]! << 8) | chunk[p + 3]!) >>> 0;
          p += 4;
        }
        if (n === 0) continue; // a tick
        if (n > this.#limits.maxPacketSize) {
          return new DistError(DistCode.PacketTooLarge, `packet of ${n} bytes is over the limit of ${this.#limits.maxPacketSize}`);
        }
        if (end - p >= n) {
          const err = this.#packet(chunk, p, p + n);
          if (err) return err;
          p += n;
        } else {
          this.#pkt = Buffer.allocUnsafe(n);
          this.#pkt.set(chunk.subarray(p, end), 0);
          this.#pktHave = end - p;
          p = end;
        }
      }
    } catch (e) {
      return asDistError(e);
    }
    return undefined;
  }

  #packet(b: Uint8Array, start: number, end: number): DistError | undefined {
    if (!this.#headerMode) return this.#passThrough(b, start, end);
    if (end - start < 3) throw header('packet too short for a distribution header');
    if (b[start] !== 131) {
      if (b[start] === 112) throw new DistError(DistCode.BadFraming, 'pass-through message on a connection that negotiated the distribution header');
      throw header(`version byte ${b[start]}`);
    }
    const kind = b[start + 1];
    const atoms = this.#atoms as Atom[];
    if (kind === 68) {
      const cache = this.#cache;
      const pos = cache.readHeader(b, start + 2, end, atoms);
      try {
        return this.#message(b, pos, end, this.#opts);
      } finally {
        for (let i = 0, n = cache.count; i < n; i++) this.#atoms[i] = undefined;
      }
    }
    if (kind === 69 || kind === 70) {
      if (end - start < 18) throw new DistError(DistCode.BadFragment, 'fragment header cut short');
      const v = new DataView(b.buffer, b.byteOffset + start + 2, 16);
      const seq = v.getBigUint64(0);
      const frag = v.getBigUint64(8);
      if (frag === 0n) throw new DistError(DistCode.BadFragment, 'fragment id 0');
      this.fragmentsIn++;
      return kind === 69 ? this.#firstFragment(b, start + 18, end, seq, frag) : this.#moreFragment(b, start + 18, end, seq, frag);
    }
    throw header(`unknown header kind ${kind}`);
  }

  #firstFragment(b: Uint8Array, pos: number, end: number, seq: bigint, frag: bigint): DistError | undefined {
    const atoms = this.#atoms as Atom[];
    // The cache entries of a first fragment take effect now: later messages may use them.
    const h = { pos: this.#cache.readHeader(b, pos, end, atoms), n: this.#cache.count };
    try {
      if (frag === 1n) return this.#message(b, h.pos, end, this.#opts);
      if (this.#sequences.has(seq)) throw new DistError(DistCode.BadFragment, `sequence ${seq} started twice`);
      if (this.#sequences.size >= this.#limits.maxSequences) {
        throw new DistError(DistCode.TooManySequences, `more than ${this.#limits.maxSequences} fragmented messages in flight`);
      }
      const bytes = end - h.pos;
      if (bytes > this.#limits.maxMessageSize) throw tooLarge(this.#limits.maxMessageSize);
      this.#sequences.set(seq, { atoms: atoms.slice(0, h.n), parts: [b.subarray(h.pos, end)], bytes, next: frag - 1n });
      return undefined;
    } finally {
      for (let i = 0; i < h.n; i++) this.#atoms[i] = undefined;
    }
  }

  #moreFragment(b: Uint8Array, pos: number, end: number, seq: bigint, frag: bigint): DistError | undefined {
    const s = this.#sequences.get(seq);
    // OTP is strict: an unknown sequence or a fragment out of order kills the connection.
    if (s === undefined) throw new DistError(DistCode.BadFragment, `continuation of unknown sequence ${seq}`);
    if (frag !== s.next) throw new DistError(DistCode.BadFragment, `fragment ${frag} of sequence ${seq} where ${s.next} was due`);
    s.bytes += end - pos;
    if (s.bytes > this.#limits.maxMessageSize) throw tooLarge(this.#limits.maxMessageSize);
    s.parts.push(b.subarray(pos, end));
    if (frag > 1n) {
      s.next = frag - 1n;
      return undefined;
    }
    this.#sequences.delete(seq);
    const whole = Buffer.allocUnsafe(s.bytes);
    let at = 0;
    for (const part of s.parts) {
      whole.set(part, at);
      at += part.length;
    }
    return this.#message(whole, 0, whole.length, { ...this.#opts, atomCache: s.atoms });
  }

  #message(b: Uint8Array, pos: number, end: number, opts: DecodeOptions): DistError | undefined {
    this.messagesIn++;
    const dec = this.#decoder;
    const fast = this.#fast;
    if (this.#sendSink !== undefined && isSendSender(b, pos, end) && fast.sendSender(b, pos, end, opts.atomCache ?? NO_ATOMS) && fast.end < end) {
      const payload = dec.decodeAt(b, fast.end, opts, end);
      if (payload.end !== end) throw new DistError(DistCode.Trailing, `${end - payload.end} bytes after the payload`);
      return this.#sendSink(fast.from!, fast.to!, payload.term);
    }
    const ctl = dec.decodeAt(b, pos, opts, end);
    if (ctl.end === end) return this.#sink(ctl.term, undefined);
    const payload = dec.decodeAt(b, ctl.end, opts, end);
    if (payload.end !== end) throw new DistError(DistCode.Trailing, `${end - payload.end} bytes after the payload`);
    return this.#sink(ctl.term, payload.term);
  }

  #passThrough(b: Uint8Array, start: number, end: number): DistError | undefined {
    if (b[start] !== 112) {
      throw new DistError(DistCode.BadFraming, `expected pass-through (112), got ${b[start]}: the atom-cache header was not negotiated`);
    }
    if (end - start < 3 || b[start + 1] !== 131) throw header('pass-through term without a version byte');
    this.messagesIn++;
    const dec = this.#decoder;
    const ctl = dec.decodeAt(b, start + 2, this.#passOpts, end);
    if (ctl.end === end) return this.#sink(ctl.term, undefined);
    if (b[ctl.end] !== 131) throw header('pass-through payload without a version byte');
    const payload = dec.decodeAt(b, ctl.end + 1, this.#passOpts, end);
    if (payload.end !== end) throw new DistError(DistCode.Trailing, `${end - payload.end} bytes after the payload`);
    return this.#sink(ctl.term, payload.term);
  }
}

const NO_ATOMS: readonly Atom[] = [];

function header(what: string): DistError {
  return new DistError(DistCode.BadHeader, `bad distribution header: ${what}`);
}

function tooLarge(max: number): DistError {
  return new DistError(DistCode.MessageTooLarge, `fragmented message over the limit of ${max} bytes`);
}

function asDistError(e: unknown): DistError {
  if (e instanceof DistError) return e;
  if (e instanceof DecodeError) return new DistError(DistCode.BadTerm, `malformed term in a distribution message: ${e.message}`, { cause: e });
  return new DistError(DistCode.BadTerm, `cannot decode a distribution message: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}
