/**
 * Events (Ergo's `gen.Event`): a process registers a named event and publishes to it with the
 * token it got; subscribers link or monitor the event (targets.ts keeps those records, here
 * in the entry's `watchers`). Publishing reaches local subscribers directly and each remote
 * node with subscribers once (`Connection.publish`). The owner's death or `unregister` ends
 * every subscription (links: the one-way exit; monitors: DOWN).
 */
import type { Atom, Pid, Ref, Term } from '../term/index.js';
import {
  Delivery,
  Err,
  ErrCode,
  Event,
  MessageEvent,
  MessageEventStart,
  MessageEventStop,
  RuntimeError,
} from '../gen/index.js';
import { Ring } from './ring.js';
import { Q, type ProcessImpl } from './process.js';
import type { Relation } from './relations.js';
import type { EventOptions } from './types.js';
import type { Core } from './core.js';

export class EventEntry {
  readonly watchers = new Set<Relation>();
  readonly #buffer: Ring<MessageEvent> | undefined;
  constructor(
    readonly event: Event,
    readonly owner: ProcessImpl,
    readonly token: Ref,
    readonly notify: boolean,
    readonly cap: number,
  ) {
    this.#buffer = cap > 0 ? new Ring<MessageEvent>(cap) : undefined;
  }
  keep(m: MessageEvent): void {
    const b = this.#buffer;
    if (b === undefined) return;
    if (b.length >= this.cap) b.shift();
    b.push(m);
  }
  bufferCopy(): MessageEvent[] {
    return this.#buffer ? this.#buffer.toArray() : [];
  }
}

export class Events {
  readonly #core: Core;
  readonly #events = new Map<Atom, EventEntry>();

  constructor(core: Core) {
    this.#core = core;
  }

  entry(name: Atom): EventEntry | undefined {
    return this.#events.get(name);
  }

  names(): Atom[] {
    return [...this.#events.keys()];
  }

  register(p: ProcessImpl, name: Atom, o: EventOptions): Ref {
    if (this.#events.has(name)) throw Err.taken(`event ${name.name}`);
    const token = this.#core.ids.makeRef();
    this.#events.set(name, new EventEntry(new Event(name, this.#core.name), p, token, o.notify === true, Math.max(0, o.buffer ?? 0)));
    const x = p.ext();
    (x.events ?? (x.events = new Set())).add(name);
    return token;
  }

  unregister(p: ProcessImpl, name: Atom, reason: Term): void {
    const e = this.#events.get(name);
    if (e === undefined) throw Err.eventUnknown(name.name);
    if (e.owner !== p) throw new RuntimeError(ErrCode.EventOwner, `${p.pid} does not own event ${name.name}`);
    this.#events.delete(name);
    p.x?.events?.delete(name);
    this.#core.targets.endTarget(e.watchers, p.pid, reason);
  }

  /** Every event `p` owns ends with `reason` (the owner died). */
  ownerEnded(p: ProcessImpl, reason: Term): void {
    const own = p.x?.events;
    if (own === undefined) return;
    for (const name of [...own]) this.unregister(p, name, reason);
  }

  publish(p: ProcessImpl, name: Atom, token: Ref, message: unknown): void {
    const e = this.#events.get(name);
    if (e === undefined) throw Err.eventUnknown(name.name);
    if (e.owner !== p || !e.token.equals(token)) throw new RuntimeError(ErrCode.EventOwner, `wrong token for event ${name.name}`);
    const m = new MessageEvent(e.event, Date.now(), message);
    e.keep(m);
    let remote: Map<Atom, Pid[]> | undefined;
    for (const r of e.watchers) {
      if (r.holder !== undefined) this.#core.offerEvent(r.holder, p.pid, m);
      else if (r.consumer.node !== this.#core.name) {
        remote ??= new Map();
        const list = remote.get(r.consumer.node);
        if (list === undefined) remote.set(r.consumer.node, [r.consumer]);
        else list.push(r.consumer);
      }
    }
    // Once per remote node with subscribers (Ergo: one 105 frame per node).
    if (remote !== undefined) for (const [node, pids] of remote) this.#core.router?.connection(node).publish(p.pid, m, pids);
  }

  /** A subscriber (local or remote) joined: the first one tells a `notify` owner. */
  subscriberJoined(e: EventEntry): void {
    if (e.watchers.size === 1 && e.notify) this.#core.sched.signal(e.owner, Q.system, this.#core.pid, new MessageEventStart(e.event.name));
  }

  /** A subscriber left: the last one tells a `notify` owner. */
  subscriberLeft(name: Atom): void {
    const e = this.#events.get(name);
    if (e !== undefined && e.watchers.size === 0 && e.notify) this.#core.sched.signal(e.owner, Q.system, this.#core.pid, new MessageEventStop(name));
  }

  /** A remote subscription request: the replay buffer, or `Unknown`. */
  remoteSubscribe(from: Pid, name: Atom, mode: 'link' | 'monitor', ref: Ref | undefined): MessageEvent[] | typeof Delivery.Unknown {
    const e = this.#events.get(name);
    if (e === undefined) return Delivery.Unknown;
    this.#core.targets.remoteSubscribe(from, e, mode, ref);
    return e.bufferCopy();
  }

  remoteUnsubscribe(from: Pid, name: Atom, mode: 'link' | 'monitor'): void {
    const e = this.#events.get(name);
    if (e !== undefined) this.#core.targets.remoteUnsubscribe(from, e, mode);
  }
}
