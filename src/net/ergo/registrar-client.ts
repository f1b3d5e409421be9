/**
 * The registrar client every node has (ergo net/registrar/client.go).
 *
 * `register()` first tries to become the host's registrar server (unless `disableServer`);
 * if another node already serves, it registers over TCP and keeps that connection open for as
 * long as the registration should live. When the serving node goes away, the client loops:
 * try to serve, else register with whoever serves now, once a second — so some node on the
 * host always takes over, as Go nodes do.
 *
 * `resolve()` answers from the local table when we serve and the name is on our host,
 * otherwise asks the registrar on the name's host over UDP.
 */
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { Registrar } from '../../codec/edf/index.js';
import { Atom } from '../../term/atom.js';
import { Defaults, Esrd } from './constants.js';
import { ErgoNetCode, ErgoNetError } from './errors.js';
import { decodeRegistrarPacket, encodeRegistrarPacket, RegistrarServer, type Route } from './registrar-server.js';

export interface RegistrarClientOptions {
  /** TCP and UDP port of the registrar on every host (default 4499). */
  port?: number;
  /** Never serve; only register with another node's server (ergo Options.DisableServer). */
  disableServer?: boolean;
  /** Address of this host's registrar (TCP) and of our server's TCP side (default 127.0.0.1). */
  host?: string;
  /** Address our embedded server answers resolves on (default 127.0.0.1; Go: all interfaces). */
  udpHost?: string;
  /** How long one UDP resolve waits (default 3 s, no retry, as Go). */
  resolveTimeout?: number;
  /** How we map a node's host part to an address to ask (default: as is). */
  hostAddress?: (host: string) => string;
  /** Transitions, for logs and tests. */
  onEvent?: (e: RegistrarEvent) => void;
}

export type RegistrarEvent =
  | { type: 'server' }
  | { type: 'client'; server: string }
  | { type: 'lost' }
  | { type: 'retry'; error: Error };

/** The host part of `name@host`; throws BadNodeName when there is none (Go: ErrIncorrect). */
export function hostOf(name: Atom | string): string {
  const s = typeof name === 'string' ? name : name.name;
  const parts = s.split('@');
  if (parts.length !== 2 || parts[1] === '') throw new ErgoNetError(ErgoNetCode.BadNodeName, `node name ${s} has no host part`);
  return parts[1]!;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class RegistrarClient {
  readonly port: number;
  readonly #o: RegistrarClientOptions;
  #server: RegistrarServer | undefined;
  #conn: Socket | undefined;
  #node: Atom | undefined;
  #routes: Route[] = [];
  #closed = false;

  constructor(o: RegistrarClientOptions = {}) {
    this.#o = o;
    this.port = o.port ?? Esrd.DEFAULT_PORT;
  }

  /** Our embedded server, when we are the host's registrar. */
  get server(): RegistrarServer | undefined {
    return this.#server;
  }

  /** True when registered (as the server, or with one). */
  get registered(): boolean {
    return this.#server !== undefined || this.#conn !== undefined;
  }

  /**
   * Register `node` with its routes (one per acceptor; Host empty means "the host part of the
   * name"). An empty list registers nothing (a hidden node) but still allows `resolve`.
   * Rejects with NameTaken when another node holds the name.
   */
  async register(node: Atom, routes: Route[]): Promise<void> {
    this.#node = node;
    this.#routes = routes;
    if (routes.length === 0) return;
    await this.#tryRegister();
  }

  async #tryRegister(): Promise<void> {
    const node = this.#node!;
    if (!this.#o.disableServer) {
      const srv = await RegistrarServer.tryStart({ port: this.port, host: this.#o.host, udpHost: this.#o.udpHost });
      if (srv) {
        if (this.#closed) {
          await srv.close();
          return;
        }
        this.#server = srv;
        srv.register(node, this.#routes);
        this.#o.onEvent?.({ type: 'server' });
        return;
      }
    }
    const s = await this.#dial();
    try {
      s.write(encodeRegistrarPacket(Esrd.REGISTER, new Registrar.MessageRegisterRoutes({ Node: node, Routes: this.#routes })));
      const reply = await readPacket(s, 1000);
      const m = decodeRegistrarPacket(reply, Esrd.REGISTER_REPLY);
      if (!(m instanceof Registrar.MessageRegisterReply)) throw new ErgoNetError(ErgoNetCode.BadRegistrarPacket, 'not a register reply');
      if (m.Error !== null) {
        const taken = m.Error.message === 'resource is taken';
        throw new ErgoNetError(taken ? ErgoNetCode.NameTaken : ErgoNetCode.BadRegistrarPacket, `registrar refused ${node.name}: ${m.Error.message}`);
      }
    } catch (e) {
      s.destroy();
      throw e;
    }
    if (this.#closed) {
      s.destroy();
      return;
    }
    this.#conn = s;
    s.setKeepAlive(true, Defaults.REGISTRAR_KEEPALIVE_MS);
    s.on('data', () => {});
    s.on('error', () => {});
    s.once('close', () => this.#lost(s));
    this.#o.onEvent?.({ type: 'client', server: `${s.remoteAddress}:${s.remotePort}` });
  }

  #dial(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect({ port: this.port, host: this.#o.host ?? '127.0.0.1' });
      s.once('connect', () => {
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e) => reject(new ErgoNetError(ErgoNetCode.RegistrarTimeout, `no registrar on port ${this.port}: ${e.message}`, { cause: e })));
    });
  }

  /** The registrar went away: serve or re-register until it works (ergo client.go serve). */
  #lost(s: Socket): void {
    if (this.#conn !== s || this.#closed) return;
    this.#conn = undefined;
    this.#o.onEvent?.({ type: 'lost' });
    void (async () => {
      while (!this.#closed && !this.registered) {
        try {
          await this.#tryRegister();
        } catch (e) {
          this.#o.onEvent?.({ type: 'retry', error: e as Error });
          await sleep(1000);
        }
      }
    })();
  }

  /** Routes of `name`: from our table when we serve its host, else by UDP from its host's registrar. */
  async resolve(name: Atom | string): Promise<Route[]> {
    const a = typeof name === 'string' ? Atom.of(name) : name;
    const host = hostOf(a);
    if (this.#server && this.#node && host === hostOf(this.#node)) {
      const r = this.#server.resolve(a);
      if (!r) throw new ErgoNetError(ErgoNetCode.NodeUnknown, `registrar does not know ${a.name}`);
      return r;
    }
    const address = this.#o.hostAddress?.(host) ?? host;
    const reply = await udpRequest(address, this.port, encodeRegistrarPacket(Esrd.RESOLVE, new Registrar.MessageResolveRoutes({ Node: a })), this.#o.resolveTimeout ?? Defaults.RESOLVE_TIMEOUT_MS);
    const m = decodeRegistrarPacket(reply, Esrd.RESOLVE_REPLY);
    if (!(m instanceof Registrar.MessageResolveReply)) throw new ErgoNetError(ErgoNetCode.BadRegistrarPacket, 'not a resolve reply');
    if (m.Error !== null) {
      throw new ErgoNetError(m.Error.message === 'unknown' ? ErgoNetCode.NodeUnknown : ErgoNetCode.BadRegistrarPacket, `registrar on ${host}: ${a.name}: ${m.Error.message}`);
    }
    return m.Routes ?? [];
  }

  /** Unregister (close the registration or stop serving) and stop failing over. */
  async close(): Promise<void> {
    this.#closed = true;
    const c = this.#conn;
    this.#conn = undefined;
    c?.end();
    c?.destroy();
    const srv = this.#server;
    this.#server = undefined;
    await srv?.close();
  }
}

/** One whole registrar packet from a TCP socket (waits for its declared length). */
function readPacket(s: Socket, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let settled = false;
    const done = (e?: Error, b?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.off('data', onData);
      s.off('close', onClose);
      if (e) reject(e);
      else resolve(b!);
    };
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readUInt16BE(2)) done(undefined, buf);
    };
    const onClose = (): void => done(new ErgoNetError(ErgoNetCode.BadRegistrarPacket, 'registrar closed the connection'));
    // Checked after the poll phase, so an answer that came in time while our event loop was
    // held up elsewhere is read before the timeout counts.
    const timer = setTimeout(() => setImmediate(() => done(new ErgoNetError(ErgoNetCode.RegistrarTimeout, 'registrar did not answer'))), timeoutMs);
    s.on('data', onData);
    s.on('close', onClose);
  });
}

/** One UDP request, one datagram back (ergo client.go Resolve). */
function udpRequest(host: string, port: number, packet: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const u = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    let settled = false;
    const done = (e?: Error, b?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      u.close();
      if (e) reject(e);
      else resolve(b!);
    };
    const timer = setTimeout(() => setImmediate(() => done(new ErgoNetError(ErgoNetCode.RegistrarTimeout, `no registrar answer from ${host}:${port}`))), timeoutMs);
    u.on('error', (e) => done(new ErgoNetError(ErgoNetCode.RegistrarTimeout, `registrar ${host}:${port}: ${e.message}`, { cause: e })));
    u.on('message', (m) => done(undefined, m));
    u.send(packet, port, host);
  });
}
