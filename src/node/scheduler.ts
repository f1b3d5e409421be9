/**
 * Mailboxes and the scheduler. A process with mail is put once on a ready ring; one drain per
 * event-loop turn (setImmediate) runs ready processes, each for at most QUANTUM entries, and
 * the whole drain for at most TURN_BUDGET entries or TURN_MS milliseconds, so sockets and
 * timers always get their turn. A handler that returns a promise parks its process (state
 * `waiting`) until it settles; the rest of the node keeps running.
 *
 * Flow control lives here too: a process whose send found a connection busy is parked (taken
 * off the ring until the connection drains), and a stack that paused reading for a process
 * whose queue is long waits on {@link Scheduler.drained}.
 */
import type { Alias, Atom, Pid, Ref, Term } from '../term/index.js';
import { Err, MessageFallback } from '../gen/index.js';
import { EntryRing, Ring } from './ring.js';
import { Extra, F, Mailbox, Q, S, type ProcessImpl } from './process.js';
import { Kind } from './types.js';
import type { Core } from './core.js';

/** Entries one process may handle before yielding to the next ready process. */
const QUANTUM = 512;
/** Entries one drain may handle before yielding to the event loop. */
const TURN_BUDGET = 65536;
/** Milliseconds one drain may run before yielding to the event loop. */
const TURN_MS = 10;

export class Scheduler {
  readonly #core: Core;
  readonly #ready = new Ring<ProcessImpl>(1024);
  readonly #scratch: unknown[] = [0, undefined, undefined, undefined, undefined];
  #drainScheduled = false;
  /** Processes parked on a busy connection, by node. */
  readonly #parked = new Map<Atom, Set<ProcessImpl>>();
  /** Queue length at which an inbound delivery reports `Backlog` (0: never). */
  readonly backlog: number;

  constructor(core: Core, backlog: number) {
    this.#core = core;
    this.backlog = backlog;
  }

  /**
   * Queue an entry. Checks the mailbox limit for the main and system queues (the log and
   * urgent queues are never limited: signals must not be lost). Throws `ERR_MAILBOX_FULL`.
   */
  push(p: ProcessImpl, q: number, kind: number, from: Pid, message: unknown, ref: Ref | undefined, via: Atom | Alias | undefined): void {
    if (p.st === S.Terminated) throw Err.processUnknown(p.pid);
    const x = p.x;
    if (x !== undefined && x.mailboxLimit > 0 && (q === Q.main || q === Q.system) && p.mb !== undefined && p.mb.regular() >= x.mailboxLimit) {
      this.#fallback(p, x, from, message);
      return;
    }
    this.enqueue(p, q, kind, from, message, ref, via);
  }

  /**
   * Queue a signal the runtime owes a process (DOWN, trapped EXIT, event start/stop): never
   * refused by the mailbox limit and never throwing, since it is sent from inside another
   * process's termination or subscription, which must not stop half-way.
   */
  signal(p: ProcessImpl, q: number, from: Pid, message: unknown): void {
    if (p.st === S.Terminated) return;
    this.enqueue(p, q, Kind.Message, from, message, undefined, undefined);
  }

  enqueue(p: ProcessImpl, q: number, kind: number, from: Pid, message: unknown, ref: Ref | undefined, via: Atom | Alias | undefined): void {
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
    if ((p.flags & (F.Queued | F.Parked)) === 0 && p.st === S.Sleep) this.schedule(p);
  }

  #fallback(p: ProcessImpl, x: Extra, from: Pid, message: unknown): void {
    const fb = x.fallback;
    const target = fb === undefined ? undefined : this.#core.names.whereis(fb.name);
    if (fb === undefined || target === undefined || target === p) throw Err.mailboxFull(p.pid);
    this.push(target, Q.main, Kind.Message, from, new MessageFallback(p.pid, fb.tag, from, message), undefined, undefined);
  }

  schedule(p: ProcessImpl): void {
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
      // A signal kills even a waiting (or initialising, or parked) process; a self-stop waits
      // for the pending handler to settle (#resume / initDone act on it then).
      if (p.fatal !== undefined && (p.st === S.Sleep || (p.st !== S.Running && (p.flags & F.SelfStop) === 0))) {
        this.#core.terminate(p, p.fatal);
        continue;
      }
      if (p.st !== S.Sleep || (p.flags & F.Parked) !== 0) continue;
      budget -= this.#run(p, budget < QUANTUM ? budget : QUANTUM);
      if (p.st === S.Sleep && (p.flags & F.Parked) === 0 && (p.fatal !== undefined || (p.mb !== undefined && p.mb.size() > 0))) this.schedule(p);
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
        this.#core.terminate(p, p.fatal);
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
        this.#core.crash(p, e);
        return n;
      }
      s[2] = s[3] = s[4] = undefined;
      if (r !== undefined && typeof (r as PromiseLike<unknown>).then === 'function') {
        p.st = S.Waiting;
        (r as PromiseLike<unknown>).then(
          () => this.#resume(p),
          (e: unknown) => this.#core.crash(p, e),
        );
        return n;
      }
      if (p.st === S.Terminated || p.st === S.Terminating) return n;
      if ((p.flags & F.Parked) !== 0) break;
    }
    if (p.st === S.Running) p.st = S.Sleep;
    if ((p.flags & F.DrainWait) !== 0) this.#checkDrained(p);
    if (p.fatal !== undefined) this.#core.terminate(p, p.fatal);
    return n;
  }

  #resume(p: ProcessImpl): void {
    if (p.st !== S.Waiting) return;
    p.st = S.Sleep;
    if ((p.flags & F.DrainWait) !== 0) this.#checkDrained(p);
    if ((p.flags & (F.Queued | F.Parked)) === 0 && (p.fatal !== undefined || (p.mb !== undefined && p.mb.size() > 0))) this.schedule(p);
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
    if ((p.flags & F.Queued) === 0 && p.st !== S.Running) this.schedule(p);
  }

  /**
   * `Process.stop(reason)`: end once the current handler (or async init) has returned, never
   * in the middle of it — a handler that calls stop() and then awaits more finishes first.
   */
  stopSelf(p: ProcessImpl, reason: Term): void {
    if (p.st === S.Terminated || p.st === S.Terminating || p.fatal !== undefined) return;
    p.fatal = reason;
    p.flags |= F.SelfStop;
    if ((p.flags & F.Queued) === 0 && p.st === S.Sleep) this.schedule(p);
  }

  /** After its current handler, run `p` again only once `node`'s connection drains. */
  park(p: ProcessImpl, node: Atom): void {
    if ((p.flags & F.Parked) !== 0) return;
    p.flags |= F.Parked;
    p.ext().parkedOn = node;
    let set = this.#parked.get(node);
    if (set === undefined) this.#parked.set(node, (set = new Set()));
    set.add(p);
  }

  /** `node`'s connection drained (or went down): parked senders run again. */
  unpark(node: Atom): void {
    const set = this.#parked.get(node);
    if (set === undefined) return;
    this.#parked.delete(node);
    for (const p of set) {
      p.flags &= ~F.Parked;
      if (p.x !== undefined) p.x.parkedOn = undefined;
      if (p.st === S.Sleep && (p.flags & F.Queued) === 0 && (p.fatal !== undefined || (p.mb !== undefined && p.mb.size() > 0))) this.schedule(p);
    }
  }

  /** Forget a process that ended (parking, drain waiters). */
  forget(p: ProcessImpl): void {
    const node = p.x?.parkedOn;
    if (node !== undefined) this.#parked.get(node)?.delete(p);
    if ((p.flags & F.DrainWait) !== 0) this.#releaseDrain(p);
  }

  /** Whether `p`'s queue is past the backlog mark (an inbound delivery then reports `Backlog`). */
  overBacklog(p: ProcessImpl): boolean {
    return this.backlog > 0 && p.mb !== undefined && p.mb.regular() >= this.backlog;
  }

  /** Resolves when `p`'s queue is under half the backlog mark, or `p` has ended. */
  drained(p: ProcessImpl | undefined): Promise<void> {
    if (p === undefined || p.st === S.Terminated || p.mb === undefined || p.mb.regular() < this.backlog / 2) return Promise.resolve();
    return new Promise((resolve) => {
      const x = p.ext();
      (x.drainWaiters ?? (x.drainWaiters = [])).push(resolve);
      p.flags |= F.DrainWait;
    });
  }

  #checkDrained(p: ProcessImpl): void {
    if (p.mb === undefined || p.mb.regular() < this.backlog / 2) this.#releaseDrain(p);
  }

  #releaseDrain(p: ProcessImpl): void {
    p.flags &= ~F.DrainWait;
    const w = p.x?.drainWaiters;
    if (w === undefined) return;
    p.x!.drainWaiters = undefined;
    for (const f of w) f();
  }
}
