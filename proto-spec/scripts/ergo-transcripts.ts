/**
 * Records live ENP/EHS transcripts between ergo-ts and real Go Ergo v3 nodes (our ergo-peer
 * program) into proto-spec/vectors/ergo/*.json, so CI (which cannot build Go Ergo v3) still
 * checks our codec and handshake against real Go bytes (test/net/ergo/transcripts.test.ts).
 *
 *   GO=/path/to/go npx tsx proto-spec/scripts/ergo-transcripts.ts
 *
 * Every byte of every link of the pool is recorded, both directions, with the handshake.
 * Transcripts:
 *   ts-dials-go      TS dials Go (pool of 3); then every frame type both ways
 *   go-dials-ts      Go dials TS (pool of 3 we dictate); a little traffic
 *   ts-dials-go-tls  TS dials Go over TLS (plaintext under TLS; the certificate is included)
 *   go-dials-go      two Go nodes, recorded by a tap inside the accepting Go node
 *   node-ts-go       a TS node (the runtime with ErgoStack) and Go, through the node API both
 *                    ways: the bytes the node's wiring chooses (important calls, terminate
 *                    order bytes, Unlink + exit for a two-way link, inbound monitor answers,
 *                    spawn and application start requests, compressed sends)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Actor, replyLater, type From } from '../../src/act/index.js';
import { atom } from '../../src/term/index.js';
import { NetworkManager, Node } from '../../src/node/index.js';
import { ErgoStack } from '../../src/net/ergo/index.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCache, ErgoNetwork, type ErgoConnection } from '../../src/net/ergo/index.js';
import { EdfError, GoErr, struct, T } from '../../src/codec/edf/index.js';
import { Atom } from '../../src/term/atom.js';
import { Alias, Pid } from '../../src/term/ids.js';
import { event, processId } from '../../src/term/names.js';
import { Recorder, eventMessage, freePort, until } from '../../test/net/ergo/support.js';
import { aliasTarget, goAlias, goPid, makeCert, pidTarget } from '../../test/interop/ergo/harness.js';
import { GoPeer } from '../../test/interop/ergo/peer.js';
import { splitFrames, type Transcript, type TranscriptLink } from '../../test/net/ergo/transcript.js';

struct('#main/Sample', { Name: 'string', N: 'int64', Tags: T.slice('string'), When: 'time', Who: 'pid' });

const out = join(import.meta.dirname, '../vectors/ergo');
const TS = 'ts@127.0.0.1';
const GO = 'go@127.0.0.1';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Chunks = Map<number, { in: Uint8Array[]; out: Uint8Array[] }>;

function tapInto(chunks: Chunks) {
  return (_peer: string, link: number, dir: 'in' | 'out', b: Uint8Array): void => {
    let c = chunks.get(link);
    if (!c) chunks.set(link, (c = { in: [], out: [] }));
    c[dir].push(Uint8Array.from(b));
  };
}

function links(chunks: Chunks): TranscriptLink[] {
  return [...chunks.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, c]) => ({ link: n, out: splitFrames(Buffer.concat(c.out)).map((f) => Buffer.from(f).toString('hex')), in: splitFrames(Buffer.concat(c.in)).map((f) => Buffer.from(f).toString('hex')) }));
}

function save(name: string, t: Transcript): void {
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(t, null, 1)}\n`);
  const frames = t.links.reduce((n, l) => n + l.in.length + l.out.length, 0);
  console.log(`${name}: ${t.links.length} links, ${frames} frames`);
}

async function registrarNode(rp: number): Promise<ErgoNetwork> {
  const n = new ErgoNetwork({ name: 'reg@127.0.0.1', cookie: 'cookie', inbound: new Recorder(), acceptor: { port: await freePort() }, registrar: { port: rp } });
  await n.start();
  return n;
}

/** TS dials Go and both sides send every frame type ENP has. */
async function tsDialsGo(): Promise<void> {
  const rp = await freePort(true);
  const reg = await registrarNode(rp);
  const g = await GoPeer.start({ name: GO, registrarPort: rp, port: await freePort(), atoms: ['tscached', 'cachedvictim'] });
  const chunks: Chunks = new Map();
  const rec = new Recorder();
  const cache = defaultCache(Atom.of(TS));
  cache.addAtom(Atom.of('cached'));
  cache.addAtom(Atom.of('tscachedev'));
  cache.addAtom(Atom.of('svccached'));
  // Go's creation, so that Go also sends 181 and 184 (its creation check, see the spec).
  const ts = new ErgoNetwork({ name: TS, cookie: 'cookie', inbound: rec, acceptor: { port: await freePort() }, registrar: { port: rp }, cache, creation: g.ready.creation, tap: tapInto(chunks) });
  await ts.start();
  try {
    const c = await ts.connect(GO);
    const me = new Pid(ts.name, 1004, 0, ts.local.creation);
    const echo = goPid(g.ready.echo);
    const alias = goAlias(g.ready.alias);
    const step = async (): Promise<void> => sleep(60);
    await g.ok({ op: 'victim', name: 'cached' });
    // TS → Go: sends (101–104), important (with Go's 130 acks), calls (121–124 and Go's 129/130).
    c.send(me, echo, 'hello');
    c.send(me, processId('echo', GO), 'by-name', { priority: 1 });
    c.send(me, Atom.of('cached'), 42n);
    c.send(me, alias, Uint8Array.of(1, 2, 3), { priority: 2 });
    await c.sendImportant(me, echo, 'important');
    await c.sendImportant(me, processId('nobody', GO), 'x').catch(() => {});
    for (const [to, q] of [[echo, 'ping'], [processId('echo', GO), 'by-name'], [Atom.of('cached'), 3.5], [alias, -1n], [echo, 'fail']] as const) {
      const ref = c.makeRef();
      c.call(me, to, ref, q);
      await rec.wait((r) => (r.op === 'response' || r.op === 'responseError') && r.ref.equals(ref));
    }
    const ref = c.makeRef();
    c.call(me, processId('nobody', GO), ref, 'x', { important: true });
    await rec.wait((r) => r.op === 'responseError' && r.ref.equals(ref));
    c.sendExit(me, echo, GoErr.TerminateReasonNormal);
    await step();
    // 199 requests of every kind, and Go's MessageResults.
    const v = await victimOf(g, 'victim1');
    await c.link(me, v.pid);
    await c.unlink(me, v.pid);
    await c.monitor(me, v.pid);
    await c.demonitor(me, v.pid);
    await c.link(me, processId('victim1', GO));
    await c.unlink(me, processId('victim1', GO));
    await c.monitor(me, v.alias);
    await c.demonitor(me, v.alias);
    await c.linkEvent(me, event('ev1', GO));
    await c.unlinkEvent(me, event('ev1', GO));
    await c.monitorEvent(me, event('nosuch', GO)).catch(() => {});
    await c.spawn(Atom.of('worker'), { Args: ['arg1'] });
    await c.applicationStart(Atom.of('app1'), 0);
    await c.applicationStart(Atom.of('noapp'), 0).catch(() => {});
    for (const type of ['gzip', 'zlib', 'lzw'] as const) c.send(me, echo, new TextEncoder().encode('abcdefgh'.repeat(400)), { compression: { type } });
    c.send(me, echo, new Uint8Array(30_000).map((_, i) => 97 + ((i * 2654435761) >>> 27)), { compression: { type: 'lzw' } });
    await step();
    // Go → TS: sends, important, calls, exit.
    const tsPid = new Pid(ts.name, 2001, 0, ts.local.creation);
    const tsAlias = new Alias(ts.name, ts.local.creation, [21, 0, 22, 0, 23, 0]);
    await g.ok({ op: 'send', to: pidTarget(tsPid), val: { t: 'string', v: 'to-pid' } });
    await g.ok({ op: 'send', to: { name: 'inbox', node: TS }, val: { t: 'int', v: 5 }, priority: 1 });
    await g.ok({ op: 'send', to: { name: 'tscached', node: TS }, val: { t: 'float64', v: 2.5 }, priority: 2 });
    await g.ok({ op: 'send', to: aliasTarget(tsAlias), val: { t: 'sample', v: 'pt', n: 9, items: [{ t: 'string', v: 'a' }], to: { pid: g.ready.echo } } });
    await g.ok({ op: 'send', important: true, to: pidTarget(tsPid), val: { t: 'uint16', v: 7 } });
    rec.known = (t) => !(t instanceof Atom && t.name === 'nobody');
    await g.cmd({ op: 'send', important: true, to: { name: 'nobody', node: TS }, val: { t: 'bool', v: true } });
    await g.ok({ op: 'call', to: pidTarget(tsPid), val: { t: 'string', v: 'q' } });
    await g.ok({ op: 'call', to: { name: 'srv', node: TS }, val: { t: 'list', items: [{ t: 'int32', v: 1 }, { t: 'atom', v: 'a' }] } });
    await g.ok({ op: 'call', to: { name: 'tscached', node: TS }, val: { t: 'bool', v: false } });
    await g.ok({ op: 'call', to: aliasTarget(tsAlias), val: { t: 'time', v: 1700000000123456789 } });
    await g.cmd({ op: 'call', to: { name: 'srv', node: TS }, val: { t: 'string', v: 'fail' } });
    await g.cmd({ op: 'call', important: true, to: { name: 'nobody', node: TS }, val: { t: 'string', v: 'x' } });
    await g.ok({ op: 'exit', to: pidTarget(tsPid), reason: 'custom reason' });
    // Events both ways (105 from each side, 106 with cached names).
    await c.monitorEvent(me, event('ev1', GO));
    await g.ok({ op: 'publish', as: 'echo', val: { t: 'string', v: 'tick' } });
    const cv = await victimOf(g, 'cachedvictim');
    await c.linkEvent(me, event('cachedvictim', GO));
    await g.ok({ op: 'publish', name: 'cachedvictim', val: { t: 'int', v: 1 } });
    rec.events = [eventMessage(event('prices', TS), 1n, 'old')];
    await g.ok({ op: 'monitor', to: { event: 'prices', node: TS } });
    await g.ok({ op: 'link', to: { event: 'tscachedev', node: TS } });
    c.sendEvent(me, Atom.of('prices'), 101.5);
    c.sendEvent(me, Atom.of('tscachedev'), 'cached-ev');
    await g.wait((l) => l.ev === 'event' && l.event === 'tscachedev');
    // Go links and monitors every kind of our targets; we end them all (181–186 from us).
    await g.ok({ op: 'link', to: pidTarget(tsPid) });
    await g.ok({ op: 'monitor', to: aliasTarget(tsAlias) });
    await g.ok({ op: 'monitor', to: { name: 'svc', node: TS } });
    await g.ok({ op: 'link', to: { name: 'svccached', node: TS } });
    c.sendTerminate(tsPid, GoErr.TerminateReasonShutdown);
    c.sendTerminate(tsAlias, new EdfError('alias gone'));
    c.sendTerminate(processId('svc', TS), GoErr.TerminateReasonNormal);
    c.sendTerminate(processId('svccached', TS), GoErr.TerminateReasonKill);
    c.sendTerminate(event('prices', TS), GoErr.TerminateReasonNormal);
    c.sendTerminate(event('tscachedev', TS), GoErr.TerminateReasonNormal);
    await g.wait((l) => l.ev === 'recv' && (l.msg as { type: string }).type === 'gen.MessageExitEvent');
    // Go spawns and starts an application on us.
    rec.spawned = () => new Pid(ts.name, 3001, 0, ts.local.creation);
    rec.started = () => null;
    await g.ok({ op: 'spawn', node: TS, name: 'tsworker', args: [{ t: 'string', v: 'x' }] });
    await g.ok({ op: 'appstart', node: TS, name: 'tsapp', mode: 3 });
    // We link/monitor Go targets that then die (181–186 from Go, equal creations).
    await c.link(me, cv.pid);
    await c.monitor(me, cv.alias);
    await c.monitor(me, processId('cachedvictim', GO));
    await c.link(me, v.pid);
    await c.monitor(me, processId('victim1', GO));
    await c.linkEvent(me, event('victim1', GO));
    await g.ok({ op: 'send', to: { name: 'cachedvictim', node: GO }, val: { t: 'string', v: 'stop:normal' } });
    await g.ok({ op: 'send', to: { name: 'victim1', node: GO }, val: { t: 'string', v: 'stop:custom end' } });
    await until(() => rec.ops('terminate').length >= 6, 10_000, 'terminate notifications');
    // Compression and a frame over 64 KiB from Go.
    for (const z of ['gzip', 'zlib', 'lzw']) await g.ok({ op: 'send', compress: z, to: { name: 'inbox', node: TS }, val: { t: 'rand', n: 20_000, seed: 3 } });
    await g.ok({ op: 'send', to: { name: 'inbox', node: TS }, val: { t: 'bytes', n: 70_000, fill: 1 } });
    await until(() => rec.ops('send').some((r) => (r as { message: unknown }).message instanceof Uint8Array && ((r as { message: Uint8Array }).message.length === 70_000)), 10_000, 'big frame');
    await sleep(300);
    save('ts-dials-go', transcript('ts-dials-go', 'TS dials Go; every ENP frame type both ways', { ts: 'dialer' }, g, chunks, c));
  } finally {
    await g.close();
    await ts.stop();
    await reg.stop();
  }
}

async function victimOf(g: GoPeer, name: string): Promise<{ pid: Pid; alias: Alias }> {
  if (!g.lines.some((l) => l.ev === 'victim' && l.name === name)) await g.ok({ op: 'victim', name });
  const l = await g.wait((x) => x.ev === 'victim' && x.name === name);
  return { pid: goPid(l.pid as never), alias: goAlias(l.alias as never) };
}

function transcript(name: string, note: string, roles: { ts: 'dialer' | 'acceptor' }, g: GoPeer, chunks: Chunks, c?: ErgoConnection, extra?: Partial<Transcript>): Transcript {
  return {
    format: 'ergo-transcript/1',
    name,
    note,
    recorded: new Date().toISOString().slice(0, 10),
    ergo: g.ready.release,
    peer: 'interop/go/cmd/ergo-peer',
    cookie: 'cookie',
    roles,
    summary: c ? { connectionId: c.id, poolSize: c.poolSize, poolDSN: [...c.poolDSN], tsCreation: Number(c.local.creation), goCreation: g.ready.creation } : undefined,
    links: links(chunks),
    ...extra,
  };
}

/** Go dials TS (we dictate the pool); a little traffic each way. */
async function goDialsTs(): Promise<void> {
  const rp = await freePort(true);
  const chunks: Chunks = new Map();
  const rec = new Recorder();
  const ts = new ErgoNetwork({ name: TS, cookie: 'cookie', inbound: rec, acceptor: { port: await freePort(), poolSize: 3 }, registrar: { port: rp }, tap: tapInto(chunks) });
  await ts.start();
  const g = await GoPeer.start({ name: GO, registrarPort: rp, port: await freePort() });
  try {
    await g.ok({ op: 'connect', node: TS });
    await until(() => ts.connection(GO)?.links === 3, 5000, 'three links');
    const c = ts.connection(GO)!;
    await g.ok({ op: 'send', to: { name: 'inbox', node: TS }, val: { t: 'string', v: 'hi' } });
    await g.ok({ op: 'call', to: { name: 'srv', node: TS }, val: { t: 'int', v: 1 } });
    const me = new Pid(ts.name, 1004, 0, ts.local.creation);
    c.send(me, goPid(g.ready.echo), 'back');
    await g.wait((l) => l.ev === 'recv' && (l.msg as { value?: string }).value === 'back');
    await sleep(200);
    save('go-dials-ts', transcript('go-dials-ts', 'Go dials TS, TS dictates a pool of 3', { ts: 'acceptor' }, g, chunks, c));
  } finally {
    await g.close();
    await ts.stop();
  }
}

/** TS dials Go over TLS: the plaintext under TLS, and the certificate the digests bind. */
async function tsDialsGoTls(): Promise<void> {
  const rp = await freePort(true);
  const reg = await registrarNode(rp);
  const cert = makeCert();
  const g = await GoPeer.start({ name: GO, registrarPort: rp, port: await freePort(), tls: { cert: cert.certFile, key: cert.keyFile } });
  const chunks: Chunks = new Map();
  const ts = new ErgoNetwork({ name: TS, cookie: 'cookie', inbound: new Recorder(), acceptor: { port: await freePort() }, registrar: { port: rp }, tls: { ca: cert.cert }, tap: tapInto(chunks) });
  await ts.start();
  try {
    const c = await ts.connect(GO);
    c.send(new Pid(ts.name, 1004, 0, ts.local.creation), goPid(g.ready.echo), 'over tls');
    await g.wait((l) => l.ev === 'recv');
    await sleep(200);
    save('ts-dials-go-tls', transcript('ts-dials-go-tls', 'TS dials Go over TLS; frames as seen under TLS', { ts: 'dialer' }, g, chunks, c, { tls: { goCertificate: cert.cert } }));
  } finally {
    await g.close();
    await ts.stop();
    await reg.stop();
  }
}

/** Two Go nodes; the accepting one records its links (its tap), so both sides are Go's. */
async function goDialsGo(): Promise<void> {
  const rp = await freePort(true);
  const reg = await registrarNode(rp);
  const tap = join(mkdtempSync(join(tmpdir(), 'ergo-ts-tap-')), 'tap.jsonl');
  const a = await GoPeer.start({ name: 'goa@127.0.0.1', registrarPort: rp, port: await freePort(), tap, atoms: ['cached'] });
  const b = await GoPeer.start({ name: 'gob@127.0.0.1', registrarPort: rp, port: await freePort(), atoms: ['cached'] });
  try {
    await b.ok({ op: 'send', to: { name: 'echo', node: 'goa@127.0.0.1' }, val: { t: 'string', v: 'hello' } });
    await b.ok({ op: 'call', to: { pid: a.ready.echo }, val: { t: 'string', v: 'ping' } });
    await b.ok({ op: 'victim', name: 'cached' });
    await a.ok({ op: 'send', to: { name: 'cached', node: 'gob@127.0.0.1' }, val: { t: 'int64', v: 42 } });
    await b.ok({ op: 'monitor', to: { pid: a.ready.echo } });
    await b.ok({ op: 'send', compress: 'lzw', to: { pid: a.ready.echo }, val: { t: 'strrep', v: 'abcdefgh', n: 300 } });
    await sleep(300);
    const chunks: Chunks = new Map();
    for (const line of readFileSync(tap, 'utf8').split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as { link: number; dir: 'in' | 'out'; hex: string };
      tapInto(chunks)('', r.link, r.dir, Buffer.from(r.hex, 'hex'));
    }
    save('go-dials-go', { ...transcript('go-dials-go', 'gob dials goa; recorded inside goa (out = goa wrote)', { ts: 'acceptor' }, a, chunks), roles: { goa: 'acceptor', gob: 'dialer' } as never });
  } finally {
    await b.close();
    await a.close();
    await reg.stop();
  }
}

/** A TS node through the node API, both ways; Go's creation so Go also sends 181/184. */
async function nodeTsGo(): Promise<void> {
  const rp = await freePort(true);
  const reg = await registrarNode(rp);
  const g = await GoPeer.start({ name: GO, registrarPort: rp, port: await freePort() });
  const chunks: Chunks = new Map();
  const stack = new ErgoStack({ cookie: 'cookie', acceptor: { host: '127.0.0.1', port: await freePort() }, registrar: { port: rp }, compression: { type: 'zlib' }, tap: tapInto(chunks) });
  const node = await Node.start({ name: TS, creation: g.ready.creation, defaultLogger: false, router: new NetworkManager({ stacks: [stack] }) });
  class Echo extends Actor {
    override handleCall(r: unknown, from: From): unknown {
      if (r !== 'fail') return r;
      this.replyError(from, atom('ts_failure'));
      return replyLater;
    }
  }
  class Worker extends Actor {}
  class App {
    load() {
      return { name: 'tsapp', members: [{ factory: Worker }] };
    }
  }
  try {
    const echo = goPid(g.ready.echo);
    const tsEcho = await node.spawnRegister('tsecho', Echo);
    // Outbound: messages, an important one, calls (the important bit), a compressed one.
    node.send(echo, 'hello from the node');
    node.send(echo, 'compressed, being long enough. '.repeat(100));
    await node.sendImportant(processId('echo', GO), 'important');
    await node.call(echo, 'ping');
    await node.call(processId('nobody', GO), 'x').catch(() => undefined);
    // Go → TS: a call answered and one failed, a monitor and a link on our process.
    await g.ok({ op: 'call', to: pidTarget(tsEcho), val: { t: 'string', v: 'q' } });
    await g.cmd({ op: 'call', to: pidTarget(tsEcho), val: { t: 'string', v: 'fail' } });
    const target = await node.spawnRegister('target', Worker);
    await g.ok({ op: 'monitor', to: pidTarget(target) });
    await g.ok({ as: 'echo', op: 'link', to: { name: 'target', node: TS } });
    // A two-way link from a TS process to a Go victim; the TS process crashes.
    await g.ok({ op: 'victim', name: 'v' });
    const v = goPid((await g.wait((l) => l.ev === 'victim')).pid as never);
    const linker = new Worker();
    const lpid = await node.spawn(() => linker);
    linker.process.link(v);
    const m = node.monitor(processId('v', GO));
    await g.ok({ op: 'sleep', timeout: 200 });
    node.sendExit(lpid, atom('crash'));
    await g.wait((l) => l.ev === 'terminated' && l.name === 'v');
    await m.down;
    // Our target ends: one TerminatePID (monitor) and one TerminateName (link), on its link.
    node.sendExit(target, atom('bye'));
    await g.wait((l) => l.ev === 'recv' && /MessageExitProcessID/.test(String((l.msg as { type: string }).type)));
    // Spawn and application start, both ways.
    node.enableSpawn('tsworker', Worker);
    await g.ok({ op: 'spawn', node: TS, name: 'tsworker', args: [{ t: 'string', v: 'arg' }] });
    const spawner = new Worker();
    await node.spawn(() => spawner);
    await spawner.process.remoteSpawn(GO, 'worker', { args: ['from ts'], register: 'tsspawned' });
    await node.applicationLoad(new App() as never);
    node.enableApplicationStart('tsapp');
    await g.ok({ op: 'appstart', node: TS, name: 'tsapp' });
    await node.remoteApplicationStart(GO, 'app1');
    await sleep(300);
    const c = stack.network!.connection(GO)!;
    save('node-ts-go', transcript('node-ts-go', 'a TS node (runtime + ErgoStack) dials Go; traffic through the node API both ways', { ts: 'dialer' }, g, chunks, c));
  } finally {
    await g.close();
    await node.stop();
    await reg.stop();
  }
}

const only = process.argv[2];
if (!only || only === 'ts-dials-go') await tsDialsGo();
if (!only || only === 'go-dials-ts') await goDialsTs();
if (!only || only === 'ts-dials-go-tls') await tsDialsGoTls();
if (!only || only === 'go-dials-go') await goDialsGo();
if (!only || only === 'node-ts-go') await nodeTsGo();
