/**
 * The runtime core: process table, scheduler, routing, names, aliases, links, monitors,
 * events, calls, timers, logging and environment. One per node; `Node` is its public face.
 *
 * Scheduling: a process with mail is put once on a ready ring; one drain per event-loop turn
 * (setImmediate) runs ready processes, each for at most QUANTUM entries, and the whole drain
 * for at most TURN_BUDGET entries or TURN_MS milliseconds, so sockets and timers always get
 * their turn. A handler that returns a promise parks its process (state `waiting`) until it
 * settles; the rest of the node keeps running.
 *
 * Exit signals follow Erlang (see proto-spec/runtime-semantics.md): a signal that kills is
 * acted on when it arrives (even while the process waits on a promise); a trapped one
 * becomes a `MessageExit` in the main queue (urgent for Ergo one-way links), and a DOWN goes
 * to the main queue too, so neither overtakes messages the dying process sent before.
 */
import { A, Alias, Atom, atom, Pid, Ref, Tuple, type Term } from '../term/index.js';
import {
  Err,
  ErrCode,
  Event,
  ExitReason,
  MessageDown,
  MessageEvent,
  MessageEventStart,
  MessageEventStop,
  MessageExit,
  MessageFallback,
  ProcessID,
  RuntimeError,
  isNormalExit,
  reasonText,
  type LinkKind,
  type NetworkRouter,
  type NodeInbound,
  type Priority,
  type TargetKind,
} from '../gen/index.js';
import { EntryRing, Ring } from './ring.js';
import { ConsoleLogger, LogLevel, type Log, type LogLevelName, type LogMessage, type LogSource, type Logger } from './log.js';
import { Extra, F, Mailbox, ProcessImpl, Q, S, queueOf, type LinkRec, type MonRec } from './process.js';
import {
  Kind,
  type CallOptions,
  type EventOptions,
  type Factory,
  type LinkTarget,
  type ProcessBehavior,
  type ProcessInfo,
  type ProcessOptions,
  type ProcessShortInfo,
  type Target,
} from './types.js';
import type { Node } from './node.js';

const TWO32 = 0x1_0000_0000;
/** Entries one process may handle before yielding to the next ready process. */
const QUANTUM = 512;
/** Entries one drain may handle before yielding to the event loop. */
const TURN_BUDGET = 65536;
/** Milliseconds one drain may run before yielding to the event loop. */
const TURN_MS = 10;

/** A chain of environment maps, innermost first. Shared between processes until written. */
export interface EnvScope {
  vars: Map<string, unknown>;
  up: EnvScope | undefined;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The caller (undefined for calls the node itself makes). */
  caller: ProcessImpl | undefined;
  /** The local callee, so its death fails the call. */
  callee: ProcessImpl | undefined;
  /** The remote node, so a nodedown fails the call. */
  node: Atom | undefined;
  ref: Ref;
  cleanup: (() => void) | undefined;
}

class EventEntry {
  links = new Map<number | string, Pid>();
  monitors = new Map<number | string, { ref: Ref; pid: Pid }>();
  buffer: Ring<MessageEvent> | undefined;
  constructor(
    readonly event: Event,
    readonly owner: ProcessImpl,
    readonly token: Ref,
    readonly notify: boolean,
    readonly cap: number,
  ) {
    this.buffer = cap > 0 ? new Ring<MessageEvent>(cap) : undefined;
  }
  get subscribers(): number {
    return this.links.size + this.monitors.size;
  }
}

interface LoggerEntry {
  logger: Logger | undefined;
  pid: Pid | undefined;
  min: number;
}

export interface CoreOptions {
  name: Atom;
  creation: number;
  env: Record<string, unknown> | undefined;
  logLevel: LogLevelName;
  defaultLogger: boolean;
}

/** Thrown values that are already reasons. */
function isReasonTerm(e: unknown): boolean {
  return e instanceof Atom || e instanceof Tuple || e instanceof ExitReason;
}

/** Hooks the application manager installs. */
export interface AppHooks {
  memberDown(app: Atom, pid: Pid, reason: Term): void;
}

export class Core implements NodeInbound {
  readonly name: Atom;
  readonly creation: number;
  /** The pid the node itself sends from (Ergo's core pid). */
  readonly pid: Pid;
  facade!: Node;
  apps: AppHooks | undefined = undefined;
  logLevel: number;

  readonly #table = new Map<number, ProcessImpl>();
  readonly #names = new Map<Atom, ProcessImpl>();
  readonly #aliases = new Map<number | string, ProcessImpl>();
  readonly #events = new Map<Atom, EventEntry>();
  readonly #pending = new Map<number | string, Pending>();
  readonly #loggers = new Map<string, LoggerEntry>();
  /** Processes holding links/monitors involving each remote node, for nodedown. */
  readonly #remote = new Map<Atom, Set<ProcessImpl>>();
  /** Monitors/links remote processes hold on local ones, by remote node. */
  readonly #remoteWatchers = new Map<Atom, Set<ProcessImpl>>();
  readonly #ready = new Ring<ProcessImpl>(1024);
  readonly #scratch: unknown[] = [0, undefined, undefined, undefined, undefined];
  readonly #start = Date.now();
  readonly #salt: number;
  readonly #rootEnv: EnvScope;
  readonly #nodeLog: Log;
  #nextId = 1000;
  #serial = 0;
  #refCounter = 0;
  #drainScheduled = false;
  #router: NetworkRouter | undefined = undefined;
  #stopping = false;
  #emptyWaiters: (() => void)[] = [];
  /** Timers of node-level `sendAfter` (a process's own live in its Extra); cleared by stop(). */
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(o: CoreOptions) {
    this.name = o.name;
    this.creation = o.creation;
    this.pid = new Pid(o.name, 1, 0, o.creation);
    this.#salt = (Math.random() * TWO32) >>> 0;
    this.#rootEnv = { vars: new Map(Object.entries(o.env ?? {})), up: undefined };
    this.logLevel = LogLevel[o.logLevel];
    if (o.defaultLogger) this.#loggers.set('default', { logger: new ConsoleLogger(), pid: undefined, min: LogLevel.trace });
    this.#nodeLog = this.#makeLog({ kind: 'node', node: o.name }, () => this.logLevel, (l) => (this.logLevel = l));
  }

  get log(): Log {
    return this.#nodeLog;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  get router(): NetworkRouter | undefined {
    return this.#router;
  }

  setRouter(r: NetworkRouter | undefined): void {
    this.#router = r;
  }

  uptime(): number {
    return Math.floor((Date.now() - this.#start) / 1000);
  }

  // ------------------------------------------------------------------ ids

  #newPid(): Pid {
    const id = this.#nextId++;
    if (this.#nextId >= TWO32) {
      this.#nextId = 1000;
      this.#serial++;
    }
    return new Pid(this.name, id, this.#serial, this.creation);
  }

  /** A fresh reference of this node: three words, a 53-bit counter and a per-node salt. */
  makeRef(): Ref {
    const n = ++this.#refCounter;
    return new Ref(this.name, this.creation, [n % TWO32, Math.floor(n / TWO32), this.#salt]);
  }

  /** A key for a reference: a number for our own, a string for anyone else's. */
  refKey(r: Ref): number | string {
    const ids = r.ids;
    if (r.node === this.name && r.creation === this.creation && ids.length === 3 && ids[2] === this.#salt) {
      return ids[0]! + ids[1]! * TWO32;
    }
    return `${r.node.name}|${String(r.creation)}|${ids.join('.')}`;
  }

  pidKey(p: Pid): number | string {
    if (p.node === this.name && p.creation === this.creation) return p.serial * TWO32 + p.id;
    return `${p.node.name}|${p.id}|${p.serial}|${String(p.creation)}`;
  }

  targetKey(t: Pid | ProcessID | Alias | Event | Atom): string {
    if (t instanceof Pid) return 'p' + String(this.pidKey(t));
    if (t instanceof ProcessID) return `n${t.name.name}@${t.node.name}`;
    if (t instanceof Alias) return 'a' + String(this.refKey(t));
    if (t instanceof Event) return `e${t.name.name}@${t.node.name}`;
    return 'N' + t.name;
  }

  // ------------------------------------------------------------------ lookup

  /** The live local process for `pid`, or undefined. Throws for a previous incarnation. */
  #local(pid: Pid): ProcessImpl | undefined {
    if (pid.creation !== this.creation) throw Err.processIncarnation(pid);
    return this.#table.get(pid.serial * TWO32 + pid.id);
  }

  process(pid: Pid): ProcessImpl | undefined {
    if (pid.node !== this.name || pid.creation !== this.creation) return undefined;
    return this.#table.get(pid.serial * TWO32 + pid.id);
  }

  whereis(name: Atom): ProcessImpl | undefined {
    return this.#names.get(name);
  }

  /** Normalise a target: strings and `{Name, Node}` tuples become atoms / ProcessIDs. */
  norm(t: Target | Event): Pid | ProcessID | Alias | Atom | Event {
    if (typeof t === 'string') return atom(t);
    if (t instanceof Tuple) {
      const [n, nd] = t.elements;
      if (t.elements.length === 2 && n instanceof Atom && nd instanceof Atom) {
        return nd === this.name ? n : new ProcessID(n, nd);
      }
      throw Err.incorrect(`not a {Name, Node} target: ${reasonText(t)}`);
    }
    if (t instanceof ProcessID && t.node === this.name) return t.name;
    return t;
  }

  /** Resolve a local target to its process; throws the catalogue error when absent. */
  #resolveLocal(t: Pid | Atom | Alias): ProcessImpl {
    if (t instanceof Pid) {
      const p = this.#local(t);
      if (p === undefined) throw Err.processUnknown(t);
      return p;
    }
    if (t instanceof Alias) {
      const p = this.#aliases.get(this.refKey(t));
      if (p === undefined) throw Err.aliasUnknown(t);
      return p;
    }
    const p = this.#names.get(t);
    if (p === undefined) throw Err.nameUnknown(t.name);
    return p;
  }

  #needRouter(node: Atom): NetworkRouter {
    if (this.#router === undefined) throw Err.noConnection(node.name, 'no route (no network stack installed)');
    return this.#router;
  }

  // ------------------------------------------------------------------ mailbox and scheduler

  /**
   * Queue an entry. Checks the mailbox limit for the main and system queues (the log and
   * urgent queues are never limited: signals must not be lost).
   */
  push(p: ProcessImpl, q: number, kind: number, from: Pid, message: unknown, ref: Ref | undefined, via: Atom | Alias | undefined): void {
    if (p.st === S.Terminated) throw Err.processUnknown(p.pid);
    const x = p.x;
    if (x !== undefined && x.mailboxLimit > 0 && (q === Q.main || q === Q.system) && p.mb !== undefined && p.mb.regular() >= x.mailboxLimit) {
      this.#fallback(p, x, from, message);
      return;
    }
    this.#enqueue(p, q, kind, from, message, ref, via);
  }

  /**
   * Queue a signal the runtime owes a process (DOWN, trapped EXIT, event start/stop): never
   * refused by the mailbox limit and never throwing, since it is sent from inside another
   * process's termination or subscription, which must not stop half-way.
   */
  #signal(p: ProcessImpl, q: number, from: Pid, message: unknown): void {
    if (p.st === S.Terminated) return;
    this.#enqueue(p, q, Kind.Message, from, message, undefined, undefined);
  }

  #enqueue(p: ProcessImpl, q: number, kind: number, from: Pid, message: unknown, ref: Ref | undefined, via: Atom | Alias | undefined): void {
    let mb = p.mb;
    if (mb === undefined) mb = p.mb = new Mailbox();
    let ring: EntryRing | undefined;
    switch (q) {
      case Q.main:
        ring = mb.q2 ?? (mb.q2 = new EntryRing());
        break;
      case Q.system:
        ring = mb.q1 ?? (mb.q1 = new EntryRing());
        break;
      case Q.urgent:
        ring = mb.q0 ?? (mb.q0 = new EntryRing());
        break;
      default:
        ring = mb.q3 ?? (mb.q3 = new EntryRing());
    }
    ring.push(kind, from, message, ref, via);
    p.nIn++;
    if ((p.flags & F.Queued) === 0 && p.st === S.Sleep) this.#schedule(p);
  }

  #fallback(p: ProcessImpl, x: Extra, from: Pid, message: unknown): void {
    const fb = x.fallback;
    const target = fb === undefined ? undefined : this.#names.get(fb.name);
    if (fb === undefined || target === undefined || target === p) throw Err.mailboxFull(p.pid);
    this.push(target, Q.main, Kind.Message, from, new MessageFallback(p.pid, fb.tag, from, message), undefined, undefined);
  }

  #schedule(p: ProcessImpl): void {
    p.flags |= F.Queued;
    this.#ready.push(p);
    if (!this.#drainScheduled) {
      this.#drainScheduled = true;
      setImmediate(this.#drain);
    }
  }

  readonly #drain = (): void => {
    this.#drainScheduled = false;
    const ready = this.#ready;
    const deadline = performance.now() + TURN_MS;
    let budget = TURN_BUDGET;
    let p: ProcessImpl | undefined;
    while (budget > 0 && (p = ready.shift()) !== undefined) {
      p.flags &= ~F.Queued;
      if (p.st === S.Terminated || p.st === S.Terminating) continue;
      // A signal kills even a waiting (or initialising) process; a self-stop waits for the
      // pending handler to settle (#resume / #initDone act on it then).
      if (p.fatal !== undefined && (p.st === S.Sleep || (p.st !== S.Running && (p.flags & F.SelfStop) === 0))) {
        this.terminate(p, p.fatal);
        continue;
      }
      if (p.st !== S.Sleep) continue;
      budget -= this.#run(p, budget < QUANTUM ? budget : QUANTUM);
      if (p.st === S.Sleep && (p.fatal !== undefined || (p.mb !== undefined && p.mb.size() > 0))) this.#schedule(p);
      if (performance.now() > deadline) break;
    }
    if (ready.length > 0 && !this.#drainScheduled) {
      this.#drainScheduled = true;
      setImmediate(this.#drain);
    }
  };

  /** Handle up to `limit` entries of `p`; returns how many it handled. */
  #run(p: ProcessImpl, limit: number): number {
    const mb = p.mb;
    if (mb === undefined) return 0;
    const s = this.#scratch;
    const behavior = p.behavior;
    p.st = S.Running;
    let n = 0;
    while (n < limit) {
      if (p.fatal !== undefined) {
        p.st = S.Sleep;
        this.terminate(p, p.fatal);
        return n;
      }
      if (!mb.take(s)) break;
      n++;
      let r: unknown;
      try {
        r = behavior.processHandle(s[0] as Kind, s[1] as Pid, s[2], s[3] as Ref | undefined, s[4] as Atom | Alias | undefined);
      } catch (e) {
        s[2] = s[3] = s[4] = undefined;
        p.st = S.Sleep;
        this.crash(p, e);
        return n;
      }
      s[2] = s[3] = s[4] = undefined;
      if (r !== undefined && typeof (r as PromiseLike<unknown>).then === 'function') {
        p.st = S.Waiting;
        (r as PromiseLike<unknown>).then(
          () => this.#resume(p),
          (e: unknown) => this.crash(p, e),
        );
        return n;
      }
      if (p.st === S.Terminated || p.st === S.Terminating) return n;
    }
    if (p.st === S.Running) p.st = S.Sleep;
    if (p.fatal !== undefined) this.terminate(p, p.fatal);
    return n;
  }

  #resume(p: ProcessImpl): void {
    if (p.st !== S.Waiting) return;
    p.st = S.Sleep;
    if ((p.flags & F.Queued) === 0 && (p.fatal !== undefined || (p.mb !== undefined && p.mb.size() > 0))) this.#schedule(p);
  }

  /** A handler threw: log it and terminate the process with the error as reason. */
  crash(p: ProcessImpl, e: unknown): void {
    if (p.st === S.Terminated || p.st === S.Terminating) return;
    if (p.fatal !== undefined && (p.flags & F.SelfStop) === 0) {
      // An exit signal already killed it (Erlang acts on arrival); the handler settling
      // before the scheduler got there must not change the reason (nor run terminate after a kill).
      if (p.st === S.Waiting || p.st === S.Running) p.st = S.Sleep;
      this.terminate(p, p.fatal);
      return;
    }
    const reason = this.reasonOf(e);
    if (!isReasonTerm(e) || !isNormalExit(reason)) {
      const stack = e instanceof Error && e.stack ? `\n${e.stack}` : '';
      this.#emit(p.logLevel(), this.#procSource(p), 'error', 'process terminated abnormally: %s%s', [reasonText(reason), stack]);
    }
    if (p.st === S.Waiting || p.st === S.Running) p.st = S.Sleep;
    this.terminate(p, reason);
  }

  /**
   * A thrown value as an exit reason: an atom or tuple is the reason itself; a RuntimeError
   * gives its `reason` term; `exit(reason)` gives `reason`; any other error becomes `{error, <<"Name: message">>}`.
   */
  reasonOf(e: unknown): Term {
    if (e instanceof ExitReason) return e.reason;
    if (e instanceof Atom || e instanceof Tuple) return e;
    if (e instanceof RuntimeError) return e.reason;
    if (e instanceof Error) return new Tuple([A.error, `${e.name}: ${e.message}`]);
    return new Tuple([A.error, String(e)]);
  }

  /**
   * An exit signal kills `p` with `reason`: at its next scheduling point, now if it is idle or
   * waiting on a promise. It replaces a pending self-stop (the process has not ended yet, and
   * in Erlang a signal acts on arrival). `kill`: the untrappable kill, which skips `terminate`.
   */
  fatal(p: ProcessImpl, reason: Term, kill = false): void {
    if (p.st === S.Terminated || p.st === S.Terminating) return;
    if (p.fatal !== undefined && (p.flags & F.SelfStop) === 0) return;
    p.flags &= ~F.SelfStop;
    if (kill) p.flags |= F.Killed;
    p.fatal = reason;
    if ((p.flags & F.Queued) === 0 && p.st !== S.Running) this.#schedule(p);
  }

  /**
   * `Process.stop(reason)`: end once the current handler (or async init) has returned, never
   * in the middle of it — a handler that calls stop() and then awaits more finishes first.
   */
  stopSelf(p: ProcessImpl, reason: Term): void {
    if (p.st === S.Terminated || p.st === S.Terminating || p.fatal !== undefined) return;
    p.fatal = reason;
    p.flags |= F.SelfStop;
    if ((p.flags & F.Queued) === 0 && p.st === S.Sleep) this.#schedule(p);
  }

  // ------------------------------------------------------------------ spawn

  spawn(
    parent: ProcessImpl | undefined,
    factory: Factory,
    options: ProcessOptions | undefined,
    args: readonly unknown[],
    register: Atom | undefined,
    app?: { name: Atom; env: EnvScope },
  ): Promise<Pid> {
    if (this.#stopping) return Promise.reject(Err.nodeTerminated());
    if (register !== undefined && this.#names.has(register)) return Promise.reject(Err.taken(register.name));
    let behavior: ProcessBehavior;
    try {
      behavior = instantiate(factory);
    } catch (e) {
      return Promise.reject(e);
    }
    const parentPid = parent === undefined ? this.pid : parent.pid;
    const leader = options?.leader ?? (parent === undefined ? this.pid : parent.leader);
    const p = new ProcessImpl(this, this.#newPid(), behavior, parentPid, leader, this.uptime());
    const inherited = app !== undefined ? app.env : parent?.x?.env;
    if (inherited !== undefined) p.ext().env = inherited;
    if (options !== undefined) this.#applyOptions(p, parent, options);
    if (parent?.x?.app !== undefined) p.ext().app = parent.x.app;
    if (app !== undefined) {
      const x = p.ext();
      x.app = app.name;
      x.appMember = true;
    }
    if (parent !== undefined && parent.x?.logLevel !== undefined && p.x?.logLevel === undefined) p.ext().logLevel = parent.x.logLevel;
    this.#table.set(p.key, p);
    if (register !== undefined) {
      this.#names.set(register, p);
      p.name = register;
    }
    if (parent !== undefined) parent.nOut++;
    let r: unknown;
    try {
      r = behavior.processInit(p, args);
    } catch (e) {
      return Promise.reject(this.#initFailed(p, e));
    }
    if (r !== undefined && typeof (r as PromiseLike<unknown>).then === 'function') {
      return new Promise<Pid>((resolve, reject) => {
        p.ext().init = { resolve, reject };
        (r as PromiseLike<unknown>).then(
          () => {
            if (p.x) p.x.init = undefined;
            if (p.st === S.Terminated) return;
            try {
              resolve(this.#initDone(p, parent));
            } catch (e) {
              reject(e);
            }
          },
          (e: unknown) => {
            if (p.x) p.x.init = undefined;
            if (p.st === S.Terminated) return;
            reject(this.#initFailed(p, e));
          },
        );
      });
    }
    try {
      return Promise.resolve(this.#initDone(p, parent));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #applyOptions(p: ProcessImpl, parent: ProcessImpl | undefined, o: ProcessOptions): void {
    if (o.mailboxSize !== undefined && o.mailboxSize > 0) p.ext().mailboxLimit = o.mailboxSize;
    if (o.fallback !== undefined) {
      const name = typeof o.fallback.name === 'string' ? atom(o.fallback.name) : o.fallback.name;
      p.ext().fallback = { name, tag: o.fallback.tag ?? '' };
    }
    if (o.sendPriority !== undefined && o.sendPriority !== 'normal') p.ext().priority = o.sendPriority;
    if (o.importantDelivery) p.flags |= F.Important;
    if (o.logLevel !== undefined) p.ext().logLevel = LogLevel[o.logLevel];
    if (o.env !== undefined) {
      const up = p.x?.env ?? parent?.x?.env ?? this.#rootEnv;
      const x = p.ext();
      x.env = { vars: new Map(Object.entries(o.env)), up };
      x.ownEnv = true;
    }
    if (o.linkParent && parent !== undefined) p.ext().linkParent = true;
  }

  #initDone(p: ProcessImpl, parent: ProcessImpl | undefined): Pid {
    if (p.fatal !== undefined) {
      // An exit signal arrived during init: the process never started, so no terminate/1.
      const reason = p.fatal;
      p.fatal = undefined;
      this.#finalize(p, reason);
      throw Err.initFailed(reason);
    }
    if (p.x?.linkParent && parent !== undefined) {
      if (parent.st === S.Terminated || parent.st === S.Terminating) {
        this.#finalize(p, A.noproc);
        throw Err.initFailed(A.noproc);
      }
      this.#linkTwoWay(p, parent);
    }
    p.st = S.Sleep;
    if (p.mb !== undefined && p.mb.size() > 0) this.#schedule(p);
    return p.pid;
  }

  #initFailed(p: ProcessImpl, e: unknown): RuntimeError {
    const reason = this.reasonOf(e);
    if (!isReasonTerm(e) || !isNormalExit(reason)) {
      const stack = e instanceof Error && e.stack ? `\n${e.stack}` : '';
      this.#emit(p.logLevel(), this.#procSource(p), 'error', 'init failed: %s%s', [reasonText(reason), stack]);
    }
    // OTP and Ergo alike: terminate/1 is not called when init fails.
    this.#finalize(p, reason);
    return Err.initFailed(reason, e);
  }

  remoteSpawn(p: ProcessImpl, node: Atom, name: Atom, options: { register?: Atom | string; link?: boolean } | undefined, args: unknown[]): Promise<Pid> {
    if (node === this.name) return Promise.reject(Err.notAllowed('remoteSpawn on the local node: use spawn'));
    let router: NetworkRouter;
    try {
      router = this.#needRouter(node);
    } catch (e) {
      return Promise.reject(e);
    }
    const reg = options?.register;
    return router
      .spawn(p.pid, node, name, { register: typeof reg === 'string' ? atom(reg) : reg, link: options?.link }, args)
      .then((pid) => {
        if (options?.link) this.#recordRemoteLink(p, pid);
        return pid;
      });
  }

  // ------------------------------------------------------------------ termination

  /**
   * Terminate: run the behaviour's terminate callback (except for `killed`), then signal
   * links and monitors and forget everything the process owned.
   */
  terminate(p: ProcessImpl, reason: Term): void {
    if (p.st === S.Terminated || p.st === S.Terminating) return;
    const init = p.x?.init;
    p.st = S.Terminating;
    p.fatal = undefined;
    p.flags &= ~F.SelfStop;
    if (init !== undefined) {
      p.x!.init = undefined;
      init.reject(Err.initFailed(reason));
      this.#finalize(p, reason);
      return;
    }
    // Only the untrappable kill skips terminate: a process that ends with `killed` for any
    // other cause (a trapped link EXIT from a killed parent, a link) runs it, as in OTP.
    if ((p.flags & F.Killed) !== 0) {
      this.#finalize(p, reason);
      return;
    }
    let r: unknown;
    try {
      r = p.behavior.processTerminate(reason);
    } catch (e) {
      this.#emit(p.logLevel(), this.#procSource(p), 'error', 'terminate callback failed: %s', [String(e)]);
    }
    if (r !== undefined && typeof (r as PromiseLike<unknown>).then === 'function') {
      (r as PromiseLike<unknown>).then(
        () => this.#finalize(p, reason),
        (e: unknown) => {
          this.#emit(p.logLevel(), this.#procSource(p), 'error', 'terminate callback failed: %s', [String(e)]);
          this.#finalize(p, reason);
        },
      );
      return;
    }
    this.#finalize(p, reason);
  }

  /** Remove `p` from every table and deliver its link exits and DOWNs. */
  #finalize(p: ProcessImpl, reason: Term): void {
    if (!this.#table.delete(p.key)) return;
    p.st = S.Terminated;
    if (p.name !== undefined && this.#names.get(p.name) === p) this.#names.delete(p.name);
    p.mb?.clear();
    p.mb = undefined;
    const x = p.x;
    // Calls this process was answering fail with its reason (as gen_server:call does via its monitor).
    if (p.pc > 0) {
      for (const [k, c] of this.#pending) {
        if (c.callee === p) {
          this.#pending.delete(k);
          this.#settle(c, undefined, Err.callFailed(reason));
        } else if (c.caller === p) {
          this.#pending.delete(k);
          this.#settle(c, undefined, Err.processTerminated(p.pid));
        }
      }
    }
    if (x !== undefined) this.#finalizeExtra(p, x, reason);
    if (this.#table.size === 0 && this.#emptyWaiters.length > 0) {
      const w = this.#emptyWaiters;
      this.#emptyWaiters = [];
      for (const f of w) f();
    }
  }

  #finalizeExtra(p: ProcessImpl, x: Extra, reason: Term): void {
    if (x.timers) for (const t of x.timers) clearTimeout(t);
    if (x.aliases) for (const k of x.aliases.keys()) this.#aliases.delete(k);
    if (x.events) for (const name of [...x.events]) this.unregisterEvent(p, name, reason);
    if (x.eventSubs) for (const s of [...x.eventSubs.values()]) this.unsubscribeEvent(p, s.event, s.link);
    // Two-way links: the other side hears the reason (Erlang: even `normal`).
    if (x.links) {
      for (const other of x.links.values()) {
        if (other.node === this.name) {
          const o = this.process(other);
          if (o === undefined) continue;
          o.x?.links?.delete(p.key);
          this.exitSignal(o, p.pid, 'process', reason, 'link');
        } else {
          this.#router?.linkExit(p.pid, other, reason, 'erlang');
        }
      }
    }
    // One-way links others hold on this process.
    if (x.linkedBy) {
      for (const rec of x.linkedBy.values()) {
        if (rec.linker.node === this.name) {
          const o = this.process(rec.linker);
          if (o === undefined) continue;
          o.x?.linksTo?.delete(this.targetKey(rec.target));
          this.exitSignal(o, rec.target, rec.kind, reason, 'ergo');
        } else {
          this.#router?.linkExit(p.pid, rec.linker, reason, 'ergo');
        }
      }
    }
    // One-way links this process holds: drop the records at their targets.
    if (x.linksTo) {
      for (const rec of x.linksTo.values()) this.#dropLinkAt(p, rec);
    }
    if (x.monitoredBy) {
      for (const m of x.monitoredBy.values()) {
        if (m.watcher.node === this.name) {
          const w = this.process(m.watcher);
          if (w === undefined) continue;
          w.x?.monitors?.delete(this.refKey(m.ref));
          this.#downTo(w, m, reason);
        } else {
          this.#router?.monitorExit(m.target as Pid | ProcessID | Alias, m.watcher, m.ref, reason);
        }
      }
    }
    if (x.monitors) {
      for (const m of x.monitors.values()) {
        if (m.on !== undefined) m.on.x?.monitoredBy?.delete(this.refKey(m.ref));
        else if (m.kind !== 'event' && m.kind !== 'node' && !(m.target instanceof Atom)) {
          const t = m.target as Pid | ProcessID | Alias;
          if (t.node !== this.name) this.#router?.demonitor(p.pid, t, m.ref);
        }
      }
    }
    if (x.nodeLinks || x.nodeMonitors) {
      for (const n of x.nodeLinks ?? []) this.#router?.demonitorNode(p.pid, n);
      for (const n of x.nodeMonitors ?? []) this.#router?.demonitorNode(p.pid, n);
    }
    for (const set of this.#remote.values()) set.delete(p);
    for (const set of this.#remoteWatchers.values()) set.delete(p);
    if (x.waiters) for (const w of x.waiters) w(reason);
    if (x.appMember && x.app !== undefined) this.apps?.memberDown(x.app, p.pid, reason);
  }

  #dropLinkAt(p: ProcessImpl, rec: LinkRec): void {
    const t = rec.target;
    if (t instanceof Event || t instanceof Atom) return; // events: eventSubs; nodes: nodeLinks
    if (t.node !== this.name) {
      this.#router?.unlink(p.pid, t, 'ergo');
      return;
    }
    rec.on?.x?.linkedBy?.delete(String(p.key) + '>' + this.targetKey(t));
  }

  /** Resolve when `pid` terminates (at once with `noproc` if it is not alive). */
  wait(pid: Pid): Promise<Term> {
    const p = this.process(pid);
    if (p === undefined || p.st === S.Terminated) return Promise.resolve(A.noproc);
    return new Promise((resolve) => {
      const x = p.ext();
      (x.waiters ?? (x.waiters = [])).push(resolve);
    });
  }

  // ------------------------------------------------------------------ exit signals

  /**
   * Deliver an exit signal to a local process.
   * - `exit2`: `exit/2`. `kill` kills untrappably (reason `killed`); `normal` is ignored unless
   *   trapped (or sent by the process to itself); anything else kills or, trapped, is a message.
   * - `link`: an Erlang link broke. `normal` is ignored unless trapped; otherwise as above.
   * - `ergo`: an Ergo one-way link fired: any reason kills unless trapped.
   */
  exitSignal(p: ProcessImpl, from: Pid | ProcessID | Alias | Event | Atom, kind: TargetKind, reason: Term, how: 'exit2' | 'link' | 'ergo'): void {
    if (p.st === S.Terminated || p.st === S.Terminating) {
      // Its terminate callback is running: only a kill cuts it short.
      if (how === 'exit2' && reason === A.kill) this.#finalize(p, A.killed);
      return;
    }
    if (how === 'exit2' && reason === A.kill) {
      this.fatal(p, A.killed, true);
      return;
    }
    if ((p.flags & F.TrapExit) !== 0) {
      // Erlang keeps signals from one process in order with its messages: a trapped EXIT
      // queues behind what the dying process sent before. Ergo's one-way links keep Ergo's
      // placement (urgent).
      this.#signal(p, how === 'ergo' ? Q.urgent : Q.main, from instanceof Pid ? from : this.pid, new MessageExit(from, kind, reason));
      return;
    }
    if (how !== 'ergo' && reason === A.normal) {
      if (how === 'exit2' && from instanceof Pid && from.equals(p.pid)) this.fatal(p, A.normal);
      return;
    }
    this.fatal(p, reason);
  }

  sendExit(from: Pid, to: Pid, reason: Term): void {
    if (to.node !== this.name) {
      this.#needRouter(to.node).sendExit(from, to, reason);
      return;
    }
    const p = this.#local(to);
    if (p === undefined) throw Err.processUnknown(to);
    this.exitSignal(p, from, 'process', reason, 'exit2');
  }

  // ------------------------------------------------------------------ messaging

  /**
   * Local targets: queued now, or the catalogue error thrown. Remote: handed to the router;
   * with `important` (the process option) a failure the peer reports is logged, since this
   * call does not wait for it (use `sendImportant` to wait).
   */
  send(from: ProcessImpl | undefined, to: Target, message: unknown, prio: Priority, important = false): void {
    const fromPid = from === undefined ? this.pid : from.pid;
    if (to instanceof Pid && to.node === this.name) {
      const p = this.#local(to);
      if (p === undefined) throw Err.processUnknown(to);
      this.push(p, prio === 'normal' ? Q.main : queueOf(prio), Kind.Message, fromPid, message, undefined, undefined);
      if (from !== undefined) from.nOut++;
      return;
    }
    const t = to instanceof Pid ? to : this.norm(to);
    if (t instanceof Event) throw Err.incorrect('cannot send to an event; use sendEvent');
    if (t instanceof Atom || t.node === this.name) {
      const p = this.#resolveLocal(t as Pid | Atom | Alias);
      this.push(p, queueOf(prio), Kind.Message, fromPid, message, undefined, t instanceof Pid ? undefined : (t as Atom | Alias));
    } else {
      const sent = this.#needRouter(t.node).send(fromPid, t, message, { priority: prio, important });
      if (sent !== undefined) {
        sent.then(undefined, (e: unknown) => {
          const src = from === undefined ? ({ kind: 'node', node: this.name } as LogSource) : this.#procSource(from);
          this.#emit(from?.logLevel() ?? this.logLevel, src, 'warning', 'send to %s failed: %s', [String(t), String(e)]);
        });
      }
    }
    if (from !== undefined) from.nOut++;
  }

  async sendImportant(from: ProcessImpl | undefined, to: Target, message: unknown, prio: Priority): Promise<void> {
    const fromPid = from === undefined ? this.pid : from.pid;
    const t = this.norm(to);
    if (t instanceof Event) throw Err.incorrect('cannot send to an event; use sendEvent');
    if (!(t instanceof Atom) && t.node !== this.name) {
      if (from !== undefined) from.nOut++;
      await this.#needRouter(t.node).send(fromPid, t, message, { priority: prio, important: true });
      return;
    }
    this.send(from, t as Target, message, prio);
  }

  sendAfter(from: ProcessImpl | undefined, to: Target, message: unknown, ms: number): () => boolean {
    let pending = true;
    const x = from?.ext();
    const timers = x === undefined ? this.#timers : (x.timers ?? (x.timers = new Set()));
    const timer = setTimeout(() => {
      pending = false;
      timers.delete(timer);
      if (from !== undefined && from.st === S.Terminated) return;
      try {
        this.send(from, to, message, from?.x?.priority ?? 'normal');
      } catch (e) {
        const src = from === undefined ? ({ kind: 'node', node: this.name } as LogSource) : this.#procSource(from);
        this.#emit(from?.logLevel() ?? this.logLevel, src, 'warning', 'sendAfter to %s failed: %s', [String(to), String(e)]);
      }
    }, ms);
    timers.add(timer);
    return () => {
      if (!pending) return false;
      pending = false;
      clearTimeout(timer);
      timers.delete(timer);
      return true;
    };
  }

  forward(to: Pid, from: Pid, message: unknown, ref: Ref | undefined, prio: Priority): void {
    if (to.node !== this.name) {
      const r = this.#needRouter(to.node);
      if (ref !== undefined) void r.call(from, to, ref, message, { priority: prio, important: false });
      else void r.send(from, to, message, { priority: prio, important: false });
      return;
    }
    const p = this.#local(to);
    if (p === undefined) throw Err.processUnknown(to);
    this.push(p, queueOf(prio), ref === undefined ? Kind.Message : Kind.Request, from, message, ref, undefined);
  }

  // ------------------------------------------------------------------ calls

  call(from: ProcessImpl | undefined, to: Target, request: unknown, o: CallOptions | undefined, kind: number = Kind.Request): Promise<unknown> {
    let t: Pid | ProcessID | Alias | Atom | Event;
    try {
      t = this.norm(to);
    } catch (e) {
      return Promise.reject(e);
    }
    if (t instanceof Event) return Promise.reject(Err.incorrect('cannot call an event'));
    const fromPid = from === undefined ? this.pid : from.pid;
    const prio = o?.priority ?? from?.x?.priority ?? 'normal';
    const ref = this.makeRef();
    let callee: ProcessImpl | undefined;
    let remote: Atom | undefined;
    if (t instanceof Atom || t.node === this.name) {
      try {
        callee = this.#resolveLocal(t as Pid | Atom | Alias);
      } catch (e) {
        return Promise.reject(e);
      }
      if (callee === from) return Promise.reject(new RuntimeError(ErrCode.CallSelf, `${fromPid} called itself`));
    } else {
      remote = t.node;
      if (this.#router === undefined) return Promise.reject(Err.noConnection(remote.name, 'no route (no network stack installed)'));
    }
    const signal = o?.signal;
    if (signal?.aborted) return Promise.reject(new RuntimeError(ErrCode.Aborted, 'call aborted', { cause: signal.reason }));
    return new Promise<unknown>((resolve, reject) => {
      const key = this.refKey(ref);
      const c: Pending = { resolve, reject, timer: undefined, caller: from, callee, node: remote, ref, cleanup: undefined };
      const timeout = o?.timeout ?? 5000;
      if (Number.isFinite(timeout)) {
        c.timer = setTimeout(() => {
          if (this.#pending.delete(key)) this.#settle(c, undefined, Err.timeout(`call to ${String(to)}`));
        }, timeout);
      }
      if (signal !== undefined) {
        const onAbort = (): void => {
          if (this.#pending.delete(key)) this.#settle(c, undefined, new RuntimeError(ErrCode.Aborted, 'call aborted', { cause: signal.reason }));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        c.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.#pending.set(key, c);
      if (from !== undefined) from.pc++;
      if (callee !== undefined) callee.pc++;
      try {
        if (callee !== undefined) {
          this.push(callee, queueOf(prio), kind, fromPid, request, ref, t instanceof Pid ? undefined : (t as Atom | Alias));
        } else {
          const sent = this.#router!.call(fromPid, t as Pid | ProcessID | Alias, ref, request, { priority: prio, important: false });
          if (sent !== undefined) sent.then(undefined, (e: unknown) => this.#failPending(key, e));
        }
        if (from !== undefined) from.nOut++;
      } catch (e) {
        this.#failPending(key, e);
      }
    });
  }

  inspect(from: ProcessImpl | undefined, to: Pid, items: string[]): Promise<Record<string, string>> {
    if (to.node !== this.name) return Promise.reject(new RuntimeError(ErrCode.Unsupported, 'inspect of a remote process'));
    return this.call(from, to, items, { timeout: 5000 }, Kind.Inspect) as Promise<Record<string, string>>;
  }

  #failPending(key: number | string, e: unknown): void {
    const c = this.#pending.get(key);
    if (c === undefined) return;
    this.#pending.delete(key);
    this.#settle(c, undefined, e);
  }

  /** Every pending call leaves the table through here, exactly once. */
  #settle(c: Pending, value: unknown, err: unknown): void {
    if (c.caller !== undefined) c.caller.pc--;
    if (c.callee !== undefined) c.callee.pc--;
    if (c.timer !== undefined) clearTimeout(c.timer);
    c.cleanup?.();
    if (err !== undefined) c.reject(err);
    else c.resolve(value);
  }

  sendResponse(from: Pid, to: Pid, ref: Ref, value: unknown, error: Term | undefined): void {
    if (to.node !== this.name) {
      this.#needRouter(to.node).sendResponse(from, to, ref, value, error);
      return;
    }
    this.deliverResponse(ref, value, error);
  }

  // ------------------------------------------------------------------ names and aliases

  register(name: Atom, p: ProcessImpl): void {
    if (this.#names.has(name)) throw Err.taken(name.name);
    if (p.name !== undefined) throw Err.taken(`${p.pid} already registered as ${p.name.name}`);
    this.#names.set(name, p);
    p.name = name;
  }

  unregister(name: Atom): void {
    const p = this.#names.get(name);
    if (p === undefined) throw Err.nameUnknown(name.name);
    this.#names.delete(name);
    p.name = undefined;
  }

  createAlias(p: ProcessImpl): Alias {
    const r = this.makeRef();
    const a = new Alias(r.node, r.creation, r.ids);
    const k = this.refKey(a);
    const x = p.ext();
    (x.aliases ?? (x.aliases = new Map())).set(k, a);
    this.#aliases.set(k, p);
    return a;
  }

  deleteAlias(p: ProcessImpl, a: Alias): void {
    const k = this.refKey(a);
    const owner = this.#aliases.get(k);
    if (owner === undefined) throw Err.aliasUnknown(a);
    if (owner !== p) throw new RuntimeError(ErrCode.AliasOwner, `${p.pid} does not own ${a}`);
    this.#aliases.delete(k);
    p.x?.aliases?.delete(k);
    // Monitors and links on the alias fire as if it died (Ergo: the alias is gone).
    this.#aliasGone(p, a);
  }

  #aliasGone(p: ProcessImpl, a: Alias): void {
    const x = p.x;
    if (x === undefined) return;
    if (x.monitoredBy) {
      for (const [k, m] of x.monitoredBy) {
        if (m.kind === 'alias' && m.target instanceof Alias && m.target.equals(a)) {
          x.monitoredBy.delete(k);
          const w = this.process(m.watcher);
          if (w) {
            w.x?.monitors?.delete(this.refKey(m.ref));
            this.#downTo(w, m, A.normal);
          } else if (m.watcher.node !== this.name) this.#router?.monitorExit(a, m.watcher, m.ref, A.normal);
        }
      }
    }
    if (x.linkedBy) {
      for (const [k, rec] of x.linkedBy) {
        if (rec.kind === 'alias' && rec.target instanceof Alias && rec.target.equals(a)) {
          x.linkedBy.delete(k);
          const o = this.process(rec.linker);
          if (o) {
            o.x?.linksTo?.delete(this.targetKey(a));
            this.exitSignal(o, a, 'alias', A.normal, 'ergo');
          } else if (rec.linker.node !== this.name) this.#router?.linkExit(p.pid, rec.linker, A.normal, 'ergo');
        }
      }
    }
  }

  // ------------------------------------------------------------------ links

  #linkTwoWay(a: ProcessImpl, b: ProcessImpl): void {
    const xa = a.ext();
    const xb = b.ext();
    (xa.links ?? (xa.links = new Map())).set(b.key, b.pid);
    (xb.links ?? (xb.links = new Map())).set(a.key, a.pid);
  }

  #recordRemoteLink(p: ProcessImpl, pid: Pid): void {
    const x = p.ext();
    (x.links ?? (x.links = new Map())).set(this.pidKey(pid), pid);
    this.#trackRemote(p, pid.node);
  }

  #trackRemote(p: ProcessImpl, node: Atom): void {
    let set = this.#remote.get(node);
    if (set === undefined) this.#remote.set(node, (set = new Set()));
    set.add(p);
  }

  link(p: ProcessImpl, target: LinkTarget, oneWay: boolean): void {
    const t = this.norm(target);
    if (t instanceof Event) {
      // Ergo's Link(event): subscribe, dropping the replay buffer (linkEvent returns it).
      const b = this.subscribe(p, t, true).buffer;
      if (!Array.isArray(b)) (b as Promise<MessageEvent[]>).then(undefined, (e: unknown) => this.#emit(p.logLevel(), this.#procSource(p), 'warning', 'link to %s failed: %s', [String(t), String(e)]));
      return;
    }
    if (t instanceof Pid && !oneWay) {
      if (t.equals(p.pid)) return;
      if (t.node !== this.name) {
        this.#needRouter(t.node).link(p.pid, t, 'erlang');
        this.#recordRemoteLink(p, t);
        return;
      }
      const o = this.#local(t);
      if (o === undefined || o.st === S.Terminated) {
        if (p.trapExit) {
          this.#signal(p, Q.main, t, new MessageExit(t, 'process', A.noproc));
          return;
        }
        throw Err.processUnknown(t);
      }
      this.#linkTwoWay(p, o);
      return;
    }
    // Ergo one-way link.
    const kind: TargetKind = t instanceof Pid ? 'process' : t instanceof Alias ? 'alias' : 'name';
    const named: Pid | ProcessID | Alias = t instanceof Atom ? new ProcessID(t, this.name) : t;
    const tk = this.targetKey(named);
    const x = p.ext();
    if (x.linksTo?.has(tk)) throw new RuntimeError(ErrCode.TargetExist, `already linked to ${String(named)}`);
    if (!(t instanceof Atom) && t.node !== this.name) {
      this.#needRouter(t.node).link(p.pid, t, 'ergo');
      (x.linksTo ?? (x.linksTo = new Map())).set(tk, { linker: p.pid, kind, target: named, on: undefined });
      this.#trackRemote(p, t.node);
      return;
    }
    const o = this.#resolveLocal(t as Pid | Atom | Alias);
    const rec: LinkRec = { linker: p.pid, kind, target: named, on: o };
    (x.linksTo ?? (x.linksTo = new Map())).set(tk, rec);
    const ox = o.ext();
    (ox.linkedBy ?? (ox.linkedBy = new Map())).set(String(p.key) + '>' + tk, rec);
  }

  unlink(p: ProcessImpl, target: LinkTarget, oneWay: boolean): void {
    const t = this.norm(target);
    if (t instanceof Event) {
      this.unsubscribeEvent(p, t, true);
      return;
    }
    if (t instanceof Pid && !oneWay) {
      const k = this.pidKey(t);
      if (!p.x?.links?.delete(k)) return;
      if (t.node !== this.name) {
        this.#router?.unlink(p.pid, t, 'erlang');
        return;
      }
      this.process(t)?.x?.links?.delete(p.key);
      return;
    }
    const named: Pid | ProcessID | Alias = t instanceof Atom ? new ProcessID(t, this.name) : t;
    const tk = this.targetKey(named);
    const rec = p.x?.linksTo?.get(tk);
    if (rec === undefined) return;
    p.x!.linksTo!.delete(tk);
    if (named.node !== this.name) {
      this.#router?.unlink(p.pid, named, 'ergo');
      return;
    }
    rec.on?.x?.linkedBy?.delete(String(p.key) + '>' + tk);
  }

  // ------------------------------------------------------------------ monitors

  monitor(p: ProcessImpl, target: LinkTarget): Ref {
    const t = this.norm(target);
    const ref = this.makeRef();
    const x = p.ext();
    if (t instanceof Event) {
      // Ergo's Monitor(event): subscribe, dropping the replay buffer (monitorEvent returns it).
      const s = this.subscribe(p, t, false);
      if (!Array.isArray(s.buffer)) (s.buffer as Promise<MessageEvent[]>).then(undefined, (e: unknown) => this.#emit(p.logLevel(), this.#procSource(p), 'warning', 'monitor of %s failed: %s', [String(t), String(e)]));
      return s.ref!;
    }
    const kind: TargetKind = t instanceof Pid ? 'process' : t instanceof Alias ? 'alias' : 'name';
    const named: Pid | ProcessID | Alias = t instanceof Atom ? new ProcessID(t, this.name) : t;
    if (!(t instanceof Atom) && t.node !== this.name) {
      this.#needRouter(t.node).monitor(p.pid, t, ref);
      (x.monitors ?? (x.monitors = new Map())).set(this.refKey(ref), { ref, watcher: p.pid, kind, target: named, on: undefined });
      this.#trackRemote(p, t.node);
      return ref;
    }
    let o: ProcessImpl | undefined;
    try {
      o = this.#resolveLocal(t as Pid | Atom | Alias);
    } catch {
      o = undefined;
    }
    const rec: MonRec = { ref, watcher: p.pid, kind, target: named, on: o };
    if (o === undefined || o.st === S.Terminated) {
      this.#downTo(p, rec, A.noproc);
      return ref;
    }
    const k = this.refKey(ref);
    (x.monitors ?? (x.monitors = new Map())).set(k, rec);
    const ox = o.ext();
    (ox.monitoredBy ?? (ox.monitoredBy = new Map())).set(k, rec);
    return ref;
  }

  demonitor(p: ProcessImpl, what: Ref | LinkTarget): boolean {
    const mons = p.x?.monitors;
    if (mons === undefined) return false;
    let rec: MonRec | undefined;
    if (what instanceof Ref && !(what instanceof Alias)) {
      rec = mons.get(this.refKey(what));
    } else {
      const t = this.norm(what as LinkTarget);
      if (t instanceof Event) {
        const had = p.x?.eventSubs?.has(this.targetKey(t) + ':m') ?? false;
        this.unsubscribeEvent(p, t, false);
        return had;
      }
      const named = t instanceof Atom ? new ProcessID(t, this.name) : t;
      const tk = this.targetKey(named);
      for (const m of mons.values()) {
        if (m.kind !== 'event' && m.kind !== 'node' && this.targetKey(m.target) === tk) {
          rec = m;
          break;
        }
      }
    }
    if (rec === undefined) return false;
    if (rec.kind === 'event') {
      this.unsubscribeEvent(p, rec.target as Event, false);
      return true;
    }
    const k = this.refKey(rec.ref);
    mons.delete(k);
    if (rec.on !== undefined) rec.on.x?.monitoredBy?.delete(k);
    else if (!(rec.target instanceof Atom) && !(rec.target instanceof Event) && rec.target.node !== this.name) {
      this.#router?.demonitor(p.pid, rec.target, rec.ref);
    }
    return true;
  }

  #downTo(w: ProcessImpl, m: MonRec, reason: Term): void {
    // In the main queue, behind every message the monitored process sent before it died (Erlang's
    // per-pair signal order); Ergo would put it in the system queue, ahead of them.
    this.#signal(w, Q.main, m.target instanceof Pid ? m.target : this.pid, new MessageDown(m.ref, m.kind, m.target, reason));
  }

  linkNode(p: ProcessImpl, node: Atom, on: boolean): void {
    const x = p.ext();
    if (!on) {
      if (x.nodeLinks?.delete(node)) this.#router?.demonitorNode(p.pid, node);
      return;
    }
    if (node === this.name) throw Err.notAllowed('cannot link to the local node');
    this.#needRouter(node).monitorNode(p.pid, node);
    (x.nodeLinks ?? (x.nodeLinks = new Set())).add(node);
    this.#trackRemote(p, node);
  }

  monitorNode(p: ProcessImpl, node: Atom, on: boolean): void {
    const x = p.ext();
    if (!on) {
      if (x.nodeMonitors?.delete(node)) this.#router?.demonitorNode(p.pid, node);
      return;
    }
    if (node === this.name) throw Err.notAllowed('cannot monitor the local node');
    this.#needRouter(node).monitorNode(p.pid, node);
    (x.nodeMonitors ?? (x.nodeMonitors = new Set())).add(node);
    this.#trackRemote(p, node);
  }

  // ------------------------------------------------------------------ events

  registerEvent(p: ProcessImpl, name: Atom, o: EventOptions): Ref {
    if (this.#events.has(name)) throw Err.taken(`event ${name.name}`);
    const token = this.makeRef();
    this.#events.set(name, new EventEntry(new Event(name, this.name), p, token, o.notify === true, Math.max(0, o.buffer ?? 0)));
    const x = p.ext();
    (x.events ?? (x.events = new Set())).add(name);
    return token;
  }

  unregisterEvent(p: ProcessImpl, name: Atom, reason: Term): void {
    const e = this.#events.get(name);
    if (e === undefined) throw Err.eventUnknown(name.name);
    if (e.owner !== p) throw new RuntimeError(ErrCode.EventOwner, `${p.pid} does not own event ${name.name}`);
    this.#events.delete(name);
    p.x?.events?.delete(name);
    const ek = this.targetKey(e.event);
    for (const pid of e.links.values()) {
      const s = this.process(pid);
      if (s === undefined) continue;
      s.x?.eventSubs?.delete(ek + ':l');
      this.exitSignal(s, e.event, 'event', reason, 'ergo');
    }
    for (const { ref, pid } of e.monitors.values()) {
      const s = this.process(pid);
      if (s === undefined) continue;
      s.x?.eventSubs?.delete(ek + ':m');
      s.x?.monitors?.delete(this.refKey(ref));
      this.#downTo(s, { ref, watcher: pid, kind: 'event', target: e.event, on: undefined }, reason);
    }
  }

  sendEvent(p: ProcessImpl, name: Atom, token: Ref, message: unknown): void {
    const e = this.#events.get(name);
    if (e === undefined) throw Err.eventUnknown(name.name);
    if (e.owner !== p || !e.token.equals(token)) throw new RuntimeError(ErrCode.EventOwner, `wrong token for event ${name.name}`);
    const m = new MessageEvent(e.event, Date.now(), message);
    if (e.buffer !== undefined) {
      if (e.buffer.length >= e.cap) e.buffer.shift();
      e.buffer.push(m);
    }
    for (const pid of e.links.values()) this.#eventTo(pid, p.pid, m);
    for (const { pid } of e.monitors.values()) this.#eventTo(pid, p.pid, m);
  }

  #eventTo(pid: Pid, from: Pid, m: MessageEvent): void {
    const s = this.process(pid);
    if (s === undefined || s.st === S.Terminated) return;
    try {
      this.push(s, Q.main, Kind.Event, from, m, undefined, undefined);
    } catch (err) {
      if (!(err instanceof RuntimeError && err.code === ErrCode.MailboxFull)) throw err;
      // A full subscriber misses the event; the producer is not punished for it.
    }
  }

  /** Subscribe and resolve with the replay buffer. */
  async subscribeEvent(p: ProcessImpl, ev: Event, link: boolean): Promise<MessageEvent[]> {
    return this.subscribe(p, ev, link).buffer;
  }

  /**
   * Subscribe `p` to an event (link: one-way link; else a monitor with `ref`). Local events
   * answer at once; for a remote one the subscription is recorded now and the buffer arrives
   * when the peer answers (a refusal removes the record again).
   */
  subscribe(p: ProcessImpl, ev: Event, link: boolean): { ref: Ref | undefined; buffer: MessageEvent[] | Promise<MessageEvent[]> } {
    const x = p.ext();
    const key = this.targetKey(ev) + (link ? ':l' : ':m');
    if (x.eventSubs?.has(key)) throw new RuntimeError(ErrCode.TargetExist, `already subscribed to ${ev}`);
    if (ev.node !== this.name) {
      const r = this.#needRouter(ev.node);
      const ref = link ? undefined : this.makeRef();
      const pending = link ? r.linkEvent(p.pid, ev) : r.monitorEvent(p.pid, ev, ref!);
      (x.eventSubs ?? (x.eventSubs = new Map())).set(key, { event: ev, ref, link });
      if (ref !== undefined) (x.monitors ?? (x.monitors = new Map())).set(this.refKey(ref), { ref, watcher: p.pid, kind: 'event', target: ev, on: undefined });
      this.#trackRemote(p, ev.node);
      const buffer = pending.then(undefined, (e: unknown) => {
        x.eventSubs?.delete(key);
        if (ref !== undefined) x.monitors?.delete(this.refKey(ref));
        throw e;
      });
      return { ref, buffer };
    }
    const e = this.#events.get(ev.name);
    if (e === undefined) throw Err.eventUnknown(ev.name.name);
    const first = e.subscribers === 0;
    let ref: Ref | undefined;
    if (link) e.links.set(p.key, p.pid);
    else {
      ref = this.makeRef();
      e.monitors.set(p.key, { ref, pid: p.pid });
      (x.monitors ?? (x.monitors = new Map())).set(this.refKey(ref), { ref, watcher: p.pid, kind: 'event', target: ev, on: undefined });
    }
    (x.eventSubs ?? (x.eventSubs = new Map())).set(key, { event: ev, ref, link });
    if (first && e.notify) this.#signal(e.owner, Q.system, this.pid, new MessageEventStart(ev.name));
    return { ref, buffer: e.buffer ? e.buffer.toArray() : [] };
  }

  unsubscribeEvent(p: ProcessImpl, ev: Event, link: boolean): void {
    const key = this.targetKey(ev) + (link ? ':l' : ':m');
    const sub = p.x?.eventSubs?.get(key);
    if (sub === undefined) return;
    p.x!.eventSubs!.delete(key);
    if (sub.ref !== undefined) p.x?.monitors?.delete(this.refKey(sub.ref));
    if (ev.node !== this.name) {
      if (link) this.#router?.unlinkEvent(p.pid, ev);
      else if (sub.ref !== undefined) this.#router?.demonitorEvent(p.pid, ev, sub.ref);
      return;
    }
    const e = this.#events.get(ev.name);
    if (e === undefined) return;
    if (link) e.links.delete(p.key);
    else e.monitors.delete(p.key);
    if (e.subscribers === 0 && e.notify) this.#signal(e.owner, Q.system, this.pid, new MessageEventStop(ev.name));
  }

  eventNames(): Atom[] {
    return [...this.#events.keys()];
  }

  // ------------------------------------------------------------------ environment

  envRoot(_p: ProcessImpl): EnvScope {
    return this.#rootEnv;
  }

  get rootEnv(): EnvScope {
    return this.#rootEnv;
  }

  envLookup(s: EnvScope | undefined, name: string): unknown {
    for (let e = s; e !== undefined; e = e.up) {
      if (e.vars.has(name)) return e.vars.get(name);
    }
    return undefined;
  }

  envFlatten(s: EnvScope | undefined): Record<string, unknown> {
    const chain: EnvScope[] = [];
    for (let e = s; e !== undefined; e = e.up) chain.push(e);
    const out: Record<string, unknown> = {};
    for (let i = chain.length - 1; i >= 0; i--) for (const [k, v] of chain[i]!.vars) out[k] = v;
    return out;
  }

  setEnv(p: ProcessImpl, name: string, value: unknown): void {
    const x = p.ext();
    // Copy on write: a scope shared with the parent gets a private layer on top.
    if (x.env === undefined || !x.ownEnv) {
      x.env = { vars: new Map(), up: x.env ?? this.#rootEnv };
      x.ownEnv = true;
    }
    if (value === undefined) x.env.vars.delete(name);
    else x.env.vars.set(name, value);
  }

  /** A scope for an application: its env over the node's. */
  appScope(env: Record<string, unknown> | undefined): EnvScope {
    return { vars: new Map(Object.entries(env ?? {})), up: this.#rootEnv };
  }

  // ------------------------------------------------------------------ logging

  #procSource(p: ProcessImpl): LogSource {
    return { kind: 'process', node: this.name, pid: p.pid, name: p.name, behavior: p.behavior.constructor.name };
  }

  #makeLog(source: LogSource | (() => LogSource), get: () => number, set: (l: number) => void): Log {
    const core = this;
    const src = typeof source === 'function' ? source : () => source;
    const at =
      (level: LogLevelName) =>
      (format: string, ...args: unknown[]): void => {
        core.#emit(get(), src(), level, format, args);
      };
    return {
      level: () => levelName(get()),
      setLevel: (l: LogLevelName) => set(LogLevel[l]),
      trace: at('trace'),
      debug: at('debug'),
      info: at('info'),
      warning: at('warning'),
      error: at('error'),
      panic: at('panic'),
    };
  }

  processLog(p: ProcessImpl): Log {
    return this.#makeLog(
      () => this.#procSource(p),
      () => p.logLevel(),
      (l) => (p.ext().logLevel = l),
    );
  }

  #emit(min: number, source: LogSource, level: LogLevelName, format: string, args: readonly unknown[]): void {
    const lv = LogLevel[level];
    if (lv < min || this.#loggers.size === 0) return;
    const m: LogMessage = { time: Date.now(), level, source, format, args };
    for (const e of this.#loggers.values()) {
      if (lv < e.min) continue;
      if (e.logger !== undefined) {
        try {
          e.logger.log(m);
        } catch {
          // A broken logger must not take the node down.
        }
      } else if (e.pid !== undefined) {
        // A logger process does not log its own messages back to itself (no feedback loop).
        if (source.kind === 'process' && source.pid.equals(e.pid)) continue;
        const lp = this.process(e.pid);
        if (lp !== undefined && lp.st !== S.Terminated) this.push(lp, Q.log, Kind.Log, source.kind === 'process' ? source.pid : this.pid, m, undefined, undefined);
      }
    }
  }

  loggerAdd(name: string, logger: Logger | Pid, level: LogLevelName): void {
    if (this.#loggers.has(name)) throw Err.taken(`logger ${name}`);
    if (logger instanceof Pid) {
      if (this.process(logger) === undefined) throw Err.processUnknown(logger);
      this.#loggers.set(name, { logger: undefined, pid: logger, min: LogLevel[level] });
    } else this.#loggers.set(name, { logger, pid: undefined, min: LogLevel[level] });
  }

  loggerDelete(name: string): void {
    const e = this.#loggers.get(name);
    if (e === undefined) return;
    this.#loggers.delete(name);
    e.logger?.terminate?.();
  }

  loggers(): string[] {
    return [...this.#loggers.keys()];
  }

  // ------------------------------------------------------------------ introspection

  count(): number {
    return this.#table.size;
  }

  names(): Atom[] {
    return [...this.#names.keys()];
  }

  aliasOwner(a: Alias): ProcessImpl | undefined {
    return this.#aliases.get(this.refKey(a));
  }

  aliasCount(): number {
    return this.#aliases.size;
  }

  pids(): Pid[] {
    const out: Pid[] = [];
    for (const p of this.#table.values()) out.push(p.pid);
    return out;
  }

  shortInfo(p: ProcessImpl): ProcessShortInfo {
    return {
      pid: p.pid,
      name: p.name,
      application: p.x?.app,
      behavior: p.behavior.constructor.name,
      state: p.state,
      mailbox: p.mb?.size() ?? 0,
      messagesIn: p.nIn,
      messagesOut: p.nOut,
      uptime: this.uptime() - p.born,
      parent: p.parent,
    };
  }

  processList(): ProcessShortInfo[] {
    const out: ProcessShortInfo[] = [];
    for (const p of this.#table.values()) out.push(this.shortInfo(p));
    return out;
  }

  processInfoOf(p: ProcessImpl): ProcessInfo {
    const x = p.x;
    const mb = p.mb;
    const monitoredBy: Pid[] = [];
    const linkedBy: Pid[] = [];
    for (const m of x?.monitoredBy?.values() ?? []) monitoredBy.push(m.watcher);
    for (const l of x?.linkedBy?.values() ?? []) linkedBy.push(l.linker);
    const linksTo: ProcessInfo['linksTo'] = [];
    for (const l of x?.linksTo?.values() ?? []) linksTo.push(l.target);
    for (const s of x?.eventSubs?.values() ?? []) if (s.link) linksTo.push(s.event);
    for (const n of x?.nodeLinks ?? []) linksTo.push(n);
    const monitors: ProcessInfo['monitors'] = [];
    for (const m of x?.monitors?.values() ?? []) monitors.push(m.target);
    for (const n of x?.nodeMonitors ?? []) monitors.push(n);
    return {
      ...this.shortInfo(p),
      leader: p.leader,
      queues: { urgent: mb?.q0?.length ?? 0, system: mb?.q1?.length ?? 0, main: mb?.q2?.length ?? 0, log: mb?.q3?.length ?? 0 },
      mailboxLimit: x?.mailboxLimit ?? 0,
      trapExit: p.trapExit,
      sendPriority: p.sendPriority,
      logLevel: levelName(p.logLevel()),
      env: this.envFlatten(x?.env ?? this.#rootEnv),
      aliases: x?.aliases ? [...x.aliases.values()] : [],
      events: x?.events ? [...x.events] : [],
      links: x?.links ? [...x.links.values()] : [],
      linksTo,
      monitors,
      monitoredBy,
      linkedBy,
    };
  }

  // ------------------------------------------------------------------ stop

  /** Send `shutdown` to every process (newest first), wait up to `timeout`, then kill the rest. */
  async stop(timeout: number, force: boolean): Promise<void> {
    this.#stopping = true;
    // Node-level sendAfter timers would keep Node's event loop (and the test process) alive.
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const deadline = Date.now() + timeout;
    if (force) {
      for (const p of [...this.#table.values()].reverse()) this.exitSignal(p, this.pid, 'process', A.kill, 'exit2');
    } else {
      // First the top-level processes (newest first), so supervision trees stop their own
      // children in order; then whatever is left (orphans, unlinked children).
      const top = [...this.#table.values()].filter((p) => p.parent === this.pid || p.parent.equals(this.pid)).reverse();
      const gone = top.map((p) => this.wait(p.pid));
      for (const p of top) this.exitSignal(p, this.pid, 'process', A.shutdown, 'ergo');
      await this.#until(Promise.all(gone), deadline);
      for (const p of [...this.#table.values()].reverse()) this.exitSignal(p, this.pid, 'process', A.shutdown, 'exit2');
    }
    if (this.#table.size > 0) {
      const empty = new Promise<void>((r) => this.#emptyWaiters.push(r));
      if (!(await this.#until(empty, deadline))) {
        for (const p of [...this.#table.values()]) this.exitSignal(p, this.pid, 'process', A.kill, 'exit2');
        if (this.#table.size > 0) await empty;
      }
    }
    for (const c of this.#pending.values()) this.#settle(c, undefined, Err.nodeTerminated());
    this.#pending.clear();
    for (const name of [...this.#loggers.keys()]) this.loggerDelete(name);
  }

  /** True if `p` settled before `deadline` (ms since the epoch). */
  async #until(p: Promise<unknown>, deadline: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), Math.max(0, deadline - Date.now()))));
    const ok = await Promise.race([p.then(() => true), late]);
    clearTimeout(timer);
    return ok;
  }

  // ------------------------------------------------------------------ inbound (NodeInbound)

  deliver(from: Pid, to: Pid | Atom | Alias, message: unknown, priority: Priority): void {
    const p = this.#resolveLocal(to);
    this.push(p, queueOf(priority), Kind.Message, from, message, undefined, to instanceof Pid ? undefined : to);
  }

  deliverCall(from: Pid, to: Pid | Atom | Alias, ref: Ref, request: unknown, priority: Priority): void {
    let p: ProcessImpl;
    try {
      p = this.#resolveLocal(to);
    } catch (e) {
      this.#router?.sendResponse(this.pid, from, ref, undefined, this.reasonOf(e));
      return;
    }
    this.push(p, queueOf(priority), Kind.Request, from, request, ref, to instanceof Pid ? undefined : to);
  }

  deliverResponse(ref: Ref, value: unknown, error?: Term): void {
    const k = this.refKey(ref);
    const c = this.#pending.get(k);
    if (c === undefined) return; // late answer to a call that timed out: dropped, as in Ergo
    this.#pending.delete(k);
    if (error !== undefined) this.#settle(c, undefined, Err.callFailed(error));
    else this.#settle(c, value, undefined);
  }

  deliverExit(from: Pid, to: Pid, reason: Term): void {
    const p = this.process(to);
    if (p !== undefined) this.exitSignal(p, from, 'process', reason, 'exit2');
  }

  deliverLinkExit(from: Pid | ProcessID | Alias, to: Pid, reason: Term, kind: LinkKind): void {
    const p = this.process(to);
    if (p === undefined) return;
    if (kind === 'erlang' && from instanceof Pid) {
      if (!p.x?.links?.delete(this.pidKey(from))) return;
      this.exitSignal(p, from, 'process', reason, 'link');
      return;
    }
    const tk = this.targetKey(from);
    const rec = p.x?.linksTo?.get(tk);
    if (rec === undefined) return;
    p.x!.linksTo!.delete(tk);
    this.exitSignal(p, rec.target, rec.kind, reason, 'ergo');
  }

  deliverDown(_from: Pid | ProcessID | Alias, to: Pid, ref: Ref, reason: Term): void {
    const p = this.process(to);
    if (p === undefined) return;
    const k = this.refKey(ref);
    const m = p.x?.monitors?.get(k);
    if (m === undefined) return;
    p.x!.monitors!.delete(k);
    if (m.kind === 'event' && m.target instanceof Event) p.x?.eventSubs?.delete(this.targetKey(m.target) + ':m');
    this.#downTo(p, m, reason);
  }

  remoteLink(from: Pid, to: Pid | Atom | Alias, kind: LinkKind): void {
    let p: ProcessImpl;
    try {
      p = this.#resolveLocal(to);
    } catch {
      // Linking something that does not exist: the linker hears noproc at once (Erlang).
      this.#router?.linkExit(to instanceof Pid ? to : this.pid, from, A.noproc, kind);
      return;
    }
    const x = p.ext();
    if (kind === 'erlang' && to instanceof Pid) {
      (x.links ?? (x.links = new Map())).set(this.pidKey(from), from);
    } else {
      const named: Pid | ProcessID | Alias = to instanceof Atom ? new ProcessID(to, this.name) : to;
      const k: TargetKind = to instanceof Pid ? 'process' : to instanceof Alias ? 'alias' : 'name';
      (x.linkedBy ?? (x.linkedBy = new Map())).set(String(this.pidKey(from)) + '>' + this.targetKey(named), { linker: from, kind: k, target: named, on: p });
    }
    let set = this.#remoteWatchers.get(from.node);
    if (set === undefined) this.#remoteWatchers.set(from.node, (set = new Set()));
    set.add(p);
  }

  remoteUnlink(from: Pid, to: Pid | Atom | Alias, kind: LinkKind): void {
    let p: ProcessImpl;
    try {
      p = this.#resolveLocal(to);
    } catch {
      return;
    }
    if (kind === 'erlang' && to instanceof Pid) p.x?.links?.delete(this.pidKey(from));
    else {
      const named: Pid | ProcessID | Alias = to instanceof Atom ? new ProcessID(to, this.name) : to;
      p.x?.linkedBy?.delete(String(this.pidKey(from)) + '>' + this.targetKey(named));
    }
  }

  remoteMonitor(from: Pid, to: Pid | Atom | Alias, ref: Ref): void {
    const named: Pid | ProcessID | Alias = to instanceof Atom ? new ProcessID(to, this.name) : to;
    let p: ProcessImpl;
    try {
      p = this.#resolveLocal(to);
    } catch {
      this.#router?.monitorExit(named, from, ref, A.noproc);
      return;
    }
    const kind: TargetKind = to instanceof Pid ? 'process' : to instanceof Alias ? 'alias' : 'name';
    const x = p.ext();
    (x.monitoredBy ?? (x.monitoredBy = new Map())).set(this.refKey(ref), { ref, watcher: from, kind, target: named, on: p });
    let set = this.#remoteWatchers.get(from.node);
    if (set === undefined) this.#remoteWatchers.set(from.node, (set = new Set()));
    set.add(p);
  }

  remoteDemonitor(from: Pid, ref: Ref): void {
    const k = this.refKey(ref);
    for (const p of this.#remoteWatchers.get(from.node) ?? []) {
      if (p.x?.monitoredBy?.delete(k)) return;
    }
  }

  nodeDown(node: Atom, reason: Term): void {
    // Remote watchers of local processes are simply forgotten.
    for (const p of this.#remoteWatchers.get(node) ?? []) {
      const x = p.x;
      if (x === undefined) continue;
      for (const [k, m] of x.monitoredBy ?? []) if (m.watcher.node === node) x.monitoredBy!.delete(k);
      for (const [k, l] of x.linkedBy ?? []) if (l.linker.node === node) x.linkedBy!.delete(k);
      for (const [k, pid] of x.links ?? []) {
        if (pid.node === node) {
          x.links!.delete(k);
          this.exitSignal(p, pid, 'process', reason, 'link');
        }
      }
    }
    this.#remoteWatchers.delete(node);
    const holders = this.#remote.get(node);
    this.#remote.delete(node);
    for (const p of holders ?? []) {
      const x = p.x;
      if (x === undefined || p.st === S.Terminated) continue;
      for (const [k, pid] of x.links ?? []) {
        if (pid.node === node) {
          x.links!.delete(k);
          this.exitSignal(p, pid, 'process', reason, 'link');
        }
      }
      for (const [k, rec] of x.linksTo ?? []) {
        const t = rec.target;
        if (!(t instanceof Atom) && t.node === node) {
          x.linksTo!.delete(k);
          this.exitSignal(p, t, rec.kind, reason, 'ergo');
        }
      }
      for (const [k, s] of x.eventSubs ?? []) {
        if (s.event.node === node) {
          x.eventSubs!.delete(k);
          if (s.link) this.exitSignal(p, s.event, 'event', reason, 'ergo');
        }
      }
      for (const [k, m] of x.monitors ?? []) {
        const t = m.target;
        if (!(t instanceof Atom) && t.node === node) {
          x.monitors!.delete(k);
          this.#downTo(p, m, reason);
        }
      }
      if (x.nodeMonitors?.delete(node)) this.#downTo(p, { ref: this.makeRef(), watcher: p.pid, kind: 'node', target: node, on: undefined }, reason);
      if (x.nodeLinks?.delete(node)) this.exitSignal(p, node, 'node', reason, 'ergo');
    }
    for (const [k, c] of this.#pending) {
      if (c.node === node) {
        this.#pending.delete(k);
        this.#settle(c, undefined, Err.noConnection(node.name, 'connection lost'));
      }
    }
  }
}

function instantiate(f: Factory): ProcessBehavior {
  const proto = (f as { prototype?: { processHandle?: unknown } }).prototype;
  if (proto !== undefined && typeof proto.processHandle === 'function') return new (f as new () => ProcessBehavior)();
  return (f as () => ProcessBehavior)();
}

export function levelName(n: number): LogLevelName {
  for (const [k, v] of Object.entries(LogLevel)) if (v === n) return k as LogLevelName;
  return 'info';
}
