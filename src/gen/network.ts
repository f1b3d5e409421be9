/**
 * The seam between the runtime and the network. Four contracts, two directions:
 *
 * ```
 *   process ─► node (src/node) ─► NetworkRouter.connection(peer) ─► Connection ─► wire
 *   wire ─► NetworkStack's connection ─► NodeInbound ─► node ─► process
 * ```
 *
 * - {@link NetworkRouter}: what a node holds — in practice the network manager
 *   (`src/node/network/`), which runs one or more {@link NetworkStack}s behind one face. It is
 *   started before the node hands out its first pid (so EPMD or a registrar can set the
 *   node's creation) and stopped after the node's processes have ended.
 * - {@link Connection}: one per remote node; every outbound operation goes through one, and
 *   every one carries the sending pid, so a stack with pooled links (Ergo) keeps each sender's
 *   frames on one link, in order. A stack implements it for its protocol; the manager hands out
 *   a queueing stand-in while it connects (connect on first use).
 * - {@link NetworkStack}: what a protocol stack (Ergo: registrar/EHS/ENP; Erlang:
 *   EPMD/handshake/DIST) gives the manager: start and stop its acceptor and registrar client,
 *   resolve a node name, connect. The manager picks a stack per node (static route first, then
 *   the first stack whose registrar resolves the name) and treats accepted connections alike.
 * - {@link NodeInbound}: what the node offers for everything that arrives. The hot-path
 *   entries return a {@link Delivery} code instead of throwing, so a stack turns an unknown
 *   target into its protocol's answer (an Ergo error frame, an Erlang `noproc` EXIT or DOWN)
 *   without an exception per message.
 *
 * Rules every implementation keeps (proto-spec/runtime-semantics.md §6 has the per-protocol mapping):
 * - Signals are fire-and-forget, as in Erlang: a failure to deliver surfaces later as an EXIT
 *   or DOWN with reason `noconnection`, through {@link NodeInbound.nodeDown}.
 * - Links are named by what they do: `two-way` (Erlang's link: either side's death reaches the
 *   other; `normal` is ignored unless trapping) and `one-way` (Ergo's link: only the linker
 *   hears, and any reason kills it unless trapping). A stack carries both, in its own words.
 * - A target that ended is reported once per (target, remote node) with every consumer on
 *   that node ({@link Connection.terminated}); Ergo sends one frame, Erlang one signal per
 *   link and per monitor. Inbound, Ergo's per-target form is {@link NodeInbound.terminated}
 *   (the node fans it out), Erlang's per-relation forms are {@link NodeInbound.linkExit} and
 *   {@link NodeInbound.down}.
 */
import type { Alias, Atom, Creation, Pid, Ref, Term } from '../term/index.js';
import type { Event, MessageEvent, ProcessID } from './messages.js';

/** A remote thing a process can send to, call, link or monitor. */
export type RemoteTarget = Pid | ProcessID | Alias;

/** A local target as remote consumers named it: a pid, `{Name, ThisNode}`, an alias, an event. */
export type LocalTarget = Pid | ProcessID | Alias | Event;

/** What an inbound operation is addressed to on this node: a pid, a registered name, an alias. */
export type InboundTarget = Pid | Atom | Alias;

/** Message priorities (Ergo: normal → main queue, high → system, max → urgent). */
export type Priority = 'normal' | 'high' | 'max';

/**
 * `two-way`: Erlang's link (LINK / UNLINK_ID); `one-way`: Ergo's link (LinkPID, LinkProcessID,
 * LinkAlias, LinkEvent). How each protocol carries the other kind: runtime-semantics.md §6.
 */
export type LinkMode = 'two-way' | 'one-way';

/** A protocol stack's name. */
export type Protocol = 'ergo' | 'erlang' | (string & {});

export interface MessageOptions {
  priority: Priority;
}

/**
 * The result of an outbound operation on the hot path.
 * - `Ok`: handed to the connection.
 * - `Busy`: handed over, but the connection's write buffer is past its high-water mark. The
 *   node parks the sending process (it takes no further message) until the stack calls
 *   {@link NodeInbound.writable} for that node. The message itself is never dropped.
 */
export const Outbound = { Ok: 0, Busy: 1 } as const;
export type Outbound = (typeof Outbound)[keyof typeof Outbound];

/**
 * The result of an inbound delivery. The values 0–3 are Ergo's important-delivery answer
 * codes (`MessageResponseError` 130: 0 ok, 1 unknown process, 2 mailbox full, 3 process
 * terminated), so an Ergo stack can send them as they are.
 * - `Backlog`: delivered, but the target's queue is past the node's inbound backlog mark: the
 *   stack should stop reading that link until {@link NodeInbound.drained} resolves.
 * - `NotAllowed`: refused by policy (e.g. a remote spawn of a name not enabled for the peer).
 */
export const Delivery = { Ok: 0, Unknown: 1, MailboxFull: 2, Terminated: 3, NotAllowed: 4, Backlog: 5 } as const;
export type Delivery = (typeof Delivery)[keyof typeof Delivery];

/** Whether a delivery code means the message was queued. */
export function delivered(code: Delivery): boolean {
  return code === Delivery.Ok || code === Delivery.Backlog;
}

/** Erlang's `{Module, Function}` of an MFA; the arguments travel in {@link SpawnRequest.args}. */
export interface Mfa {
  readonly module: Atom;
  readonly function: Atom;
}

/**
 * A remote spawn, either way. Ergo names the factory (`MessageSpawn.Name`, enabled on the target
 * with `EnableSpawn`); Erlang sends `{M, F, A}` (SPAWN_REQUEST). The target node looks either
 * form up in its spawn registry (`Node.enableSpawn`), allow-listed per requesting node.
 */
export interface SpawnRequest {
  readonly name: Atom | Mfa;
  readonly args: readonly unknown[];
  /** The requesting process; it becomes the new process's parent. */
  readonly parent: Pid;
  /** Group leader (Erlang) / parent leader (Ergo); defaults to `parent`. */
  readonly leader?: Pid;
  readonly register?: Atom;
  /** Erlang's `link` option: a two-way link between `parent` and the new process, made before the answer. */
  readonly link?: boolean;
  /** Erlang's `monitor` option: `parent` monitors the new process with this reference (the ReqId). */
  readonly monitor?: Ref;
  readonly env?: Readonly<Record<string, unknown>>;
}

/** Ergo's application start modes; `undefined` = as the application's spec says. */
export type ApplicationStartMode = 'temporary' | 'transient' | 'permanent';

/**
 * Who on one remote node consumes a local target that just ended (runtime-semantics.md §6.2).
 * Ergo sends one Terminate frame for the target when there are one-way links or monitors;
 * Erlang one signal per entry.
 */
export interface RemoteConsumers {
  /**
   * Processes with a two-way link to the target. Erlang: an EXIT each, `normal` included.
   * Ergo (no two-way links on its wire): an exit signal (107) each, unless the reason is `normal`.
   */
  readonly links: readonly Pid[];
  /** Processes with a one-way (Ergo) link on the target. */
  readonly oneWay: readonly Pid[];
  /** Monitors, with the reference each was made with (Erlang: MONITOR_P_EXIT each). */
  readonly monitors: readonly { readonly pid: Pid; readonly ref: Ref }[];
}

/** What the node knows about a connected peer. */
export interface ConnectionInfo {
  readonly node: Atom;
  readonly protocol: Protocol;
  /** The peer's creation from the handshake. */
  readonly creation: Creation;
  /** Erlang: a hidden connection (not in the peer's `nodes()`). */
  readonly hidden?: boolean;
}

/**
 * One remote node, as the node uses it. Every method takes the acting local process first.
 * Methods that return nothing may not throw for delivery failures (those surface as signals);
 * they may throw a `RuntimeError` for misuse (`ERR_UNSUPPORTED`, `ERR_INCORRECT`).
 */
export interface Connection {
  readonly node: Atom;
  readonly protocol: Protocol;

  /** A message. */
  send(from: Pid, to: RemoteTarget, message: unknown, options: MessageOptions): Outbound;
  /**
   * A message whose delivery the peer confirms (Ergo important delivery). Rejects with the
   * runtime error the peer reports (`ERR_PROCESS_UNKNOWN`, `ERR_MAILBOX_FULL`, `ERR_TIMEOUT`),
   * or `ERR_UNSUPPORTED` where the protocol has no acknowledgement.
   */
  sendImportant(from: Pid, to: RemoteTarget, message: unknown, options: MessageOptions): Promise<void>;
  /**
   * A request. The answer comes back through {@link NodeInbound.deliverResponse} with `ref`
   * (Erlang: the stack sends `{'$gen_call', {From, [alias|Ref]}, Request}` with a monitor and
   * hands the `{Tag, Reply}` or the DOWN back as a response). The node owns the timeout.
   */
  call(from: Pid, to: RemoteTarget, ref: Ref, request: unknown, options: MessageOptions): Outbound;
  /** The node gave up on a call (timeout, abort, caller died): drop its state (Erlang: DEMONITOR_P). */
  cancelCall(from: Pid, to: RemoteTarget, ref: Ref): void;
  /** Answer a request that came from `to`; `error` set means the call failed with that reason. */
  sendResponse(from: Pid, to: Pid | Alias, ref: Ref, value: unknown, error: Term | undefined, options: MessageOptions): Outbound;
  /** `exit/2`. */
  sendExit(from: Pid, to: Pid, reason: Term): void;
  /**
   * Record the link on the peer. The node has recorded its side already; a peer that refuses
   * (the target does not exist) is reported back as that target ending with `noproc` (Erlang:
   * the peer's EXIT; Ergo: the stack calls `NodeInbound.terminated(to, noproc)`). How each
   * protocol carries each mode: runtime-semantics.md §6.2.
   */
  link(from: Pid, to: RemoteTarget, mode: LinkMode): void;
  unlink(from: Pid, to: RemoteTarget, mode: LinkMode): void;
  /** Like `link`: a refusal comes back as a DOWN `noproc` (`down` or `terminated`). */
  monitor(from: Pid, to: RemoteTarget, ref: Ref): void;
  demonitor(from: Pid, to: RemoteTarget, ref: Ref): void;
  /**
   * Subscribe `from` to a remote event (Ergo LinkEvent / MonitorEvent); resolves with the
   * event's replay buffer. `ref` is set for a monitor. Erlang: `ERR_UNSUPPORTED`.
   */
  subscribe(from: Pid, event: Event, mode: 'link' | 'monitor', ref: Ref | undefined): Promise<MessageEvent[]>;
  unsubscribe(from: Pid, event: Event, mode: 'link' | 'monitor', ref: Ref | undefined): void;
  /**
   * A local target ended (a process died, a name or alias went, an event was unregistered):
   * tell that node's consumers. Called once per (target, node). `from` is the process that
   * ended or owned the target, so the notice follows what it sent before.
   */
  terminated(from: Pid, target: LocalTarget, reason: Term, consumers: RemoteConsumers): void;
  /** A local event was published and this node has subscribers: called once per node. */
  publish(from: Pid, message: MessageEvent, subscribers: readonly Pid[]): Outbound;
  /** Spawn on the peer; resolves with the new pid. */
  spawn(from: Pid, request: SpawnRequest): Promise<Pid>;
  /** Start an application on the peer (Ergo `MessageApplicationStart`). */
  applicationStart(from: Pid, name: Atom, mode: ApplicationStartMode | undefined, env: Readonly<Record<string, unknown>> | undefined): Promise<void>;
  /** Close the connection; the stack reports it down with `reason`. */
  close(reason: Term): void;
}

/**
 * Where a stack reports what it cannot throw to a caller: a fault that closed a connection
 * (with its typed error), output that peers send (Erlang io requests), refusals. The node's
 * log satisfies it.
 */
export interface NetworkLog {
  debug(format: string, ...args: unknown[]): void;
  info(format: string, ...args: unknown[]): void;
  warning(format: string, ...args: unknown[]): void;
  error(format: string, ...args: unknown[]): void;
}

/** Handed to the router at start. */
export interface RouterContext {
  readonly name: Atom;
  /** The node's creation (as it stands). */
  readonly creation: Creation;
  /**
   * Replace the node's creation — allowed only while the router starts, before the node hands
   * out its first pid (EPMD assigns one in ALIVE2_X_RESP). Throws `ERR_NOT_ALLOWED` later.
   */
  setCreation(creation: Creation): void;
  readonly inbound: NodeInbound;
  /** The node's log (absent: the stacks stay silent). */
  readonly log?: NetworkLog;
}

/** What a node holds to reach other nodes (the network manager implements it). */
export interface NetworkRouter {
  /** Start listening, registering, …; called by `Node.start` before the first pid. */
  start(ctx: RouterContext): Promise<void>;
  /** Close everything; called by `Node.stop` after the node's processes have ended. */
  stop(): Promise<void>;
  /**
   * The connection to `node`: a live one, or a stand-in that queues operations while it
   * connects (a failed connect reports `nodeDown(node, noconnection)`, which fires links and
   * monitors and fails pending calls). Throws `ERR_NO_ROUTE` only when no stack could ever
   * reach that name.
   */
  connection(node: Atom): Connection;
  /** Connect now (e.g. for `ping`); resolves when up, rejects with `ERR_NO_CONNECTION`. */
  connect(node: Atom): Promise<ConnectionInfo>;
  disconnect(node: Atom): void;
  /** Nodes connected right now. */
  nodes(): Atom[];
}

/** Where a stack reaches a node (from its registrar/EPMD, or a static route). */
export interface Route {
  readonly host: string;
  readonly port: number;
  readonly tls?: boolean;
  readonly cookie?: string;
  /** Stack-specific extras (Ergo: pool size, flags; Erlang: distribution version range). */
  readonly [extra: string]: unknown;
}

/** Handed by the manager to each stack at start. */
export interface StackContext extends RouterContext {
  /** A connection (dialled or accepted) finished its handshake. */
  connectionUp(connection: Connection, info: ConnectionInfo): void;
  /** A connection is gone (every link of an Ergo pool, or the Erlang socket). */
  connectionDown(connection: Connection, reason: Term): void;
}

/** A protocol stack, as the network manager runs it. */
export interface NetworkStack {
  readonly protocol: Protocol;
  /** Start the acceptor and the registrar/EPMD client (which may set the creation). */
  start(ctx: StackContext): Promise<void>;
  stop(): Promise<void>;
  /** Where `node` can be reached through this stack; undefined when its registrar does not know it. */
  resolve(node: Atom): Promise<Route | undefined>;
  /** Dial and handshake; the stack also reports the connection through `connectionUp`. */
  connect(node: Atom, route: Route): Promise<Connection>;
}

/**
 * How inbound traffic enters the node. Hot-path entries return codes, never throw for a target
 * that does not exist; only a bug in the caller (a malformed argument) throws.
 */
export interface NodeInbound {
  // ------------------------------------------------------------ messages and calls
  /** A message for a local pid, registered name or alias. */
  deliver(from: Pid, to: InboundTarget, message: unknown, priority: Priority): Delivery;
  /** A request (Ergo 121–124); the answer goes out through the connection's `sendResponse`. */
  deliverCall(from: Pid, to: InboundTarget, ref: Ref, request: unknown, priority: Priority): Delivery;
  /**
   * The answer to a call a local process made. Returns whether `ref` was a pending call: an
   * Erlang stack tries each `{Ref, Reply}` / `{[alias|Ref], Reply}` message here first and
   * delivers it as a plain message when this returns false.
   */
  deliverResponse(ref: Ref, value: unknown, error?: Term): boolean;
  /** A remote event published by `from` (Ergo 105/106): to every local subscriber. Returns how many. */
  deliverEvent(from: Pid, message: MessageEvent): number;

  // ------------------------------------------------------------ exit signals and notices
  /** `exit/2` from a remote process. */
  exit(from: Pid, to: Pid, reason: Term): Delivery;
  /** Erlang: a remote process two-way linked to `to` ended (EXIT). Acted on only if the link exists. */
  linkExit(from: Pid, to: Pid, reason: Term): void;
  /** Erlang: one monitor `to` holds fired (MONITOR_P_EXIT); `from` as monitored (pid or `{Name, Node}`). */
  down(from: Pid | ProcessID, to: Pid, ref: Ref, reason: Term): void;
  /** Ergo: a remote target ended (181–186): every local link and monitor on it fires. */
  terminated(target: RemoteTarget | Event, reason: Term): void;

  // ------------------------------------------------------------ relations remote processes make
  /** A remote process links to a local target. `Unknown`: the stack answers noproc its way. */
  link(from: Pid, to: InboundTarget, mode: LinkMode): Delivery;
  unlink(from: Pid, to: InboundTarget, mode: LinkMode): void;
  /** A remote process monitors a local target with `ref`. `Unknown`: the stack answers noproc. */
  monitor(from: Pid, to: InboundTarget, ref: Ref): Delivery;
  demonitor(from: Pid, to: InboundTarget, ref: Ref): void;
  /** A remote process subscribes to a local event; the replay buffer, or `Unknown`. */
  subscribe(from: Pid, event: Atom, mode: 'link' | 'monitor', ref: Ref | undefined): MessageEvent[] | typeof Delivery.Unknown;
  unsubscribe(from: Pid, event: Atom, mode: 'link' | 'monitor', ref: Ref | undefined): void;

  // ------------------------------------------------------------ remote spawn and applications
  /** Spawn for a remote requester; rejects `ERR_NOT_ALLOWED` unless enabled for its node. */
  spawn(request: SpawnRequest): Promise<Pid>;
  /** Start a local application for a remote requester; rejects `ERR_NOT_ALLOWED` unless enabled. */
  applicationStart(from: Pid, name: Atom, mode: ApplicationStartMode | undefined, env: Readonly<Record<string, unknown>> | undefined): Promise<void>;

  // ------------------------------------------------------------ nodes and flow control
  /** A connection to `node` is up (the manager calls this, once per connection). */
  nodeUp(info: ConnectionInfo): void;
  /** The connection to `node` is gone: links and monitors on it fire, pending calls fail. */
  nodeDown(node: Atom, reason: Term): void;
  /** The connection to `node` drained below its low-water mark: parked senders may run. */
  writable(node: Atom): void;
  /** Resolves when `to`'s queue is back under the low-water mark, or it has ended. */
  drained(to: InboundTarget): Promise<void>;
}
