/**
 * Public shapes of the runtime: what a behaviour implements ({@link ProcessBehavior}), the
 * handle it gets ({@link Process}), spawn options and introspection records.
 */
import type { Alias, Atom, Pid, Ref, Term, Tuple } from '../term/index.js';
import type { Event, MessageEvent, Mfa, Priority, ProcessID } from '../gen/index.js';
import type { Log, LogLevelName } from './log.js';
import type { Node } from './node.js';

/**
 * Anything a message can be addressed to: a pid, a registered name (`Atom` or string, on this
 * node), a `ProcessID` or an Erlang `{Name, Node}` tuple (any node), or an alias.
 */
export type Target = Pid | ProcessID | Alias | Atom | string | Tuple;

/** What `link`/`monitor` accept: a {@link Target} or an {@link Event}. Nodes have their own calls. */
export type LinkTarget = Target | Event;

/** How a mailbox entry was produced; the first argument of {@link ProcessBehavior.processHandle}. */
export const Kind = {
  /** A message (`send`); also DOWN, trapped EXIT and event start/stop notices. */
  Message: 0,
  /** A request (`call`): answer with `sendResponse(from, ref, …)`. */
  Request: 1,
  /** A published event (`MessageEvent`) for a subscriber. */
  Event: 2,
  /** An inspection request: `message` is the requested item names; answer with a string record. */
  Inspect: 3,
  /** A log message (`LogMessage`) for a process acting as a logger. */
  Log: 4,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/**
 * The runtime's side of a behaviour. `Actor`, `GenServer`, `Supervisor` and `Pool` implement it;
 * implement it directly only for a new kind of behaviour. Each method may return a promise:
 * while it is pending the process takes no other message.
 */
export interface ProcessBehavior {
  /** Once, before any message. Throwing (or rejecting) fails the spawn. */
  processInit(process: Process, args: readonly unknown[]): unknown;
  /**
   * One mailbox entry. `via` says how it was addressed: `undefined` (by pid), the registered
   * `Atom`, or the `Alias`. Throwing (or rejecting) terminates the process with the error.
   */
  processHandle(kind: Kind, from: Pid, message: unknown, ref: Ref | undefined, via: Atom | Alias | undefined): unknown;
  /** Once, on termination (not on `kill`). Its errors are logged and ignored. */
  processTerminate(reason: Term): unknown;
}

/** A class with a no-argument constructor, or a function, that makes a behaviour. */
export type Factory = (new () => ProcessBehavior) | (() => ProcessBehavior);

type InitArgsOf<B> = B extends { init(...args: infer A): unknown } ? A : readonly unknown[];

/**
 * The arguments a factory's behaviour takes in `init`: `InitArgs<typeof Counter>` is
 * `[start: number]` for `class Counter extends Actor { init(start: number) {…} }`.
 */
export type InitArgs<F> = F extends new () => infer B ? InitArgsOf<B> : F extends () => infer B ? InitArgsOf<B> : readonly unknown[];

/** Spawn options with the arguments for `init`; `args` is required when `init` requires some. */
export type SpawnOptions<A extends readonly unknown[] = readonly unknown[]> = ProcessOptions & ([] extends A ? { args?: A } : { args: A });

/** The options parameter of `spawn(factory, options)`: optional exactly when `init` needs no arguments. */
export type SpawnOptionsArg<F> = [] extends InitArgs<F> ? [options?: SpawnOptions<InitArgs<F>>] : [options: SpawnOptions<InitArgs<F>>];

/** A remote spawn: an Ergo spawn name, or an Erlang `{Module, Function}` (`{ module, function }`). */
export type RemoteSpawnName = Atom | string | Mfa | { module: string; function: string };

export interface RemoteSpawnOptions {
  args?: readonly unknown[];
  register?: Atom | string;
  /** Link (two-way) the new process to the caller once it runs. */
  link?: boolean;
}

export interface ProcessOptions {
  /** Limit for the main and system queues together; 0 or absent = unlimited. */
  mailboxSize?: number;
  /** Where messages go when the mailbox is full (else the sender gets `ERR_MAILBOX_FULL`). */
  fallback?: { name: Atom | string; tag?: string };
  /** The default priority of this process's sends. */
  sendPriority?: Priority;
  /** Make every send of this process an important one (see `sendImportant`). */
  importantDelivery?: boolean;
  /** After a successful init, link (two-way) to the spawning process. */
  linkParent?: boolean;
  /** Environment variables of this process (override parent, application and node). */
  env?: Record<string, unknown>;
  logLevel?: LogLevelName;
  /** Group leader; defaults to the parent's. */
  leader?: Pid;
}

export type ProcessState = 'init' | 'sleep' | 'running' | 'waiting' | 'terminated';

export interface MailboxDepth {
  urgent: number;
  system: number;
  main: number;
  log: number;
}

/** One row of `node.processList()`. */
export interface ProcessShortInfo {
  pid: Pid;
  name: Atom | undefined;
  application: Atom | undefined;
  behavior: string;
  state: ProcessState;
  mailbox: number;
  messagesIn: number;
  messagesOut: number;
  /** Seconds. */
  uptime: number;
  parent: Pid;
}

/** Everything about one process. */
export interface ProcessInfo extends ProcessShortInfo {
  leader: Pid;
  queues: MailboxDepth;
  mailboxLimit: number;
  trapExit: boolean;
  sendPriority: Priority;
  logLevel: LogLevelName;
  env: Record<string, unknown>;
  aliases: Alias[];
  events: Atom[];
  /** Two-way (Erlang) links. */
  links: Pid[];
  /** One-way (Ergo) links this process holds. */
  linksTo: (Pid | ProcessID | Alias | Event | Atom)[];
  /** Monitors this process holds. */
  monitors: (Pid | ProcessID | Alias | Event | Atom)[];
  /** Processes that monitor or one-way link this one. */
  monitoredBy: Pid[];
  linkedBy: Pid[];
}

export interface CallOptions {
  /** Milliseconds; default 5000. `Infinity` waits forever. */
  timeout?: number;
  signal?: AbortSignal;
  priority?: Priority;
}

export interface SendOptions {
  priority?: Priority;
}

export interface EventOptions {
  /** Keep the last N events and hand them to each new subscriber. */
  buffer?: number;
  /** Tell the owner when the first subscriber arrives and the last leaves. */
  notify?: boolean;
}

/** The handle a behaviour gets for its own process. Methods throw `RuntimeError`s. */
export interface Process {
  readonly node: Node;
  readonly pid: Pid;
  readonly name: Atom | undefined;
  readonly parent: Pid;
  readonly leader: Pid;
  readonly state: ProcessState;
  readonly behavior: ProcessBehavior;
  readonly log: Log;
  /**
   * Exit signals from links (and `sendExit`) become `MessageExit` messages instead of killing
   * (except `kill` from `sendExit`). Parent rule: an `Actor` or `GenServer` still ends when the
   * trapped exit comes from its parent — its supervisor, or the node for top-level processes
   * (`node.sendExit`, `node.stop`) — as OTP's gen_server does.
   */
  trapExit: boolean;
  sendPriority: Priority;

  /**
   * Queue `message` for `to`. Throws `ERR_PROCESS_UNKNOWN`/`ERR_NAME_UNKNOWN`/`ERR_ALIAS_UNKNOWN`
   * for a local target that does not exist, `ERR_MAILBOX_FULL`, and `ERR_NO_CONNECTION` for a
   * remote node without a route; remote delivery failures are silent (use `sendImportant`).
   */
  send(to: Target, message: unknown, options?: SendOptions): void;
  /** Like `send`, but resolves only once the target is known to exist (remote: acknowledged). */
  sendImportant(to: Target, message: unknown, options?: SendOptions): Promise<void>;
  /** Send after `ms`; the returned function cancels (true if it was still pending). */
  sendAfter(to: Target, message: unknown, ms: number): () => boolean;
  /**
   * `exit/2`: send an exit signal. `kill` is untrappable; `normal` is ignored unless trapped; a
   * trapping target gets a `MessageExit` (an Actor/GenServer whose parent is this process ends).
   */
  sendExit(to: Pid, reason: Term): void;
  /** Answer a request (`call`) later (see `replyLater` in `Actor`). */
  sendResponse(to: Pid, ref: Ref, value: unknown): void;
  /** Fail a request: the caller's promise rejects with `ERR_CALL_FAILED` carrying `reason`. */
  sendResponseError(to: Pid, ref: Ref, reason: Term | Error): void;
  /** Re-deliver an entry to another process as if sent to it by `from` (pools, routers). */
  forward(to: Pid, from: Pid, message: unknown, ref?: Ref, priority?: Priority): void;
  /**
   * Request/response. Resolves with the answer; rejects with `ERR_TIMEOUT`, `ERR_ABORTED`,
   * `ERR_CALL_SELF`, `ERR_CALL_FAILED` (error answer, or the callee died), or the send errors.
   */
  call<T = unknown>(to: Target, request: unknown, options?: CallOptions): Promise<T>;
  /**
   * `gen_server:cast`: send `{'$gen_cast', Message}` — what a `GenServer` (here or on a BEAM
   * node) hands to `handleCast`.
   */
  cast(to: Target, message: unknown): void;
  /** Ask a process for its `handleInspect` record. */
  inspect(to: Pid, ...items: string[]): Promise<Record<string, string>>;

  /** Spawn a child: `spawn(Counter, { args: [5] })`; resolves with its pid once `init` succeeded. */
  spawn<F extends Factory>(factory: F, ...options: SpawnOptionsArg<F>): Promise<Pid>;
  spawnRegister<F extends Factory>(name: Atom | string, factory: F, ...options: SpawnOptionsArg<F>): Promise<Pid>;
  /**
   * Spawn on another node: an Ergo spawn name (enabled there with `EnableSpawn` /
   * `node.enableSpawn`) or an Erlang `{ module, function }` with `args`.
   */
  remoteSpawn(node: Atom | string, name: RemoteSpawnName, options?: RemoteSpawnOptions): Promise<Pid>;
  /** Stop after the current handler returns, with `reason` (default `normal`). */
  stop(reason?: Term): void;

  registerName(name: Atom | string): void;
  unregisterName(): void;
  createAlias(): Alias;
  deleteAlias(alias: Alias): void;
  aliases(): Alias[];

  /**
   * Link. To a pid: Erlang's two-way link, unless `oneWay` (Ergo's link: only this side
   * hears about the target's death, whatever the reason). To a name, alias or event: one-way.
   * Linking a pid that does not exist: throws `ERR_PROCESS_UNKNOWN` (noproc), or when trapping
   * exits delivers `{'EXIT', Pid, noproc}`.
   */
  link(target: LinkTarget, options?: { oneWay?: boolean }): void;
  unlink(target: LinkTarget, options?: { oneWay?: boolean }): void;
  /**
   * Monitor; returns the reference the `MessageDown` will carry. A dead target gives DOWN
   * `noproc` at once. An event is subscribed to (without its replay buffer; see `monitorEvent`).
   */
  monitor(target: LinkTarget): Ref;
  /** Remove a monitor by its reference or by its target. Returns whether one was removed. */
  demonitor(refOrTarget: Ref | LinkTarget): boolean;
  /**
   * Node links and monitors are local records (no packet goes out); they connect in the
   * background and never throw for an unreachable node: when the connection is lost (or cannot
   * be made) a node link is a one-way exit `noconnection` and a node monitor a DOWN
   * `{nodedown, Node}`.
   */
  linkNode(node: Atom | string): void;
  unlinkNode(node: Atom | string): void;
  monitorNode(node: Atom | string): void;
  demonitorNode(node: Atom | string): void;
  /** `net_kernel:monitor_nodes/1`: get `MessageNodeUp` / `MessageNodeDown` for every connection. */
  monitorNodes(on: boolean): void;

  /** Register an event owned by this process; returns the token needed to send it. */
  registerEvent(name: Atom | string, options?: EventOptions): Ref;
  unregisterEvent(name: Atom | string): void;
  sendEvent(name: Atom | string, token: Ref, message: unknown): void;
  /** Subscribe with a (one-way) link; resolves with the replay buffer. */
  linkEvent(event: Event): Promise<MessageEvent[]>;
  unlinkEvent(event: Event): void;
  /** Subscribe with a monitor; resolves with the replay buffer. */
  monitorEvent(event: Event): Promise<MessageEvent[]>;
  demonitorEvent(event: Event): void;
  events(): Atom[];

  /** Look a variable up: process, then parent, then application, then node. */
  env(name: string): unknown;
  envDefault<T>(name: string, def: T): T | unknown;
  setEnv(name: string, value: unknown): void;
  envList(): Record<string, unknown>;

  info(): ProcessInfo;
}
