/**
 * The real BEAM as an oracle: one long-lived `erl` per release running etf_oracle.erl, asked
 * in batches (one frame carries thousands of inputs) so the fuzzer spends its time decoding,
 * not waiting on pipes. If the VM dies or nears its atom limit it is restarted.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { compileErlang, PacketPeer } from '../support/erl.js';
import type { Otp } from '../support/otp.js';

export type OracleAnswer =
  /** `crashed`: this input alone killed the VM (reported, then the VM is restarted). */
  | { ok: false; crashed?: boolean }
  /** `used`: bytes the term took; `det`: term_to_binary with deterministic; `plain`: without. */
  | { ok: true; used: number; det: Uint8Array; plain: Uint8Array };

export interface CompareAnswer {
  /** -1, 0 (==), 1; undefined when the pair did not decode. */
  order: number | undefined;
  exact: boolean;
}

const source = join(import.meta.dirname, 'etf_oracle.erl');
/** Restart the VM before its atom table (sized by +t) fills up. */
const ATOM_TABLE = 8_000_000;
const RESTART_AT = 7_000_000;
/** After a crash, inputs tried one by one before batching again. */
const SINGLES = 512;

export class EtfOracle {
  readonly otp: Otp;
  #peer: PacketPeer;
  #atoms = 0;
  /** Inputs answered since start (for reports). */
  answered = 0;
  restarts = 0;
  /** Inputs (hex) that killed the VM. */
  readonly crashes: string[] = [];

  /** A booted VM kept ready, so a crash costs no start-up time. */
  #spare: PacketPeer | undefined;

  /** The module compiled once by this release's erlc; every VM of this oracle loads it. */
  readonly #code: { dir: string; staged: { path: string; cleanup(): void } };

  constructor(otp: Otp) {
    this.otp = otp;
    this.#code = compileErlang([source], otp, true);
    this.#peer = this.#start();
  }

  #start(): PacketPeer {
    return new PacketPeer('etf_oracle', { otp: this.otp, codePath: this.#code.staged.path, erlArgs: ['+t', String(ATOM_TABLE)] });
  }

  async #restart(): Promise<void> {
    const old = this.#peer;
    this.#peer = this.#spare ?? this.#start();
    this.#spare = undefined;
    // Boot the next spare once this one has answered something, not while it boots too.
    setTimeout(() => {
      if (this.#spare === undefined && !this.#closed) this.#spare = this.#start();
    }, 50);
    this.#atoms = 0;
    this.restarts++;
    await old.close().catch(() => {});
  }

  /**
   * binary_to_term + term_to_binary for each input, in order. An input that kills the VM is
   * answered `{ok: false, crashed: true}`; the VM is replaced by a spare and the rest goes on.
   */
  async decode(inputs: readonly Uint8Array[]): Promise<OracleAnswer[]> {
    if (this.#atoms > RESTART_AT) await this.#restart();
    const out: OracleAnswer[] = [];
    let rest = inputs;
    while (rest.length > 0) {
      const got = await this.#batch(rest);
      out.push(...got);
      if (got.length === rest.length) break;
      // The VM died. Replies it wrote just before dying can be lost, so the killer is at or
      // after the first unanswered input: go on one input at a time until one dies alone.
      await this.#restart();
      rest = rest.slice(got.length);
      let i = 0;
      for (; i < rest.length && i < SINGLES; i++) {
        const one = await this.#batch([rest[i]!]);
        if (one.length === 1) {
          out.push(one[0]!);
          continue;
        }
        await this.#restart();
        this.crashes.push(Buffer.from(rest[i]!).toString('hex'));
        if (this.crashes.length > 5000) throw new Error(`${this.otp.label} keeps dying`);
        out.push({ ok: false, crashed: true });
        i++;
        break;
      }
      rest = rest.slice(i);
    }
    this.answered += inputs.length;
    return out;
  }

  /** One batch request; returns the answers received before the VM died, if it did. */
  async #batch(items: readonly Uint8Array[]): Promise<OracleAnswer[]> {
    const replies = this.#peer.requestMany(frame(0x42, items), items.length + 1);
    for (const r of replies) r.catch(() => {});
    const out: OracleAnswer[] = [];
    try {
      for (let i = 0; i < items.length; i++) out.push(parseAnswer(await replies[i]!));
      this.#atoms = (await replies[items.length]!).readUInt32BE(0);
    } catch {
      if (out.length === items.length) out.pop();
    }
    return out;
  }

  /** `A < B`, `A == B` and `A =:= B` for each input encoding a pair `{A, B}`. */
  async compare(pairs: readonly Uint8Array[]): Promise<CompareAnswer[]> {
    const reply = await this.#peer.request(frame(0x43, pairs));
    const n = reply.readUInt32BE(0);
    const out: CompareAnswer[] = [];
    for (let i = 0; i < n; i++) {
      const o = reply[4 + 2 * i]!;
      out.push({ order: o === 255 ? undefined : o - 1, exact: reply[5 + 2 * i] === 1 });
    }
    return out;
  }

  #closed = false;

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([this.#peer.close(), this.#spare?.close()]);
    this.#code.staged.cleanup();
    rmSync(this.#code.dir, { recursive: true, force: true });
  }
}

function parseAnswer(r: Buffer): OracleAnswer {
  if (r[0] === 1) return { ok: false };
  const used = r.readUInt32BE(1);
  const dl = r.readUInt32BE(5);
  const det = r.subarray(9, 9 + dl);
  const xl = r.readUInt32BE(9 + dl);
  const plain = r.subarray(13 + dl, 13 + dl + xl);
  return { ok: true, used, det, plain };
}

function frame(op: number, items: readonly Uint8Array[]): Uint8Array {
  let size = 5;
  for (const b of items) size += 4 + b.length;
  const out = Buffer.allocUnsafe(size);
  out[0] = op;
  out.writeUInt32BE(items.length, 1);
  let p = 5;
  for (const b of items) {
    out.writeUInt32BE(b.length, p);
    out.set(b, p + 4);
    p += 4 + b.length;
  }
  return out;
}
