/**
 * EPMD client: ALIVE2 (register, keeping the socket open for the node's whole life and taking
 * the creation EPMD assigns), PORT_PLEASE2 and NAMES. One short-lived TCP connection per
 * lookup, as OTP's erl_epmd does.
 */
import { connect, type Socket } from 'node:net';
import { EpmdCode, EpmdError } from './errors.js';
import {
  decodeAlive2Resp,
  decodeNamesResp,
  decodePort2Resp,
  encodeAlive2Req,
  encodeNamesReq,
  encodePortPlease2Req,
  NodeType,
  type NodeEntry,
} from './epmd-proto.js';

/** The EPMD port: `ERL_EPMD_PORT` when set (as `erl` and `epmd` read it), else 4369. */
export function epmdPortFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const p = Number(env.ERL_EPMD_PORT);
  return Number.isInteger(p) && p > 0 && p < 65536 ? p : 4369;
}

export interface EpmdClientOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default `ERL_EPMD_PORT` or 4369. */
  port?: number;
  /** Per request, ms (default 5000). */
  timeout?: number;
}

export interface RegisterOptions {
  /** Alive part of the node name (before `@`). */
  name: string;
  /** Our distribution listen port. */
  port: number;
  /** Registers NodeType 72 instead of 77 (informational only). */
  hidden?: boolean;
  /** Protocol versions; we speak only 6. */
  highVersion?: number;
  lowVersion?: number;
}

/**
 * A live registration. The node stays registered while the socket is open; `close()` ends
 * it. `closed` resolves when the socket closes for any reason (undefined when we closed it).
 */
export class EpmdRegistration {
  readonly creation: number;
  /** True for ALIVE2_X_RESP (32-bit creation), false for the old ALIVE2_RESP. */
  readonly extended: boolean;
  readonly closed: Promise<EpmdError | undefined>;
  #socket: Socket;
  #byUs = false;

  constructor(socket: Socket, creation: number, extended: boolean) {
    this.#socket = socket;
    this.creation = creation;
    this.extended = extended;
    this.closed = new Promise((resolve) => {
      socket.once('close', () =>
        resolve(this.#byUs ? undefined : new EpmdError(EpmdCode.Closed, 'the EPMD registration socket closed')),
      );
    });
    // Anything EPMD sends on this socket is unexpected; it will close it itself.
    socket.on('data', () => {});
    socket.on('error', () => {});
  }

  close(): void {
    this.#byUs = true;
    this.#socket.destroy();
  }
}

export class EpmdClient {
  readonly host: string;
  readonly port: number;
  readonly timeout: number;

  constructor(opts: EpmdClientOptions = {}) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? epmdPortFromEnv();
    this.timeout = opts.timeout ?? 5000;
  }

  /** ALIVE2: resolves with the registration (and its creation); rejects with an EpmdError. */
  async register(opts: RegisterOptions): Promise<EpmdRegistration> {
    const entry: NodeEntry = {
      name: opts.name,
      port: opts.port,
      nodeType: opts.hidden ? NodeType.HIDDEN : NodeType.NORMAL,
      protocol: 0,
      highVersion: opts.highVersion ?? 6,
      lowVersion: opts.lowVersion ?? 6,
      extra: new Uint8Array(0),
    };
    const { socket, reply } = await this.#request(encodeAlive2Req(entry), decodeAlive2Resp);
    if (reply.result !== 0) {
      socket.destroy();
      throw new EpmdError(EpmdCode.Register, `EPMD refused to register "${opts.name}" (result ${reply.result}; name taken?)`);
    }
    if (reply.creation === 0) {
      socket.destroy();
      throw new EpmdError(EpmdCode.BadResponse, 'EPMD assigned creation 0');
    }
    return new EpmdRegistration(socket, reply.creation, reply.extended);
  }

  /** PORT_PLEASE2: the registered entry for `name` (the alive part); EpmdError NotFound if none. */
  async portPlease(name: string): Promise<NodeEntry> {
    const { socket, reply } = await this.#request(encodePortPlease2Req(name), decodePort2Resp);
    socket.destroy();
    if (reply.result !== 0 || !reply.entry) throw new EpmdError(EpmdCode.NotFound, `EPMD at ${this.host}:${this.port} knows no node "${name}"`);
    return reply.entry;
  }

  /** NAMES: EPMD's own port and every registered name with its port. */
  names(): Promise<{ epmdPort: number; names: { name: string; port: number }[] }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect({ host: this.host, port: this.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new EpmdError(EpmdCode.Timeout, 'NAMES timed out'));
      }, this.timeout);
      socket.on('connect', () => socket.write(encodeNamesReq()));
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', (e) => {
        clearTimeout(timer);
        reject(unreachable(this, e));
      });
      socket.on('end', () => {
        clearTimeout(timer);
        socket.destroy();
        try {
          resolve(decodeNamesResp(Buffer.concat(chunks)));
        } catch (e) {
          reject(new EpmdError(EpmdCode.BadResponse, 'bad NAMES reply', { cause: e }));
        }
      });
    });
  }

  #request<T>(req: Uint8Array, parse: (b: Uint8Array) => T | undefined): Promise<{ socket: Socket; reply: T }> {
    return new Promise((resolve, reject) => {
      let buf: Buffer = Buffer.alloc(0);
      let done = false;
      const socket = connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      const finish = (err: Error | undefined, reply?: T) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.removeListener('data', onData);
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve({ socket, reply: reply! });
      };
      const timer = setTimeout(() => finish(new EpmdError(EpmdCode.Timeout, `EPMD at ${this.host}:${this.port} did not answer`)), this.timeout);
      const onData = (d: Buffer) => {
        buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
        let r: T | undefined;
        try {
          r = parse(buf);
        } catch (e) {
          return finish(new EpmdError(EpmdCode.BadResponse, (e as Error).message, { cause: e }));
        }
        if (r !== undefined) finish(undefined, r);
      };
      socket.on('data', onData);
      socket.on('connect', () => socket.write(req));
      socket.on('error', (e) => finish(unreachable(this, e)));
      socket.on('close', () => finish(new EpmdError(EpmdCode.BadResponse, 'EPMD closed the connection without a reply')));
    });
  }
}

function unreachable(c: EpmdClient, e: Error): EpmdError {
  return new EpmdError(EpmdCode.Unreachable, `no EPMD at ${c.host}:${c.port} (${(e as NodeJS.ErrnoException).code ?? e.message})`, { cause: e });
}
