/**
 * Faults and limits at node level, TS ↔ TS over the Ergo stack: a wrong cookie on either side
 * (refused, nothing reachable), MaxMessageSize both ways, compression on the wire (every
 * algorithm, both ways), malformed frames fed to a live node (the link closes with a typed
 * error, the node keeps serving), a peer that stops reading (senders parked, memory bounded),
 * inbound back-pressure (reading pauses at the backlog mark), and an important send that times
 * out.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { Atom } from '../../../src/term/atom.js';
import { A, Pid, Ref } from '../../../src/term/index.js';
import { ErrCode, processId } from '../../../src/gen/index.js';
import { Actor } from '../../../src/act/index.js';
import type { Node } from '../../../src/node/index.js';
import {
  defaultCache,
  defaultNetworkFlags,
  ErgoChannels,
  SocketHandshakeIO,
  startHandshake,
  version,
  writeAny,
  writeRequest,
  writeSend,
  type EnpEncodeContext,
  type LocalNode,
} from '../../../src/net/ergo/index.js';
import { EdfEncoder, Gen, Proto } from '../../../src/codec/edf/index.js';
import { Writer } from '../../../src/codec/writer.js';
import { Cluster, sleep, spawnProbe, until } from './node-support.js';
import { WireLog } from './wire-log.js';


class Echo extends Actor {
  override handleCall(r: unknown): unknown {
    return r;
  }
}

/** Sends `n` messages of `size` bytes to `to`, `per` per handler run (parked by the node when busy). */
class Flood extends Actor {
  to!: Pid;
  n = 0;
  size = 0;
  per = 16;
  sent = 0;
  override handleMessage(): void {
    const chunk = new Uint8Array(this.size);
    const end = Math.min(this.n, this.sent + this.per);
    while (this.sent < end) {
      this.process.send(this.to, this.size > 0 ? chunk : [this.process.pid, BigInt(this.sent)]);
      this.sent++;
    }
    if (this.sent < this.n) this.process.send(this.process.pid, 'more');
  }
}

/** Handles one message per `ms` (a consumer slower than its producer). */
class Slow extends Actor {
  seen: bigint[] = [];
  maxQueue = 0;
  constructor(readonly ms: number) {
    super();
  }
  override async handleMessage(m: unknown): Promise<void> {
    const q = this.process.info().mailbox;
    if (q > this.maxQueue) this.maxQueue = q;
    this.seen.push((m as [Pid, bigint])[1]);
    if (this.ms > 0) await sleep(this.ms);
  }
}

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

function localNode(name: string, creation = 77): LocalNode {
  const a = Atom.of(name);
  return { name: a, creation, version: version('hostile', '1'), flags: defaultNetworkFlags(), maxMessageSize: 0, cache: defaultCache(a) };
}

/** Our own handshake code on a raw socket: after it, the test writes whatever it likes. */
async function rawPeer(port: number, name: string, cookie = 'test-cookie'): Promise<{ s: Socket; creation: number; peerCreation: number }> {
  const s = connect({ port, host: '127.0.0.1' });
  sockets.push(s);
  s.on('error', () => undefined);
  await new Promise((r) => s.once('connect', r));
  const io = new SocketHandshakeIO(s);
  const h = await startHandshake(io, { local: localNode(name), cookie });
  io.detach();
  s.resume();
  return { s, creation: 77, peerCreation: Number(h.peerCreation) };
}

describe('Ergo stack faults and limits at node level', () => {
  let c: Cluster;
  beforeEach(async () => {
    c = await Cluster.create();
  });
  afterEach(async () => {
    await c.close();
  });

  it('wrong cookie, either side: refused, nothing reachable, the handshake error reported', async () => {
    const refused: string[] = [];
    const onErr = (m: unknown): void => void refused.push((m as { error: { code: string } }).error.code);
    subscribe(ErgoChannels.handshakeError.name, onErr);
    onTestFinished(() => void unsubscribe(ErgoChannels.handshakeError.name, onErr));
    const a = await c.node('a');
    const b = await c.node('b', 'tcp', { cookie: 'other-cookie' });
    const pid = await b.spawnRegister('echo', Echo);
    const { probe } = await spawnProbe(b);
    // a → b
    a.send(processId('echo', b.name), 'x');
    await expect(a.call(processId('echo', b.name), 'x')).rejects.toMatchObject({ code: ErrCode.NoConnection });
    await expect(a.sendImportant(pid, 'x')).rejects.toMatchObject({ code: ErrCode.NoConnection });
    await expect(a.connect(b.name)).rejects.toBeDefined();
    // b → a
    const { pid: aPid } = await spawnProbe(a);
    await expect(b.call(aPid, 'x')).rejects.toMatchObject({ code: ErrCode.NoConnection });
    await expect(b.connect(a.name)).rejects.toBeDefined();
    expect(a.nodes()).toEqual([]);
    expect(b.nodes()).toEqual([]);
    expect(probe.inbox).toEqual([]);
    await until(() => refused.filter((x) => x === 'ERR_ERGO_BAD_DIGEST').length >= 2, 5000, 'both refusals reported');
  });

  it("MaxMessageSize both ways: a message over the peer's limit is refused at the sender; under it, it goes", async () => {
    const a = await c.node('a', 'tcp', { maxMessageSize: 200_000 });
    const b = await c.node('b', 'tcp', { maxMessageSize: 100_000 });
    const { probe: pb, pid: pbPid } = await spawnProbe(b);
    const { probe: pa, pid: paPid } = await spawnProbe(a);
    a.send(pbPid, new Uint8Array(90_000));
    await pb.receive((m) => m instanceof Uint8Array, 5000);
    expect(() => a.send(pbPid, new Uint8Array(150_000))).toThrow(expect.objectContaining({ code: ErrCode.NotAllowed }));
    b.send(paPid, new Uint8Array(150_000));
    await pa.receive((m) => m instanceof Uint8Array, 5000);
    expect(() => b.send(paPid, new Uint8Array(250_000))).toThrow(expect.objectContaining({ code: ErrCode.NotAllowed }));
    await expect(a.sendImportant(pbPid, new Uint8Array(150_000))).rejects.toMatchObject({ code: ErrCode.NotAllowed });
    // The connection is still good.
    expect(await b.call(await a.spawn(Echo), 'still')).toBe('still');
  });

  it.each(['gzip', 'zlib', 'lzw'] as const)('compression %s on the wire both ways: frames over the threshold go as type 200 and arrive intact', async (type) => {
    const wire = new WireLog();
    const a = await c.node('a', 'tcp', { compression: { type, threshold: 1024 }, tap: wire.tap });
    const b = await c.node('b', 'tcp', { compression: { type, threshold: 1024 } });
    const { probe: pb, pid: pbPid } = await spawnProbe(b);
    const { probe: pa, pid: paPid } = await spawnProbe(a);
    const text = 'the quick brown fox jumps over the lazy dog '.repeat(500);
    a.send(pbPid, text);
    a.send(pbPid, 'small');
    expect(await pb.receive((m) => typeof m === 'string' && m.length > 100, 5000)).toBe(text);
    b.send(paPid, text);
    expect(await pa.receive((m) => typeof m === 'string', 5000)).toBe(text);
    const id = { lzw: 100, zlib: 101, gzip: 102 }[type];
    const z = wire.frames.filter((f) => f.type === 200);
    expect(z.filter((f) => f.dir === 'out' && f.bytes[8] === id).length).toBeGreaterThanOrEqual(1);
    expect(z.filter((f) => f.dir === 'in' && f.bytes[8] === id).length).toBeGreaterThanOrEqual(1);
    expect(z.every((f) => f.bytes.length < text.length / 4)).toBe(true);
    // The small message went uncompressed.
    expect(wire.frames.some((f) => f.dir === 'out' && f.type === 101 && f.bytes.length < 100)).toBe(true);
    await pb.receive((m) => m === 'small', 5000);
  });

  it('malformed frames through a live node: that link closes with a typed error; the node keeps serving', async () => {
    const codes: string[] = [];
    const onErr = (m: unknown): void => void codes.push((m as { error: { code: string } }).error.code);
    subscribe(ErgoChannels.linkError.name, onErr);
    onTestFinished(() => void unsubscribe(ErgoChannels.linkError.name, onErr));
    const { node: b, stack } = await c.nodeWithStack('b');
    const a = await c.node('a');
    const echo = await b.spawnRegister('echo', Echo);
    b.enableSpawn('nothing', Echo, { nodes: ['nobody@nowhere'] });
    const port = stack.port;
    // Real frames a peer could send, made with our writer and its own tables.
    const raw = localNode('raw0@127.0.0.1');
    const w = new Writer(1 << 16);
    const ctx: EnpEncodeContext = { w, enc: new EdfEncoder(w), edf: { cache: raw.cache } };
    const from = new Pid(raw.name, 1001, 0, 77);
    const to = new Pid(b.name, echo.id, echo.serial, b.creation);
    const ref = new Ref(raw.name, 77, [1, 0, 2, 0, 3, 0]);
    const frames: Uint8Array[] = [];
    const make = (f: () => void): void => {
      w.begin();
      f();
      frames.push(Uint8Array.from(w.finish()));
    };
    make(() => writeSend(ctx, 1, from, to, 0, 0n, 'hello'));
    make(() => writeSend(ctx, 1, from, Atom.of('echo'), 0, 0n, [1n, 'two', new Map([['k', 3.5]])]));
    make(() => writeRequest(ctx, 1, from, to, 0, ref, 'ping'));
    make(() => writeAny(ctx, 1, new Proto.MessageLinkPID({ Source: from, Target: to, Ref: ref })));
    make(() => writeAny(ctx, 1, new Proto.MessageSpawn({ Name: Atom.of('nothing'), Options: new Gen.ProcessOptionsExtra({ ParentPID: from, ParentLeader: from }), Ref: ref })));
    let n = 0;
    const feed = async (bytes: Uint8Array): Promise<void> => {
      const p = await rawPeer(port, `raw${++n}@127.0.0.1`);
      const closed = new Promise<void>((r) => p.s.once('close', () => r()));
      p.s.write(bytes);
      // Either the node closes this link (malformed) or the frame was fine; end it either way.
      await Promise.race([closed, sleep(30)]);
      p.s.destroy();
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...frames), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), async (f, muts) => {
        const m = Uint8Array.from(f);
        // Keep the length field, so each case is judged by its content, not by waiting for bytes.
        for (const [i, v] of muts) {
          const at = 6 + (i % (m.length - 6));
          m[at] = v;
        }
        await feed(m);
      }),
      { numRuns: 50 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 8, maxLength: 120 }), async (junk) => {
        await feed(junk);
      }),
      { numRuns: 25 },
    );
    expect(codes.length).toBeGreaterThan(10);
    expect(codes.every((x) => x.startsWith('ERR_ERGO_'))).toBe(true);
    // The node serves on, to a well-behaved peer.
    expect(await a.call(processId('echo', b.name), 'after the fuzz')).toBe('after the fuzz');
    expect(b.isRunning).toBe(true);
  });

  it('a peer that stops reading: the sender is parked past the high-water mark; memory stays bounded; reading again resumes it', async () => {
    const { node: b, stack } = await c.nodeWithStack('b', 'tcp', { highWater: 1 << 20 });
    const p = await rawPeer(stack.port, 'stall@127.0.0.1');
    await until(() => b.nodes().length === 1, 5000, 'connection');
    p.s.pause();
    const flood = new Flood();
    flood.to = new Pid(Atom.of('stall@127.0.0.1'), 5, 0, 77);
    flood.n = 100_000; // 6.4 GB if nothing held it back
    flood.size = 64 * 1024;
    const fpid = await b.spawn(() => flood);
    b.send(fpid, 'go');
    const conn = stack.network!.connection('stall@127.0.0.1')!;
    await sleep(1500);
    const sentThen = flood.sent;
    await sleep(500);
    // Parked: no progress while the peer does not read.
    expect(flood.sent).toBe(sentThen);
    expect(b.processInfo(fpid).mailbox).toBe(1);
    // What waits here: the mark plus one burst (1 MiB) and what the kernel took.
    expect(conn.queuedBytes).toBeLessThan((1 << 20) + 16 * 64 * 1024 + 64 * 1024);
    expect(sentThen * 64 * 1024).toBeLessThan(64 << 20);
    p.s.resume();
    await until(() => flood.sent > sentThen + 100, 10_000, 'the sender runs again');
  });

  it('a peer that stops reading: node.send from outside any process holds at most maxQueuedBytes; the rest is dropped, reported and logged', async () => {
    const { node: b, stack } = await c.nodeWithStack('b', 'tcp', { highWater: 1 << 20, maxQueuedBytes: 4 << 20 });
    const p = await rawPeer(stack.port, 'stall@127.0.0.1');
    await until(() => b.nodes().length === 1, 5000, 'connection');
    p.s.pause();
    const drops: unknown[] = [];
    const onDrop = (m: unknown): void => void drops.push(m);
    subscribe('ergo-ts:ergo:drop', onDrop);
    onTestFinished(() => void unsubscribe('ergo-ts:ergo:drop', onDrop));
    const to = new Pid(Atom.of('stall@127.0.0.1'), 5, 0, 77);
    const chunk = new Uint8Array(64 * 1024);
    // 32 MiB from no process at all: nothing can park this sender.
    for (let round = 0; round < 16; round++) {
      for (let i = 0; i < 32; i++) b.send(to, chunk);
      await sleep(20);
    }
    const conn = stack.network!.connection('stall@127.0.0.1')!;
    // What waits here: the limit plus at most one message past it.
    expect(conn.queuedBytes).toBeLessThan((4 << 20) + 2 * 64 * 1024);
    expect(drops.length).toBeGreaterThan(0);
    const logs = c.nodes.find((n) => n.node === b)!.logs;
    expect(logs.lines().some((l) => l.startsWith('warning:') && l.includes('dropped'))).toBe(true);
    expect(b.isRunning).toBe(true);
  });

  it('inbound back-pressure: reading pauses at the backlog mark; everything arrives, in order', async () => {
    const b = await c.node('b', 'tcp', {}, { inboundBacklog: 50 });
    const a = await c.node('a');
    const slow = new Slow(1);
    const spid = await b.spawn(() => slow);
    const flood = new Flood();
    flood.to = spid;
    flood.n = 1500;
    flood.per = 200;
    const fpid = await a.spawn(() => flood);
    a.send(fpid, 'go');
    await until(() => slow.seen.length === 1500, 30_000, 'all 1500');
    expect(slow.maxQueue).toBeLessThanOrEqual(50);
    expect(slow.seen).toEqual(Array.from({ length: 1500 }, (_, i) => i));
  });

  it('an important send the peer does not confirm in time fails with ERR_TIMEOUT', async () => {
    const b = await c.node('b', 'tcp', {}, { inboundBacklog: 1 });
    const a = await c.node('a', 'tcp', { requestTimeout: 300 });
    const slow = new Slow(600);
    const spid = await b.spawn(() => slow);
    const { probe, pid: other } = await spawnProbe(b);
    // From the node's pid, as the important send below: one link. The queued one reaches the
    // mark and b stops reading that link until it is handled.
    a.send(spid, [a.pid, 0n]);
    a.send(spid, [a.pid, 1n]);
    await sleep(100);
    await expect(a.sendImportant(other, 'late')).rejects.toMatchObject({ code: ErrCode.Timeout });
    // Delivered once b reads again (late for the sender).
    expect(await probe.receive((m) => m === 'late', 10_000)).toBe('late');
    void A;
  });
});
