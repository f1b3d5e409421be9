/**
 * The runtime core: the process table and the life of a process (spawn, exit signals,
 * termination), message routing, and the rooms it ties together — one job each:
 *
 * | room | file |
 * |---|---|
 * | pids, references, their keys | ids.ts |
 * | mailboxes, scheduler, flow control | scheduler.ts |
 * | links and monitors (typed records), targets ending, connection loss | targets.ts, relations.ts |
 * | calls | calls.ts |
 * | events | events.ts |
 * | names and aliases | names.ts |
 * | what remote nodes may spawn or start | spawn-registry.ts |
 * | the network's way in | inbound.ts |
 * | environment, loggers, introspection | env.ts, loggers.ts, introspect.ts |
 * | the network manager (routes, stacks, connect on first use) | network/ |
 *
 * Exit signals follow Erlang (proto-spec/runtime-semantics.md): a signal that kills is acted
 * on when it arrives (even while the process waits on a promise); a trapped one becomes a
 * `MessageExit` in the main queue (urgent for one-way links), so it does not overtake messages
 * the dying process sent before.
 */
import { A, Alias, Atom, atom, Pid, Tuple, tuple, type Creation, type Ref, type Term } from '../term/index.js';
import {
  Err,
  ErrCode,
  Event,
  ExitReason,
  MessageExit,
  MessageNodeDown,
  MessageNodeUp,
  Outbound,
  ProcessID,
  RuntimeError,
  isNormalExit,
  reasonText,
  type Connection,
  type ConnectionInfo,
  type MessageEvent,
  type NetworkRouter,
  type Priority,
  type SignalSource,
  type TargetKind,
} from '../gen/index.js';
import { F, ProcessImpl, Q, S, queueOf } from './process.js';
import { Ids } from './ids.js';
import { Scheduler } from './scheduler.js';
import { TargetManager } from './targets.js';
import { Calls } from './calls.js';
import { Events } from './events.js';
import { Names } from './names.js';
import { Env } from './env.js';
import { Loggers } from './loggers.js';
import { SpawnRegistry } from './spawn-registry.js';
import { Spawner } from './spawner.js';
import type { Log, LogLevelName } from './log.js';
import { Kind, type Target } from './types.js';
import type { Node } from './node.js';

/** A target after {@link Core.norm}: a local name is an `Atom`, a name elsewhere a `ProcessID`. */
export type Norm = Pid | ProcessID | Alias | Atom | Event;

/** How an exit signal arrived: `exit/2`, a broken two-way link, a fired one-way link. */
export type ExitHow = 'exit2' | 'link' | 'one-way';

export interface CoreOptions {
  name: Atom;
  creation: Creation;
  env: Record<string, unknown> | undefined;
  logLevel: LogLevelName;
  defaultLogger: boolean;
  /** Queue length at which inbound deliveries report `Backlog` (0: never). */
  inboundBacklog: number;
}

/** Hooks the application manager installs. */
export interface AppHooks {
  memberDown(app: Atom, pid: Pid, reason: Term): void;
}

/** Thrown values that are already reasons. */
function isReasonTerm(e: unknown): boolean {
  return e instanceof Atom || e instanceof Tuple || e instanceof ExitReason;
}

const GEN_CAST = atom('$gen_cast');

export class Core {
  readonly name: Atom;
  readonly ids: Ids;
  readonly sched: Scheduler;
  readonly targets: TargetManager;
  readonly calls: Calls;
  readonly events: Events;
  readonly names: Names;
  readonly env: Env;
  readonly loggers: Loggers;
  readonly spawns = new SpawnRegistry();
  readonly spawner: Spawner;
  facade!: Node;
  apps: AppHooks | undefined = undefined;
  router: NetworkRouter | undefined = undefined;

  readonly #table = new Map<number, ProcessImpl>();
  /** Processes that asked for node up/down notices (`monitorNodes`). */
  readonly #nodeWatchers = new Set<ProcessImpl>();
  readonly #start = Date.now();
  #stopping = false;
  #emptyWaiters: (() => void)[] = [];
  /** Timers of node-level `sendAfter` (a process's own live in its Extra); cleared by stop(). */
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(o: CoreOptions) {
    this.name = o.name;
    this.ids = new Ids(o.name, o.creation);
    this.sched = new Scheduler(this, o.inboundBacklog);
    this.targets = new TargetManager(this);
    this.calls = new Calls(this);
    this.events = new Events(this);
    this.names = new Names(this);
    this.env = new Env(o.env);
    this.loggers = new Loggers(this, o.name, o.logLevel, o.defaultLogger);
    this.spawner = new Spawner(this);
  }

  /** Put a new process in the table (the spawner's first step). */
  admit(p: ProcessImpl): void {
    this.#table.set(p.key, p);
  }

  get pid(): Pid {
    return this.ids.pid;
  }
  get creation(): Creation {
    return this.ids.creation;
  }
  get log(): Log {
    return this.loggers.nodeLog;
  }
  get stopping(): boolean {
    return this.#stopping;
  }
  uptime(): number {
    return Math.floor((Date.now() - this.#start) / 1000);
  }

  // ------------------------------------------------------------------ lookup

  /** The live local process for `pid`, or undefined. */
  process(pid: Pid): ProcessImpl | undefined {
    if (pid.node !== this.name || pid.creation !== this.ids.creation) return undefined;
    return this.#table.get(pid.serial * 0x1_0000_0000 + pid.id);
  }

  /** A local pid, name or alias → its live process, or undefined. */
  resolve(t: Pid | Atom | Alias): ProcessImpl | undefined {
    const p = t instanceof Pid ? this.process(t) : t instanceof Alias ? this.names.aliasOwner(t) : this.names.whereis(t);
    return p === undefined || p.st === S.Terminated ? undefined : p;
  }

  /** The catalogue error for a local target that does not resolve. */
  unknown(t: Pid | Atom | Alias): RuntimeError {
    if (t instanceof Pid) return t.node === this.name && t.creation !== this.ids.creation ? Err.processIncarnation(t) : Err.processUnknown(t);
    if (t instanceof Alias) return Err.aliasUnknown(t);
    return Err.nameUnknown(t.name);
  }

  /** Normalise a target: strings and `{Name, Node}` tuples become atoms / ProcessIDs. */
  norm(t: Target | Event): Norm {
    if (typeof t === 'string') return atom(t);
    if (t instanceof Tuple) {
      const [n, nd] = t.elements;
      if (t.elements.length === 2 && n instanceof Atom && nd instanceof Atom) return nd === this.name ? n : new ProcessID(n, nd);
      throw Err.incorrect(`not a {Name, Node} target: ${reasonText(t)}`);
    }
    if (t instanceof ProcessID && t.node === this.name) return t.name;
    if (!(t instanceof Pid || t instanceof Alias || t instanceof Atom || t instanceof ProcessID || t instanceof Event)) {
      throw Err.incorrect(`not a target: ${reasonText(t)}`);
    }
    return t;
  }

  /** The connection to `node`; `ERR_NO_CONNECTION` when the node has no network. */
  connection(node: Atom): Connection {
    if (this.router === undefined) throw Err.noConnection(node.name, 'no route (no network stack installed)');
    return this.router.connection(node);
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
      this.finalize(p, reason);
      return;
    }
    // Only the untrappable kill skips terminate: a process that ends with `killed` for any
    // other cause (a trapped link EXIT from a killed parent, a link) runs it, as in OTP.
    if ((p.flags & F.Killed) !== 0) {
      this.finalize(p, reason);
      return;
    }
    let r: unknown;
    try {
      r = p.behavior.processTerminate(reason);
    } catch (e) {
      this.loggers.emitFor(p, 'error', 'terminate callback failed: %s', [String(e)]);
    }
    if (r !== undefined && typeof (r as PromiseLike<unknown>).then === 'function') {
      (r as PromiseLike<unknown>).then(
        () => this.finalize(p, reason),
        (e: unknown) => {
          this.loggers.emitFor(p, 'error', 'terminate callback failed: %s', [String(e)]);
          this.finalize(p, reason);
        },
      );
      return;
    }
    this.finalize(p, reason);
  }

  /** Remove `p` from every table and deliver its link exits and DOWNs. */
  finalize(p: ProcessImpl, reason: Term): void {
    if (!this.#table.delete(p.key)) return;
    p.st = S.Terminated;
    this.names.release(p);
    p.mb?.clear();
    p.mb = undefined;
    this.calls.processEnded(p, reason);
    this.sched.forget(p);
    const x = p.x;
    if (x !== undefined) {
      if (x.timers) for (const t of x.timers) clearTimeout(t);
      this.names.releaseAliases(p);
      this.events.ownerEnded(p, reason);
      this.targets.processEnded(p, reason);
      this.#nodeWatchers.delete(p);
      if (x.waiters) for (const w of x.waiters) w(reason);
      if (x.appMember && x.app !== undefined) this.apps?.memberDown(x.app, p.pid, reason);
    }
    if (this.#table.size === 0 && this.#emptyWaiters.length > 0) {
      const w = this.#emptyWaiters;
      this.#emptyWaiters = [];
      for (const f of w) f();
    }
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
      this.loggers.emitFor(p, 'error', 'process terminated abnormally: %s%s', [reasonText(reason), stack]);
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
   * - `link`: a two-way link broke. `normal` is ignored unless trapped; otherwise as above.
   * - `one-way`: a one-way (Ergo) link fired: any reason kills unless trapped.
   */
  exitSignal(p: ProcessImpl, from: SignalSource, kind: TargetKind, reason: Term, how: ExitHow): void {
    if (p.st === S.Terminated || p.st === S.Terminating) {
      // Its terminate callback is running: only a kill cuts it short.
      if (how === 'exit2' && reason === A.kill) this.finalize(p, A.killed);
      return;
    }
    if (how === 'exit2' && reason === A.kill) {
      this.sched.fatal(p, A.killed, true);
      return;
    }
    if ((p.flags & F.TrapExit) !== 0) {
      // Erlang keeps signals from one process in order with its messages: a trapped EXIT
      // queues behind what the dying process sent before. Ergo's one-way links keep Ergo's
      // placement (urgent).
      this.sched.signal(p, how === 'one-way' ? Q.urgent : Q.main, from instanceof Pid ? from : this.pid, new MessageExit(from, reason, kind));
      return;
    }
    if (how !== 'one-way' && reason === A.normal) {
      if (how === 'exit2' && from instanceof Pid && from.equals(p.pid)) this.sched.fatal(p, A.normal);
      return;
    }
    this.sched.fatal(p, reason);
  }

  sendExit(from: Pid, to: Pid, reason: Term): void {
    if (to.node !== this.name) {
      this.connection(to.node).sendExit(from, to, reason);
      return;
    }
    const p = this.resolve(to);
    if (p === undefined) throw this.unknown(to);
    this.exitSignal(p, from, 'process', reason, 'exit2');
  }

  // ------------------------------------------------------------------ messaging

  /**
   * Local targets: queued now, or the catalogue error thrown. Remote: handed to the connection
   * (a busy one parks the sender); with `important` (the process option) a failure the peer
   * reports is logged, since this call does not wait for it (use `sendImportant` to wait).
   */
  send(from: ProcessImpl | undefined, to: Target, message: unknown, prio: Priority, important = false): void {
    const fromPid = from === undefined ? this.pid : from.pid;
    if (to instanceof Pid && to.node === this.name) {
      const p = this.#table.get(to.serial * 0x1_0000_0000 + to.id);
      if (p === undefined || to.creation !== this.ids.creation || p.st === S.Terminated) throw this.unknown(to);
      this.sched.push(p, prio === 'normal' ? Q.main : queueOf(prio), Kind.Message, fromPid, message, undefined, undefined);
      if (from !== undefined) from.nOut++;
      return;
    }
    const t = to instanceof Pid ? to : this.norm(to);
    if (t instanceof Event) throw Err.incorrect('cannot send to an event; use sendEvent');
    if (t instanceof Atom || t.node === this.name) {
      const p = this.resolve(t as Pid | Atom | Alias);
      if (p === undefined) throw this.unknown(t as Pid | Atom | Alias);
      this.sched.push(p, queueOf(prio), Kind.Message, fromPid, message, undefined, t instanceof Pid ? undefined : (t as Atom | Alias));
    } else {
      const conn = this.connection(t.node);
      if (important) {
        conn.sendImportant(fromPid, t, message, { priority: prio }).then(undefined, (e: unknown) => {
          this.loggers.emitFor(from, 'warning', 'send to %s failed: %s', [String(t), String(e)]);
        });
      } else if (conn.send(fromPid, t, message, { priority: prio }) === Outbound.Busy && from !== undefined) {
        this.sched.park(from, t.node);
      }
    }
    if (from !== undefined) from.nOut++;
  }

  async sendImportant(from: ProcessImpl | undefined, to: Target, message: unknown, prio: Priority): Promise<void> {
    const t = this.norm(to);
    if (t instanceof Event) throw Err.incorrect('cannot send to an event; use sendEvent');
    if (!(t instanceof Atom) && t.node !== this.name) {
      if (from !== undefined) from.nOut++;
      await this.connection(t.node).sendImportant(from === undefined ? this.pid : from.pid, t, message, { priority: prio });
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
        this.loggers.emitFor(from, 'warning', 'sendAfter to %s failed: %s', [String(to), String(e)]);
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
      const c = this.connection(to.node);
      if (ref !== undefined) c.call(from, to, ref, message, { priority: prio });
      else c.send(from, to, message, { priority: prio });
      return;
    }
    const p = this.resolve(to);
    if (p === undefined) throw this.unknown(to);
    this.sched.push(p, queueOf(prio), ref === undefined ? Kind.Message : Kind.Request, from, message, ref, undefined);
  }

  sendResponse(from: Pid, to: Pid, ref: Ref, value: unknown, error: Term | undefined): void {
    if (to.node !== this.name) {
      this.connection(to.node).sendResponse(from, to, ref, value, error, { priority: 'normal' });
      return;
    }
    this.calls.deliverResponse(ref, value, error);
  }

  /** `gen_server:cast`'s message. */
  castMessage(message: unknown): Tuple {
    return tuple(GEN_CAST, message as Term);
  }

  /** Queue an event for a subscriber; a full subscriber misses it (the producer is not punished). */
  offerEvent(p: ProcessImpl, from: Pid, m: MessageEvent): boolean {
    if (p.st === S.Terminated) return false;
    try {
      this.sched.push(p, Q.main, Kind.Event, from, m, undefined, undefined);
      return true;
    } catch (err) {
      if (!(err instanceof RuntimeError && err.code === ErrCode.MailboxFull)) throw err;
      return false;
    }
  }

  // ------------------------------------------------------------------ nodes

  watchNodes(p: ProcessImpl, on: boolean): void {
    if (on) this.#nodeWatchers.add(p);
    else this.#nodeWatchers.delete(p);
  }

  nodeUp(info: ConnectionInfo): void {
    for (const p of this.#nodeWatchers) this.sched.signal(p, Q.main, this.pid, new MessageNodeUp(info.node));
  }

  nodeDown(node: Atom, reason: Term): void {
    this.targets.nodeDown(node, reason);
    this.calls.nodeDown(node);
    this.sched.unpark(node);
    for (const p of this.#nodeWatchers) this.sched.signal(p, Q.main, this.pid, new MessageNodeDown(node, reason));
  }

  // ------------------------------------------------------------------ introspection

  count(): number {
    return this.#table.size;
  }

  processes(): IterableIterator<ProcessImpl> {
    return this.#table.values();
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
      for (const p of top) this.exitSignal(p, this.pid, 'process', A.shutdown, 'one-way');
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
    this.calls.stop();
  }

  /** True if `p` settled before `deadline` (ms since the epoch). */
  async #until(p: Promise<unknown>, deadline: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), Math.max(0, deadline - Date.now()))));
    const ok = await Promise.race([p.then(() => true), late]);
    clearTimeout(timer);
    return ok;
  }
}

export { levelName } from './loggers.js';
