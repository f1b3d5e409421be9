/**
 * Ticks against real BEAM nodes: with a short net_ticktime on both sides an idle connection
 * stays up for many tick periods (ticks flow both ways), and a peer that stops (SIGSTOP) is
 * detected by the silence and closed with ERR_DIST_TICK_TIMEOUT. Every test has its own BEAM,
 * so they run concurrently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atom } from '../../../src/term/index.js';
import { DistCode, DistError } from '../../../src/net/erlang/index.js';
import { otpReleases } from '../../support/otp.js';
import { RawNode } from '../../net/erlang/raw-node.js';
import { Beam, Epmd } from './beam.js';

const releases = otpReleases();
const COOKIE = 'dist-ticks-cookie';
const TICKTIME = 2; // seconds: a tick every 0.5 s, a silent peer dropped after about 2 s

let epmd: Epmd;
const started: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  epmd = await Epmd.start();
});

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  await epmd?.stop();
});

async function pair(name: string, otp: (typeof releases)[number]): Promise<{ beam: Beam; ts: RawNode }> {
  const [beam, ts] = await Promise.all([
    Beam.start(otp, { name: `${name}b@127.0.0.1`, cookie: COOKIE, epmdPort: epmd.port, ticktime: TICKTIME }),
    RawNode.start({ name: `${name}t@127.0.0.1`, cookie: COOKIE, epmd: { port: epmd.port, embedded: false }, netTicktime: TICKTIME }),
  ]);
  started.push(ts, beam);
  return { beam, ts };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.concurrent('ticks', () => {
  releases.forEach((otp, i) => {
    it(`an idle connection stays up over ten tick periods, ticks both ways (${otp.label})`, async () => {
      const { beam, ts } = await pair(`idle${i}`, otp);
      const conn = await ts.ep.connect(`idle${i}b@127.0.0.1`);
      await beam.eval(`dist_peer:start_sink(nodemon)`);
      await beam.eval(`dist_peer:do(nodemon, fun() -> monitor_node('idle${i}t@127.0.0.1', true) end)`);
      const before = conn.stats;
      await sleep(TICKTIME * 2500);
      expect(conn.isOpen).toBe(true);
      expect(await beam.eval('dist_peer:msgs(nodemon)')).toEqual([]);
      expect((await beam.eval('nodes()')) as unknown[]).toContain(atom(`idle${i}t@127.0.0.1`));
      const after = conn.stats;
      // Only ticks moved: 4-byte empty packets, both ways.
      expect(after.messagesIn).toBeLessThanOrEqual(before.messagesIn + 1);
      expect(after.bytesIn - before.bytesIn).toBeGreaterThanOrEqual(4 * 4);
      expect(after.bytesOut - before.bytesOut).toBeGreaterThanOrEqual(4 * 4);
    });

    it(`a stopped peer (SIGSTOP) is detected by silence: ERR_DIST_TICK_TIMEOUT (${otp.label})`, async () => {
      const { beam, ts } = await pair(`stop${i}`, otp);
      const conn = await ts.ep.connect(`stop${i}b@127.0.0.1`);
      beam.signal('SIGSTOP');
      try {
        const reason = await Promise.race([conn.closed, sleep(20_000).then(() => new Error('not detected'))]);
        expect(reason).toBeInstanceOf(DistError);
        expect((reason as DistError).code).toBe(DistCode.TickTimeout);
        const down = await ts.waitFor('down');
        expect((down.reason as DistError).code).toBe(DistCode.TickTimeout);
        expect(ts.ep.nodes()).toEqual([]);
      } finally {
        beam.signal('SIGCONT');
      }
    });
  });
});
