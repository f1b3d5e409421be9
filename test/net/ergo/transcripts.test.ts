/**
 * CI's line against real Go bytes: the transcripts recorded live with Go Ergo v3 (3.1.0) by
 * proto-spec/scripts/ergo-transcripts.ts.
 *
 * - Every ENP frame of every link, both directions, decodes with the sender's announced tables
 *   and re-encodes byte-exact (MessageZ: the inner frame exactly, LZW exactly, gzip/zlib
 *   inflating to the same bytes — Go's deflate output is not zlib's).
 * - Every handshake, replayed as either side with that side's recorded salts, ids, creation
 *   and tables, makes our code write exactly the bytes that side wrote: Go's own bytes when we
 *   play the Go node, in both roles, on every link of the pool.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EdfDecodeCache, EdfEncoder, struct, T } from '../../../src/codec/edf/index.js';
import { Writer } from '../../../src/codec/writer.js';
import { certFingerprint, CompressionId, decodeFrame, decompressFrame, encodeFrame, lzwCompress, type EnpFrame } from '../../../src/net/ergo/index.js';
import { cacheOf, hex, isHandshake, replay, sides, type Side, type Transcript } from './transcript.js';

// The registered struct our Go peer program shares with us.
struct('#main/Sample', { Name: 'string', N: 'int64', Tags: T.slice('string'), When: 'time', Who: 'pid' });

const dir = join(import.meta.dirname, '../../../proto-spec/vectors/ergo');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const load = (f: string): Transcript => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Transcript;

function decodeAs(frame: Uint8Array, sender: Side, receiver: Side): EnpFrame {
  return decodeFrame(frame, {
    peer: sender.name,
    peerCreation: sender.creation,
    local: receiver.name,
    localCreation: receiver.creation,
    edf: { cache: new EdfDecodeCache({ atoms: sender.introduce.AtomCache, types: sender.introduce.RegCache, errors: new Map([...(sender.introduce.ErrCache ?? [])].filter(([, e]) => e !== null)) as never }) },
    maxInflated: 1 << 30,
    exact: true,
  });
}

function reencode(f: EnpFrame, sender: Side): Uint8Array {
  const w = new Writer();
  const enc = new EdfEncoder(w);
  w.begin();
  encodeFrame({ w, enc, edf: { cache: cacheOf(sender.introduce) } }, f);
  return Uint8Array.from(w.finish());
}

describe('Ergo transcripts recorded with Go Ergo v3', () => {
  it('are present', () => {
    expect(files.sort()).toEqual(['go-dials-go.json', 'go-dials-ts.json', 'node-ts-go.json', 'ts-dials-go-tls.json', 'ts-dials-go.json']);
  });

  for (const file of files) {
    describe(file, () => {
      const t = load(file);
      const s = sides(t);

      it('every ENP frame decodes and re-encodes byte-exact', () => {
        let n = 0;
        for (const l of t.links) {
          for (const [d, sender, receiver] of [['out', s.rec, s.peer], ['in', s.peer, s.rec]] as const) {
            for (const h of l[d]) {
              const b = hex(h);
              if (isHandshake(b)) continue;
              n++;
              const f = decodeAs(b, sender, receiver);
              if (f.type !== 200) {
                expect(Buffer.from(reencode(f, sender)).toString('hex'), `link ${l.link} ${d} type ${f.type}`).toBe(h);
                continue;
              }
              // The wrapper: same header fields; the inner frame exactly; LZW exactly.
              const inner = decompressFrame(f.compression, f.data, f.size);
              expect(Buffer.from(reencode(f.inner, sender)).equals(Buffer.from(inner))).toBe(true);
              if (f.compression === CompressionId.LZW) expect(Buffer.from(lzwCompress(inner)).equals(Buffer.from(f.data))).toBe(true);
              expect(b[6]).toBe(inner[6]);
            }
          }
        }
        expect(n).toBeGreaterThan(0);
      });

      for (const who of ['rec', 'peer'] as const) {
        const side = s[who];
        it(`replaying the handshake as ${side.name.name} (${side.role}) writes exactly what it wrote, on every link`, async () => {
          const fingerprint = t.tls ? certFingerprint(new X509Certificate(t.tls.goCertificate).raw) : undefined;
          const links = await replay(t, who, { fingerprint });
          expect(links.length).toBe(t.links.length);
          for (const l of links) {
            expect(l.recorded.length, `link ${l.link}`).toBeGreaterThan(0);
            expect(l.ours.map((b) => Buffer.from(b).toString('hex')), `link ${l.link}`).toEqual(l.recorded.map((b) => Buffer.from(b).toString('hex')));
          }
        });
      }
    });
  }

  it('ts-dials-go holds every frame type in both directions', () => {
    const t = load('ts-dials-go.json');
    const s = sides(t);
    const types = (d: 'out' | 'in'): number[] => {
      const seen = new Set<number>();
      for (const l of t.links) {
        for (const h of l[d]) {
          const b = hex(h);
          if (isHandshake(b)) continue;
          const f = d === 'out' ? decodeAs(b, s.rec, s.peer) : decodeAs(b, s.peer, s.rec);
          seen.add(f.type);
          if (f.type === 200) seen.add(f.inner.type);
        }
      }
      return [...seen].sort((a, b) => a - b);
    };
    const all = [101, 102, 103, 104, 105, 106, 107, 121, 122, 123, 124, 129, 130, 181, 182, 183, 184, 185, 186, 199, 200];
    expect(types('in')).toEqual(all);
    expect(types('out')).toEqual(all);
    // Every link of the pool carried traffic.
    expect(t.links.map((l) => l.out.length > 0 && l.in.length > 0)).toEqual([true, true, true]);
    // Salts and creations of the run.
    expect(s.rec.salts[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(s.peer.connectionId).toMatch(/^[0-9a-f]{32}$/);
    expect(t.summary?.goCreation).toBe(s.peer.creation);
    expect(t.summary?.tsCreation).toBe(s.rec.creation);
  });

  it('node-ts-go holds the bytes the node wiring chooses', () => {
    const t = load('node-ts-go.json');
    const s = sides(t);
    const out = t.links.map((l) => l.out.map(hex).filter((b) => !isHandshake(b)).map((b) => ({ b, f: decodeAs(b, s.rec, s.peer) })));
    const all = out.flat();
    // Calls carry the important bit (Go announced important delivery): a missing callee answers at once.
    const calls = all.filter((x) => x.f.type >= 121 && x.f.type <= 124);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every((x) => (x.b[16]! & 0x80) !== 0)).toBe(true);
    // Terminate notices go on the ended process's link with its order byte, not Go's 0.
    const terms = all.filter((x) => x.f.type >= 181 && x.f.type <= 186);
    expect(terms.map((x) => x.f.type).sort()).toEqual([181, 182]);
    expect(terms.every((x) => x.b[6] !== 0)).toBe(true);
    expect(new Set(terms.map((x) => x.b[6])).size).toBe(1);
    // A two-way link whose TS end crashed: Unlink, then the exit signal, on the linker's link.
    const link = out.find((l) => l.some((x) => x.f.type === 107))!;
    const i = link.findIndex((x) => x.f.type === 107);
    expect(link[i - 1]!.f.type).toBe(199);
    expect(link[i - 1]!.b[6]).toBe(link[i]!.b[6]);
    // A long message went compressed (zlib); important sends carry their id.
    expect(all.some((x) => x.f.type === 200 && x.b[8] === CompressionId.ZLIB)).toBe(true);
    expect(all.some((x) => x.f.type === 102 && (x.b[16]! & 0x80) !== 0)).toBe(true);
  });
});
