/**
 * The node: a named runtime that owns processes, routes messages between them and (through an
 * installed {@link NetworkRouter}) to other nodes.
 *
 * ```ts
 * const node = await Node.start({ name: 'demo@localhost' });
 * const pid = await node.spawn(Echo);
 * await node.call(pid, 'hi');
 * await node.stop();
 * ```
 */
import { A, Alias, Atom, atom, Pid, Ref, type Term } from '../term/index.js';
import { Err, type NetworkRouter, type NodeInbound, type Priority } from '../gen/index.js';
import { Core, levelName } from './core.js';
import { LogLevel, type Log, type LogLevelName, type Logger } from './log.js';
import {
  Applications,
  type ApplicationBehavior,
  type ApplicationInfo,
  type ApplicationMode,
} from './application.js';
import type { CallOptions, Factory, ProcessInfo, ProcessOptions, ProcessShortInfo, SendOptions, Target } from './types.js';

export interface NodeOptions {
  /** `name@host`; a bare name gets `@localhost`. */
  name: string | Atom;
  /** Incarnation number; default: seconds since the epoch (as Ergo and epmd do). */
  creation?: number;
  env?: Record<string, unknown>;
  /** Default `info`. */
  logLevel?: LogLevelName;
  /** Write log lines to stderr (the `default` logger); default true. */
  defaultLogger?: boolean;
  /** Extra loggers: name → logger (and the lowest level it wants). */
  loggers?: { name: string; logger: Logger; level?: LogLevelName }[];
  router?: NetworkRouter;
}

export interface NodeInfo {
  name: Atom;
  creation: number;
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
}

export class Node implements AsyncDisposable {
  readonly #core: Core;
  readonly #apps: Applications;
  #state: 'running' | 'stopping' | 'stopped' = 'running';
  #stopped: Promise<void>;
  #markStopped!: () => void;

  private constructor(core: Core) {
    this.#core = core;
    core.facade = this;
    this.#apps = new Applications(core, this);
    this.#stopped = new Promise((r) => (this.#markStopped = r));
  }

  /** Start a node. Resolves once it can spawn processes. */
  static async start(o: NodeOptions): Promise<Node> {
    const raw = typeof o.name === 'string' ? o.name : o.name.name;
    const full = raw.includes('@') ? raw : `${raw}@localhost`;
    const core = new Core({
      name: atom(full),
      creation: o.creation ?? Math.floor(Date.now() / 1000),
      env: o.env,
      logLevel: o.logLevel ?? 'info',
      defaultLogger: o.defaultLogger ?? true,
    });
    for (const l of o.loggers ?? []) core.loggerAdd(l.name, l.logger, l.level ?? 'trace');
    if (o.router) core.setRouter(o.router);
    return new Node(core);
  }

  get name(): Atom {
    return this.#core.name;
  }
  get creation(): number {
    return this.#core.creation;
  }
  /** The pid the node itself sends from and the parent of processes it spawns. */
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

  /** Spawn a process; resolves with its pid once its init succeeded, rejects `ERR_INIT_FAILED`. */
  spawn(factory: Factory, options?: ProcessOptions, ...args: unknown[]): Promise<Pid> {
    return this.#core.spawn(undefined, factory, options, args, undefined);
  }

  /** Spawn and register under `name`; rejects `ERR_TAKEN` if the name is in use. */
  spawnRegister(name: Atom | string, factory: Factory, options?: ProcessOptions, ...args: unknown[]): Promise<Pid> {
    return this.#core.spawn(undefined, factory, options, args, typeof name === 'string' ? atom(name) : name);
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

  /** `exit/2` from the node. */
  sendExit(to: Pid, reason: Term): void {
    this.#core.sendExit(this.#core.pid, to, reason);
  }

  /** Untrappable kill: the process dies with `killed` without its terminate callback. */
  kill(pid: Pid): void {
    this.#core.sendExit(this.#core.pid, pid, A.kill);
  }

  /** A request from the node; see `Process.call`. */
  call(to: Target, request: unknown, options?: CallOptions): Promise<unknown> {
    return this.#core.call(undefined, to, request, options);
  }

  inspect(pid: Pid, ...items: string[]): Promise<Record<string, string>> {
    return this.#core.inspect(undefined, pid, items);
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

  register(name: Atom | string, pid: Pid): void {
    const p = this.#core.process(pid);
    if (p === undefined) throw Err.processUnknown(pid);
    this.#core.register(typeof name === 'string' ? atom(name) : name, p);
  }

  unregister(name: Atom | string): void {
    this.#core.unregister(typeof name === 'string' ? atom(name) : name);
  }

  whereis(name: Atom | string): Pid | undefined {
    return this.#core.whereis(typeof name === 'string' ? atom(name) : name)?.pid;
  }

  makeRef(): Ref {
    return this.#core.makeRef();
  }

  /** Whether `alias` is live on this node. */
  hasAlias(alias: Alias): boolean {
    return this.#core.aliasOwner(alias) !== undefined;
  }

  // ---------------------------------------------------------------- introspection

  processList(): ProcessShortInfo[] {
    return this.#core.processList();
  }

  processCount(): number {
    return this.#core.count();
  }

  /** Details of one local process; throws `ERR_PROCESS_UNKNOWN`. */
  processInfo(pid: Pid): ProcessInfo {
    const p = this.#core.process(pid);
    if (p === undefined) throw Err.processUnknown(pid);
    return this.#core.processInfoOf(p);
  }

  info(): NodeInfo {
    const c = this.#core;
    return {
      name: c.name,
      creation: c.creation,
      uptime: c.uptime(),
      processes: c.count(),
      names: c.names(),
      aliases: c.aliasCount(),
      events: c.eventNames(),
      applications: this.#apps.running(),
      loggers: c.loggers(),
      logLevel: levelName(c.logLevel),
      env: c.envFlatten(c.rootEnv),
      network: c.router !== undefined,
    };
  }

  // ---------------------------------------------------------------- environment

  env(name: string): unknown {
    return this.#core.envLookup(this.#core.rootEnv, name);
  }
  setEnv(name: string, value: unknown): void {
    if (value === undefined) this.#core.rootEnv.vars.delete(name);
    else this.#core.rootEnv.vars.set(name, value);
  }
  envList(): Record<string, unknown> {
    return this.#core.envFlatten(this.#core.rootEnv);
  }

  // ---------------------------------------------------------------- logging

  /** Add a logger (an object, or a process that gets `handleLog`) for messages at `level` and above. */
  loggerAdd(name: string, logger: Logger | Pid, level: LogLevelName = 'trace'): void {
    this.#core.loggerAdd(name, logger, level);
  }
  loggerDelete(name: string): void {
    this.#core.loggerDelete(name);
  }
  loggers(): string[] {
    return this.#core.loggers();
  }
  setLogLevel(level: LogLevelName): void {
    this.#core.logLevel = LogLevel[level];
  }

  // ---------------------------------------------------------------- network

  /** Install (or remove) the network stack; remote targets go through it. */
  setNetworkRouter(router: NetworkRouter | undefined): void {
    this.#core.setRouter(router);
  }
  /** What a router calls for inbound traffic. */
  get inbound(): NodeInbound {
    return this.#core;
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
   * is alive after `timeout` ms (default 5000) is killed. Resolves when all are gone.
   */
  async stop(options?: { timeout?: number }): Promise<void> {
    if (this.#state !== 'running') return this.#stopped;
    this.#state = 'stopping';
    const timeout = options?.timeout ?? 5000;
    await this.#apps.stopAll(timeout);
    await this.#core.stop(timeout, false);
    this.#state = 'stopped';
    this.#markStopped();
  }

  /** Forced stop: every process is killed at once (no terminate callbacks). */
  async stopForce(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    await this.#core.stop(0, true);
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

export type { Priority };
