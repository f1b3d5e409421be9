/**
 * An embedded EPMD, started when none answers on the EPMD port (as Ergo does), so BEAM nodes
 * started later register with us and resolve through us. Follows epmd_srv.c: requests framed
 * by a 2-byte length and read however the bytes arrive; ALIVE2 keeps its socket and the name
 * is unregistered when that socket closes; duplicate names refused with result 1; creations
 * 32-bit (ALIVE2_X_RESP) for registrants of version 6, else 1..3 (ALIVE2_RESP); only local
 * peers may register; PORT_PLEASE2, NAMES and DUMP answered, then the socket closed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  decodeAlive2Req,
  encodeAlive2Resp,
  encodeNamesResp,
  encodePort2Resp,
  EpmdOp,
  takeRequest,
  type NodeEntry,
} from './epmd-proto.js';

export interface EpmdServerOptions {
  /** Interface to bind (default 127.0.0.1: never all interfaces unless asked). */
  host?: string;
  port: number;
}

interface Registered extends NodeEntry {
  socket: Socket | undefined;
  creation: number;
}

// epmd_srv.c INBUF_SIZE bounds a request; ours is as generous (names are ≤ 255 chars).
const MAX_REQUEST = 1024;

export class EpmdServer {
  readonly host: string;
  #port: number;
  #server: Server;
  #nodes = new Map<string, Registered>();
  #sockets = new Set<Socket>();
  // One counter for every registration, starting at the Unix time as epmd does, so a name that
  // registers again never gets the creation it had.
  #counter = Math.floor(Date.now() / 1000) >>> 0;

  private constructor(host: string, port: number, server: Server) {
    this.host = host;
    this.#port = port;
    this.#server = server;
  }

  /** Listen; rejects (EADDRINUSE, …) when the port is taken. */
  static start(opts: EpmdServerOptions): Promise<EpmdServer> {
    const host = opts.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const server = createServer();
      const me = new EpmdServer(host, opts.port, server);
      server.on('connection', (s) => me.#accept(s));
      server.once('error', reject);
      server.listen({ host, port: opts.port, exclusive: true }, () => {
        server.removeListener('error', reject);
        server.on('error', () => {});
        me.#port = (server.address() as { port: number }).port;
        resolve(me);
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  /** Names registered right now. */
  names(): NodeEntry[] {
    return [...this.#nodes.values()];
  }

  /** The registration of `name` with the creation it was given. */
  lookup(name: string): (NodeEntry & { creation: number }) | undefined {
    const r = this.#nodes.get(name);
    if (!r) return undefined;
    const { socket: _s, ...entry } = r;
    return entry;
  }

  /**
   * Register a node living in this process without a socket (our own node). Returns the
   * creation, or undefined if the name is taken. `unregister` ends it.
   */
  registerLocal(entry: NodeEntry): { creation: number; unregister(): void } | undefined {
    if (this.#nodes.has(entry.name)) return undefined;
    const r: Registered = { ...entry, socket: undefined, creation: this.#nextCreation(entry.highVersion) };
    this.#nodes.set(entry.name, r);
    return { creation: r.creation, unregister: () => this.#nodes.get(entry.name) === r && this.#nodes.delete(entry.name) };
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#nodes.clear();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #nextCreation(highVersion: number): number {
    this.#counter = (this.#counter + 1) >>> 0;
    if (this.#counter < 4) this.#counter = 4;
    return highVersion >= 6 ? this.#counter : (this.#counter % 3) + 1;
  }

  #accept(s: Socket): void {
    this.#sockets.add(s);
    s.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let registered: Registered | undefined;
    const local = isLoopback(s.remoteAddress);
    s.on('error', () => {});
    s.on('close', () => {
      this.#sockets.delete(s);
      if (registered && this.#nodes.get(registered.name) === registered) this.#nodes.delete(registered.name);
    });
    s.on('data', (d: Buffer) => {
      if (registered) {
        // epmd_srv.c: anything more on an ALIVE socket unregisters the node.
        s.destroy();
        return;
      }
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      if (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (n < 1 || n >= MAX_REQUEST || buf.length > n + 2) {
          s.destroy();
          return;
        }
      }
      const req = takeRequest(buf);
      if (!req) return;
      buf = Buffer.alloc(0);
      registered = this.#request(s, req.body, local);
    });
  }

  #request(s: Socket, body: Uint8Array, local: boolean): Registered | undefined {
    switch (body[0]) {
      case EpmdOp.ALIVE2_REQ: {
        if (!local) break;
        let e: NodeEntry;
        try {
          e = decodeAlive2Req(body);
        } catch {
          break;
        }
        const extended = e.highVersion >= 6;
        if (this.#nodes.has(e.name)) {
          s.end(encodeAlive2Resp(1, 99, extended));
          return undefined;
        }
        const r: Registered = { ...e, socket: s, creation: this.#nextCreation(e.highVersion) };
        this.#nodes.set(e.name, r);
        s.write(encodeAlive2Resp(0, r.creation, extended));
        return r;
      }
      case EpmdOp.PORT_PLEASE2_REQ: {
        let end = body.length;
        if (body[end - 1] === 0) end--;
        const name = Buffer.from(body.subarray(1, end)).toString('utf8');
        s.end(encodePort2Resp(this.#nodes.get(name)));
        return undefined;
      }
      case EpmdOp.NAMES_REQ:
        s.end(encodeNamesResp(this.#port, this.#nodes.values()));
        return undefined;
      case EpmdOp.DUMP_REQ:
        if (local) s.end(encodeNamesResp(this.#port, this.#nodes.values(), true));
        else break;
        return undefined;
      case EpmdOp.KILL_REQ:
        // An embedded EPMD lives as long as its node: refuse, as epmd does while nodes live.
        s.end('NO');
        return undefined;
      default:
        break;
    }
    s.destroy();
    return undefined;
  }
}

function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  return addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.');
}
