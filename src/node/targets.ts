/**
 * The target manager: every link and monitor — local or remote, by pid, name, alias, event or
 * node — as typed records (relations.ts), and what happens when a target ends, an exit or DOWN
 * arrives from a peer, or a connection is lost.
 *
 * Local targets keep their watchers on the process (or on the event entry); remote targets
 * are filed per node, by target, in a {@link NodeTable}, which also lists the remote
 * consumers of local targets so a lost connection forgets them at once. A local target that
 * ends fires its local consumers directly and reports its remote consumers once per node
 * (`Connection.terminated`); Ergo's per-target notices ({@link TargetManager.remoteTerminated})
 * and Erlang's per-relation ones ({@link TargetManager.remoteLinkExit}, {@link TargetManager.remoteDown})
 * fire the same records.
 */
import { A, Alias, Atom, Pid, Ref, type Term } from '../term/index.js';
import {
  Err,
  ErrCode,
  Event,
  MessageDown,
  MessageExit,
  ProcessID,
  RuntimeError,
  kindOf,
  type Connection,
  type LinkMode,
  type LocalTarget,
  type MessageEvent,
  type RemoteConsumers,
  type SignalSource,
} from '../gen/index.js';
import { LinkRecord, MonitorRecord, type Relation } from './relations.js';
import { Q, S, type ProcessImpl } from './process.js';
import type { Core, Norm } from './core.js';
import type { EventEntry } from './events.js';

/** What this node knows about one remote node's side of links and monitors. */
class NodeTable {
  /** Relations local processes hold on targets of that node, by target key. */
  readonly held = new Map<string, Set<Relation>>();
  /** Relations processes of that node hold on local targets (and events). */
  readonly consumers = new Set<Relation>();
  /** Those of them that are monitors, by reference identity (for DEMONITOR). */
  readonly monitors = new Map<string, MonitorRecord>();
}

/** A remote target's key inside its node's table. */
function remoteKey(t: SignalSource): string {
  if (t instanceof Pid) return 'p' + t.identity;
  if (t instanceof ProcessID) return 'n' + t.name.name;
  if (t instanceof Alias) return 'a' + t.identity;
  if (t instanceof Event) return 'e' + t.name.name;
  return 'N';
}

function sameTarget(a: SignalSource, b: SignalSource): boolean {
  return a === b || (!(a instanceof Atom) && a.equals(b));
}

function isLink(r: Relation): r is LinkRecord {
  return r instanceof LinkRecord;
}

interface Group {
  node: Atom;
  target: LocalTarget;
  links: Pid[];
  oneWay: Pid[];
  monitors: { pid: Pid; ref: Ref }[];
}

export class TargetManager {
  readonly #core: Core;
  readonly #nodes = new Map<Atom, NodeTable>();

  constructor(core: Core) {
    this.#core = core;
  }

  // ------------------------------------------------------------------ bookkeeping

  #table(node: Atom): NodeTable {
    let t = this.#nodes.get(node);
    if (t === undefined) this.#nodes.set(node, (t = new NodeTable()));
    return t;
  }

  #remoteBucket(t: SignalSource & { node: Atom }): Set<Relation> {
    const table = this.#table(t.node);
    const k = remoteKey(t);
    let b = table.held.get(k);
    if (b === undefined) table.held.set(k, (b = new Set()));
    return b;
  }

  #hold(p: ProcessImpl, r: Relation): void {
    const x = p.ext();
    (x.held ?? (x.held = new Set())).add(r);
    if (r instanceof MonitorRecord) (x.monitors ?? (x.monitors = new Map())).set(this.#core.ids.refKey(r.ref), r);
    r.holder = p;
  }

  #watch(bucket: Set<Relation>, r: Relation): void {
    bucket.add(r);
    r.bucket = bucket;
  }

  #watchProcess(o: ProcessImpl, r: Relation): void {
    const x = o.ext();
    this.#watch(x.watchers ?? (x.watchers = new Set()), r);
  }

  #remoteConsumer(r: Relation): void {
    const t = this.#table(r.consumer.node);
    t.consumers.add(r);
    if (r instanceof MonitorRecord) t.monitors.set(r.ref.identity, r);
  }

  /** Take a record out of both places it sits. */
  #drop(r: Relation): void {
    const h = r.holder;
    if (h !== undefined) {
      h.x?.held?.delete(r);
      if (r instanceof MonitorRecord) h.x?.monitors?.delete(this.#core.ids.refKey(r.ref));
      r.holder = undefined;
    } else {
      const t = this.#nodes.get(r.consumer.node);
      if (t !== undefined) {
        t.consumers.delete(r);
        if (r instanceof MonitorRecord) t.monitors.delete(r.ref.identity);
      }
    }
    r.bucket?.delete(r);
    r.bucket = undefined;
    if (r.kind === 'event' && r.target instanceof Event && r.target.node === this.#core.name) this.#core.events.subscriberLeft(r.target.name);
  }

  /** Deliver what a relation owes its (local) consumer, after taking it out. */
  #fire(r: Relation, reason: Term): void {
    const c = r.holder;
    this.#drop(r);
    if (isLink(r) && r.pair !== undefined) {
      this.#drop(r.pair);
      r.pair = undefined;
    }
    if (c === undefined || c.st === S.Terminated) return;
    if (isLink(r)) this.#core.exitSignal(c, r.target, r.kind, reason, r.mode === 'two-way' ? 'link' : 'one-way');
    else this.down(c, r.ref, r.target, r.kind, reason);
  }

  /**
   * Queue a DOWN. In the main queue, behind every message the monitored process sent before it
   * died (Erlang's per-pair signal order); Ergo would put it in the system queue, ahead of them.
   */
  down(c: ProcessImpl, ref: Ref, target: SignalSource, kind: MessageDown['kind'], reason: Term): void {
    this.#core.sched.signal(c, Q.main, target instanceof Pid ? target : this.#core.pid, new MessageDown(ref, target, reason, kind));
  }

  #find<R extends Relation>(set: Set<Relation> | undefined, match: (r: Relation) => r is R): R | undefined {
    if (set !== undefined) for (const r of set) if (match(r)) return r;
    return undefined;
  }

  #isRemote(t: Norm): t is Pid | ProcessID | Alias | Event {
    return !(t instanceof Atom) && t.node !== this.#core.name;
  }

  // ------------------------------------------------------------------ a process's own links and monitors

  link(p: ProcessImpl, t: Norm, mode: LinkMode): void {
    if (t instanceof Event) {
      // Ergo's Link(event): subscribe, dropping the replay buffer (linkEvent returns it).
      this.subscribe(p, t, 'link').buffer.then(undefined, (e: unknown) => this.#core.loggers.emitFor(p, 'warning', 'link to %s failed: %s', [String(t), String(e)]));
      return;
    }
    if (!(t instanceof Pid)) mode = 'one-way';
    else if (t.equals(p.pid)) return;
    const named: Pid | ProcessID | Alias = t instanceof Atom ? new ProcessID(t, this.#core.name) : t;
    const existing = this.#find(p.x?.held, (r): r is LinkRecord => isLink(r) && r.mode === mode && sameTarget(r.target, named));
    if (existing !== undefined) {
      if (mode === 'two-way') return;
      throw new RuntimeError(ErrCode.TargetExist, `already linked to ${String(named)}`);
    }
    const a = new LinkRecord(p.pid, named, kindOf(named), mode);
    if (this.#isRemote(named)) {
      this.#core.connection(named.node).link(p.pid, named, mode);
      this.#hold(p, a);
      this.#watch(this.#remoteBucket(named), a);
      if (mode === 'two-way') this.#pairUp(a, new LinkRecord(named as Pid, p.pid, 'process', 'two-way'), p, undefined);
      return;
    }
    const o = this.#core.resolve(t as Pid | Atom | Alias);
    if (o === undefined) {
      if (mode === 'two-way' && p.trapExit) {
        this.#core.sched.signal(p, Q.main, t as Pid, new MessageExit(t as Pid, A.noproc));
        return;
      }
      throw this.#core.unknown(t as Pid | Atom | Alias);
    }
    this.#hold(p, a);
    this.#watchProcess(o, a);
    if (mode === 'two-way') this.#pairUp(a, new LinkRecord(o.pid, p.pid, 'process', 'two-way'), p, o);
  }

  /** The reverse half of a two-way link: held by `o` (local) or by a remote consumer; watching `p`. */
  #pairUp(a: LinkRecord, b: LinkRecord, p: ProcessImpl, o: ProcessImpl | undefined): void {
    a.pair = b;
    b.pair = a;
    if (o !== undefined) this.#hold(o, b);
    else this.#remoteConsumer(b);
    this.#watchProcess(p, b);
  }

  unlink(p: ProcessImpl, t: Norm, mode: LinkMode): void {
    if (t instanceof Event) {
      this.unsubscribe(p, t, 'link');
      return;
    }
    if (!(t instanceof Pid)) mode = 'one-way';
    const named: Pid | ProcessID | Alias = t instanceof Atom ? new ProcessID(t, this.#core.name) : t;
    const r = this.#find(p.x?.held, (r): r is LinkRecord => isLink(r) && r.mode === mode && sameTarget(r.target, named));
    if (r === undefined) return;
    this.#drop(r);
    if (r.pair !== undefined) this.#drop(r.pair);
    if (this.#isRemote(named)) this.#core.router?.connection(named.node).unlink(p.pid, named, mode);
  }

  monitor(p: ProcessImpl, t: Norm): Ref {
    if (t instanceof Event) {
      // Ergo's Monitor(event): subscribe, dropping the replay buffer (monitorEvent returns it).
      const s = this.subscribe(p, t, 'monitor');
      s.buffer.then(undefined, (e: unknown) => this.#core.loggers.emitFor(p, 'warning', 'monitor of %s failed: %s', [String(t), String(e)]));
      return s.ref!;
    }
    const named: Pid | ProcessID | Alias = t instanceof Atom ? new ProcessID(t, this.#core.name) : t;
    const ref = this.#core.ids.makeRef();
    const r = new MonitorRecord(p.pid, named, kindOf(named), ref);
    if (this.#isRemote(named)) {
      this.#core.connection(named.node).monitor(p.pid, named, ref);
      this.#hold(p, r);
      this.#watch(this.#remoteBucket(named), r);
      return ref;
    }
    const o = this.#core.resolve(t as Pid | Atom | Alias);
    if (o === undefined) {
      this.down(p, ref, named, r.kind, A.noproc);
      return ref;
    }
    this.#hold(p, r);
    this.#watchProcess(o, r);
    return ref;
  }

  demonitorRef(p: ProcessImpl, ref: Ref): boolean {
    const r = p.x?.monitors?.get(this.#core.ids.refKey(ref));
    if (r === undefined) return false;
    this.#unmonitor(p, r);
    return true;
  }

  demonitorTarget(p: ProcessImpl, t: Norm): boolean {
    const named = t instanceof Atom ? new ProcessID(t, this.#core.name) : t;
    const r = this.#find(p.x?.held, (r): r is MonitorRecord => r instanceof MonitorRecord && r.kind !== 'node' && sameTarget(r.target, named));
    if (r === undefined) return false;
    this.#unmonitor(p, r);
    return true;
  }

  #unmonitor(p: ProcessImpl, r: MonitorRecord): void {
    this.#drop(r);
    const t = r.target;
    if (t instanceof Atom || t.node === this.#core.name) return;
    const conn = this.#core.router?.connection(t.node);
    if (t instanceof Event) conn?.unsubscribe(p.pid, t, 'monitor', r.ref);
    else conn?.demonitor(p.pid, t, r.ref);
  }

  /**
   * A node link or monitor: a local record, no packet (Ergo's LinkNode/MonitorNode; Erlang's
   * monitor_node). It connects in the background; an unreachable node fires it, never throws.
   */
  nodeRelation(p: ProcessImpl, node: Atom, type: 'link' | 'monitor', on: boolean): void {
    const isType = (r: Relation): r is Relation => r.kind === 'node' && r.target === node && (type === 'link') === isLink(r);
    const existing = this.#find(p.x?.held, isType);
    if (!on) {
      if (existing !== undefined) this.#drop(existing);
      return;
    }
    if (node === this.#core.name) throw Err.notAllowed(`cannot ${type} the local node`);
    if (existing !== undefined) return;
    const r = type === 'link' ? new LinkRecord(p.pid, node, 'node', 'one-way') : new MonitorRecord(p.pid, node, 'node', this.#core.ids.makeRef());
    this.#hold(p, r);
    const table = this.#table(node);
    let b = table.held.get('N');
    if (b === undefined) table.held.set('N', (b = new Set()));
    this.#watch(b, r);
    const router = this.#core.router;
    if (router === undefined) this.#fire(r, A.noconnection);
    else if (!router.nodes().includes(node)) router.connect(node).then(undefined, () => undefined);
  }

  // ------------------------------------------------------------------ event subscriptions

  /**
   * Subscribe `p` to an event (link: one-way link; monitor: with a fresh reference). A local
   * event answers at once; a remote subscription is recorded now and the buffer arrives when
   * the peer answers (a refusal removes the record again). Throws for a local event that does
   * not exist, or a second subscription of the same kind.
   */
  subscribe(p: ProcessImpl, ev: Event, mode: 'link' | 'monitor'): { ref: Ref | undefined; buffer: Promise<MessageEvent[]> } {
    const link = mode === 'link';
    const dup = this.#find(p.x?.held, (r): r is Relation => r.kind === 'event' && isLink(r) === link && sameTarget(r.target, ev));
    if (dup !== undefined) throw new RuntimeError(ErrCode.TargetExist, `already subscribed to ${ev}`);
    const ref = link ? undefined : this.#core.ids.makeRef();
    const r = link ? new LinkRecord(p.pid, ev, 'event', 'one-way') : new MonitorRecord(p.pid, ev, 'event', ref!);
    if (ev.node !== this.#core.name) {
      const pending = this.#core.connection(ev.node).subscribe(p.pid, ev, mode, ref);
      this.#hold(p, r);
      this.#watch(this.#remoteBucket(ev), r);
      const buffer = pending.then(undefined, (e: unknown) => {
        this.#drop(r);
        throw e;
      });
      return { ref, buffer };
    }
    const entry = this.#core.events.entry(ev.name);
    if (entry === undefined) throw Err.eventUnknown(ev.name.name);
    this.#hold(p, r);
    this.#watch(entry.watchers, r);
    this.#core.events.subscriberJoined(entry);
    return { ref, buffer: Promise.resolve(entry.bufferCopy()) };
  }

  unsubscribe(p: ProcessImpl, ev: Event, mode: 'link' | 'monitor'): void {
    const link = mode === 'link';
    const r = this.#find(p.x?.held, (r): r is Relation => r.kind === 'event' && isLink(r) === link && sameTarget(r.target, ev));
    if (r === undefined) return;
    this.#drop(r);
    if (ev.node !== this.#core.name) this.#core.router?.connection(ev.node).unsubscribe(p.pid, ev, mode, r instanceof MonitorRecord ? r.ref : undefined);
  }

  /** A remote process subscribes to a local event. */
  remoteSubscribe(from: Pid, entry: EventEntry, mode: 'link' | 'monitor', ref: Ref | undefined): void {
    const link = mode === 'link';
    const dup = this.#find(entry.watchers, (r): r is Relation => r.consumer.equals(from) && isLink(r) === link);
    if (dup !== undefined) return;
    const r = link ? new LinkRecord(from, entry.event, 'event', 'one-way') : new MonitorRecord(from, entry.event, 'event', ref ?? this.#core.ids.makeRef());
    this.#remoteConsumer(r);
    this.#watch(entry.watchers, r);
    this.#core.events.subscriberJoined(entry);
  }

  remoteUnsubscribe(from: Pid, entry: EventEntry, mode: 'link' | 'monitor'): void {
    const link = mode === 'link';
    const r = this.#find(entry.watchers, (r): r is Relation => r.consumer.equals(from) && isLink(r) === link);
    if (r !== undefined) this.#drop(r);
  }

  /** A remote event arrived: to every local subscriber of it. Returns how many got it. */
  remoteEvent(from: Pid, m: MessageEvent): number {
    const b = this.#nodes.get(m.event.node)?.held.get(remoteKey(m.event));
    if (b === undefined) return 0;
    let n = 0;
    for (const r of b) if (r.holder !== undefined && this.#core.offerEvent(r.holder, from, m)) n++;
    return n;
  }

  // ------------------------------------------------------------------ targets ending

  /**
   * Fire `watchers` (those `only` selects) of a local target that ended: local consumers at
   * once, remote ones once per node through `Connection.terminated`.
   */
  endTarget(watchers: Set<Relation> | undefined, from: Pid, reason: Term, only?: (r: Relation) => boolean): void {
    if (watchers === undefined || watchers.size === 0) return;
    let groups: Map<string, Group> | undefined;
    for (const r of [...watchers]) {
      if (only !== undefined && !only(r)) continue;
      if (r.holder !== undefined) {
        this.#fire(r, reason);
        continue;
      }
      if (r.consumer.node === this.#core.name) {
        this.#drop(r); // a local consumer that is already gone
        continue;
      }
      this.#drop(r);
      if (isLink(r) && r.pair !== undefined) this.#drop(r.pair);
      const target = r.target as LocalTarget;
      const key = r.consumer.node.name + '\u0000' + remoteKey(target);
      groups ??= new Map();
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { node: r.consumer.node, target, links: [], oneWay: [], monitors: [] }));
      if (r instanceof MonitorRecord) g.monitors.push({ pid: r.consumer, ref: r.ref });
      else (r.mode === 'two-way' ? g.links : g.oneWay).push(r.consumer);
    }
    if (groups === undefined) return;
    const router = this.#core.router;
    for (const g of groups.values()) {
      const consumers: RemoteConsumers = { links: g.links, oneWay: g.oneWay, monitors: g.monitors };
      router?.connection(g.node).terminated(from, g.target, reason, consumers);
    }
  }

  /** `p` ended: its watchers fire, and what it held is dropped (remote targets are told). */
  processEnded(p: ProcessImpl, reason: Term): void {
    const x = p.x;
    if (x === undefined) return;
    this.endTarget(x.watchers, p.pid, reason);
    if (x.held === undefined) return;
    for (const r of [...x.held]) {
      this.#drop(r);
      const t = r.target;
      if (t instanceof Atom || t.node === this.#core.name) continue;
      let conn: Connection | undefined;
      try {
        conn = this.#core.router?.connection(t.node);
      } catch {
        conn = undefined;
      }
      if (conn === undefined) continue;
      if (t instanceof Event) conn.unsubscribe(p.pid, t, isLink(r) ? 'link' : 'monitor', r instanceof MonitorRecord ? r.ref : undefined);
      else if (r instanceof MonitorRecord) conn.demonitor(p.pid, t, r.ref);
      else if (r.mode === 'one-way') conn.unlink(p.pid, t, 'one-way');
      // A two-way link's exit went out through the watcher half above.
    }
  }

  /** One of `p`'s aliases is gone: links and monitors made on it fire. */
  aliasGone(p: ProcessImpl, alias: Alias, reason: Term): void {
    this.endTarget(p.x?.watchers, p.pid, reason, (r) => r.kind === 'alias' && alias.equals(r.target));
  }

  // ------------------------------------------------------------------ inbound

  /** A remote process links to local process `o` (as `named`). */
  remoteLink(from: Pid, o: ProcessImpl, named: LocalTarget, mode: LinkMode): void {
    const exists = this.#find(o.x?.watchers, (r): r is LinkRecord => isLink(r) && r.mode === mode && r.consumer.equals(from) && sameTarget(r.target, named));
    if (exists !== undefined) return;
    const b = new LinkRecord(from, named, kindOf(named), mode);
    this.#remoteConsumer(b);
    this.#watchProcess(o, b);
    if (mode === 'two-way') {
      const a = new LinkRecord(o.pid, from, 'process', 'two-way');
      a.pair = b;
      b.pair = a;
      this.#hold(o, a);
      this.#watch(this.#remoteBucket(from), a);
    }
  }

  remoteUnlink(from: Pid, o: ProcessImpl, named: LocalTarget, mode: LinkMode): void {
    const r = this.#find(o.x?.watchers, (r): r is LinkRecord => isLink(r) && r.mode === mode && r.consumer.equals(from) && sameTarget(r.target, named));
    if (r === undefined) return;
    this.#drop(r);
    if (r.pair !== undefined) this.#drop(r.pair);
  }

  remoteMonitor(from: Pid, o: ProcessImpl, named: LocalTarget, ref: Ref): void {
    const r = new MonitorRecord(from, named, kindOf(named), ref);
    this.#remoteConsumer(r);
    this.#watchProcess(o, r);
  }

  remoteDemonitor(from: Pid, ref: Ref): void {
    const r = this.#nodes.get(from.node)?.monitors.get(ref.identity);
    if (r !== undefined) this.#drop(r);
  }

  /** Erlang EXIT for a two-way link: acted on only if the link exists. */
  remoteLinkExit(from: Pid, p: ProcessImpl, reason: Term): void {
    const r = this.#find(p.x?.held, (r): r is LinkRecord => isLink(r) && r.mode === 'two-way' && sameTarget(r.target, from));
    if (r !== undefined) this.#fire(r, reason);
  }

  /** Erlang MONITOR_P_EXIT: one monitor of `p` fired. */
  remoteDown(p: ProcessImpl, ref: Ref, reason: Term): void {
    const r = p.x?.monitors?.get(this.#core.ids.refKey(ref));
    if (r !== undefined) this.#fire(r, reason);
  }

  /** Ergo Terminate*: every local relation on that remote target fires. */
  remoteTerminated(target: Pid | ProcessID | Alias | Event, reason: Term): void {
    const table = this.#nodes.get(target.node);
    const k = remoteKey(target);
    const b = table?.held.get(k);
    if (b === undefined) return;
    table!.held.delete(k);
    for (const r of [...b]) this.#fire(r, reason);
  }

  /** The connection to `node` is gone: relations on its targets fire, its consumers are forgotten. */
  nodeDown(node: Atom, reason: Term): void {
    const table = this.#nodes.get(node);
    if (table === undefined) return;
    this.#nodes.delete(node);
    for (const r of [...table.consumers]) {
      r.bucket?.delete(r);
      r.bucket = undefined;
      if (r.kind === 'event' && r.target instanceof Event) this.#core.events.subscriberLeft(r.target.name);
    }
    for (const b of table.held.values()) for (const r of [...b]) this.#fire(r, reason);
  }

  // ------------------------------------------------------------------ introspection

  /** Two-way partners, one-way targets, monitor targets, and who watches `p`. */
  infoOf(p: ProcessImpl): { links: Pid[]; linksTo: SignalSource[]; monitors: SignalSource[]; monitoredBy: Pid[]; linkedBy: Pid[] } {
    const links: Pid[] = [];
    const linksTo: SignalSource[] = [];
    const monitors: SignalSource[] = [];
    const monitoredBy: Pid[] = [];
    const linkedBy: Pid[] = [];
    for (const r of p.x?.held ?? []) {
      if (r instanceof MonitorRecord) monitors.push(r.target);
      else if (r.mode === 'two-way') links.push(r.target as Pid);
      else linksTo.push(r.target);
    }
    for (const r of p.x?.watchers ?? []) {
      if (r instanceof MonitorRecord) monitoredBy.push(r.consumer);
      else if (r.mode === 'one-way') linkedBy.push(r.consumer);
    }
    return { links, linksTo, monitors, monitoredBy, linkedBy };
  }
}
