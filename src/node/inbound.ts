/**
 * The network's way into the node: the {@link NodeInbound} a router and its stacks call for
 * everything that arrives. Hot-path entries answer with a {@link Delivery} code; a target that
 * does not exist is a value here, and each stack turns it into its protocol's answer.
 */
import { Alias, Atom, Pid, type Ref, type Term } from '../term/index.js';
import {
  Delivery,
  ErrCode,
  Event,
  ProcessID,
  RuntimeError,
  type ApplicationStartMode,
  type ConnectionInfo,
  type InboundTarget,
  type LinkMode,
  type LocalTarget,
  type MessageEvent,
  type NodeInbound,
  type Priority,
  type RemoteTarget,
  type SpawnRequest,
} from '../gen/index.js';
import { Q, S, queueOf, type ProcessImpl } from './process.js';
import { Kind } from './types.js';
import type { Core } from './core.js';

export class Inbound implements NodeInbound {
  readonly #core: Core;
  /** Node up/down listeners of the facade (`Node.onNodeStatus`). */
  readonly listeners = new Set<(up: boolean, node: Atom, detail: ConnectionInfo | Term) => void>();

  constructor(core: Core) {
    this.#core = core;
  }

  #target(to: InboundTarget): ProcessImpl | undefined {
    return this.#core.resolve(to);
  }

  /** How remote consumers name a local target: the pid, `{Name, ThisNode}`, the alias. */
  #named(to: InboundTarget): LocalTarget {
    return to instanceof Atom ? new ProcessID(to, this.#core.name) : to;
  }

  #push(p: ProcessImpl, kind: number, from: Pid, message: unknown, ref: Ref | undefined, priority: Priority, via: Atom | Alias | undefined): Delivery {
    const sched = this.#core.sched;
    try {
      sched.push(p, priority === 'normal' ? Q.main : queueOf(priority), kind, from, message, ref, via);
    } catch (e) {
      if (e instanceof RuntimeError && e.code === ErrCode.MailboxFull) return Delivery.MailboxFull;
      return Delivery.Terminated;
    }
    return sched.overBacklog(p) ? Delivery.Backlog : Delivery.Ok;
  }

  deliver(from: Pid, to: InboundTarget, message: unknown, priority: Priority): Delivery {
    const p = this.#target(to);
    if (p === undefined) return Delivery.Unknown;
    return this.#push(p, Kind.Message, from, message, undefined, priority, to instanceof Pid ? undefined : to);
  }

  deliverCall(from: Pid, to: InboundTarget, ref: Ref, request: unknown, priority: Priority): Delivery {
    const p = this.#target(to);
    if (p === undefined) return Delivery.Unknown;
    return this.#push(p, Kind.Request, from, request, ref, priority, to instanceof Pid ? undefined : to);
  }

  deliverResponse(ref: Ref, value: unknown, error?: Term): boolean {
    return this.#core.calls.deliverResponse(ref, value, error);
  }

  deliverEvent(from: Pid, message: MessageEvent): number {
    return this.#core.targets.remoteEvent(from, message);
  }

  exit(from: Pid, to: Pid, reason: Term): Delivery {
    const p = this.#core.process(to);
    if (p === undefined || p.st === S.Terminated) return Delivery.Unknown;
    this.#core.exitSignal(p, from, 'process', reason, 'exit2');
    return Delivery.Ok;
  }

  linkExit(from: Pid, to: Pid, reason: Term): void {
    const p = this.#core.process(to);
    if (p !== undefined) this.#core.targets.remoteLinkExit(from, p, reason);
  }

  down(_from: Pid | ProcessID, to: Pid, ref: Ref, reason: Term): void {
    const p = this.#core.process(to);
    if (p !== undefined) this.#core.targets.remoteDown(p, ref, reason);
  }

  terminated(target: RemoteTarget | Event, reason: Term): void {
    this.#core.targets.remoteTerminated(target, reason);
  }

  link(from: Pid, to: InboundTarget, mode: LinkMode): Delivery {
    const p = this.#target(to);
    if (p === undefined) return Delivery.Unknown;
    // Erlang links pids only; a two-way request on a name or alias is taken as one-way.
    this.#core.targets.remoteLink(from, p, this.#named(to), to instanceof Pid ? mode : 'one-way');
    return Delivery.Ok;
  }

  unlink(from: Pid, to: InboundTarget, mode: LinkMode): void {
    const p = this.#target(to);
    if (p !== undefined) this.#core.targets.remoteUnlink(from, p, this.#named(to), to instanceof Pid ? mode : 'one-way');
  }

  monitor(from: Pid, to: InboundTarget, ref: Ref): Delivery {
    const p = this.#target(to);
    if (p === undefined) return Delivery.Unknown;
    this.#core.targets.remoteMonitor(from, p, this.#named(to), ref);
    return Delivery.Ok;
  }

  demonitor(from: Pid, _to: InboundTarget, ref: Ref): void {
    this.#core.targets.remoteDemonitor(from, ref);
  }

  subscribe(from: Pid, event: Atom, mode: 'link' | 'monitor', ref: Ref | undefined): MessageEvent[] | typeof Delivery.Unknown {
    return this.#core.events.remoteSubscribe(from, event, mode, ref);
  }

  unsubscribe(from: Pid, event: Atom, mode: 'link' | 'monitor'): void {
    this.#core.events.remoteUnsubscribe(from, event, mode);
  }

  spawn(request: SpawnRequest): Promise<Pid> {
    return this.#core.spawner.spawnFor(request);
  }

  async applicationStart(from: Pid, name: Atom, mode: ApplicationStartMode | undefined, env: Readonly<Record<string, unknown>> | undefined): Promise<void> {
    this.#core.spawns.checkApplicationStart(from.node, name);
    await this.#core.facade.applicationStart(name, { mode, env: env === undefined ? undefined : { ...env } });
  }

  nodeUp(info: ConnectionInfo): void {
    this.#core.nodeUp(info);
    for (const l of this.listeners) l(true, info.node, info);
  }

  nodeDown(node: Atom, reason: Term): void {
    this.#core.nodeDown(node, reason);
    for (const l of this.listeners) l(false, node, reason);
  }

  writable(node: Atom): void {
    this.#core.sched.unpark(node);
  }

  drained(to: InboundTarget): Promise<void> {
    return this.#core.sched.drained(this.#target(to));
  }
}
