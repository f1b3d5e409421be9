/**
 * The EDF fuzzer. There is no Go peer in CI, so it checks what needs none: random, mutated
 * (every vector in proto-spec/vectors/edf, captured from Go) and grammar-made bytes give a
 * value or a `DecodeError`, nothing else; a decoded value encodes, and that encoding decodes
 * to a value that encodes to the same bytes (decode∘encode∘decode is stable). It also keeps
 * the slowest decode per input byte, for the report (timing is never asserted in tests).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, encode, toEJson } from '../../src/codec/edf/index.js';
import { DecodeError, EncodeError } from '../../src/codec/errors.js';
import { mutate } from './etf-inputs.js';
import { Rng } from './rng.js';

const vectorDir = join(import.meta.dirname, '../../proto-spec/vectors/edf');

let seeds: Uint8Array[] | undefined;

function edfSeeds(): Uint8Array[] {
  if (seeds) return seeds;
  const out: Uint8Array[] = [];
  for (const f of readdirSync(vectorDir).filter((n) => n.endsWith('.json')).sort()) {
    for (const m of readFileSync(join(vectorDir, f), 'utf8').matchAll(/"hex":\s*"([0-9a-f]*)"/g)) {
      if (m[1]!.length > 0 && m[1]!.length <= 16384) out.push(Uint8Array.from(Buffer.from(m[1]!, 'hex')));
    }
  }
  // Atoms of every length and of bytes that are not UTF-8 (Go keeps them as they are).
  for (const n of [0, 1, 3, 254, 255]) {
    out.push(Uint8Array.from([0x8c, 0, n, ...Buffer.alloc(n, 0x78)]));
    if (n > 0) out.push(Uint8Array.from([0x8c, 0, n, ...Buffer.alloc(n - 1, 0x78), 0xfe]));
  }
  seeds = out;
  return out;
}

export interface EdfFailure {
  kind: 'crash' | 'reencode' | 'unstable';
  hex: string;
  detail: string;
}

export interface EdfFuzzResult {
  inputs: number;
  ms: number;
  counts: Record<string, number>;
  failures: EdfFailure[];
  /** Slowest decode seen, in ns per input byte (inputs of 64 bytes or more). */
  slowestNsPerByte: number;
  slowestHex: string;
}

export function fuzzEdf(o: { seed: number; inputs?: number; ms?: number }): EdfFuzzResult {
  const start = performance.now();
  const rng = new Rng(o.seed);
  const max = o.inputs ?? Infinity;
  const deadline = o.ms === undefined ? Infinity : start + o.ms;
  const counts: Record<string, number> = { decoded: 0, refused: 0, 'no-encoding': 0 };
  const failures: EdfFailure[] = [];
  let slowest = 0;
  let slowestHex = '';
  let n = 0;
  for (; n < max && (n & 1023 || performance.now() < deadline); n++) {
    const kind = rng.int(10);
    let input: Uint8Array;
    if (kind < 6) input = mutate(rng, rng.pick(edfSeeds()));
    else if (kind < 8) input = Uint8Array.from(rng.bytes(rng.range(0, 48)));
    else {
      // an atom of random length with a few bytes bent
      const len = rng.range(0, 255);
      const b = [0x8c, 0, len, ...Buffer.alloc(len, 0x61 + rng.int(26))];
      for (let i = 0; i < rng.int(4); i++) b[3 + rng.int(Math.max(1, len))] = rng.u32() & 0xff;
      input = Uint8Array.from(b.slice(0, 3 + len));
    }
    const hex = () => Buffer.from(input).toString('hex');
    let v: unknown;
    const t0 = performance.now();
    try {
      v = decode(input);
    } catch (e) {
      if (e instanceof DecodeError) {
        counts.refused!++;
        continue;
      }
      failures.push({ kind: 'crash', hex: hex(), detail: String((e as Error)?.stack ?? e) });
      continue;
    }
    const dt = performance.now() - t0;
    if (input.length >= 64 && (dt * 1e6) / input.length > slowest) {
      slowest = (dt * 1e6) / input.length;
      slowestHex = hex();
    }
    counts.decoded!++;
    let b2: Uint8Array;
    try {
      b2 = Uint8Array.from(encode(v));
    } catch (e) {
      if (e instanceof EncodeError) {
        // A decoded value must encode again, whatever it is.
        failures.push({ kind: 'reencode', hex: hex(), detail: `${e.code}: ${e.message}` });
        continue;
      }
      failures.push({ kind: 'crash', hex: hex(), detail: String((e as Error)?.stack ?? e) });
      continue;
    }
    try {
      const v2 = decode(b2);
      const b3 = encode(v2);
      if (Buffer.compare(Buffer.from(b2), Buffer.from(b3)) !== 0 || JSON.stringify(toEJson(v2)) !== JSON.stringify(toEJson(decode(b3)))) {
        failures.push({ kind: 'unstable', hex: hex(), detail: `${Buffer.from(b2).toString('hex').slice(0, 120)} → ${Buffer.from(b3).toString('hex').slice(0, 120)}` });
      }
    } catch (e) {
      failures.push({ kind: e instanceof DecodeError || e instanceof EncodeError ? 'unstable' : 'crash', hex: hex(), detail: String((e as Error)?.message ?? e) });
    }
    if (failures.length > 200) break;
  }
  return { inputs: n, ms: performance.now() - start, counts, failures, slowestNsPerByte: slowest, slowestHex };
}
