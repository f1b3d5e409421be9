/**
 * The node: a named runtime that owns processes, routes messages between them and (through its
 * network router, started and stopped with it) to other nodes.
 *
 * ```ts
 * const node = await Node.start({ name: 'demo@localhost' });
 * const pid = await node.spawn(Counter, { args: [5] });
 * const n = await node.call<number>(pid, 'get');
 * await node.stop();
 * ```
 */
import { A, Alias, Atom, atom, Pid, Ref, type Creation, type Term } from '../term/index.js';
import {
  Err,
  MessageDown,
  MessageExit,
  type ApplicationStartMode,
  type ConnectionInfo,
  type NetworkRouter,
  type NetworkStack,
  type NodeInbound,
} from '../gen/index.js';
import { ErgoStack, type ErgoStackOptions } from '../net/ergo/stack.js';
import { NetworkManager, type StaticRoute } from './network/index.js';
import { Core, levelName } from './core.js';
import { Inbound } from './inbound.js';
import { LogLevel, type Log, type LogLevelName, type Logger } from './log.js';
import { processInfo, processList } from './introspect.js';
import { Applications, type ApplicationBehavior, type ApplicationInfo, type ApplicationMode } from './application.js';
import { ErlangStack, type ErlangStackOptions } from '../net/erlang/stack.js';
import type { EnableSpawnOptions } from './spawn-registry.js';
import {
  Kind,
  type CallOptions,
  type Factory,
  type LinkTarget,
  type Process,
  type ProcessBehavior,
  type ProcessInfo,
  type ProcessShortInfo,
  type SendOptions,
  type SpawnOptions,
  type SpawnOptionsArg,
  type Target,
} from './types.js';

export interface NodeOptions {
  /** `name@host` (one `@`; letters, digits, `_`, `-`, `.`); a bare name gets `@localhost`. */
  name: string | Atom;
  /** Incarnation number; default: seconds since the epoch (as Ergo and epmd do). The network may replace it at start (EPMD assigns one). */
  creation?: number;
  env?: Record<string, unknown>;
  /** Default `info`. */
  logLevel?: LogLevelName;
  /** Write log lines to stderr (the `default` logger); default true. */
  defaultLogger?: boolean;
  /** Extra loggers: name → logger (and the lowest level it wants). */
  loggers?: { name: string; logger: Logger; level?: LogLevelName }[];
  /** The network (the network manager, `NetworkManager`); started with the node, stopped after its processes. */
  router?: NetworkRouter;
  /** The cookie every stack uses unless its own options set one. */
  cookie?: string;
  /**
   * Join Ergo clusters: run the Ergo stack (registrar, EHS handshake, ENP) with these options
   * (`true`: the defaults — acceptor from port 11144, registrar on 4499). Used when `router` is
   * absent; may run beside `erlang`.
   */
  ergo?: ErgoStackOptions | true;
  /**
   * Join Erlang/OTP clusters: the Erlang distribution stack (EPMD, handshake, DIST), with its
   * options or `true` for the defaults (visible, a free port on 127.0.0.1, EPMD at
   * `ERL_EPMD_PORT` or 4369 — an embedded one when none answers). Used when `router` is absent;
   * may run beside `ergo`.
   */
  erlang?: ErlangStackOptions | true;
  /** Static routes for the network manager built from the stack options (`router` absent). */
  routes?: StaticRoute[];
  /**
   * Inbound flow control: when a process's queue reaches this length, deliveries from the
   * network report `Backlog` so the stack pauses reading until it drains. Default 0 (off).
   */
  inboundBacklog?: number;
}

export interface NodeInfo {
  name: Atom;
  creation: Creation;
  /** Seconds. */
  uptime: number;
  processes: number;
  names: Atom[];
  aliases: number;
  events: Atom[];
  applications: Atom[];
  loggers: string[];
  logLevel: LogLevelName;
  env: Record<string, unknown>;
  network: boolean;
  /** Connected nodes. */
  nodes: Atom[];
}

/** A monitor held by code outside any process (`node.monitor`). */
export interface NodeMonitor {
  readonly ref: Ref;
  /** Resolves with the DOWN when the target ends (at once with `noproc` if it does not exist). */
  readonly down: Promise<MessageDown>;
  /** Remove the monitor; `down` then never settles. Returns whether it was still active. */
  demonitor(): boolean;
}

/** A link held by code outside any process (`node.link`): like a trapped one-way link. */
export interface NodeLink {
  /** Resolves with the exit when the target ends, whatever the reason. */
  readonly exit: Promise<MessageExit>;
  unlink(): void;
}

const NODE_NAME = /^[A-Za-z0-9_.-]+$/;
const HOST_NAME = /^[A-Za-z0-9_.:[\]-]+$/;

/** `name@host`, validated; a bare name gets `@localhost`. Throws `ERR_INCORRECT`. */
export function nodeName(raw: string): string {
  const full = raw.includes('@') ? raw : `${raw}@localhost`;
  const at = full.indexOf('@');
  const name = full.slice(0, at);
  const host = full.slice(at + 1);
  if (host.includes('@')) throw Err.incorrect(`node name ${JSON.stringify(raw)}: more than one @`);
  if (!NODE_NAME.test(name)) throw Err.incorrect(`node name ${JSON.stringify(raw)}: the part before @ must be letters, digits, _, - or .`);
  if (!HOST_NAME.test(host)) throw Err.incorrect(`node name ${JSON.stringify(raw)}: the host part must be a host name or address, without spaces`);
  if (full.length > 255) throw Err.incorrect(`node name ${JSON.stringify(raw)}: longer than 255 characters`);
  return full;
}

/** The process behind `node.monitor` / `node.link`: traps exits, settles one promise, ends. */
class NodeWatcher implements ProcessBehavior {
  process!: Process;
  ref: Ref | undefined;
  #settle: ((m: MessageDown | MessageExit) => void) | undefined;
  readonly settled: Promise<MessageDown | MessageExit>;
  constructor(
    readonly target: LinkTarget,
    readonly how: 'link' | 'monitor',
  ) {
    this.settled = new Promise((r) => (this.#settle = r));
  }
  error: unknown = undefined;
  processInit(p: Process): void {
    this.process = p;
    p.trapExit = true;
    try {
      if (this.how === 'monitor') this.ref = p.monitor(this.target);
      else p.link(this.target, { oneWay: true });
    } catch (e) {
      this.error = e;
      throw e;
    }
  }
  processHandle(kind: Kind, _from: Pid, message: unknown): void {
    if (kind !== Kind.Message) return;
    // The node's own shutdown (it is the parent) ends the watcher without settling.
    const fromParent = message instanceof MessageExit && message.kind === 'process' && message.from instanceof Pid && message.from.equals(this.process.parent);
    const mine = (message instanceof MessageDown && this.ref !== undefined && message.ref.equals(this.ref)) || (message instanceof MessageExit && !fromParent);
    if (mine) this.#settle?.(message as MessageDown | MessageExit);
    if (mine || fromParent) this.process.stop();
  }
  processTerminate(): void {}
}

export class Node implements AsyncDisposable {
  readonly #core: Core;
  readonly #inbound: Inbound;
  readonly #apps: Applications;
  #state: 'running' | 'stopping' | 'stopped' = 'running';
  #stopped: Promise<void>;
  #markStopped!: () => void;

  private constructor(core: Core, inbound: Inbound) {
    this.#core = core;
    this.#inbound = inbound;
    core.facade = this;
    this.#apps = new Applications(core, this);
    this.#stopped = new Promise((r) => (this.#markStopped = r));
  }

  /**
   * Start a node: validate the name, start the network (which may set the creation) and resolve
   * once it can spawn processes. Rejects `ERR_INCORRECT` for a bad name, or the network's error.
   */
  static async start(o: NodeOptions): Promise<Node> {
    const full = nodeName(typeof o.name === 'string' ? o.name : o.name.name);
    const core = new Core({
      name: atom(full),
      creation: o.creation ?? Math.floor(Date.now() / 1000),
      env: o.env,
      logLevel: o.logLevel ?? 'info',
      defaultLogger: o.defaultLogger ?? true,
      inboundBacklog: o.inboundBacklog ?? 0,
    });
    for (const l of o.loggers ?? []) core.loggers.add(l.name, l.logger, l.level ?? 'trace');
    const inbound = new Inbound(core);
    const node = new Node(core, inbound);
    let router = o.router;
    if (router === undefined) {
      const stacks: NetworkStack[] = [];
      if (o.ergo !== undefined) {
        const e = o.ergo === true ? {} : o.ergo;
        stacks.push(new ErgoStack({ ...e, cookie: e.cookie ?? o.cookie }));
      }
      if (o.erlang !== undefined) stacks.push(new ErlangStack(o.erlang === true ? {} : o.erlang, { cookie: o.cookie }));
      if (stacks.length > 0) router = new NetworkManager({ stacks, routes: o.routes });
    }
    if (router !== undefined) {
      core.router = router;
      await router.start({
        name: core.name,
        get creation() {
          return core.ids.creation;
        },
        setCreation: (c: Creation) => core.ids.setCreation(c),
        inbound,
        log: core.log,
      });
    }
    return node;
  }

  get name(): Atom {
    return this.#core.name;
  }
  get creation(): Creation {
    return this.#core.creation;
  }
  /** The pid the node itself sends from, and the parent of the processes it spawns. */
  get pid(): Pid {
    return this.#core.pid;
  }
  get isRunning(): boolean {
    return this.#state === 'running';
  }
  /** Resolves when the node has stopped. */
  get stopped(): Promise<void> {
    return this.#stopped;
  }
  get log(): Log {
    return this.#core.log;
  }

  // ---------------------------------------------------------------- processes

  /**
   * Spawn a process: `spawn(Counter, { args: [5] })` — `args` is typed from the behaviour's
   * `init` (and required when `init` needs arguments). Resolves with its pid once `init`
   * succeeded; rejects `ERR_INIT_FAILED`, or `ERR_INCORRECT` for something that is not a factory.
   */
  spawn<F extends Factory>(factory: F, ...options: SpawnOptionsArg<F>): Promise<Pid> {
    return this.#core.spawner.spawn(undefined, factory, options[0] as SpawnOptions | undefined, undefined);
  }

  /** Spawn and register under `name`; rejects `ERR_TAKEN` if the name is in use. */
  spawnRegister<F extends Factory>(name: Atom | string, factory: F, ...options: SpawnOptionsArg<F>): Promise<Pid> {
    return this.#core.spawner.spawn(undefined, factory, options[0] as SpawnOptions | undefined, typeof name === 'string' ? atom(name) : name);
  }

  /** Send from the node. Throws like `Process.send`. */
  send(to: Target, message: unknown, options?: SendOptions): void {
    this.#core.send(undefined, to, message, options?.priority ?? 'normal');
  }

  sendImportant(to: Target, message: unknown, options?: SendOptions): Promise<void> {
    return this.#core.sendImportant(undefined, to, message, options?.priority ?? 'normal');
  }

  sendAfter(to: Target, message: unknown, ms: number): () => boolean {
    return this.#core.sendAfter(undefined, to, message, ms);
  }

  /**
   * `exit/2` from the node. A process that does not trap exits dies (not with `normal`); a
   * trapping one gets a `MessageExit` — but the node is the parent of the processes it
   * spawned, and an `Actor` or `GenServer` ends when a trapped exit comes from its parent (OTP's
   * gen_server rule, which is how supervisors and `node.stop` end trapping children).
   */
  sendExit(to: Pid, reason: Term): void {
    this.#core.sendExit(this.#core.pid, to, reason);
  }

  /** Untrappable kill: the process dies with `killed` without its terminate callback. */
  kill(pid: Pid): void {
    this.#core.sendExit(this.#core.pid, pid, A.kill);
  }

  /** A request from the node; see `Process.call`. */
  call<T = unknown>(to: Target, request: unknown, options?: CallOptions): Promise<T> {
    return this.#core.calls.call(undefined, to, request, options) as Promise<T>;
  }

  /** `gen_server:cast` from the node: sends `{'$gen_cast', Message}`. */
  cast(to: Target, message: unknown): void {
    this.send(to, this.#core.castMessage(message));
  }

  inspect(pid: Pid, ...items: string[]): Promise<Record<string, string>> {
    return this.#core.calls.inspect(undefined, pid, items);
  }

  /** Resolve with the exit reason when `pid` terminates (`noproc` if it is not alive). */
  wait(pid: Pid, timeout?: number): Promise<Term> {
    const w = this.#core.wait(pid);
    if (timeout === undefined) return w;
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      w.finally(() => clearTimeout(timer)),
      new Promise<Term>((_, reject) => (timer = setTimeout(() => reject(Err.timeout(`wait for ${pid}`)), timeout))),
    ]);
  }

  /**
   * Monitor from outside any process: `down` resolves with the `MessageDown` when the target
   * (pid, name, `{Name, Node}`, alias, event; local or remote) ends.
   */
  monitor(target: LinkTarget): NodeMonitor {
    const w = this.#watch(target, 'monitor');
    return {
      ref: w.ref!,
      down: w.settled as Promise<MessageDown>,
      demonitor: () => {
        const p = this.#core.process(w.process.pid);
        if (p === undefined) return false;
        const had = p.demonitor(w.ref!);
        p.stop();
        return had;
      },
    };
  }

  /** Link from outside any process: `exit` resolves with the `MessageExit` when the target ends, whatever the reason. */
  link(target: LinkTarget): NodeLink {
    const w = this.#watch(target, 'link');
    return {
      exit: w.settled as Promise<MessageExit>,
      unlink: () => this.#core.process(w.process.pid)?.stop(),
    };
  }

  #watch(target: LinkTarget, how: 'link' | 'monitor'): NodeWatcher {
    const w = new NodeWatcher(target, how);
    // processInit is synchronous, so the watcher is set up (or failed) when spawn returns.
    this.#core.spawner.spawn(undefined, () => w, undefined, undefined).then(undefined, () => undefined);
    if (w.error !== undefined) throw w.error;
    if (w.process === undefined) throw Err.nodeTerminated();
    return w;
  }

  register(name: Atom | string, pid: Pid): void {
    const p = this.#core.process(pid);
    if (p === undefined) throw Err.processUnknown(pid);
    this.#core.names.register(typeof name === 'string' ? atom(name) : name, p);
  }

  unregister(name: Atom | string): void {
    this.#core.names.unregister(typeof name === 'string' ? atom(name) : name);
  }

  whereis(name: Atom | string): Pid | undefined {
    return this.#core.names.whereis(typeof name === 'string' ? atom(name) : name)?.pid;
  }

  makeRef(): Ref {
    return this.#core.ids.makeRef();
  }

  /** Whether `alias` is live on this node. */
  hasAlias(alias: Alias): boolean {
    return this.#core.names.aliasOwner(alias) !== undefined;
  }

  // ---------------------------------------------------------------- introspection

  processList(): ProcessShortInfo[] {
    return processList(this.#core);
  }

  processCount(): number {
    return this.#core.count();
  }

  /** Details of one local process; throws `ERR_PROCESS_UNKNOWN`. */
  processInfo(pid: Pid): ProcessInfo {
    const p = this.#core.process(pid);
    if (p === undefined) throw Err.processUnknown(pid);
    return processInfo(this.#core, p);
  }

  info(): NodeInfo {
    const c = this.#core;
    return {
      name: c.name,
      creation: c.creation,
      uptime: c.uptime(),
      processes: c.count(),
      names: c.names.list(),
      aliases: c.names.aliasCount(),
      events: c.events.names(),
      applications: this.#apps.running(),
      loggers: c.loggers.names(),
      logLevel: levelName(c.loggers.level),
      env: c.env.flatten(c.env.root),
      network: c.router !== undefined,
      nodes: this.nodes(),
    };
  }

  // ---------------------------------------------------------------- environment

  env(name: string): unknown {
    return this.#core.env.lookup(this.#core.env.root, name);
  }
  setEnv(name: string, value: unknown): void {
    if (value === undefined) this.#core.env.root.vars.delete(name);
    else this.#core.env.root.vars.set(name, value);
  }
  envList(): Record<string, unknown> {
    return this.#core.env.flatten(this.#core.env.root);
  }

  // ---------------------------------------------------------------- logging

  /** Add a logger (an object, or a process that gets `handleLog`) for messages at `level` and above. */
  loggerAdd(name: string, logger: Logger | Pid, level: LogLevelName = 'trace'): void {
    this.#core.loggers.add(name, logger, level);
  }
  loggerDelete(name: string): void {
    this.#core.loggers.delete(name);
  }
  loggers(): string[] {
    return this.#core.loggers.names();
  }
  setLogLevel(level: LogLevelName): void {
    this.#core.loggers.level = LogLevel[level];
  }

  // ---------------------------------------------------------------- network

  /** What the network's stacks call for inbound traffic. */
  get inbound(): NodeInbound {
    return this.#inbound;
  }

  /** Nodes connected right now. */
  nodes(): Atom[] {
    return this.#core.router?.nodes() ?? [];
  }

  /** Connect to `node` now (e.g. to check it answers); rejects `ERR_NO_CONNECTION`. */
  connect(node: Atom | string): Promise<ConnectionInfo> {
    const n = typeof node === 'string' ? atom(node) : node;
    if (this.#core.router === undefined) return Promise.reject(Err.noConnection(n.name, 'no route (no network stack installed)'));
    return this.#core.router.connect(n);
  }

  disconnect(node: Atom | string): void {
    this.#core.router?.disconnect(typeof node === 'string' ? atom(node) : node);
  }

  /** Called with every connection that comes up or goes down; returns the unsubscribe function. */
  onNodeStatus(listener: (up: boolean, node: Atom, detail: ConnectionInfo | Term) => void): () => void {
    this.#inbound.listeners.add(listener);
    return () => this.#inbound.listeners.delete(listener);
  }

  /**
   * Let remote nodes spawn `factory` as `name` (Ergo's `EnableSpawn`): from Ergo by that name,
   * from Erlang as `{Module, Function, Args}` (default `{name, start, Args}`; see
   * {@link EnableSpawnOptions}). Without `nodes`, any node may; calling again adds nodes.
   */
  enableSpawn(name: Atom | string, factory: Factory, options?: EnableSpawnOptions): void {
    this.#core.spawns.enableSpawn(typeof name === 'string' ? atom(name) : name, factory, options);
  }
  /** Withdraw `name` from the listed nodes, or from all. */
  disableSpawn(name: Atom | string, nodes?: readonly (Atom | string)[]): void {
    this.#core.spawns.disableSpawn(typeof name === 'string' ? atom(name) : name, nodes);
  }
  /** Let remote nodes start the loaded application `name` (Ergo's `EnableApplicationStart`). */
  enableApplicationStart(name: Atom | string, nodes?: readonly (Atom | string)[]): void {
    this.#core.spawns.enableApplicationStart(typeof name === 'string' ? atom(name) : name, nodes);
  }
  disableApplicationStart(name: Atom | string, nodes?: readonly (Atom | string)[]): void {
    this.#core.spawns.disableApplicationStart(typeof name === 'string' ? atom(name) : name, nodes);
  }
  /** Start an application on another node (it must have enabled it for this node). */
  remoteApplicationStart(node: Atom | string, name: Atom | string, options?: { mode?: ApplicationStartMode; env?: Record<string, unknown> }): Promise<void> {
    const n = typeof node === 'string' ? atom(node) : node;
    try {
      return this.#core.connection(n).applicationStart(this.#core.pid, typeof name === 'string' ? atom(name) : name, options?.mode, options?.env);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---------------------------------------------------------------- applications

  applicationLoad(app: ApplicationBehavior, ...args: unknown[]): Promise<Atom> {
    return this.#apps.load(app, args);
  }
  applicationUnload(name: Atom | string): void {
    this.#apps.unload(typeof name === 'string' ? atom(name) : name);
  }
  /** Start a loaded application (and its loaded dependencies). */
  applicationStart(name: Atom | string, options?: { mode?: ApplicationMode; env?: Record<string, unknown> }): Promise<void> {
    if (this.#state !== 'running') return Promise.reject(Err.nodeTerminated());
    return this.#apps.start(typeof name === 'string' ? atom(name) : name, options?.mode, options?.env);
  }
  applicationStop(name: Atom | string, options?: { timeout?: number }): Promise<void> {
    return this.#apps.stop(typeof name === 'string' ? atom(name) : name, options?.timeout ?? 5000);
  }
  applicationInfo(name: Atom | string): ApplicationInfo {
    return this.#apps.info(typeof name === 'string' ? atom(name) : name);
  }
  /** Loaded applications. */
  applications(): Atom[] {
    return this.#apps.list();
  }
  applicationsRunning(): Atom[] {
    return this.#apps.running();
  }

  // ---------------------------------------------------------------- stop

  /**
   * Graceful stop: applications newest first, then `shutdown` to every other process; whatever
   * is alive after `timeout` ms (default 5000) is killed; then the network stops. Resolves when
   * all are gone.
   */
  async stop(options?: { timeout?: number }): Promise<void> {
    if (this.#state !== 'running') return this.#stopped;
    this.#state = 'stopping';
    const timeout = options?.timeout ?? 5000;
    await this.#apps.stopAll(timeout);
    await this.#core.stop(timeout, false);
    await this.#finish();
  }

  /** Forced stop: every process is killed at once (no terminate callbacks), then the network stops. */
  async stopForce(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    await this.#core.stop(0, true);
    await this.#finish();
  }

  async #finish(): Promise<void> {
    try {
      await this.#core.router?.stop();
    } catch (e) {
      this.#core.log.warning('network stop failed: %s', String(e));
    }
    this.#core.loggers.clear();
    this.#state = 'stopped';
    this.#markStopped();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  toString(): string {
    return `Node<${this.name.name}>`;
  }
}

