/**
 * Deadlines for pending calls without a timer per call. Calls made with the same timeout
 * expire in the order they were made, so each distinct timeout keeps its calls in an
 * insertion-ordered Set and one timer, set for the oldest: making and settling a call is a Set
 * insert and delete, not a timer created and cancelled (the timer pair was a measurable share
 * of a remote call's CPU). The timer holds the event loop open only while calls wait on it,
 * as a per-call timer would.
 */

/** What the table needs of a pending call. */
export interface Expiring {
  /** `performance.now()` at which it expires. */
  deadline: number;
  /** The list it waits in, while it waits. */
  expiry: TimeoutList | undefined;
}

/** The calls of one timeout value, oldest first, and the timer that expires them. */
class TimeoutList {
  readonly items = new Set<Expiring>();
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  constructor(readonly ms: number) {}
}

export class Deadlines {
  readonly #lists = new Map<number, TimeoutList>();
  readonly #expired: (item: Expiring) => void;

  /** `expired` is called once for each item whose deadline passed before it was removed. */
  constructor(expired: (item: Expiring) => void) {
    this.#expired = expired;
  }

  /** `item` expires `ms` from now unless removed first. */
  add(item: Expiring, ms: number): void {
    let l = this.#lists.get(ms);
    if (l === undefined) {
      l = new TimeoutList(ms);
      this.#lists.set(ms, l);
    }
    item.deadline = performance.now() + ms;
    item.expiry = l;
    l.items.add(item);
    if (l.timer === undefined) l.timer = setTimeout(() => this.#fire(l), ms);
    else if (l.items.size === 1) l.timer.ref();
  }

  remove(item: Expiring): void {
    const l = item.expiry;
    if (l === undefined) return;
    item.expiry = undefined;
    l.items.delete(item);
    // Nothing waits: the timer no longer keeps the process alive (it goes when it fires).
    if (l.items.size === 0) l.timer?.unref();
  }

  #fire(l: TimeoutList): void {
    l.timer = undefined;
    const now = performance.now();
    for (const item of l.items) {
      if (item.deadline > now) {
        // (A call made by an `expired` handler above may have set a timer: this one is sooner.)
        if (l.timer !== undefined) clearTimeout(l.timer);
        l.timer = setTimeout(() => this.#fire(l), Math.max(1, Math.ceil(item.deadline - now)));
        return;
      }
      this.remove(item);
      this.#expired(item);
    }
    // Empty: drop the list, so timeouts used once do not pile up.
    if (l.items.size === 0 && this.#lists.get(l.ms) === l) this.#lists.delete(l.ms);
  }
}

export type { TimeoutList };
