/**
 * The send side of a connection: encodes control messages and payloads, frames them (header
 * with atom cache, fragments, or pass-through) and appends the packets to one batch buffer
 * that the connection hands to the socket in a single write per flush.
 *
 * A message is encoded once into a shared scratch buffer (the header can only be written
 * once the atoms the terms use are known), then its header and bytes are appended to the
 * batch; scratch and batch are reused, so a small message allocates nothing. Atoms come from
 * their cached encodings or from the atom cache. Nothing is ever compressed.
 */
import type { Atom } from '../../term/atom.js';
import type { Pid, Ref } from '../../term/ids.js';
import type { Term } from '../../term/types.js';
import { EtfEncoder } from '../../codec/etf/encode.js';
import { Writer } from '../../codec/writer.js';
import { OutAtomCache } from './atom-cache.js';

// One scratch for every connection: encoding is synchronous and never re-entered.
const scratch = new Writer();
const enc = new EtfEncoder(scratch);

export interface WriterOptions {
  /** DIST_HDR_ATOM_CACHE negotiated: headers carry atom cache entries. */
  atomCache: boolean;
  /** FRAGMENTS negotiated: large messages go out in fragments. */
  fragments: boolean;
  /** Payload bytes per fragment (default 64 KiB, as OTP). */
  fragmentSize: number;
}

export class DistWriter {
  /** The batch: packets waiting for the next flush. */
  readonly out = new Writer();
  readonly #cache: OutAtomCache | undefined;
  readonly #index: ((a: Atom) => number) | undefined;
  readonly #headerMode: boolean;
  readonly #fragments: boolean;
  readonly #fragmentSize: number;
  #seq = 0;
  #ctlEnd = 0;
  messagesOut = 0;
  fragmentsOut = 0;

  constructor(opts: WriterOptions) {
    this.#cache = opts.atomCache ? new OutAtomCache() : undefined;
    this.#index = this.#cache?.index;
    this.#headerMode = opts.atomCache || opts.fragments;
    this.#fragments = opts.fragments;
    this.#fragmentSize = Math.max(256, opts.fragmentSize);
    this.out.begin();
  }

  /** Atom cache entries sent: new ones, and references to earlier ones. */
  get cacheStats(): { newEntries: number; hits: number } {
    return { newEntries: this.#cache?.newEntries ?? 0, hits: this.#cache?.hits ?? 0 };
  }

  /** Bytes waiting in the batch. */
  get pending(): number {
    return this.out.pos - this.out.start;
  }

  /** Start a control tuple of `arity` elements whose first is `op`. */
  begin(op: number, arity: number): void {
    scratch.begin();
    this.#cache?.begin();
    if (!this.#headerMode) scratch.u8(131);
    scratch.u8(104);
    scratch.u8(arity);
    enc.write(op, this.#index);
  }

  atom(a: Atom): void {
    enc.atom(a);
  }
  pid(p: Pid): void {
    enc.pid(p);
  }
  ref(r: Ref): void {
    enc.ref(r);
  }
  term(t: Term): void {
    enc.term(t);
  }
  int(v: number | bigint): void {
    if (typeof v === 'bigint') enc.bigint(v);
    else enc.integer(v);
  }

  /** The control message is complete; `payload` (message or exit reason) follows if given. */
  end(payload?: Term): void {
    this.#ctlEnd = scratch.pos;
    if (payload !== undefined) {
      if (!this.#headerMode) scratch.u8(131);
      enc.write(payload, this.#index);
    }
    this.#frame();
    scratch.abort();
    this.messagesOut++;
  }

  /**
   * `{op, From, To, Ref}` (MONITOR_P, DEMONITOR_P) straight into the batch, for the usual
   * case of a call: both node names already in the peer's atom cache, `from` and `ref` of our
   * node, 32-bit ids and a reference of 3 words. The header comes from the atom cache as on
   * the general path, so the bytes are that path's. False, with nothing written, when the
   * case is not that one: use begin/…/end.
   */
  monitorShaped(op: number, from: Pid, to: Pid, ref: Ref): boolean {
    const cache = this.#cache;
    const index = this.#index;
    if (cache === undefined || index === undefined || ref.node !== from.node || ref.ids.length !== 3) return false;
    if (!small(from) || !small(to) || !u32(ref.creation)) return false;
    cache.begin();
    // The general path meets the atoms in this order: from's node, to's node (the ref's is
    // from's again). A header of 5 bytes lists them both as entries the peer already has.
    if (index(from.node) !== 0 || index(to.node) !== 1 || cache.headerSize() !== 5) return false;
    const out = this.out;
    // 131, 68, the header; tuple head and op 4, two pids 15 each, the ref 21.
    out.ensure(4 + 62);
    out.u32(62);
    out.u8(131);
    out.u8(68);
    cache.writeHeader(out);
    out.u8(104);
    out.u8(4);
    out.u8(97);
    out.u8(op);
    cachedPid(out, 0, from);
    cachedPid(out, 1, to);
    cachedRef(out, 0, ref);
    this.messagesOut++;
    return true;
  }

  /**
   * SEND_SENDER `{22, From, To}` with gen's call message `{'$gen_call', {From, [alias | Ref]},
   * Request}` (OTP gen.erl do_call): the fixed parts are written straight into the batch and
   * only `request` goes through the encoder. The bytes are those of the general path (the
   * header lists the node names, '$gen_call' and alias first, in that order, then the
   * request's atoms). False, with nothing written, when the case is not that one: an atom
   * cache, 32-bit pids of the two nodes, a 3-word reference of ours, no fragmenting needed.
   */
  genCall(from: Pid, to: Pid, ref: Ref, request: Term, genCall: Atom, alias: Atom): boolean {
    const cache = this.#cache;
    const index = this.#index;
    if (cache === undefined || index === undefined || ref.node !== from.node || ref.ids.length !== 3) return false;
    if (!small(from) || !small(to) || !u32(ref.creation)) return false;
    scratch.begin();
    cache.begin();
    // The general path meets the atoms in this order: from's node, to's node, '$gen_call', alias.
    if (index(from.node) !== 0 || index(to.node) !== 1 || index(genCall) !== 2 || index(alias) !== 3) {
      scratch.abort();
      return false;
    }
    try {
      enc.write(request, index);
    } catch (e) {
      scratch.abort();
      throw e;
    }
    const reqStart = scratch.start;
    const reqLen = scratch.pos - reqStart;
    // Control 34 (tuple head, op, two pids) and the call's fixed part 49 (tuple heads, the atom
    // references, the pid, the one-element improper list, the reference).
    const len = 34 + 49 + reqLen;
    if (this.#fragments && len > this.#fragmentSize) {
      scratch.abort();
      return false;
    }
    const out = this.out;
    const hs = cache.headerSize();
    out.ensure(4 + 2 + hs + len);
    out.u32(2 + hs + len);
    out.u8(131);
    out.u8(68);
    cache.writeHeader(out);
    out.u8(104);
    out.u8(3);
    out.u8(97);
    out.u8(22);
    cachedPid(out, 0, from);
    cachedPid(out, 1, to);
    out.u8(104);
    out.u8(3);
    out.u8(82);
    out.u8(2);
    out.u8(104);
    out.u8(2);
    cachedPid(out, 0, from);
    out.u8(108);
    out.u32(1);
    out.u8(82);
    out.u8(3);
    cachedRef(out, 0, ref);
    copy(out, reqStart, reqLen);
    scratch.abort();
    this.messagesOut++;
    return true;
  }

  /** Drop a message whose encoding failed. */
  abort(): void {
    scratch.abort();
  }

  /** A tick: an empty packet. */
  tick(): void {
    this.out.u32(0);
  }

  /** Everything queued since the last call, or undefined; the view stays valid for the socket. */
  take(): Uint8Array | undefined {
    if (this.out.pos === this.out.start) return undefined;
    const batch = this.out.finish();
    this.out.begin();
    return batch;
  }

  #frame(): void {
    const out = this.out;
    const start = scratch.start;
    const len = scratch.pos - start;
    if (!this.#headerMode) {
      out.u32(1 + len);
      out.u8(112);
      copy(out, start, len);
      return;
    }
    const cache = this.#cache;
    const hs = cache ? cache.headerSize() : 1;
    const fsz = this.#fragmentSize;
    if (!this.#fragments || len <= fsz) {
      out.u32(2 + hs + len);
      out.u8(131);
      out.u8(68);
      if (cache) cache.writeHeader(out);
      else out.u8(0);
      copy(out, start, len);
      return;
    }
    const body = scratch.buf.subarray(start, scratch.pos);
    // The header and the whole control message go in the first fragment; FragmentId counts
    // down to 1; one sequence id per message (OTP dist.c / erl_ext_dist.md).
    const ctlLen = this.#ctlEnd - scratch.start;
    const first = Math.max(ctlLen, fsz);
    const count = 1 + Math.ceil((body.length - first) / fsz);
    const seq = ++this.#seq;
    this.fragmentsOut += count;
    out.u32(18 + hs + first);
    out.u8(131);
    out.u8(69);
    u64(out, seq);
    u64(out, count);
    if (cache) cache.writeHeader(out);
    else out.u8(0);
    out.bytes(body.subarray(0, first));
    let at = first;
    for (let id = count - 1; id >= 1; id--) {
      const chunk = body.subarray(at, Math.min(at + fsz, body.length));
      at += chunk.length;
      out.u32(18 + chunk.length);
      out.u8(131);
      out.u8(70);
      u64(out, seq);
      u64(out, id);
      out.bytes(chunk);
    }
  }
}

/**
 * Append scratch bytes [start, start+n) to `w`: a loop for a few bytes, a memcpy through a
 * plain view beyond (measured here: the view and `set` cost less than a byte loop from about
 * 30 bytes on, and less than Buffer#copy at every size).
 */
function copy(w: Writer, start: number, n: number): void {
  w.ensure(n);
  const src = scratch.buf;
  const dst = w.buf;
  const p = w.pos;
  if (n < 32) for (let i = 0; i < n; i++) dst[p + i] = src[start + i]!;
  else dst.set(new Uint8Array(src.buffer, src.byteOffset + start, n), p);
  w.pos = p + n;
}

function u32(v: number | bigint): boolean {
  return typeof v === 'number' && v >= 0 && v <= 0xffff_ffff;
}

/** Id, serial and creation as NEW_PID_EXT carries them (32 bits each). */
function small(p: Pid): boolean {
  return u32(p.id) && u32(p.serial) && u32(p.creation);
}

/** NEW_PID_EXT whose node is atom `index` of the message's cache header. */
function cachedPid(w: Writer, index: number, p: Pid): void {
  w.u8(88);
  w.u8(82);
  w.u8(index);
  w.u32(p.id as number);
  w.u32(p.serial);
  w.u32(p.creation as number);
}

/** NEWER_REFERENCE_EXT of 3 words whose node is atom `index` of the message's cache header. */
function cachedRef(w: Writer, index: number, r: Ref): void {
  w.u8(90);
  w.u16(3);
  w.u8(82);
  w.u8(index);
  w.u32(r.creation as number);
  w.u32(r.ids[0]!);
  w.u32(r.ids[1]!);
  w.u32(r.ids[2]!);
}

function u64(w: Writer, v: number): void {
  w.u32(Math.floor(v / 0x1_0000_0000));
  w.u32(v >>> 0);
}
