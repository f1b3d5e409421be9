/**
 * A node's Erlang distribution endpoint: the listener, the EPMD registration (an embedded EPMD
 * when none answers), name resolution (EPMD, static routes, or epmd-less ports), the handshake
 * in both roles with OTP net_kernel's arbitration (simultaneous connects, `alive`, dynamic
 * names), TLS, and the table of live connections. Inbound traffic goes to one
 * {@link DistHandler}; outbound goes through each {@link DistConnection}.
 */
import { lookup } from 'node:dns/promises';
import { channel } from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import { connect as netConnect, createServer as netServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsServer, type ConnectionOptions as TlsConnectOptions, type TlsOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import { Atom } from '../../term/atom.js';
import { DistConnection, type ConnectionOptions } from './connection.js';
import { EpmdClient, epmdPortFromEnv, type EpmdRegistration } from './epmd-client.js';
import { NodeType } from './epmd-proto.js';
import { EpmdServer } from './epmd-server.js';
import { DistCode, DistError, EpmdCode, EpmdError, HandshakeCode, HandshakeError } from './errors.js';
import { DEFAULT_FLAGS, DFlag, MANDATORY_26 } from './flags.js';
import { accept, initiate, isNodeName, type AcceptDecision, type HandshakeResult, type HandshakeSide } from './handshake.js';
import { HandshakeIO } from './handshake-io.js';
import type { DistHandler } from './handler.js';

const upChannel = channel('ergo-ts:erlang:connection:up');
const downChannel = channel('ergo-ts:erlang:connection:down');
const failChannel = channel('ergo-ts:erlang:handshake:failed');

export interface EndpointOptions extends ConnectionOptions {
  /**
   * `alive@host`. `undefined@host` asks for a dynamic name: the first node we connect to names
   * us (NAME_ME / `named:`), and such a node neither listens nor registers, as in OTP.
   */
  name: string;
  /** The cookie, or one per peer node. */
  cookie: string | ((node: string) => string);
  handler: DistHandler;
  /** Leave PUBLISHED out: peers list us in nodes(hidden) only. */
  hidden?: boolean;
  /** Where to listen (default 127.0.0.1, a free port); false: do not listen. */
  listen?: { host?: string; port?: number } | false;
  /**
   * EPMD to register with and resolve through (default 127.0.0.1, `ERL_EPMD_PORT` or 4369;
   * `embedded` true: start our own EPMD there when none answers). false: epmd-less.
   */
  epmd?: { host?: string; port?: number; embedded?: boolean; timeout?: number } | false;
  /** Static routes (node → host:port), used before EPMD. */
  routes?: Record<string, { host?: string; port: number }>;
  /** Epmd-less: the port every node without a route listens on (like `-erl_epmd_port`). */
  defaultPort?: number;
  /** Creation when no EPMD gives one (default: random, 32-bit, non-zero). */
  creation?: number;
  /** Flags to add to / remove from what we offer (default: OTP's set plus ALTACT_SIG). */
  flags?: { add?: bigint; remove?: bigint };
  /** Flags a peer must have (default: OTP 26+'s mandatory set, 0x403070F94). */
  required?: bigint;
  /** Only these nodes may connect (`net_kernel:allow/1`); empty or absent: any. */
  allow?: string[];
  /** Accept peers that ask us for a name (NAME_ME; default true). */
  allowDynamicNames?: boolean;
  /** Handshake time limit per step, ms (OTP net_setuptime, default 7000). */
  setupTime?: number;
  /** TLS distribution (what `-proto_dist inet_tls` speaks): options for both roles. */
  tls?: { server?: TlsOptions; client?: TlsConnectOptions };
  /** Initiate with the old `n` name message (tests of acceptors that accept it). */
  legacyName?: boolean;
  /** Failed handshakes and other faults that closed no live connection. */
  onError?: (err: Error) => void;
}

interface Outgoing {
  io: HandshakeIO | undefined;
  /** Our acceptor answered ok_simultaneous: the peer's attempt replaces this one. */
  superseded: boolean;
}

function randomCreation(): number {
  for (;;) {
    const c = randomBytes(4).readUInt32BE(0);
    if (c > 3) return c;
  }
}

export class DistEndpoint {
  readonly opts: EndpointOptions;
  #name: string;
  #node: Atom | undefined;
  #creation: number;
  readonly #dynamicHost: string | undefined;
  #server: Server | undefined;
  #port = 0;
  #registration: EpmdRegistration | undefined;
  #embedded: EpmdServer | undefined;
  #embeddedReg: { unregister(): void } | undefined;
  readonly #conns = new Map<string, DistConnection>();
  readonly #pending = new Map<string, Promise<DistConnection>>();
  readonly #outgoing = new Map<string, Outgoing>();
  readonly #inbound = new Set<string>();
  readonly #waiters = new Map<string, ((c: DistConnection) => void)[]>();
  readonly #sockets = new Set<Duplex>();
  #stopping = false;
  #reregister: NodeJS.Timeout | undefined;

  private constructor(opts: EndpointOptions) {
    this.opts = opts;
    const [alive, host] = opts.name.split('@');
    if (!isNodeName(opts.name)) throw new DistError(DistCode.NotStarted, `"${opts.name}" is not a node name (alive@host)`);
    this.#dynamicHost = alive === 'undefined' ? host : undefined;
    this.#name = opts.name;
    this.#node = this.#dynamicHost === undefined ? Atom.of(opts.name) : undefined;
    this.#creation = opts.creation ?? randomCreation();
  }

  /** Listen, register with EPMD (starting an embedded one if none answers). */
  static async start(opts: EndpointOptions): Promise<DistEndpoint> {
    const ep = new DistEndpoint(opts);
    try {
      await ep.#start();
    } catch (e) {
      await ep.stop();
      throw e;
    }
    return ep;
  }

  /** Our node name (for a dynamic name, once a peer gave it). */
  get name(): string {
    return this.#name;
  }
  get node(): Atom | undefined {
    return this.#node;
  }
  get creation(): number {
    return this.#creation;
  }
  /** The port we listen on (0 when not listening). */
  get port(): number {
    return this.#port;
  }
  /** The embedded EPMD, when we run one. */
  get embeddedEpmd(): EpmdServer | undefined {
    return this.#embedded;
  }
  get hidden(): boolean {
    return this.opts.hidden === true;
  }

  /** Live connection to `node`, if any. */
  connection(node: string | Atom): DistConnection | undefined {
    return this.#conns.get(typeof node === 'string' ? node : node.name);
  }

  /** Nodes connected now; `visible` filters on PUBLISHED like `nodes()` vs `nodes(hidden)`. */
  nodes(which: 'all' | 'visible' | 'hidden' = 'all'): Atom[] {
    const out: Atom[] = [];
    for (const c of this.#conns.values()) if (which === 'all' || c.visible === (which === 'visible')) out.push(c.node);
    return out;
  }

  async #start(): Promise<void> {
    const o = this.opts;
    if (this.#dynamicHost !== undefined) return;
    if (o.listen !== false) {
      const host = o.listen?.host ?? '127.0.0.1';
      const server = o.tls ? tlsServer(o.tls.server ?? {}) : netServer();
      server.on(o.tls ? 'secureConnection' : 'connection', (s: Socket) => this.#accept(s));
      if (o.tls) server.on('tlsClientError', (e: Error) => this.#fail(new DistError(DistCode.Connect, `TLS handshake failed: ${e.message}`, { cause: e })));
      server.on('error', (e: Error) => this.#fail(e));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: o.listen ? (o.listen.port ?? 0) : 0 }, () => {
          server.removeListener('error', reject);
          resolve();
        });
      });
      this.#server = server;
      this.#port = (server.address() as { port: number }).port;
    }
    if (o.epmd !== false && this.#port > 0) {
      this.#creation = await this.#register();
    }
  }

  // ------------------------------------------------------------ EPMD

  #epmdClient(host?: string): EpmdClient {
    const e = this.opts.epmd || {};
    return new EpmdClient({ host: host ?? e.host ?? '127.0.0.1', port: e.port ?? epmdPortFromEnv(), timeout: e.timeout });
  }

  async #register(): Promise<number> {
    const e = this.opts.epmd || {};
    const alive = this.#name.split('@')[0]!;
    const client = this.#epmdClient();
    const entry = { name: alive, port: this.#port, hidden: this.opts.hidden };
    for (let attempt = 0; ; attempt++) {
      try {
        const reg = await client.register(entry);
        this.#registration = reg;
        void reg.closed.then((err) => err && this.#lostRegistration(err));
        return reg.creation;
      } catch (err) {
        if (!(err instanceof EpmdError) || err.code !== EpmdCode.Unreachable || e.embedded === false || attempt > 0) throw err;
      }
      // None answers: be the EPMD (as Ergo does). Losing the race to another starter is fine.
      try {
        this.#embedded = await EpmdServer.start({ host: client.host, port: client.port });
      } catch {
        continue;
      }
      const local = this.#embedded.registerLocal({ name: alive, port: this.#port, nodeType: this.opts.hidden ? NodeType.HIDDEN : NodeType.NORMAL, protocol: 0, highVersion: 6, lowVersion: 6, extra: new Uint8Array(0) });
      if (!local) throw new EpmdError(EpmdCode.Register, `name "${alive}" taken in our own EPMD`);
      this.#embeddedReg = local;
      return local.creation;
    }
  }

  // The EPMD we registered with went away: register again every second (possibly becoming
  // the EPMD ourselves). The creation stays that of the first registration.
  #lostRegistration(err: Error): void {
    if (this.#stopping) return;
    this.#fail(err);
    this.#registration = undefined;
    const retry = async () => {
      if (this.#stopping) return;
      try {
        const c = this.#creation;
        await this.#register();
        this.#creation = c;
      } catch {
        this.#reregister = setTimeout(retry, 1000);
      }
    };
    this.#reregister = setTimeout(retry, 1000);
  }

  // ------------------------------------------------------------ handshake sides

  #side(): HandshakeSide {
    const o = this.opts;
    let flags = (DEFAULT_FLAGS | (o.flags?.add ?? 0n)) & ~(o.flags?.remove ?? 0n);
    if (!o.hidden) flags |= DFlag.PUBLISHED;
    const cookie = typeof o.cookie === 'function' ? o.cookie : () => o.cookie as string;
    return { name: this.#name, creation: this.#creation, flags, required: o.required ?? MANDATORY_26, cookie };
  }

  #fail(e: Error): void {
    if (failChannel.hasSubscribers) failChannel.publish({ endpoint: this, error: e });
    this.opts.onError?.(e);
  }

  // ------------------------------------------------------------ accepting

  #accept(socket: Socket): void {
    if (this.#stopping) {
      socket.destroy();
      return;
    }
    this.#track(socket);
    const io = new HandshakeIO(socket, this.opts.tls ? 4 : 2, this.opts.setupTime ?? 7000);
    let peer: string | undefined;
    accept(io, this.#side(), {
      decide: (name, _flags, nameMe) => {
        const d = this.#decide(name, nameMe);
        if (d.status === 'named') peer = d.name;
        else if (d.status !== 'not_allowed' && d.status !== 'nok') peer = name;
        if (peer) this.#inbound.add(peer);
        return d;
      },
    }).then(
      (r) => {
        if (peer) this.#inbound.delete(peer);
        this.#up(socket, r, false);
      },
      (e: Error) => {
        if (peer) this.#inbound.delete(peer);
        socket.destroy();
        this.#fail(e);
      },
    );
  }

  // OTP net_kernel: accept_pending, and dist_util: mark_pending.
  #decide(peer: string, nameMe: boolean): AcceptDecision {
    const o = this.opts;
    if (nameMe) {
      if (o.allowDynamicNames === false) return { status: 'not_allowed' };
      // OTP net_kernel: generate_node_name — upper-case base 36 of a random number, on the host the peer gave.
      const alive = BigInt('0x' + randomBytes(8).toString('hex')).toString(36).toUpperCase();
      return { status: 'named', name: `${alive}@${peer}`, creation: randomCreation() };
    }
    if (o.allow && o.allow.length > 0 && !isAllowed(peer, o.allow)) return { status: 'not_allowed' };
    if (peer === this.#name) throw new HandshakeError(HandshakeCode.BadName, 'mark_pending', 'a node with our own name is calling');
    if (this.#inbound.has(peer)) throw new HandshakeError(HandshakeCode.Simultaneous, 'mark_pending', 'another handshake from this node is under way', { peer });
    const live = this.#conns.get(peer);
    if (live) {
      return { status: 'alive', onTrue: () => live.close(new DistError(DistCode.Shutdown, 'replaced: the peer reconnected', { node: peer })) };
    }
    const out = this.#outgoing.get(peer);
    if (out) {
      // Simultaneous connect: the attempt of the node with the greater name survives.
      if (this.#name > peer) return { status: 'nok' };
      out.superseded = true;
      out.io?.abort(new HandshakeError(HandshakeCode.Simultaneous, 'recv_status', 'superseded by the peer\'s simultaneous attempt', { peer }));
      return { status: 'ok_simultaneous' };
    }
    return { status: 'ok' };
  }

  // ------------------------------------------------------------ dialling

  /**
   * The connection to `node`, made if needed (resolving its port, dialling, handshaking).
   * Concurrent calls share one attempt. Rejects with a DistError, HandshakeError or EpmdError.
   */
  connect(node: string | Atom, where?: { host: string; port: number }): Promise<DistConnection> {
    const name = typeof node === 'string' ? node : node.name;
    const live = this.#conns.get(name);
    if (live) return Promise.resolve(live);
    const pending = this.#pending.get(name);
    if (pending) return pending;
    // That node is dialling us right now: its connection is the one to use.
    if (this.#inbound.has(name)) return this.#waitFor(name, this.opts.setupTime ?? 7000);
    if (this.#stopping) return Promise.reject(new DistError(DistCode.NotStarted, 'the endpoint is stopping'));
    if (!isNodeName(name)) return Promise.reject(new DistError(DistCode.NoRoute, `"${name}" is not a node name`));
    const p = this.#dial(name, where).finally(() => this.#pending.delete(name));
    this.#pending.set(name, p);
    return p;
  }

  /**
   * Where `node` listens: a static route, the epmd-less default port, or its EPMD's answer
   * (PORT_PLEASE2). Rejects with DistError ERR_DIST_NO_ROUTE or an EpmdError (ERR_EPMD_NOT_FOUND, …).
   */
  resolve(node: string | Atom): Promise<{ host: string; port: number }> {
    const name = typeof node === 'string' ? node : node.name;
    if (!isNodeName(name)) return Promise.reject(new DistError(DistCode.NoRoute, `"${name}" is not a node name`));
    return this.#resolve(name);
  }

  async #resolve(node: string): Promise<{ host: string; port: number }> {
    const o = this.opts;
    const host = node.split('@')[1]!;
    const route = o.routes?.[node];
    if (route) return { host: route.host ?? (await ipv4(host)), port: route.port };
    const addr = await ipv4(host);
    if (o.epmd === false) {
      if (o.defaultPort === undefined) throw new DistError(DistCode.NoRoute, 'epmd-less and no route or default port', { node });
      return { host: addr, port: o.defaultPort };
    }
    const entry = await this.#epmdClient(addr).portPlease(node.split('@')[0]!);
    if (entry.highVersion < 6) throw new DistError(DistCode.NoRoute, `node speaks distribution version ${entry.highVersion} at most; 6 is needed`, { node });
    return { host: addr, port: entry.port };
  }

  async #dial(node: string, given: { host: string; port: number } | undefined): Promise<DistConnection> {
    const o = this.opts;
    const setupTime = o.setupTime ?? 7000;
    const out: Outgoing = { io: undefined, superseded: false };
    this.#outgoing.set(node, out);
    let socket: Duplex | undefined;
    try {
      let where: { host: string; port: number };
      try {
        where = given ?? (await this.#resolve(node));
      } catch (e) {
        if (e instanceof DistError) throw e;
        throw new DistError(DistCode.NoRoute, `cannot resolve ${node}: ${(e as Error).message}`, { cause: e, node });
      }
      if (out.superseded) return await this.#waitFor(node, setupTime);
      socket = await dialSocket(where.host, where.port, o.tls?.client, setupTime, node);
      this.#track(socket);
      if (out.superseded) {
        socket.destroy();
        return await this.#waitFor(node, setupTime);
      }
      const io = new HandshakeIO(socket, o.tls ? 4 : 2, setupTime);
      out.io = io;
      let r: HandshakeResult;
      try {
        r = await initiate(io, this.#side(), {
          peer: node,
          nameMeHost: this.#dynamicHost !== undefined && this.#node === undefined ? this.#dynamicHost : undefined,
          legacyName: o.legacyName,
          onAlive: () => true,
        });
      } catch (e) {
        socket.destroy();
        // Lost a simultaneous connect, one way or the other: the peer's connection is coming.
        if (out.superseded || (e instanceof HandshakeError && e.code === HandshakeCode.Nok)) return await this.#waitFor(node, setupTime);
        throw e;
      }
      if (this.#node === undefined) {
        // named: we have a name now, and keep it.
        this.#name = r.name;
        this.#node = Atom.of(r.name);
        this.#creation = r.creation;
      }
      return this.#up(socket, r, true);
    } catch (e) {
      socket?.destroy();
      this.#fail(e as Error);
      throw e;
    } finally {
      if (this.#outgoing.get(node) === out) this.#outgoing.delete(node);
    }
  }

  #waitFor(node: string, timeout: number): Promise<DistConnection> {
    const live = this.#conns.get(node);
    if (live) return Promise.resolve(live);
    return new Promise((resolve, reject) => {
      const list = this.#waiters.get(node) ?? [];
      const timer = setTimeout(() => {
        const l = this.#waiters.get(node);
        if (l) l.splice(l.indexOf(done), 1);
        reject(new DistError(DistCode.Connect, 'the simultaneous connection from the peer did not come up', { node }));
      }, timeout);
      const done = (c: DistConnection) => {
        clearTimeout(timer);
        resolve(c);
      };
      list.push(done);
      this.#waiters.set(node, list);
    });
  }

  #up(socket: Duplex, r: HandshakeResult, initiated: boolean): DistConnection {
    if (this.#stopping) {
      socket.destroy();
      throw new DistError(DistCode.NotStarted, 'the endpoint is stopping');
    }
    const conn = new DistConnection(
      socket,
      {
        localNode: this.#node!,
        localCreation: this.#creation,
        peerNode: Atom.of(r.peerName),
        peerCreation: r.peerCreation,
        flags: r.flags,
        peerFlags: r.peerFlags,
        initiated,
        tls: this.opts.tls !== undefined,
        status: r.status,
      },
      this.opts.handler,
      this.opts,
    );
    const name = r.peerName;
    this.#conns.get(name)?.close(new DistError(DistCode.Shutdown, 'replaced by a new connection', { node: name }));
    this.#conns.set(name, conn);
    void conn.closed.then((why) => {
      if (this.#conns.get(name) === conn) this.#conns.delete(name);
      if (downChannel.hasSubscribers) downChannel.publish({ connection: conn, reason: why });
    });
    conn.start(r.rest);
    if (upChannel.hasSubscribers) upChannel.publish({ connection: conn });
    const w = this.#waiters.get(name);
    if (w) {
      this.#waiters.delete(name);
      for (const f of w) f(conn);
    }
    return conn;
  }

  #track(s: Duplex): void {
    this.#sockets.add(s);
    s.once('close', () => this.#sockets.delete(s));
  }

  /** Close every connection, stop listening, unregister (and stop an embedded EPMD). */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#reregister) clearTimeout(this.#reregister);
    for (const c of [...this.#conns.values()]) c.close();
    for (const s of this.#sockets) s.destroy();
    this.#registration?.close();
    this.#embeddedReg?.unregister();
    if (this.#server) await new Promise<void>((r) => this.#server!.close(() => r()));
    if (this.#embedded) await this.#embedded.close();
  }
}

// OTP dist_util: is_allowed — full names, hosts, or `name@` entries.
function isAllowed(node: string, allowed: string[]): boolean {
  const [name, host] = node.split('@');
  for (const a of allowed) {
    if (a === node) return true;
    const at = a.indexOf('@');
    if (at < 0 && a === host) return true;
    if (at === a.length - 1 && a.slice(0, -1) === name) return true;
  }
  return false;
}

async function ipv4(host: string): Promise<string> {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  const r = await lookup(host, { family: 4 });
  return r.address;
}

function dialSocket(host: string, port: number, tls: TlsConnectOptions | undefined, timeout: number, node: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const s = tls ? tlsConnect({ ...tls, host, port }) : netConnect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new DistError(DistCode.Connect, `connecting to ${host}:${port} timed out`, { node }));
    }, timeout);
    s.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      s.destroy();
      reject(new DistError(DistCode.Connect, `cannot connect to ${host}:${port}: ${e.message}`, { cause: e, node }));
    });
  });
}
