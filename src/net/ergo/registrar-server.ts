/**
 * The registrar ("ESRD" R1) packets and its embedded server (ergo net/registrar/server.go).
 *
 * Packets: `u8 1, u8 type, u16 length` + EDF without caches. The server takes registrations
 * over TCP on the host's loopback (a registration lives as long as its TCP connection) and
 * answers resolve requests over UDP. Go binds UDP on every interface so other hosts can
 * resolve; here the UDP address is an option (`udpHost`, default 127.0.0.1).
 */
import { Buffer } from 'node:buffer';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { decodeAt, encode, GoErr, Registrar, type Gen } from '../../codec/edf/index.js';
import { DecodeError } from '../../codec/errors.js';
import type { Atom } from '../../term/atom.js';
import { Esrd } from './constants.js';
import { ErgoNetCode, ErgoNetError } from './errors.js';

/** `gen.Route`: how to reach one acceptor of a node. */
export type Route = InstanceType<typeof Gen.Route>;

/** `01 type u16 len` + EDF(message) (ergo client.go / server.go). */
export function encodeRegistrarPacket(type: number, message: object): Uint8Array {
  const body = encode(message);
  if (body.length > 0xffff) throw new ErgoNetError(ErgoNetCode.BadRegistrarPacket, `registrar message of ${body.length} bytes`);
  const out = new Uint8Array(4 + body.length);
  out[0] = Esrd.VERSION;
  out[1] = type;
  out[2] = body.length >>> 8;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}

/** The message in a whole packet of `type`, checked as Go checks it; throws BadRegistrarPacket. */
export function decodeRegistrarPacket(b: Uint8Array, type: number): unknown {
  if (b.length < 4) throw new ErgoNetError(ErgoNetCode.BadRegistrarPacket, `registrar packet of ${b.length} bytes`);
  if (b[0] !== Esrd.VERSION) throw new ErgoNetError(ErgoNetCode.BadRegistrarPacket, `registrar version ${b[0]}`);
  if (b[1] !== type) throw new ErgoNetError(ErgoNetCode.BadRegistrarPacket, `registrar packet type ${b[1]}, expected ${type}`);
  const len = (b[2]! << 8) | b[3]!;
  if (4 + len > b.length) throw new ErgoNetError(ErgoNetCode.BadRegistrarPacket, 'registrar packet shorter than its length');
  try {
    return decodeAt(b, 4, undefined, 4 + len).value;
  } catch (e) {
    if (e instanceof DecodeError) throw new ErgoNetError(ErgoNetCode.BadRegistrarPacket, `registrar message: ${e.message}`, { cause: e });
    throw e;
  }
}

export interface RegistrarServerOptions {
  port: number;
  /** TCP (registration) address: this host only. Default 127.0.0.1 (Go: "localhost"). */
  host?: string;
  /** UDP (resolve) address. Default 127.0.0.1; Go uses every interface. */
  udpHost?: string;
}

function listenTcp(port: number, host: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen({ port, host, exclusive: true }, () => {
      s.removeAllListeners('error');
      s.on('error', () => {});
      resolve(s);
    });
  });
}

function bindUdp(port: number, host: string): Promise<UdpSocket | undefined> {
  return new Promise((resolve) => {
    const u = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    u.once('error', () => {
      u.close();
      resolve(undefined);
    });
    u.bind({ port, address: host, exclusive: true }, () => {
      u.removeAllListeners('error');
      u.on('error', () => {});
      resolve(u);
    });
  });
}

/** The embedded registrar server of one host. */
export class RegistrarServer {
  readonly #tcp: Server;
  readonly #udp: UdpSocket;
  readonly #routes = new Map<Atom, Route[]>();
  readonly #conns = new Set<Socket>();
  #closed = false;

  private constructor(tcp: Server, udp: UdpSocket) {
    this.#tcp = tcp;
    this.#udp = udp;
    tcp.on('connection', (s) => this.#serveConn(s));
    udp.on('message', (m, r) => this.#serveResolve(m, r.address, r.port));
  }

  /**
   * Become this host's registrar: bind TCP, then UDP (ergo tryStartServer). Undefined when
   * either is taken (another node serves), with nothing left bound.
   */
  static async tryStart(o: RegistrarServerOptions): Promise<RegistrarServer | undefined> {
    const tcp = await listenTcp(o.port, o.host ?? '127.0.0.1');
    if (!tcp) return undefined;
    const udp = await bindUdp(o.port, o.udpHost ?? '127.0.0.1');
    if (!udp) {
      await new Promise((r) => tcp.close(r));
      return undefined;
    }
    return new RegistrarServer(tcp, udp);
  }

  /** Add a node (our own, or one registering over TCP). `GoErr.Taken` if the name is in use. */
  register(name: Atom, routes: readonly Route[] | null, conn?: Socket): typeof GoErr.Taken | typeof GoErr.Incorrect | null {
    if (this.#routes.has(name)) return GoErr.Taken;
    if (!routes || routes.length === 0) return GoErr.Incorrect;
    this.#routes.set(name, [...routes]);
    if (conn) conn.once('close', () => this.#routes.delete(name));
    return null;
  }

  resolve(name: Atom): Route[] | undefined {
    return this.#routes.get(name);
  }

  /** Names registered now. */
  nodes(): Atom[] {
    return [...this.#routes.keys()];
  }

  #serveConn(s: Socket): void {
    this.#conns.add(s);
    s.on('error', () => {});
    s.on('close', () => this.#conns.delete(s));
    let buf: Uint8Array = new Uint8Array(0);
    let done = false;
    // ergo serveConn reads the whole Register packet with one read within 1 s; we allow it to
    // arrive in pieces (up to 4096 bytes) within the same second.
    // The check waits for the poll phase: bytes that arrived in time while our event loop was
    // held up elsewhere are read first (a late timer alone must not drop them).
    const timer = setTimeout(() => setImmediate(() => done || s.destroy()), 1000);
    s.on('data', (d: Uint8Array) => {
      if (done) return; // after registration the peer has nothing to say; Go logs and ignores it
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      if (buf.length < 4) return;
      const need = 4 + ((buf[2]! << 8) | buf[3]!);
      if (buf.length < need && buf.length < 4096) return;
      done = true;
      clearTimeout(timer);
      let m: unknown;
      try {
        m = decodeRegistrarPacket(buf, Esrd.REGISTER);
      } catch {
        s.end();
        return;
      }
      if (!(m instanceof Registrar.MessageRegisterRoutes)) {
        s.end();
        return;
      }
      const err = this.register(m.Node, m.Routes, s);
      s.write(encodeRegistrarPacket(Esrd.REGISTER_REPLY, new Registrar.MessageRegisterReply({ Error: err })));
      // A refused node is let go with FIN (a Go client treats only EOF as "registrar gone").
      if (err) s.end();
    });
  }

  #serveResolve(m: Uint8Array, address: string, port: number): void {
    if (this.#closed || m.length > 1024) return;
    let req: unknown;
    try {
      req = decodeRegistrarPacket(m, Esrd.RESOLVE);
    } catch {
      return;
    }
    if (!(req instanceof Registrar.MessageResolveRoutes)) return;
    const routes = this.#routes.get(req.Node);
    const reply = new Registrar.MessageResolveReply({ Routes: routes ?? null, Error: routes ? null : GoErr.Unknown });
    this.#udp.send(encodeRegistrarPacket(Esrd.RESOLVE_REPLY, reply), port, address);
  }

  /** Stop serving: close both sockets and end every registration (their nodes fail over). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#conns) {
      s.end();
      setTimeout(() => s.destroy(), 500).unref();
    }
    await Promise.all([new Promise((r) => this.#tcp.close(r)), new Promise<void>((r) => this.#udp.close(() => r()))]);
  }
}
