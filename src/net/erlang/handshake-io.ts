/**
 * Packet I/O for the handshake: reads whole handshake messages (2-byte length prefix on
 * plain TCP, 4-byte over TLS as inet_tls_dist does) from a socket, writes them with the same
 * prefix, and hands back whatever arrived after the last handshake message so the connection
 * can start from it.
 */
import type { Duplex } from 'node:stream';
import { HandshakeCode, HandshakeError } from './errors.js';

export class HandshakeIO {
  readonly socket: Duplex;
  readonly lengthBytes: 2 | 4;
  #buf: Buffer = Buffer.alloc(0);
  #waiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void; step: string } | undefined;
  #failure: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timeout: number;
  #peer: string | undefined;
  readonly #onData = (d: Buffer) => {
    this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
    this.#pump();
  };
  readonly #onClose = () => this.#fail(new HandshakeError(HandshakeCode.Closed, this.#waiter?.step ?? 'handshake', 'the peer closed the connection', { peer: this.#peer }));
  readonly #onError = (e: Error) => this.#fail(new HandshakeError(HandshakeCode.Closed, this.#waiter?.step ?? 'handshake', `socket error: ${e.message}`, { cause: e, peer: this.#peer }));

  constructor(socket: Duplex, lengthBytes: 2 | 4, timeout: number) {
    this.socket = socket;
    this.lengthBytes = lengthBytes;
    this.#timeout = timeout;
    socket.on('data', this.#onData);
    socket.on('close', this.#onClose);
    socket.on('end', this.#onClose);
    socket.on('error', this.#onError);
    this.#arm('handshake');
  }

  set peer(name: string | undefined) {
    this.#peer = name;
  }

  /** The next whole message. Every message restarts the setup timer (OTP dist_util: reset_timer). */
  read(step: string): Promise<Buffer> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject, step };
      this.#pump();
    });
  }

  write(body: Uint8Array): void {
    const head = Buffer.allocUnsafe(this.lengthBytes);
    if (this.lengthBytes === 2) head.writeUInt16BE(body.length, 0);
    else head.writeUInt32BE(body.length, 0);
    this.socket.write(Buffer.concat([head, body]));
  }

  /** Stop reading: returns the bytes received past the last message and detaches. */
  detach(): Buffer {
    this.#disarm();
    this.socket.removeListener('data', this.#onData);
    this.socket.removeListener('close', this.#onClose);
    this.socket.removeListener('end', this.#onClose);
    this.socket.removeListener('error', this.#onError);
    const rest = this.#buf;
    this.#buf = Buffer.alloc(0);
    return rest;
  }

  /** Fail the handshake and destroy the socket. */
  abort(e: Error): void {
    this.#fail(e);
  }

  #arm(step: string): void {
    this.#disarm();
    this.#timer = setTimeout(
      () => this.#fail(new HandshakeError(HandshakeCode.Timeout, this.#waiter?.step ?? step, `no handshake message within ${this.#timeout} ms`, { peer: this.#peer })),
      this.#timeout,
    );
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #pump(): void {
    const w = this.#waiter;
    if (!w) return;
    const b = this.#buf;
    const lb = this.lengthBytes;
    if (b.length < lb) return;
    const n = lb === 2 ? b.readUInt16BE(0) : b.readUInt32BE(0);
    // A handshake message is small; anything bigger is not a distribution peer.
    if (n > 65535) {
      this.#fail(new HandshakeError(HandshakeCode.BadMessage, w.step, `handshake message of ${n} bytes`, { peer: this.#peer }));
      return;
    }
    if (b.length < lb + n) return;
    const msg = b.subarray(lb, lb + n);
    this.#buf = b.subarray(lb + n);
    this.#waiter = undefined;
    this.#arm(w.step);
    w.resolve(msg);
  }

  #fail(e: Error): void {
    if (this.#failure) return;
    this.#failure = e;
    this.#disarm();
    const w = this.#waiter;
    this.#waiter = undefined;
    this.socket.destroy();
    w?.reject(e);
  }
}
