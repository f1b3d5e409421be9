/**
 * A recording stand-in for the network (the stacks implement the same contract, src/gen/network.ts):
 * one FakeConnection per node records every outbound operation with its arguments.
 */
import { atom, Pid, type Alias, type Atom, type Ref, type Term } from '../../src/term/index.js';
import {
  Outbound,
  type ApplicationStartMode,
  type Connection,
  type ConnectionInfo,
  type Event,
  type LinkMode,
  type LocalTarget,
  type MessageEvent,
  type MessageOptions,
  type NetworkRouter,
  type RemoteConsumers,
  type RemoteTarget,
  type RouterContext,
  type SpawnRequest,
} from '../../src/gen/index.js';

export type Op = [string, ...unknown[]];

export class FakeConnection implements Connection {
  readonly protocol = 'fake';
  ops: Op[] = [];
  /** What `send` answers. */
  sendResult: Outbound = Outbound.Ok;
  importantResult: () => Promise<void> = () => Promise.resolve();
  spawnResult: (r: SpawnRequest) => Promise<Pid> = () => Promise.resolve(new Pid(this.node, 5000, 0, 1));
  subscribeResult: () => Promise<MessageEvent[]> = () => Promise.resolve([]);
  lastCallRef: Ref | undefined;
  constructor(readonly node: Atom) {}

  send(from: Pid, to: RemoteTarget, message: unknown, o: MessageOptions): Outbound {
    this.ops.push(['send', from, to, message, o.priority]);
    return this.sendResult;
  }
  sendImportant(from: Pid, to: RemoteTarget, message: unknown, o: MessageOptions): Promise<void> {
    this.ops.push(['sendImportant', from, to, message, o.priority]);
    return this.importantResult();
  }
  call(from: Pid, to: RemoteTarget, ref: Ref, request: unknown, o: MessageOptions): Outbound {
    this.lastCallRef = ref;
    this.ops.push(['call', from, to, ref, request, o.priority]);
    return this.sendResult;
  }
  cancelCall(from: Pid, to: RemoteTarget, ref: Ref): void {
    this.ops.push(['cancelCall', from, to, ref]);
  }
  sendResponse(from: Pid, to: Pid | Alias, ref: Ref, value: unknown, error: Term | undefined): Outbound {
    this.ops.push(['sendResponse', from, to, ref, value, error]);
    return Outbound.Ok;
  }
  sendExit(from: Pid, to: Pid, reason: Term): void {
    this.ops.push(['sendExit', from, to, reason]);
  }
  link(from: Pid, to: RemoteTarget, mode: LinkMode): void {
    this.ops.push(['link', from, to, mode]);
  }
  unlink(from: Pid, to: RemoteTarget, mode: LinkMode): void {
    this.ops.push(['unlink', from, to, mode]);
  }
  monitor(from: Pid, to: RemoteTarget, ref: Ref): void {
    this.ops.push(['monitor', from, to, ref]);
  }
  demonitor(from: Pid, to: RemoteTarget, ref: Ref): void {
    this.ops.push(['demonitor', from, to, ref]);
  }
  subscribe(from: Pid, event: Event, mode: 'link' | 'monitor', ref: Ref | undefined): Promise<MessageEvent[]> {
    this.ops.push(['subscribe', from, event, mode, ref]);
    return this.subscribeResult();
  }
  unsubscribe(from: Pid, event: Event, mode: 'link' | 'monitor', ref: Ref | undefined): void {
    this.ops.push(['unsubscribe', from, event, mode, ref]);
  }
  terminated(from: Pid, target: LocalTarget, reason: Term, consumers: RemoteConsumers): void {
    this.ops.push(['terminated', from, target, reason, consumers]);
  }
  publish(from: Pid, message: MessageEvent, subscribers: readonly Pid[]): Outbound {
    this.ops.push(['publish', from, message, subscribers]);
    return Outbound.Ok;
  }
  spawn(from: Pid, request: SpawnRequest): Promise<Pid> {
    this.ops.push(['spawn', from, request]);
    return this.spawnResult(request);
  }
  applicationStart(from: Pid, name: Atom, mode: ApplicationStartMode | undefined, env: Readonly<Record<string, unknown>> | undefined): Promise<void> {
    this.ops.push(['applicationStart', from, name, mode, env]);
    return Promise.resolve();
  }
  close(reason: Term): void {
    this.ops.push(['close', reason]);
  }
  names(): string[] {
    return this.ops.map((o) => o[0]);
  }
  of(name: string): Op[] {
    return this.ops.filter((o) => o[0] === name);
  }
}

export class FakeRouter implements NetworkRouter {
  readonly conns = new Map<Atom, FakeConnection>();
  ctx: RouterContext | undefined;
  events: string[] = [];
  connected: Atom[] = [];
  /** Runs inside start (e.g. to set the creation as EPMD would). */
  onStart: ((ctx: RouterContext) => void) | undefined;
  connectResult: (node: Atom) => Promise<ConnectionInfo> = () => new Promise(() => undefined);

  async start(ctx: RouterContext): Promise<void> {
    this.events.push('start');
    this.ctx = ctx;
    this.onStart?.(ctx);
  }
  async stop(): Promise<void> {
    this.events.push('stop');
  }
  connection(node: Atom): FakeConnection {
    let c = this.conns.get(node);
    if (c === undefined) this.conns.set(node, (c = new FakeConnection(node)));
    return c;
  }
  connect(node: Atom): Promise<ConnectionInfo> {
    this.events.push(`connect:${node.name}`);
    return this.connectResult(node);
  }
  disconnect(node: Atom): void {
    this.events.push(`disconnect:${node.name}`);
  }
  nodes(): Atom[] {
    return this.connected;
  }
}

export const peer = atom('peer@host');
export const peer2 = atom('other@host');
