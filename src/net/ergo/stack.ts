/**
 * The Ergo stack as the node's network manager runs it ({@link NetworkStack}): an
 * {@link ErgoNetwork} (acceptor, registrar client, static routes, connections) whose
 * connections are handed to the node as {@link ErgoNodeConnection}s and whose inbound traffic
 * goes to the node through a {@link NodeBridge}.
 *
 * ```ts
 * const node = await Node.start({ name: 'ts@127.0.0.1', cookie: 'secret', ergo: { acceptor: { port: 15000 } } });
 * await node.send(processId('echo', 'go@127.0.0.1'), 'hello'); // connects on first use
 * ```
 *
 * Creation: Ergo's registrar does not assign one (a Go node takes the Unix time at start, as
 * ours does by default), so this stack never calls `setCreation`.
 */
import { channel } from 'node:diagnostics_channel';
import { EdfEncodeCache, NetworkFlags } from '../../codec/edf/index.js';
import { A, Atom } from '../../term/atom.js';
import { Ref } from '../../term/ids.js';
import { ErrCode, RuntimeError, type ConnectionInfo, type NetworkStack, type Route, type StackContext } from '../../gen/index.js';
import type { ErgoConnection } from './connection.js';
import type { HandshakeEntropy, Version } from './handshake.js';
import { defaultNetworkFlags } from './handshake.js';
import type { HandshakeError } from './errors.js';
import { ErgoNetCode, ErgoNetError } from './errors.js';
import { defaultCache, ErgoNetwork, type AcceptorOptions } from './network.js';
import { ErgoNodeConnection, type CompressionOptions } from './node-connection.js';
import { NodeBridge } from './node-inbound.js';
import { hostOf, type RegistrarClientOptions } from './registrar-client.js';
import type { StaticRoute } from './routes.js';

export interface ErgoStackOptions {
  /** The cookie (default: the node's `cookie`; without either, a random one as Go does). */
  cookie?: string;
  /** Where to listen (default: the host part of the name, ports from 11144 up); false: no acceptor. */
  acceptor?: AcceptorOptions | false;
  /** The registrar (default port 4499); false: static routes only. */
  registrar?: RegistrarClientOptions | false;
  /** Ergo static routes (ergo `Network().AddRoute`): a name pattern → where and how; heaviest first. */
  routes?: readonly { match: string; route: StaticRoute; weight?: number }[];
  /** Flags we announce (default: Go's defaults — remote spawn, application start, important delivery). */
  flags?: Partial<Omit<NetworkFlags, 'bits'>>;
  /** Largest frame we accept, announced to peers (0 = no limit, as Go's default). */
  maxMessageSize?: number;
  /** Compress outgoing messages longer than the threshold (Go: a process's SetCompression). */
  compression?: CompressionOptions;
  /** Atoms we announce in our cache besides our name (Go: edf.RegisterAtom); names and events among them go as ids. */
  atoms?: readonly (Atom | string)[];
  /** Dialing TLS routes: skip certificate checks, extra CAs. */
  tls?: { insecureSkipVerify?: boolean; ca?: string | Buffer };
  /** Per handshake read (default 5 s). */
  handshakeTimeout?: number;
  /** Link/monitor/spawn/application start/important delivery waits (default 5 s). */
  requestTimeout?: number;
  /** A link past this many waiting bytes makes senders wait (`Busy`; default 4 MiB). */
  highWater?: number;
  /**
   * A safety valve (default 256 MiB): past this many waiting bytes on a link, messages are
   * dropped (reported on `ergo-ts:ergo:drop` and logged as a warning, at most once a second)
   * instead of queued, so a peer that stops reading cannot grow our memory without bound.
   * Processes never get there — they are parked at `highWater` — so only senders outside any
   * process (`node.send`) can. `Infinity`: no limit.
   */
  maxQueuedBytes?: number;
  /** Flush a write batch once it holds this many bytes (default 64 KiB). */
  batchBytes?: number;
  /** A compressed frame may not inflate beyond this (default: maxMessageSize, else 64 MiB). */
  maxInflated?: number;
  version?: Version;
  entropy?: HandshakeEntropy;
  /** A peer failed the handshake with our acceptor (wrong cookie, …). */
  onHandshakeError?: (err: HandshakeError, remote: string) => void;
  /** Every raw byte on every link (recording transcripts). */
  tap?: (peer: string, link: number, dir: 'in' | 'out', bytes: Uint8Array) => void;
}

/** `{ node, peer, what, error }`: an outbound operation the stack could not carry out (see ErgoNodeConnection). */
export const ergoDropChannel = channel('ergo-ts:ergo:drop');

/** What a link may hold for senders that cannot be parked (`node.send`) before it drops. */
export const DEFAULT_MAX_QUEUED_BYTES = 256 * 1024 * 1024;

function randomCookie(): string {
  const a = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < 16; i++) s += a[Math.floor(Math.random() * a.length)];
  return s;
}

export class ErgoStack implements NetworkStack {
  readonly protocol = 'ergo';
  readonly #o: ErgoStackOptions;
  #net: ErgoNetwork | undefined;
  #ctx: StackContext | undefined;
  /** Messages dropped so far, and when the last warning about them was logged. */
  #dropped = 0;
  #dropLogged = 0;
  #refN = 0;

  constructor(o: ErgoStackOptions = {}) {
    this.#o = o;
  }

  /** The running network (registrar, acceptor, connections); undefined before `start`. */
  get network(): ErgoNetwork | undefined {
    return this.#net;
  }

  /** The acceptor's port (0 before start or without an acceptor). */
  get port(): number {
    return this.#net?.port ?? 0;
  }

  async start(ctx: StackContext): Promise<void> {
    if (this.#net !== undefined) throw new ErgoNetError(ErgoNetCode.Stopped, 'the Ergo stack is already started');
    this.#ctx = ctx;
    const o = this.#o;
    const bridge = new NodeBridge(ctx.inbound, (c) => new Ref(c.peer, c.peerCreation, [++this.#refN, 0, 0x4d4f4e49, 0, 0, 0]));
    bridge.connected = (c) => this.#up(c);
    bridge.disconnected = (c) => this.#down(c);
    bridge.owner = (c) => this.#wrap(c);
    const cache = defaultCache(ctx.name);
    for (const a of o.atoms ?? []) cache.addAtom(typeof a === 'string' ? Atom.of(a) : a);
    const flags = defaultNetworkFlags();
    if (o.flags) Object.assign(flags, o.flags);
    const net = new ErgoNetwork({
      name: ctx.name,
      cookie: o.cookie ?? randomCookie(),
      creation: ctx.creation,
      flags,
      maxMessageSize: o.maxMessageSize,
      version: o.version,
      cache,
      inbound: bridge,
      acceptor: o.acceptor,
      registrar: o.registrar,
      tls: o.tls,
      handshakeTimeout: o.handshakeTimeout,
      requestTimeout: o.requestTimeout,
      // The node parks its processes at the high-water mark (Busy means "queued, not
      // dropped"); the limit only bounds what senders outside processes can pile up.
      maxQueuedBytes: o.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
      highWater: o.highWater,
      batchBytes: o.batchBytes,
      maxInflated: o.maxInflated,
      entropy: o.entropy,
      onHandshakeError: o.onHandshakeError,
      tap: o.tap,
    });
    for (const r of o.routes ?? []) net.routes.add(r.match, r.route, r.weight ?? 0);
    this.#net = net;
    await net.start();
  }

  async stop(): Promise<void> {
    const net = this.#net;
    if (net === undefined) return;
    await net.stop();
  }

  #wrap(c: ErgoConnection): ErgoNodeConnection {
    let w = c.owner as ErgoNodeConnection | undefined;
    if (w === undefined) {
      const node = this.#ctx!.name;
      const log = this.#ctx!.log;
      w = new ErgoNodeConnection(c, this.#ctx!.inbound, this.#o.compression, (conn, what, error) => {
        if (ergoDropChannel.hasSubscribers) ergoDropChannel.publish({ node, peer: conn.peer, what, error });
        this.#dropped++;
        const now = Date.now();
        if (log && now - this.#dropLogged >= 1000) {
          this.#dropLogged = now;
          log.warning('ergo: dropped %s to %s (%s); %d dropped so far', what, conn.peer.name, error.message, this.#dropped);
        }
      });
      c.owner = w;
    }
    return w;
  }

  #up(c: ErgoConnection): void {
    const w = this.#wrap(c);
    const info: ConnectionInfo = { node: c.peer, protocol: 'ergo', creation: c.peerCreation };
    this.#ctx?.connectionUp(w, info);
  }

  #down(c: ErgoConnection): void {
    this.#ctx?.connectionDown(this.#wrap(c), A.noconnection);
  }

  /** Static routes of this stack first, then the registrar on the name's host. */
  async resolve(node: Atom): Promise<Route | undefined> {
    const net = this.#net;
    if (net === undefined) return undefined;
    let host: string;
    try {
      host = hostOf(node);
    } catch {
      return undefined;
    }
    for (const s of net.routes.lookup(node.name)) {
      if (s.resolver === undefined) {
        if (s.port) return { ...s, host: s.host ?? host, port: s.port };
        continue;
      }
      const rs = await s.resolver(node).catch(() => []);
      const r = rs[0];
      if (r !== undefined) return { ...s, resolver: undefined, host: r.Host || s.host || host, port: r.Port, tls: r.TLS, versions: [r.HandshakeVersion, r.ProtoVersion] };
    }
    if (net.registrar === undefined) return undefined;
    try {
      const rs = await net.registrar.resolve(node);
      const ok = rs.find((r) => r.HandshakeVersion.Name === 'EHS' && r.ProtoVersion.Name === 'ENP') ?? rs[0];
      if (ok === undefined) return undefined;
      return { host: ok.Host || host, port: ok.Port, tls: ok.TLS, versions: [ok.HandshakeVersion, ok.ProtoVersion] };
    } catch {
      return undefined;
    }
  }

  async connect(node: Atom, route: Route): Promise<ErgoNodeConnection> {
    const net = this.#net;
    if (net === undefined) throw new ErgoNetError(ErgoNetCode.Stopped, 'the Ergo stack is not started');
    const have = net.connection(node);
    if (have !== undefined) return this.#wrap(have);
    try {
      return this.#wrap(await net.connectRoute(node, route as StaticRoute & { versions?: Version[] }));
    } catch (e) {
      // What the node's waiters (important sends, spawns, subscriptions) reject with.
      throw new RuntimeError(ErrCode.NoConnection, `cannot connect to ${node.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}
