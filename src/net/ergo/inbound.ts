/**
 * What an Ergo connection hands to the node: one callback per kind of inbound traffic, plain
 * typed arguments, errors as values. The node implements this once; the connection calls it
 * synchronously, in the order frames arrived on each link, and answers the peer with what it
 * returns (acknowledgements, MessageResult replies).
 *
 * Identities: `from` pids carry the peer's node and creation; local targets arrive as a
 * {@link Pid} / {@link Alias} of this node, or as the bare registered name ({@link Atom}).
 * Exit and termination reasons are EDF errors; the framework's (`normal`, `shutdown`, `kill`,
 * …) are the `GoErr` singletons when the peer sent them by ErrCache id, as Go does.
 */
import type { EdfError, Gen } from '../../codec/edf/index.js';
import type { Atom } from '../../term/atom.js';
import type { Alias, Pid, Ref } from '../../term/ids.js';
import type { Event, ProcessID } from '../../term/names.js';
import type { Priority } from './constants.js';
import type { ErgoConnection } from './connection.js';
import type { ErgoNetError } from './errors.js';

/** `undefined`: delivered. Otherwise why not: `DeliveryErr.*` (codes 1–3 on the wire) or any error. */
export type Delivery = EdfError | undefined;

/** `gen.MessageEvent`: an event as a subscriber receives it (Event, Timestamp ns, Message). */
export type EventMessage = InstanceType<typeof Gen.MessageEvent>;
/** `gen.ProcessOptionsExtra`, as a remote spawn request carries it. */
export type SpawnOptions = InstanceType<typeof Gen.ProcessOptionsExtra>;
/** `gen.ApplicationOptionsExtra`, as a remote application start carries it. */
export type ApplicationStartOptions = InstanceType<typeof Gen.ApplicationOptionsExtra>;

export type MaybePromise<T> = T | Promise<T>;

/** A local thing a remote process links to or monitors. */
export type LocalTarget = Pid | Atom | Alias;

export interface ErgoInbound {
  /** An async message (101–104). For an important one the return value is acknowledged to the sender. */
  send(from: Pid, to: LocalTarget, message: unknown, priority: Priority, conn: ErgoConnection): Delivery;
  /**
   * A request (121–124). Answer later with `conn.sendResponse` / `sendResponseError` using
   * `ref`. A returned error means it was not delivered: an important caller hears it at once.
   */
  call(from: Pid, to: LocalTarget, ref: Ref, message: unknown, priority: Priority, conn: ErgoConnection): Delivery;
  /** The answer to a call a local process made (129). */
  response(from: Pid, to: Pid, ref: Ref, value: unknown, conn: ErgoConnection): void;
  /**
   * A failed call (130): the callee's error, or the peer could not deliver the request
   * (`DeliveryErr.ProcessUnknown` …; `from` has id 0 then). `null` never reaches here.
   */
  responseError(from: Pid, to: Pid, ref: Ref, error: EdfError, conn: ErgoConnection): void;
  /** An event published by a peer process (105/106), for the local subscribers of `event`. */
  event(from: Pid, event: Event, timestamp: bigint, message: unknown, priority: Priority, conn: ErgoConnection): void;
  /** An exit signal to a local process (107). */
  exit(from: Pid, to: Pid, reason: EdfError, conn: ErgoConnection): void;
  /** A peer target local processes link to or monitor is gone (181–186). */
  terminate(target: Pid | ProcessID | Alias | Event, reason: EdfError, conn: ErgoConnection): void;

  /** A peer process links to / unlinks from / monitors / demonitors a local target (199). `null`: done. */
  link(source: Pid, target: LocalTarget, conn: ErgoConnection): MaybePromise<EdfError | null>;
  unlink(source: Pid, target: LocalTarget, conn: ErgoConnection): MaybePromise<EdfError | null>;
  monitor(source: Pid, target: LocalTarget, conn: ErgoConnection): MaybePromise<EdfError | null>;
  demonitor(source: Pid, target: LocalTarget, conn: ErgoConnection): MaybePromise<EdfError | null>;
  /** Subscriptions to a local event: the buffered last messages, or why not. */
  linkEvent(source: Pid, target: Atom, conn: ErgoConnection): MaybePromise<readonly EventMessage[] | EdfError>;
  unlinkEvent(source: Pid, target: Atom, conn: ErgoConnection): MaybePromise<EdfError | null>;
  monitorEvent(source: Pid, target: Atom, conn: ErgoConnection): MaybePromise<readonly EventMessage[] | EdfError>;
  demonitorEvent(source: Pid, target: Atom, conn: ErgoConnection): MaybePromise<EdfError | null>;
  /**
   * Spawn `name` (a factory this node exposes, as Go's `EnableSpawn`) for the peer. Return the
   * new pid, or an error (`GoErr.NameUnknown`, `GoErr.NotAllowed`, …).
   */
  spawn(name: Atom, options: SpawnOptions, conn: ErgoConnection): MaybePromise<Pid | EdfError>;
  /** Start application `name` for the peer (`mode`: 0 as specified, 1 temporary, 2 transient, 3 permanent). */
  applicationStart(name: Atom, mode: number, options: ApplicationStartOptions, conn: ErgoConnection): MaybePromise<EdfError | null>;

  /** The connection is up (handshake done; on the dialer side, the pool joined). */
  connected?(conn: ErgoConnection): void;
  /** The connection is gone (its last link closed, or terminated). Pending requests have failed. */
  disconnected?(conn: ErgoConnection, reason: ErgoNetError | undefined): void;
  /** A link was closed for a fault (malformed frame, socket error), or a frame was dropped. */
  linkError?(conn: ErgoConnection, err: ErgoNetError): void;
  /** Every link's queue is below its limit again after a `Busy`. */
  drain?(conn: ErgoConnection): void;
}
