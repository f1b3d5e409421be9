/**
 * The Ergo network stack of one node (ergo node/network.go, node/acceptor.go): an acceptor
 * (TCP or TLS, first free port of a range), the registrar client, static routes, and the
 * table of connections (one per peer name). `connect(name)` reuses a connection or makes
 * one: static routes first, then the registrar; the dialer opens the acceptor's pool with
 * Joins before the connection is handed out, so early frames cannot be reordered by a growing
 * pool.
 */
import { X509Certificate } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { connect as netConnect, createServer, isIP, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { EdfEncodeCache, frameworkErrors, Gen, Proto, type EdfRegistry, type NetworkFlags } from '../../codec/edf/index.js';
import { Atom } from '../../term/atom.js';
import type { Creation } from '../../term/ids.js';
import { Defaults, Ehs, HANDSHAKE_VERSION, PROTO_VERSION } from './constants.js';
import { ErgoConnection, type ConnectionOptions, type LinkTap } from './connection.js';
import { ErgoNetCode, ErgoNetError, HandshakeError } from './errors.js';
import { acceptHandshake, certFingerprint, defaultNetworkFlags, joinHandshake, startHandshake, version, type HandshakeEntropy, type LocalNode, type Version } from './handshake.js';
import type { ErgoInbound } from './inbound.js';
import { SocketHandshakeIO } from './link.js';
import { hostOf, RegistrarClient, type RegistrarClientOptions } from './registrar-client.js';
import type { Route } from './registrar-server.js';
import { StaticRoutes, type StaticRoute } from './routes.js';

export interface AcceptorOptions {
  /** Listen address (default: the host part of the node name). */
  host?: string;
  /** First port tried (default 11144; 0 = any free port). */
  port?: number;
  /** Last port tried (an absolute port, as ergo's PortRange really is; default 50000). */
  portEnd?: number;
  /** Serve TLS with this certificate (PEM); peers then get the certificate digest. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Links per connection we dictate to dialers (default 3). */
  poolSize?: number;
}

export interface ErgoNetworkOptions {
  /** `name@host` */
  name: string | Atom;
  cookie: string;
  /** Non-zero (default: now in Unix seconds, as Go). */
  creation?: Creation;
  flags?: NetworkFlags;
  /** Largest frame we accept, announced to peers (0 = no limit, as Go's default). */
  maxMessageSize?: number;
  version?: Version;
  /** Our announced EDF tables (default: our name, the framework errors, the proto types). */
  cache?: EdfEncodeCache;
  registry?: EdfRegistry;
  inbound: ErgoInbound;
  /** false: no acceptor (a hidden node). */
  acceptor?: AcceptorOptions | false;
  /** false: no registrar (static routes only). */
  registrar?: RegistrarClientOptions | false;
  /** Dialing TLS routes: skip certificate checks (ergo NetworkOptions.InsecureSkipVerify), extra CAs. */
  tls?: { insecureSkipVerify?: boolean; ca?: string | Buffer };
  /** Per handshake read (default 5 s). */
  handshakeTimeout?: number;
  requestTimeout?: number;
  maxQueuedBytes?: number;
  /** See ConnectionOptions.highWater. */
  highWater?: number;
  batchBytes?: number;
  maxInflated?: number;
  entropy?: HandshakeEntropy;
  /** A peer failed the handshake with our acceptor (wrong cookie, bad frames, timeout…). */
  onHandshakeError?: (err: HandshakeError, remote: string) => void;
  /** Every raw byte on every link (recording transcripts). */
  tap?: (peer: string, link: number, dir: 'in' | 'out', bytes: Uint8Array) => void;
}

/**
 * diagnostics_channel names: `{ node, peer, connection }` on up/down (down adds `reason`),
 * `{ node, peer, error }` on link errors, `{ node, remote, error }` on refused handshakes.
 */
export const ErgoChannels = {
  up: channel('ergo-ts:ergo:connection:up'),
  down: channel('ergo-ts:ergo:connection:down'),
  linkError: channel('ergo-ts:ergo:link:error'),
  handshakeError: channel('ergo-ts:ergo:handshake:error'),
} as const;

/** The default table we announce: our name, Go's 15 framework errors, the 199 message types. */
export function defaultCache(name: Atom): EdfEncodeCache {
  return new EdfEncodeCache({ atoms: [name], errors: frameworkErrors, types: [...Object.values(Proto), Gen.MessageEvent] });
}

export class ErgoNetwork {
  readonly name: Atom;
  readonly local: LocalNode;
  readonly routes = new StaticRoutes();
  readonly registrar: RegistrarClient | undefined;
  readonly #o: ErgoNetworkOptions;
  readonly #conns = new Map<Atom, ErgoConnection>();
  readonly #dialing = new Map<Atom, Promise<ErgoConnection>>();
  #server: Server | undefined;
  #port = 0;
  #fingerprint: Uint8Array | undefined;
  #stopped = false;
  #sockN = 0;
  readonly #sockets = new Set<Socket>();

  constructor(o: ErgoNetworkOptions) {
    this.#o = o;
    this.name = typeof o.name === 'string' ? Atom.of(o.name) : o.name;
    hostOf(this.name);
    const creation = o.creation ?? Math.floor(Date.now() / 1000);
    if (creation === 0 || creation === 0n) throw new ErgoNetError(ErgoNetCode.BadIntroduce, 'creation must not be 0');
    this.local = {
      name: this.name,
      creation,
      version: o.version ?? version('ergo-ts', '0.1.0'),
      flags: o.flags ?? defaultNetworkFlags(),
      maxMessageSize: o.maxMessageSize ?? 0,
      cache: o.cache ?? defaultCache(this.name),
    };
    this.registrar = o.registrar === false ? undefined : new RegistrarClient(o.registrar ?? {});
  }

  /** The acceptor's port (0 before `start`, or when hidden). */
  get port(): number {
    return this.#port;
  }

  /** Listen (if not hidden) and register with the registrar. Rejects with NameTaken, NoPort, … */
  async start(): Promise<void> {
    const a = this.#o.acceptor;
    const routes: Route[] = [];
    if (a !== false) {
      await this.#listen(a ?? {});
      routes.push(new Gen.Route({ Host: '', Port: this.#port, TLS: !!a?.tls, HandshakeVersion: version(HANDSHAKE_VERSION.Name, HANDSHAKE_VERSION.Release), ProtoVersion: version(PROTO_VERSION.Name, PROTO_VERSION.Release) }));
    }
    try {
      await this.registrar?.register(this.name, routes);
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async #listen(a: AcceptorOptions): Promise<void> {
    const host = a.host ?? hostOf(this.name);
    const first = a.port ?? Defaults.ACCEPTOR_PORT;
    const last = first === 0 ? 0 : Math.max(first, a.portEnd ?? Defaults.ACCEPTOR_PORT_END);
    if (a.tls) this.#fingerprint = certFingerprint(new X509Certificate(a.tls.cert).raw);
    for (let port = first; port <= last; port++) {
      const srv = a.tls ? createTlsServer({ cert: a.tls.cert, key: a.tls.key }) : createServer();
      const ok = await new Promise<boolean>((resolve) => {
        srv.once('error', () => resolve(false));
        srv.listen({ port, host, exclusive: true }, () => resolve(true));
      });
      if (!ok) continue;
      srv.removeAllListeners('error');
      srv.on('error', () => {});
      srv.on(a.tls ? 'secureConnection' : 'connection', (s: Socket) => void this.#accept(s, a));
      if (a.tls) srv.on('tlsClientError', () => {});
      this.#server = srv;
      const addr = srv.address();
      this.#port = typeof addr === 'object' && addr ? addr.port : port;
      return;
    }
    throw new ErgoNetError(ErgoNetCode.NoPort, `no free port in ${first}..${last} on ${host}`);
  }

  #track(s: Socket): void {
    this.#sockets.add(s);
    s.once('close', () => this.#sockets.delete(s));
  }

  /** A tap for one new socket (numbered per network), recording under the peer's name once known. */
  #tapFor(peer: () => string): LinkTap | undefined {
    const t = this.#o.tap;
    if (!t) return undefined;
    const n = ++this.#sockN;
    return (dir, b) => t(peer(), n, dir, b);
  }

  async #accept(s: Socket, a: AcceptorOptions): Promise<void> {
    if (this.#stopped) return void s.destroy();
    this.#track(s);
    const addr = s.localAddress ?? '127.0.0.1';
    const dsn = isIP(addr) === 6 ? `[${addr}]:${s.localPort}` : `${addr}:${s.localPort}`;
    let peer = '?';
    const linkTap = this.#tapFor(() => peer);
    const io = new SocketHandshakeIO(s, linkTap);
    try {
      const r = await acceptHandshake(io, {
        local: this.local,
        cookie: this.#o.cookie,
        entropy: this.#o.entropy,
        timeoutMs: this.#o.handshakeTimeout,
        registry: this.#o.registry,
        poolSize: a.poolSize ?? Ehs.DEFAULT_POOL_SIZE,
        poolDSN: [dsn],
        localFingerprint: this.#fingerprint,
        canJoin: (node, id) => {
          const c = this.#conns.get(node);
          return c !== undefined && c.id === id && c.links <= c.poolSize;
        },
      });
      peer = r.peer.name;
      const tail = io.detach();
      if (r.kind === 'join') {
        const c = this.#conns.get(r.peer);
        if (!c || c.id !== r.connectionId || !c.addLink(s, tail, linkTap)) s.destroy();
        return;
      }
      const old = this.#conns.get(r.peer);
      if (old) {
        // A restarted peer (new creation) replaces its stale connection; a second live one is refused (as Go).
        if (old.peerCreation === r.peerCreation) return void s.destroy();
        old.terminate(new ErgoNetError(ErgoNetCode.NoConnection, `${r.peer.name} restarted`));
      }
      const c = this.#newConnection(r, false);
      c.addLink(s, tail, linkTap);
      this.#connected(c);
    } catch (e) {
      io.detach();
      s.destroy();
      if (!(e instanceof HandshakeError)) throw e;
      const remote = `${s.remoteAddress}:${s.remotePort}`;
      if (ErgoChannels.handshakeError.hasSubscribers) ErgoChannels.handshakeError.publish({ node: this.name, remote, error: e });
      this.#o.onHandshakeError?.(e, remote);
    }
  }

  #newConnection(h: ConnectionOptions['handshake'], dialer: boolean, redial?: ConnectionOptions['redial']): ErgoConnection {
    const o = this.#o;
    const c = new ErgoConnection({
      local: this.local,
      handshake: h,
      inbound: o.inbound,
      hooks: {
        disconnected: (conn, reason) => {
          if (this.#conns.get(conn.peer) === conn) this.#conns.delete(conn.peer);
          if (ErgoChannels.down.hasSubscribers) ErgoChannels.down.publish({ node: this.name, peer: conn.peer, connection: conn, reason });
          o.inbound.disconnected?.(conn, reason);
        },
        linkError: (conn, error) => {
          if (ErgoChannels.linkError.hasSubscribers) ErgoChannels.linkError.publish({ node: this.name, peer: conn.peer, error });
          o.inbound.linkError?.(conn, error);
        },
      },
      dialer,
      requestTimeout: o.requestTimeout,
      maxQueuedBytes: o.maxQueuedBytes,
      highWater: o.highWater,
      maxInflated: o.maxInflated,
      batchBytes: o.batchBytes,
      redial,
    });
    this.#conns.set(h.peer, c);
    return c;
  }

  #connected(c: ErgoConnection): void {
    if (ErgoChannels.up.hasSubscribers) ErgoChannels.up.publish({ node: this.name, peer: c.peer, connection: c });
    this.#o.inbound.connected?.(c);
  }

  /** The connection to `name`, if there is one. */
  connection(name: Atom | string): ErgoConnection | undefined {
    return this.#conns.get(typeof name === 'string' ? Atom.of(name) : name);
  }

  connections(): ErgoConnection[] {
    return [...this.#conns.values()];
  }

  /**
   * The connection to `name`: the existing one, or a new one through the static routes, then
   * the registrar. Rejects with NoRoute (nothing worked; `cause` is the last failure).
   */
  connect(name: Atom | string): Promise<ErgoConnection> {
    const a = typeof name === 'string' ? Atom.of(name) : name;
    const have = this.#conns.get(a);
    if (have) return Promise.resolve(have);
    if (this.#stopped) return Promise.reject(new ErgoNetError(ErgoNetCode.Stopped, 'network stopped'));
    let p = this.#dialing.get(a);
    if (!p) {
      p = this.#connect(a).finally(() => this.#dialing.delete(a));
      this.#dialing.set(a, p);
    }
    return p;
  }

  async #connect(name: Atom): Promise<ErgoConnection> {
    let last: unknown;
    const statics = this.routes.lookup(name.name);
    const tryRoute = async (r: StaticRoute): Promise<ErgoConnection | undefined> => {
      try {
        return await this.connectRoute(name, r);
      } catch (e) {
        last = e;
        // Both sides dialed at once: the peer's connection won.
        return this.#conns.get(name);
      }
    };
    const fromResolved = (rs: Route[], base: StaticRoute): StaticRoute[] => rs.map((r) => ({ ...base, resolver: undefined, host: r.Host || base.host, port: r.Port, tls: r.TLS, versions: [r.HandshakeVersion, r.ProtoVersion] }));
    const candidates: StaticRoute[] = [];
    if (statics.length > 0) {
      for (const s of statics) {
        if (!s.resolver) candidates.push(s);
        else {
          try {
            candidates.push(...fromResolved(await s.resolver(name), s));
          } catch (e) {
            last = e;
          }
        }
      }
    } else if (this.registrar) {
      try {
        candidates.push(...fromResolved(await this.registrar.resolve(name), {}));
      } catch (e) {
        last = e;
      }
    }
    for (const r of candidates) {
      const c = await tryRoute(r);
      if (c) return c;
    }
    throw new ErgoNetError(ErgoNetCode.NoRoute, `no route to ${name.name}${last instanceof Error ? `: ${last.message}` : ''}`, last ? { cause: last } : undefined);
  }

  /** Dial `name` at `route` (ergo network.go connect), join the pool, register the connection. */
  async connectRoute(name: Atom, route: StaticRoute & { versions?: Version[] }): Promise<ErgoConnection> {
    const v = route.versions;
    if (v && (`${v[0]!.Name}:${v[0]!.Release}` !== 'EHS:R1' || `${v[1]!.Name}:${v[1]!.Release}` !== 'ENP:R1')) {
      throw new ErgoNetError(ErgoNetCode.UnsupportedRoute, `route of ${name.name} needs ${v[0]!.Name}:${v[0]!.Release} / ${v[1]!.Name}:${v[1]!.Release}`);
    }
    if (!route.port) throw new ErgoNetError(ErgoNetCode.NoRoute, `route of ${name.name} has no port`);
    const host = route.host || hostOf(name);
    const cookie = route.cookie ?? this.#o.cookie;
    const local = route.flags ? { ...this.local, flags: route.flags } : this.local;
    const skip = route.insecureSkipVerify ?? this.#o.tls?.insecureSkipVerify ?? false;
    const tlsOn = route.tls === true;
    const dial = (h: string, port: number): Promise<Socket> => this.#dial(h, port, tlsOn, skip);
    const s = await dial(host, route.port);
    const tap1 = this.#tapFor(() => name.name);
    const io = new SocketHandshakeIO(s, tap1);
    const fp = tlsOn ? certFingerprint((s as TLSSocket).getPeerCertificate().raw) : undefined;
    let h;
    try {
      h = await startHandshake(io, { local, cookie, entropy: this.#o.entropy, timeoutMs: this.#o.handshakeTimeout, registry: this.#o.registry, expect: name, peerFingerprint: fp });
    } catch (e) {
      io.detach();
      s.destroy();
      throw e;
    }
    const tail = io.detach();
    const existing = this.#conns.get(name);
    if (existing) {
      s.destroy();
      return existing;
    }
    const join = async (dsn: string): Promise<{ socket: Socket; tail: Uint8Array; tap?: LinkTap }> => {
      const i = dsn.lastIndexOf(':');
      const js = await dial(dsn.slice(0, i).replace(/^\[|\]$/g, ''), Number(dsn.slice(i + 1)));
      const jtap = this.#tapFor(() => name.name);
      const jio = new SocketHandshakeIO(js, jtap);
      const jfp = tlsOn ? certFingerprint((js as TLSSocket).getPeerCertificate().raw) : undefined;
      try {
        await joinHandshake(jio, { local, cookie, entropy: this.#o.entropy, timeoutMs: this.#o.handshakeTimeout, registry: this.#o.registry, connectionId: h.connectionId, peerFingerprint: jfp, peer: name });
      } catch (e) {
        jio.detach();
        js.destroy();
        throw e;
      }
      return { socket: js, tail: jio.detach(), tap: jtap };
    };
    const c = this.#newConnection(h, true, join);
    c.addLink(s, tail, tap1);
    // ergo enp.go Serve: PoolSize-1 Joins to PoolDSN[i % len], one after another; failures are skipped.
    for (let i = 1; i < h.poolSize && h.poolDSN.length > 0; i++) {
      try {
        const j = await join(h.poolDSN[i % h.poolDSN.length]!);
        if (!c.addLink(j.socket, j.tail, j.tap)) j.socket.destroy();
      } catch {
        // the pool is just smaller
      }
    }
    this.#connected(c);
    return c;
  }

  #dial(host: string, port: number, tls: boolean, insecureSkipVerify: boolean): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s: Socket = tls
        ? tlsConnect({ host, port, rejectUnauthorized: !insecureSkipVerify, ca: this.#o.tls?.ca, servername: isIP(host) ? undefined : host })
        : netConnect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new ErgoNetError(ErgoNetCode.LinkClosed, `connecting to ${host}:${port} timed out`));
      }, Defaults.DIAL_TIMEOUT_MS);
      s.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        this.#track(s);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        s.destroy();
        reject(new ErgoNetError(ErgoNetCode.LinkClosed, `cannot connect to ${host}:${port}: ${e.message}`, { cause: e }));
      });
    });
  }

  /** Close the acceptor, every connection (FIN) and the registration. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const srv = this.#server;
    this.#server = undefined;
    for (const c of [...this.#conns.values()]) c.terminate();
    this.#conns.clear();
    await this.registrar?.close();
    if (srv) await new Promise((r) => srv.close(r));
    for (const s of this.#sockets) s.destroy();
  }
}
