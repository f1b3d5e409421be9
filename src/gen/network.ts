/**
 * The contract between the runtime (src/node) and a network stack (src/net). The node calls a
 * {@link NetworkRouter} for every operation on a target whose node is not itself; the router
 * calls back through the {@link NodeInbound} it was attached with for everything that arrives.
 * Until a router is installed, remote operations fail with `ERR_NO_CONNECTION`.
 *
 * Signals are fire-and-forget, as in Erlang: a failure to deliver surfaces later as an EXIT or
 * DOWN with reason `noconnection`, delivered through {@link NodeInbound.nodeDown}.
 */
import type { Alias, Atom, Pid, Ref, Term } from '../term/index.js';
import type { Event, MessageEvent, ProcessID } from './messages.js';

/** A remote thing a process can send to, call, link or monitor. */
export type RemoteTarget = Pid | ProcessID | Alias;

/** Message priorities (Ergo: normal → main queue, high → system, max → urgent). */
export type Priority = 'normal' | 'high' | 'max';

export interface RemoteSendOptions {
  priority: Priority;
  /** Ask the peer to confirm delivery; the returned promise rejects if the target is unknown. */
  important: boolean;
}

/** What kind of link: Erlang's two-way link, or Ergo's one-way link kinds. */
export type LinkKind = 'erlang' | 'ergo';

export interface NetworkRouter {
  /** Deliver a message. Resolves when handed over (or, if `important`, when acknowledged). */
  send(from: Pid, to: RemoteTarget, message: unknown, options: RemoteSendOptions): void | Promise<void>;
  /**
   * Send a request. The answer comes back through {@link NodeInbound.deliverResponse} with the
   * same `ref`; the node owns the timeout.
   */
  call(from: Pid, to: RemoteTarget, ref: Ref, request: unknown, options: RemoteSendOptions): void | Promise<void>;
  /** Answer a request that came from `to`. `error` set means the call failed with that reason. */
  sendResponse(from: Pid, to: Pid | Alias, ref: Ref, value: unknown, error?: Term): void;
  /** `exit/2`: an exit signal from `from` to `to`. */
  sendExit(from: Pid, to: Pid, reason: Term): void;
  /** The link exit a dying local process owes a remote process linked to it. */
  linkExit(from: Pid, to: Pid, reason: Term, kind: LinkKind): void;
  link(from: Pid, to: RemoteTarget, kind: LinkKind): void;
  unlink(from: Pid, to: RemoteTarget, kind: LinkKind): void;
  monitor(from: Pid, to: RemoteTarget, ref: Ref): void;
  demonitor(from: Pid, to: RemoteTarget, ref: Ref): void;
  /** A monitor a remote process holds on a local one fired. */
  monitorExit(from: Pid | ProcessID | Alias, to: Pid, ref: Ref, reason: Term): void;
  linkEvent(from: Pid, event: Event): Promise<MessageEvent[]>;
  unlinkEvent(from: Pid, event: Event): void;
  monitorEvent(from: Pid, event: Event, ref: Ref): Promise<MessageEvent[]>;
  demonitorEvent(from: Pid, event: Event, ref: Ref): void;
  /** Throws (`ERR_NO_CONNECTION`) when the node cannot be reached. */
  monitorNode(from: Pid, node: Atom): void;
  demonitorNode(from: Pid, node: Atom): void;
  /** Spawn `name` (a factory the remote node exposes) there; resolves with the new pid. */
  spawn(from: Pid, node: Atom, name: Atom, options: { register?: Atom; link?: boolean; monitor?: Ref }, args: unknown[]): Promise<Pid>;
  /** Nodes connected right now. */
  nodes(): Atom[];
}

/** How a router hands inbound traffic to the node. */
export interface NodeInbound {
  /** A message for a local pid, registered name or alias. Throws the catalogue's errors. */
  deliver(from: Pid, to: Pid | Atom | Alias, message: unknown, priority: Priority): void;
  /** A request for a local target; the answer goes back through the router's sendResponse. */
  deliverCall(from: Pid, to: Pid | Atom | Alias, ref: Ref, request: unknown, priority: Priority): void;
  /** The answer to a call a local process made. */
  deliverResponse(ref: Ref, value: unknown, error?: Term): void;
  /** `exit/2` from a remote process. */
  deliverExit(from: Pid, to: Pid, reason: Term): void;
  /** A remote process linked to `to` died (or the link broke). */
  deliverLinkExit(from: Pid | ProcessID | Alias, to: Pid, reason: Term, kind: LinkKind): void;
  /** A remote monitor on `to`'s behalf fired. */
  deliverDown(from: Pid | ProcessID | Alias, to: Pid, ref: Ref, reason: Term): void;
  /** A remote process links to a local target (its side of the link is kept by the router). */
  remoteLink(from: Pid, to: Pid | Atom | Alias, kind: LinkKind): void;
  remoteUnlink(from: Pid, to: Pid | Atom | Alias, kind: LinkKind): void;
  /** A remote process monitors a local target; the node answers via `monitorExit` later. */
  remoteMonitor(from: Pid, to: Pid | Atom | Alias, ref: Ref): void;
  remoteDemonitor(from: Pid, ref: Ref): void;
  /** The connection to `node` is gone: links fire, monitors fire, calls fail. */
  nodeDown(node: Atom, reason: Term): void;
}
