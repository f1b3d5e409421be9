/**
 * Test helpers for the Ergo stack: an inbound handler that records everything it gets and
 * answers like a small node would (known pids / names / aliases deliver, others are unknown),
 * free ports, and waiting for conditions.
 */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { EdfError, Gen, GoErr } from '../../../src/codec/edf/index.js';
import type { Atom } from '../../../src/term/atom.js';
import { Pid, type Alias, type Ref } from '../../../src/term/ids.js';
import type { Event, ProcessID } from '../../../src/term/names.js';
import type { ErgoConnection } from '../../../src/net/ergo/connection.js';
import { DeliveryErr, type ErgoNetError } from '../../../src/net/ergo/errors.js';
import type { ApplicationStartOptions, Delivery, ErgoInbound, EventMessage, LocalTarget, SpawnOptions } from '../../../src/net/ergo/inbound.js';

export type Rec =
  | { op: 'send'; from: Pid; to: LocalTarget; message: unknown; priority: number }
  | { op: 'call'; from: Pid; to: LocalTarget; ref: Ref; message: unknown; priority: number }
  | { op: 'response'; from: Pid; to: Pid; ref: Ref; value: unknown }
  | { op: 'responseError'; from: Pid; to: Pid; ref: Ref; error: EdfError }
  | { op: 'event'; from: Pid; event: Event; timestamp: bigint; message: unknown }
  | { op: 'exit'; from: Pid; to: Pid; reason: EdfError }
  | { op: 'terminate'; target: Pid | ProcessID | Alias | Event; reason: EdfError }
  | { op: 'link' | 'unlink' | 'monitor' | 'demonitor'; source: Pid; target: LocalTarget }
  | { op: 'linkEvent' | 'unlinkEvent' | 'monitorEvent' | 'demonitorEvent'; source: Pid; target: Atom }
  | { op: 'spawn'; name: Atom; options: SpawnOptions }
  | { op: 'applicationStart'; name: Atom; mode: number; options: ApplicationStartOptions }
  | { op: 'connected' | 'disconnected'; peer: Atom; reason?: ErgoNetError }
  | { op: 'linkError'; error: ErgoNetError };

/** Records inbound traffic; `known` decides which targets exist; calls are echoed back. */
export class Recorder implements ErgoInbound {
  readonly log: Rec[] = [];
  readonly #waiters: { pred: (r: Rec) => boolean; resolve: (r: Rec) => void }[] = [];
  /** Local targets that exist (pids compare by id, names/aliases by identity). */
  known: (t: LocalTarget) => boolean = () => true;
  /** Answer calls with the request (set false to answer nothing). */
  echo = true;
  events: EventMessage[] = [];
  spawned: (name: Atom) => Pid | EdfError = () => GoErr.NameUnknown;
  started: (name: Atom) => EdfError | null = () => GoErr.ApplicationUnknown;
  drain?: (conn: ErgoConnection) => void;

  #push(r: Rec): void {
    this.log.push(r);
    for (let i = 0; i < this.#waiters.length; i++) {
      const w = this.#waiters[i]!;
      if (w.pred(r)) {
        this.#waiters.splice(i--, 1);
        w.resolve(r);
      }
    }
  }

  /** The first record (past or future) matching `pred`. */
  wait<R extends Rec>(pred: (r: Rec) => r is R, ms?: number): Promise<R>;
  wait(pred: (r: Rec) => boolean, ms?: number): Promise<Rec>;
  wait<R extends Rec = Rec>(pred: (r: Rec) => boolean, ms = 10_000): Promise<R> {
    const have = this.log.find(pred);
    if (have) return Promise.resolve(have as R);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for an inbound record')), ms);
      this.#waiters.push({
        pred,
        resolve: (r) => {
          clearTimeout(t);
          resolve(r as R);
        },
      });
    });
  }

  ops(op: Rec['op']): Rec[] {
    return this.log.filter((r) => r.op === op);
  }

  send(from: Pid, to: LocalTarget, message: unknown, priority: number): Delivery {
    this.#push({ op: 'send', from, to, message, priority });
    return this.known(to) ? undefined : DeliveryErr.ProcessUnknown;
  }
  call(from: Pid, to: LocalTarget, ref: Ref, message: unknown, priority: number, conn: ErgoConnection): Delivery {
    this.#push({ op: 'call', from, to, ref, message, priority });
    if (!this.known(to)) return DeliveryErr.ProcessUnknown;
    if (this.echo) {
      const me = to instanceof Pid ? to : new Pid(conn.local.name, 1000, 0, conn.local.creation);
      if (message === 'fail') conn.sendResponseError(me, from, ref, new EdfError('custom failure'));
      else conn.sendResponse(me, from, ref, message);
    }
    return undefined;
  }
  response(from: Pid, to: Pid, ref: Ref, value: unknown): void {
    this.#push({ op: 'response', from, to, ref, value });
  }
  responseError(from: Pid, to: Pid, ref: Ref, error: EdfError): void {
    this.#push({ op: 'responseError', from, to, ref, error });
  }
  event(from: Pid, event: Event, timestamp: bigint, message: unknown): void {
    this.#push({ op: 'event', from, event, timestamp, message });
  }
  exit(from: Pid, to: Pid, reason: EdfError): void {
    this.#push({ op: 'exit', from, to, reason });
  }
  terminate(target: Pid | ProcessID | Alias | Event, reason: EdfError): void {
    this.#push({ op: 'terminate', target, reason });
  }
  link(source: Pid, target: LocalTarget): EdfError | null | Promise<EdfError | null> {
    this.#push({ op: 'link', source, target });
    return this.known(target) ? null : GoErr.ProcessUnknown;
  }
  unlink(source: Pid, target: LocalTarget): EdfError | null {
    this.#push({ op: 'unlink', source, target });
    return null;
  }
  monitor(source: Pid, target: LocalTarget): EdfError | null {
    this.#push({ op: 'monitor', source, target });
    return this.known(target) ? null : GoErr.ProcessUnknown;
  }
  demonitor(source: Pid, target: LocalTarget): EdfError | null {
    this.#push({ op: 'demonitor', source, target });
    return null;
  }
  linkEvent(source: Pid, target: Atom): readonly EventMessage[] | EdfError {
    this.#push({ op: 'linkEvent', source, target });
    return target.name === 'nosuch' ? new EdfError('unknown event') : this.events;
  }
  unlinkEvent(source: Pid, target: Atom): EdfError | null {
    this.#push({ op: 'unlinkEvent', source, target });
    return null;
  }
  monitorEvent(source: Pid, target: Atom): readonly EventMessage[] | EdfError {
    this.#push({ op: 'monitorEvent', source, target });
    return target.name === 'nosuch' ? new EdfError('unknown event') : this.events;
  }
  demonitorEvent(source: Pid, target: Atom): EdfError | null {
    this.#push({ op: 'demonitorEvent', source, target });
    return null;
  }
  spawn(name: Atom, options: SpawnOptions): Pid | EdfError {
    this.#push({ op: 'spawn', name, options });
    return this.spawned(name);
  }
  applicationStart(name: Atom, mode: number, options: ApplicationStartOptions): EdfError | null {
    this.#push({ op: 'applicationStart', name, mode, options });
    return this.started(name);
  }
  connected(conn: ErgoConnection): void {
    this.#push({ op: 'connected', peer: conn.peer });
  }
  disconnected(conn: ErgoConnection, reason: ErgoNetError | undefined): void {
    this.#push({ op: 'disconnected', peer: conn.peer, reason });
  }
  linkError(_conn: ErgoConnection, error: ErgoNetError): void {
    this.#push({ op: 'linkError', error });
  }
}

/** A gen.MessageEvent value for event replies. */
export function eventMessage(ev: Event, ts: bigint, message: unknown): EventMessage {
  return new Gen.MessageEvent({ Event: ev, Timestamp: ts, Message: message });
}

/** A free TCP port on 127.0.0.1 (also free for UDP when `udp`). */
export async function freePort(udp = false): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (!udp) return port;
    const ok = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
