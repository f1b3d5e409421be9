/**
 * The process object: one per spawned process. It is deliberately small; everything a process
 * rarely needs (links, monitors, aliases, env, timers, limits) lives in a lazily created
 * {@link Extra}, so an idle process costs a few hundred bytes. The runtime (core.ts and its
 * rooms) owns the fields; behaviours see the {@link Process} interface only.
 */
import { A, Alias, Atom, atom, Pid, Ref, type Term } from '../term/index.js';
import { Err, type Event, type MessageEvent, type Priority } from '../gen/index.js';
import { F, S } from './states.js';
import type { Core } from './core.js';
import type { EnvScope } from './env.js';
import type { EntryRing } from './ring.js';
import type { MonitorRecord, Relation, RefKey } from './relations.js';
import { LogLevel, type Log, type LogLevelName } from './log.js';
import { processInfo } from './introspect.js';
import type {
  CallOptions,
  EventOptions,
  Factory,
  LinkTarget,
  Process,
  ProcessBehavior,
  ProcessInfo,
  ProcessState,
  RemoteSpawnName,
  RemoteSpawnOptions,
  SendOptions,
  SpawnOptions,
  SpawnOptionsArg,
  Target,
} from './types.js';
import type { Node } from './node.js';

export { S, F, Q, queueOf } from './states.js';

/** Four queues, each created on first use. */
export class Mailbox {
  q0: EntryRing | undefined = undefined;
  q1: EntryRing | undefined = undefined;
  q2: EntryRing | undefined = undefined;
  q3: EntryRing | undefined = undefined;

  /** Entries in the main and system queues (what the mailbox limit counts). */
  regular(): number {
    return (this.q1?.length ?? 0) + (this.q2?.length ?? 0);
  }
  size(): number {
    return (this.q0?.length ?? 0) + (this.q1?.length ?? 0) + (this.q2?.length ?? 0) + (this.q3?.length ?? 0);
  }
  /** Take the next entry, urgent > system > main > log. */
  take(out: unknown[]): boolean {
    return (
      (this.q0 !== undefined && this.q0.shiftInto(out)) ||
      (this.q1 !== undefined && this.q1.shiftInto(out)) ||
      (this.q2 !== undefined && this.q2.shiftInto(out)) ||
      (this.q3 !== undefined && this.q3.shiftInto(out))
    );
  }
  clear(): void {
    this.q0 = this.q1 = this.q2 = this.q3 = undefined;
  }
}

/** Rarely used per-process state; allocated on first need. */
export class Extra {
  mailboxLimit = 0;
  fallback: { name: Atom; tag: string } | undefined = undefined;
  priority: Priority = 'normal';
  env: EnvScope | undefined = undefined;
  /** Whether `env` is this process's own layer (else shared with the parent). */
  ownEnv = false;
  logLevel: number | undefined = undefined;
  log: Log | undefined = undefined;
  aliases: Map<RefKey, Alias> | undefined = undefined;
  events: Set<Atom> | undefined = undefined;
  /** Links and monitors this process holds (it is their consumer). */
  held: Set<Relation> | undefined = undefined;
  /** Its monitors (and monitor subscriptions), by reference. */
  monitors: Map<RefKey, MonitorRecord> | undefined = undefined;
  /** Links and monitors on this process (by pid, by its name, by one of its aliases). */
  watchers: Set<Relation> | undefined = undefined;
  /** Waiting for its queue to drain (inbound back-pressure). */
  drainWaiters: (() => void)[] | undefined = undefined;
  /** The node whose busy connection parked it. */
  parkedOn: Atom | undefined = undefined;
  timers: Set<ReturnType<typeof setTimeout>> | undefined = undefined;
  waiters: ((reason: Term) => void)[] | undefined = undefined;
  init: { resolve: (pid: Pid) => void; reject: (e: unknown) => void } | undefined = undefined;
  linkParent = false;
  app: Atom | undefined = undefined;
  appMember = false;
}

const TWO32 = 0x1_0000_0000;

export class ProcessImpl implements Process {
  readonly core: Core;
  readonly pid: Pid;
  readonly behavior: ProcessBehavior;
  readonly parent: Pid;
  readonly leader: Pid;
  name: Atom | undefined = undefined;
  /** {@link S} */
  st: number = S.Init;
  /** {@link F} */
  flags = 0;
  mb: Mailbox | undefined = undefined;
  /** A pending fatal exit reason, acted on at the next scheduling point. */
  fatal: Term | undefined = undefined;
  nIn = 0;
  nOut = 0;
  /** Pending calls this process makes or answers: its death need not scan the call table when 0. */
  pc = 0;
  /** Seconds after the node's start. */
  born: number;
  x: Extra | undefined = undefined;

  constructor(core: Core, pid: Pid, behavior: ProcessBehavior, parent: Pid, leader: Pid, born: number) {
    this.core = core;
    this.pid = pid;
    this.behavior = behavior;
    this.parent = parent;
    this.leader = leader;
    this.born = born;
  }

  get key(): number {
    return this.pid.serial * TWO32 + this.pid.id;
  }

  ext(): Extra {
    return this.x ?? (this.x = new Extra());
  }

  get node(): Node {
    return this.core.facade;
  }

  get state(): ProcessState {
    switch (this.st) {
      case S.Init:
        return 'init';
      case S.Sleep:
        return 'sleep';
      case S.Running:
        return 'running';
      case S.Waiting:
        return 'waiting';
      default:
        return 'terminated';
    }
  }

  get trapExit(): boolean {
    return (this.flags & F.TrapExit) !== 0;
  }
  set trapExit(on: boolean) {
    this.flags = on ? this.flags | F.TrapExit : this.flags & ~F.TrapExit;
  }

  get sendPriority(): Priority {
    return this.x?.priority ?? 'normal';
  }
  set sendPriority(p: Priority) {
    if (p !== 'normal' || this.x) this.ext().priority = p;
  }

  get log(): Log {
    const x = this.ext();
    return x.log ?? (x.log = this.core.loggers.processLog(this));
  }

  logLevel(): number {
    return this.x?.logLevel ?? this.core.loggers.level;
  }

  #alive(): void {
    if (this.st === S.Terminated) throw Err.processTerminated(this.pid);
  }

  send(to: Target, message: unknown, options?: SendOptions): void {
    if (this.st === S.Terminated) throw Err.processTerminated(this.pid);
    const prio = options?.priority ?? (this.x === undefined ? 'normal' : this.x.priority);
    this.core.send(this, to, message, prio, (this.flags & F.Important) !== 0);
  }

  sendImportant(to: Target, message: unknown, options?: SendOptions): Promise<void> {
    this.#alive();
    return this.core.sendImportant(this, to, message, options?.priority ?? this.sendPriority);
  }

  sendAfter(to: Target, message: unknown, ms: number): () => boolean {
    this.#alive();
    return this.core.sendAfter(this, to, message, ms);
  }

  sendExit(to: Pid, reason: Term): void {
    this.#alive();
    this.core.sendExit(this.pid, to, reason);
  }

  sendResponse(to: Pid, ref: Ref, value: unknown): void {
    this.core.sendResponse(this.pid, to, ref, value, undefined);
  }

  sendResponseError(to: Pid, ref: Ref, reason: Term | Error): void {
    this.core.sendResponse(this.pid, to, ref, undefined, reason instanceof Error ? this.core.reasonOf(reason) : reason);
  }

  forward(to: Pid, from: Pid, message: unknown, ref?: Ref, priority: Priority = 'normal'): void {
    this.#alive();
    this.core.forward(to, from, message, ref, priority);
  }

  call<T = unknown>(to: Target, request: unknown, options?: CallOptions): Promise<T> {
    if (this.st === S.Terminated) return Promise.reject(Err.processTerminated(this.pid));
    return this.core.calls.call(this, to, request, options) as Promise<T>;
  }

  cast(to: Target, message: unknown): void {
    this.send(to, this.core.castMessage(message));
  }

  inspect(to: Pid, ...items: string[]): Promise<Record<string, string>> {
    return this.core.calls.inspect(this, to, items);
  }

  spawn<F extends Factory>(factory: F, ...options: SpawnOptionsArg<F>): Promise<Pid> {
    if (this.st === S.Terminated) return Promise.reject(Err.processTerminated(this.pid));
    return this.core.spawner.spawn(this, factory, options[0] as SpawnOptions | undefined, undefined);
  }

  spawnRegister<F extends Factory>(name: Atom | string, factory: F, ...options: SpawnOptionsArg<F>): Promise<Pid> {
    if (this.st === S.Terminated) return Promise.reject(Err.processTerminated(this.pid));
    return this.core.spawner.spawn(this, factory, options[0] as SpawnOptions | undefined, typeof name === 'string' ? atom(name) : name);
  }

  remoteSpawn(node: Atom | string, name: RemoteSpawnName, options?: RemoteSpawnOptions): Promise<Pid> {
    if (this.st === S.Terminated) return Promise.reject(Err.processTerminated(this.pid));
    return this.core.spawner.remoteSpawn(this, typeof node === 'string' ? atom(node) : node, name, options);
  }

  stop(reason: Term = A.normal): void {
    this.core.sched.stopSelf(this, reason);
  }

  registerName(name: Atom | string): void {
    this.#alive();
    this.core.names.register(typeof name === 'string' ? atom(name) : name, this);
  }

  unregisterName(): void {
    if (this.name === undefined) throw Err.nameUnknown('(none)');
    this.core.names.unregister(this.name);
  }

  createAlias(): Alias {
    this.#alive();
    return this.core.names.createAlias(this);
  }

  deleteAlias(alias: Alias): void {
    this.core.names.deleteAlias(this, alias);
  }

  aliases(): Alias[] {
    return this.x?.aliases ? [...this.x.aliases.values()] : [];
  }

  link(target: LinkTarget, options?: { oneWay?: boolean }): void {
    this.#alive();
    this.core.targets.link(this, this.core.norm(target), options?.oneWay === true ? 'one-way' : 'two-way');
  }

  unlink(target: LinkTarget, options?: { oneWay?: boolean }): void {
    this.core.targets.unlink(this, this.core.norm(target), options?.oneWay === true ? 'one-way' : 'two-way');
  }

  monitor(target: LinkTarget): Ref {
    this.#alive();
    return this.core.targets.monitor(this, this.core.norm(target));
  }

  demonitor(refOrTarget: Ref | LinkTarget): boolean {
    if (refOrTarget instanceof Ref && !(refOrTarget instanceof Alias)) return this.core.targets.demonitorRef(this, refOrTarget);
    return this.core.targets.demonitorTarget(this, this.core.norm(refOrTarget as LinkTarget));
  }

  linkNode(node: Atom | string): void {
    this.#alive();
    this.core.targets.nodeRelation(this, typeof node === 'string' ? atom(node) : node, 'link', true);
  }
  unlinkNode(node: Atom | string): void {
    this.core.targets.nodeRelation(this, typeof node === 'string' ? atom(node) : node, 'link', false);
  }
  monitorNode(node: Atom | string): void {
    this.#alive();
    this.core.targets.nodeRelation(this, typeof node === 'string' ? atom(node) : node, 'monitor', true);
  }
  demonitorNode(node: Atom | string): void {
    this.core.targets.nodeRelation(this, typeof node === 'string' ? atom(node) : node, 'monitor', false);
  }
  monitorNodes(on: boolean): void {
    this.#alive();
    this.core.watchNodes(this, on);
  }

  registerEvent(name: Atom | string, options?: EventOptions): Ref {
    this.#alive();
    return this.core.events.register(this, typeof name === 'string' ? atom(name) : name, options ?? {});
  }
  unregisterEvent(name: Atom | string): void {
    this.core.events.unregister(this, typeof name === 'string' ? atom(name) : name, A.normal);
  }
  sendEvent(name: Atom | string, token: Ref, message: unknown): void {
    this.#alive();
    this.core.events.publish(this, typeof name === 'string' ? atom(name) : name, token, message);
  }
  linkEvent(event: Event): Promise<MessageEvent[]> {
    return this.#subscribe(event, 'link');
  }
  unlinkEvent(event: Event): void {
    this.core.targets.unsubscribe(this, event, 'link');
  }
  monitorEvent(event: Event): Promise<MessageEvent[]> {
    return this.#subscribe(event, 'monitor');
  }
  #subscribe(event: Event, mode: 'link' | 'monitor'): Promise<MessageEvent[]> {
    if (this.st === S.Terminated) return Promise.reject(Err.processTerminated(this.pid));
    try {
      return this.core.targets.subscribe(this, event, mode).buffer;
    } catch (e) {
      return Promise.reject(e);
    }
  }
  demonitorEvent(event: Event): void {
    this.core.targets.unsubscribe(this, event, 'monitor');
  }
  events(): Atom[] {
    return this.x?.events ? [...this.x.events] : [];
  }

  env(name: string): unknown {
    return this.core.env.lookup(this.x?.env ?? this.core.env.root, name);
  }
  envDefault<T>(name: string, def: T): T | unknown {
    const v = this.env(name);
    return v === undefined ? def : v;
  }
  setEnv(name: string, value: unknown): void {
    this.core.env.set(this, name, value);
  }
  envList(): Record<string, unknown> {
    return this.core.env.flatten(this.x?.env ?? this.core.env.root);
  }

  info(): ProcessInfo {
    return processInfo(this.core, this);
  }

  setLogLevel(level: LogLevelName): void {
    this.ext().logLevel = LogLevel[level];
  }

  toString(): string {
    return `Process<${this.pid}>`;
  }
}

