/**
 * Inbound ENP into the node: the {@link ErgoInbound} the stack's network calls, answered by
 * the node's {@link NodeInbound} (proto-spec/runtime-semantics.md §6, ergo-network.md §11).
 *
 * - Delivery codes 1–3 are Ergo's important-delivery answers as they are; `Backlog` pauses
 *   reading the link the frame came on until the target drains (`NodeInbound.drained`).
 * - Ergo links are one-way on the wire: every inbound Link is a one-way link.
 * - Ergo names a monitor by (source, target) only; the node files it under a reference we
 *   make here, and a Demonitor finds it again by the pair.
 * - Remote spawn and application start go through the node's allow-list; a request naming a
 *   parent (or core pid) on another node than the peer is refused: the allow-list is per
 *   requesting node, and the requester is the connection's peer.
 */
import { EdfError, GoErr } from '../../codec/edf/index.js';
import {
  Delivery,
  ErrCode,
  MessageEvent,
  RuntimeError,
  reasonFromGoError,
  reasonToGoError,
  type ApplicationStartMode,
  type NodeInbound,
  type Priority as NodePriority,
  type SpawnRequest,
} from '../../gen/index.js';
import type { Atom } from '../../term/atom.js';
import { Pid, Ref, type Alias } from '../../term/ids.js';
import type { Event, ProcessID } from '../../term/names.js';
import type { ErgoConnection } from './connection.js';
import { DeliveryErr } from './errors.js';
import type { ApplicationStartOptions, Delivery as ErgoDelivery, ErgoInbound, EventMessage, LocalTarget, SpawnOptions } from './inbound.js';
import type { ErgoNodeConnection } from './node-connection.js';

const PRIORITY: readonly NodePriority[] = ['normal', 'high', 'max', 'max'];
/** Delivery code → what the peer hears (undefined: delivered). */
const ANSWER: readonly (EdfError | undefined)[] = [undefined, DeliveryErr.ProcessUnknown, DeliveryErr.MailboxFull, DeliveryErr.ProcessTerminated, GoErr.NotAllowed, undefined];
const MODES: readonly (ApplicationStartMode | undefined)[] = [undefined, 'temporary', 'transient', 'permanent'];
const UNKNOWN_EVENT = new EdfError('unknown event');
const UNKNOWN_ALIAS = new EdfError('unknown alias');
const TARGET_EXIST = new EdfError('target is already exist');
// Go's texts for these (gen/errors.go), so a Go requester sees its own error.
const APP_STATE = new EdfError('application is in running/stopping state');
const APP_DEPENDS = new EdfError('dependency fail');
const NODE_TERMINATED = new EdfError('node terminated');

function unknown(t: LocalTarget): EdfError {
  return t instanceof Pid ? GoErr.ProcessUnknown : t instanceof Ref ? UNKNOWN_ALIAS : GoErr.ProcessUnknown;
}

function record(m: Map<unknown, unknown> | null | undefined): Record<string, unknown> | undefined {
  if (m === null || m === undefined || m.size === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of m) out[String(k)] = v;
  return out;
}

/** A node-side failure as the Go error a requester expects. */
function goErrorOf(e: unknown): EdfError {
  if (e instanceof RuntimeError) {
    switch (e.code) {
      case ErrCode.NotAllowed:
        return GoErr.NotAllowed;
      case ErrCode.Taken:
        return GoErr.Taken;
      case ErrCode.ApplicationUnknown:
        return GoErr.ApplicationUnknown;
      case ErrCode.NameUnknown:
        return GoErr.NameUnknown;
      case ErrCode.InitFailed:
        return reasonToGoError(e.reason);
      case ErrCode.Incorrect:
        return GoErr.Incorrect;
      case ErrCode.ProcessUnknown:
        return GoErr.ProcessUnknown;
      case ErrCode.Timeout:
        return GoErr.Timeout;
      case ErrCode.Unsupported:
        return GoErr.Unsupported;
      case ErrCode.ApplicationState:
        return APP_STATE;
      case ErrCode.ApplicationDepends:
        return APP_DEPENDS;
      case ErrCode.NodeTerminated:
        return NODE_TERMINATED;
    }
    return new EdfError(e.message);
  }
  return new EdfError(e instanceof Error ? e.message : String(e));
}

export class NodeBridge implements ErgoInbound {
  readonly #inbound: NodeInbound;
  readonly #makeRef: (conn: ErgoConnection) => Ref;
  /** The stack's hooks for connections coming and going. */
  connected: (conn: ErgoConnection) => void = () => {};
  disconnected: (conn: ErgoConnection) => void = () => {};
  /** The node's view of a connection (made on first use: frames may arrive before `connected`). */
  owner: (conn: ErgoConnection) => ErgoNodeConnection = (conn) => conn.owner as ErgoNodeConnection;

  constructor(inbound: NodeInbound, makeRef: (conn: ErgoConnection) => Ref) {
    this.#inbound = inbound;
    this.#makeRef = makeRef;
  }

  #owner(conn: ErgoConnection): ErgoNodeConnection {
    return (conn.owner as ErgoNodeConnection | undefined) ?? this.owner(conn);
  }

  // ------------------------------------------------------------------ hot path

  send(from: Pid, to: LocalTarget, message: unknown, priority: number, conn: ErgoConnection): ErgoDelivery {
    const d = this.#inbound.deliver(from, to, message, PRIORITY[priority]!);
    if (d === Delivery.Ok) return undefined;
    if (d === Delivery.Backlog) conn.pauseReading(this.#inbound.drained(to));
    return ANSWER[d];
  }

  call(from: Pid, to: LocalTarget, ref: Ref, message: unknown, priority: number, conn: ErgoConnection): ErgoDelivery {
    const d = this.#inbound.deliverCall(from, to, ref, message, PRIORITY[priority]!);
    if (d === Delivery.Ok) return undefined;
    if (d === Delivery.Backlog) conn.pauseReading(this.#inbound.drained(to));
    return ANSWER[d];
  }

  response(_from: Pid, _to: Pid, ref: Ref, value: unknown): void {
    this.#inbound.deliverResponse(ref, value);
  }

  responseError(_from: Pid, _to: Pid, ref: Ref, error: EdfError): void {
    this.#inbound.deliverResponse(ref, undefined, reasonFromGoError(error));
  }

  event(from: Pid, event: Event, timestamp: bigint, message: unknown): void {
    this.#inbound.deliverEvent(from, MessageEvent.fromNanos(event, timestamp, message));
  }

  exit(from: Pid, to: Pid, reason: EdfError): void {
    this.#inbound.exit(from, to, reasonFromGoError(reason));
  }

  terminate(target: Pid | ProcessID | Alias | Event, reason: EdfError): void {
    this.#inbound.terminated(target, reasonFromGoError(reason));
  }

  // ------------------------------------------------------------------ relations (199)

  link(source: Pid, target: LocalTarget): EdfError | null {
    return this.#inbound.link(source, target, 'one-way') === Delivery.Unknown ? unknown(target) : null;
  }

  unlink(source: Pid, target: LocalTarget): null {
    this.#inbound.unlink(source, target, 'one-way');
    return null;
  }

  monitor(source: Pid, target: LocalTarget, conn: ErgoConnection): EdfError | null {
    const owner = this.#owner(conn);
    const ref = owner.monitorRef(source, target, () => this.#makeRef(conn));
    if (ref === undefined) return TARGET_EXIST;
    if (this.#inbound.monitor(source, target, ref) !== Delivery.Unknown) return null;
    owner.takeMonitorRef(source, target);
    return unknown(target);
  }

  demonitor(source: Pid, target: LocalTarget, conn: ErgoConnection): null {
    const ref = this.#owner(conn).takeMonitorRef(source, target);
    if (ref !== undefined) this.#inbound.demonitor(source, target, ref);
    return null;
  }

  linkEvent(source: Pid, target: Atom): readonly EventMessage[] | EdfError {
    const r = this.#inbound.subscribe(source, target, 'link', undefined);
    return r === Delivery.Unknown ? UNKNOWN_EVENT : (r as unknown as EventMessage[]);
  }

  unlinkEvent(source: Pid, target: Atom): null {
    this.#inbound.unsubscribe(source, target, 'link', undefined);
    return null;
  }

  monitorEvent(source: Pid, target: Atom): readonly EventMessage[] | EdfError {
    const r = this.#inbound.subscribe(source, target, 'monitor', undefined);
    return r === Delivery.Unknown ? UNKNOWN_EVENT : (r as unknown as EventMessage[]);
  }

  demonitorEvent(source: Pid, target: Atom): null {
    this.#inbound.unsubscribe(source, target, 'monitor', undefined);
    return null;
  }

  // ------------------------------------------------------------------ spawn and applications

  async spawn(name: Atom, o: SpawnOptions, conn: ErgoConnection): Promise<Pid | EdfError> {
    const parent = o.ParentPID;
    if (parent.node !== conn.peer) return GoErr.NotAllowed;
    // Go's LinkParent (the child dies with its parent) is carried as a two-way link; LinkChild
    // (the parent hears of the child's end) as the parent's one-way link to the child.
    const linkParent = o.ProcessOptions?.LinkParent === true;
    const req: SpawnRequest = {
      name,
      args: o.Args ?? [],
      parent,
      leader: o.ParentLeader.id === 0 && o.ParentLeader.serial === 0 ? parent : o.ParentLeader,
      register: o.Register.name === '' ? undefined : o.Register,
      link: linkParent,
      env: record(o.ParentEnv as Map<unknown, unknown> | null),
    };
    let pid: Pid;
    try {
      pid = await this.#inbound.spawn(req);
    } catch (e) {
      return goErrorOf(e);
    }
    if (linkParent) this.#owner(conn).link(pid, parent, 'two-way');
    if (o.ProcessOptions?.LinkChild === true && !linkParent) this.#inbound.link(parent, pid, 'one-way');
    return pid;
  }

  async applicationStart(name: Atom, mode: number, o: ApplicationStartOptions, conn: ErgoConnection): Promise<EdfError | null> {
    const from = o.CorePID;
    if (from.node !== conn.peer) return GoErr.NotAllowed;
    try {
      await this.#inbound.applicationStart(from, name, MODES[mode], record(o.ApplicationOptions?.Env as Map<unknown, unknown> | null));
      return null;
    } catch (e) {
      return goErrorOf(e);
    }
  }

  // ------------------------------------------------------------------ connection events

  drain(conn: ErgoConnection): void {
    this.#inbound.writable(conn.peer);
  }
}
