/**
 * The Go round trip: random values encoded here, decoded and encoded again by the real net/edf
 * (interop/go/cmd/edf-echo, a long-lived Go process), decoded here again. Both ways equal: the
 * value we get back is the value we sent, and Go's bytes are our bytes (with Go's caches: our
 * encoding with Go's announced tables). Runs wherever the Go peer builds; elsewhere the test is
 * skipped with the reason in its title.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultRegistry,
  EdfDecodeCache,
  EdfDecoder,
  EdfEncodeCache,
  EdfEncoder,
  EdfError,
  frameworkError,
  frameworkErrors,
  matchEJson,
  toEJson,
  type EdfTables,
} from '../../../src/codec/edf/index.js';
import { atom } from '../../../src/term/index.js';
import { goPeers, GoFramedPeer } from '../../support/go.js';
import { goValueArb } from './go-arbitrary.js';
import { hex, loadVectorFiles, registryFor } from './support.js';

const RUNS = Number(process.env.EDF_GO_RUNS ?? 10_000);
const peers = goPeers();
const title = (s: string) => (peers.ok ? `${s} (Go Ergo ${peers.release})` : `${s} — skipped: ${peers.reason}`);
// vitest's default reporter does not print skipped titles: say it once in the run's output.
if (!peers.ok) console.log(`go-echo skipped: ${peers.reason}`);

const go = loadVectorFiles().find((f) => f.file === 'go.json')!.data;
// Our test types and the gen mailbox messages, with the layouts Go reported.
const registry = registryFor(go);

interface TablesJson {
  atoms: Record<string, string>;
  types: Record<string, string>;
  errors: Record<string, string>;
}

function tablesFrom(j: TablesJson): EdfTables {
  return {
    atoms: new Map(Object.entries(j.atoms).map(([id, a]) => [Number(id), atom(a)])),
    types: new Map(Object.entries(j.types).map(([id, n]) => [Number(id), n])),
    errors: new Map(Object.entries(j.errors).map(([id, m]) => [Number(id), frameworkError(m) ?? new EdfError(m)])),
  };
}

/** Multi-entry maps: Go writes their pairs in random order, so only values compare. */
function hasMultiMap(j: unknown): boolean {
  if (Array.isArray(j)) return j.some(hasMultiMap);
  if (typeof j !== 'object' || j === null) return false;
  const o = j as Record<string, unknown>;
  if (Array.isArray(o.entries) && o.entries.length >= 2) return true;
  return Object.values(o).some(hasMultiMap);
}

describe('EDF: TS encode → Go net/edf decode + encode → TS decode', () => {
  let echo: GoFramedPeer | undefined;
  // Our announced tables (what a TS node would put in its MessageIntroduce) and Go's.
  const ours = new EdfEncodeCache({
    atoms: ['ts@127.0.0.1', 'go@127.0.0.1', 'worker'].map((a) => atom(a)),
    types: [...registry.types()].filter((_, i) => i % 3 === 0),
    errors: [...frameworkErrors, new EdfError('ergo-ts custom error')],
  });
  let goTables: EdfTables;
  let goDec: EdfDecodeCache;
  let goEnc: EdfEncodeCache;
  let sent = 0;

  beforeAll(async () => {
    if (!peers.ok) return;
    echo = new GoFramedPeer(peers.build('edf-echo'));
    const t = ours.tables();
    const j: TablesJson = { atoms: {}, types: {}, errors: {} };
    for (const [id, a] of t.atoms ?? []) j.atoms[id] = a.name;
    for (const [id, n] of t.types ?? []) j.types[id] = n;
    for (const [id, e] of t.errors ?? []) j.errors[id] = e.message;
    const r = await echo.request(Buffer.concat([Buffer.of(0), Buffer.from(JSON.stringify(j))]));
    expect(r[0]).toBe(0);
    goTables = tablesFrom(JSON.parse(r.subarray(1).toString()) as TablesJson);
    goDec = new EdfDecodeCache(goTables, registry);
    goEnc = EdfEncodeCache.fromTables(goTables, registry);
  });

  afterAll(async () => {
    await echo?.close();
    if (peers.ok) console.log(`edf go-echo: ${sent} values through Go net/edf (Ergo ${peers.release})`);
  });

  it.skipIf(!peers.ok)(
    title(`${RUNS} random values: equal values both ways, Go's bytes equal ours`),
    async () => {
      const enc = new EdfEncoder();
      const dec = new EdfDecoder();
      await fc.assert(
        fc.asyncProperty(goValueArb(registry), fc.boolean(), async (v, cached) => {
          const mine = Uint8Array.from(enc.encode(v, cached ? { cache: ours } : undefined));
          const r = await echo!.request(Buffer.concat([Buffer.of(cached ? 2 : 1), mine]));
          sent++;
          if (v === null || v === undefined) {
            // Go's Encode refuses a top-level nil ("nothing to encode"); its Decode accepts ff.
            expect(r[0], r.subarray(1).toString()).toBe(2);
            return;
          }
          expect(r[0], `Go answered ${r[0]}: ${r.subarray(1).toString()} for ${hex(mine)}`).toBe(0);
          const goBytes = r.subarray(1);
          const back = dec.decode(goBytes, { registry, cache: cached ? goDec : undefined });
          const want = toEJson(v);
          const got = toEJson(back);
          const m = matchEJson(got, want);
          if (m !== null) expect.fail(`${m}\n sent ${hex(mine)}\n Go sent ${hex(goBytes)}`);
          if (!hasMultiMap(want)) {
            // Go's bytes are what we write for the same value (with Go's tables when cached).
            const again = enc.encode(back, cached ? { cache: goEnc } : undefined);
            expect(hex(goBytes)).toBe(hex(again));
            if (!cached) expect(hex(goBytes)).toBe(hex(mine));
          }
        }),
        { numRuns: RUNS },
      );
      expect(sent).toBeGreaterThanOrEqual(RUNS);
    },
    600_000,
  );

  it.skipIf(!peers.ok)(title('Go refuses what its decoder cannot read: an unknown registered name'), async () => {
    const name = '#ergo-ts/nowhere/Unknown';
    const b = Buffer.concat([Buffer.of(1, 0x83, 0, name.length), Buffer.from(name)]);
    const r = await echo!.request(b);
    expect(r[0]).toBe(1);
    expect(r.subarray(1).toString()).toContain(`unknown reg type ${name}`);
    void defaultRegistry;
  });
});
