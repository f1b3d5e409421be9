/**
 * One face for several protocol stacks (see index.ts): picks a stack per node, dials on first
 * use while queueing what the node sends, and registers connections from either side.
 */
import { A, Atom, type Alias, type Pid, type Ref, type Term } from '../../term/index.js';
import {
  Err,
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
  type NetworkStack,
  type Protocol,
  type RemoteConsumers,
  type RemoteTarget,
  type Route,
  type RouterContext,
  type SpawnRequest,
  type StackContext,
} from '../../gen/index.js';

/** A static route: nodes whose name matches go through `protocol`, to `route` when given. */
export interface StaticRoute {
  /** The full node name, or a pattern tested against it. */
  match: string | RegExp;
  protocol: Protocol;
  /** Where; without it the stack resolves the name itself. */
  route?: Route;
}

export interface NetworkManagerOptions {
  /** In order of preference when no static route matches. */
  stacks: readonly NetworkStack[];
  routes?: readonly StaticRoute[];
}

export class NetworkManager implements NetworkRouter {
  readonly #stacks: readonly NetworkStack[];
  readonly #routes: readonly StaticRoute[];
  #ctx: RouterContext | undefined = undefined;
  readonly #live = new Map<Atom, { conn: Connection; info: ConnectionInfo }>();
  readonly #dialing = new Map<Atom, PendingConnection>();
  #stopped = false;

  constructor(o: NetworkManagerOptions) {
    this.#stacks = o.stacks;
    this.#routes = o.routes ?? [];
  }

  async start(ctx: RouterContext): Promise<void> {
    this.#ctx = ctx;
    const stackCtx: StackContext = {
      name: ctx.name,
      get creation() {
        return ctx.creation;
      },
      setCreation: (c) => ctx.setCreation(c),
      inbound: ctx.inbound,
      log: ctx.log,
      connectionUp: (conn, info) => this.#up(conn, info),
      connectionDown: (conn, reason) => this.#down(conn, reason),
    };
    for (const s of this.#stacks) await s.start(stackCtx);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const p of this.#dialing.values()) p.fail(Err.nodeTerminated());
    this.#dialing.clear();
    for (const s of [...this.#stacks].reverse()) await s.stop();
    this.#live.clear();
  }

  connection(node: Atom): Connection {
    const live = this.#live.get(node);
    if (live !== undefined) return live.conn;
    let p = this.#dialing.get(node);
    if (p === undefined) {
      if (this.#stopped) throw Err.nodeTerminated();
      p = new PendingConnection(node);
      this.#dialing.set(node, p);
      void this.#dial(node, p);
    }
    return p;
  }

  connect(node: Atom): Promise<ConnectionInfo> {
    const live = this.#live.get(node);
    if (live !== undefined) return Promise.resolve(live.info);
    try {
      const p = this.connection(node);
      return (p as PendingConnection).ready.then((c) => this.#live.get(c.node)?.info ?? { node, protocol: c.protocol, creation: 0 });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  disconnect(node: Atom): void {
    this.#live.get(node)?.conn.close(A.normal);
  }

  nodes(): Atom[] {
    return [...this.#live.keys()];
  }

  /** Which stack, and where, for `node`. */
  async #route(node: Atom): Promise<{ stack: NetworkStack; route: Route } | undefined> {
    for (const r of this.#routes) {
      const hit = typeof r.match === 'string' ? r.match === node.name : r.match.test(node.name);
      if (!hit) continue;
      const stack = this.#stacks.find((s) => s.protocol === r.protocol);
      if (stack === undefined) continue;
      const route = r.route ?? (await stack.resolve(node));
      if (route !== undefined) return { stack, route };
    }
    for (const stack of this.#stacks) {
      const route = await stack.resolve(node).catch(() => undefined);
      if (route !== undefined) return { stack, route };
    }
    return undefined;
  }

  async #dial(node: Atom, p: PendingConnection): Promise<void> {
    let reason: unknown;
    try {
      const r = await this.#route(node);
      if (r !== undefined) {
        const conn = await r.stack.connect(node, r.route);
        // The stack reports the connection through connectionUp; a stack that only returns it is taken at its word.
        if (!this.#live.has(node)) this.#up(conn, { node, protocol: conn.protocol, creation: 0 });
        return;
      }
      reason = Err.noConnection(node.name, 'no stack resolves');
    } catch (e) {
      reason = e;
    }
    if (this.#dialing.get(node) !== p) return;
    this.#dialing.delete(node);
    p.fail(reason);
    this.#ctx?.inbound.nodeDown(node, A.noconnection);
  }

  #up(conn: Connection, info: ConnectionInfo): void {
    const node = conn.node;
    if (this.#live.has(node)) return;
    this.#live.set(node, { conn, info });
    this.#ctx?.inbound.nodeUp(info);
    const p = this.#dialing.get(node);
    if (p !== undefined) {
      this.#dialing.delete(node);
      p.resolve(conn);
      // Senders parked on the stand-in (it reports Busy once it holds many operations) go on.
      this.#ctx?.inbound.writable(node);
    }
  }

  #down(conn: Connection, reason: Term): void {
    const node = conn.node;
    if (this.#live.get(node)?.conn !== conn) return;
    this.#live.delete(node);
    this.#ctx?.inbound.nodeDown(node, reason);
  }
}

/** Operations a stand-in holds before it reports `Busy` (its senders then wait for the connection). */
const PENDING_MARK = 1024;

/**
 * The connection to a node being dialled: keeps every operation, in order, and replays them on
 * the real connection once it is up; a failed dial drops them (the node-down that follows
 * fires links and monitors and fails calls) and rejects the ones that return a promise. Past
 * {@link PENDING_MARK} operations its sends answer `Busy`, so a process that keeps sending is
 * parked until the connection is up (the manager then calls `writable`) instead of filling
 * memory while the handshake runs.
 */
class PendingConnection implements Connection {
  readonly protocol: Protocol = 'pending';
  readonly ready: Promise<Connection>;
  #resolve!: (c: Connection) => void;
  #reject!: (e: unknown) => void;
  #ops: ((c: Connection) => void)[] = [];

  constructor(readonly node: Atom) {
    this.ready = new Promise<Connection>((res, rej) => {
      this.#resolve = res;
      this.#reject = rej;
    });
    this.ready.then(undefined, () => undefined);
  }

  resolve(c: Connection): void {
    const ops = this.#ops;
    this.#ops = [];
    for (const op of ops) {
      try {
        op(c);
      } catch {
        // A send the real connection refuses as misuse (too large for the peer, not
        // encodable): its sender has moved on, and the operations after it must still go.
      }
    }
    this.#resolve(c);
  }

  fail(e: unknown): void {
    this.#ops = [];
    this.#reject(e);
  }

  #later(op: (c: Connection) => void): Outbound {
    this.#ops.push(op);
    return this.#ops.length < PENDING_MARK ? Outbound.Ok : Outbound.Busy;
  }

  #then<T>(op: (c: Connection) => Promise<T>): Promise<T> {
    return this.ready.then(op);
  }

  send(from: Pid, to: RemoteTarget, message: unknown, o: MessageOptions): Outbound {
    return this.#later((c) => c.send(from, to, message, o));
  }
  sendImportant(from: Pid, to: RemoteTarget, message: unknown, o: MessageOptions): Promise<void> {
    return this.#then((c) => c.sendImportant(from, to, message, o));
  }
  call(from: Pid, to: RemoteTarget, ref: Ref, request: unknown, o: MessageOptions): Outbound {
    return this.#later((c) => c.call(from, to, ref, request, o));
  }
  cancelCall(from: Pid, to: RemoteTarget, ref: Ref): void {
    this.#later((c) => c.cancelCall(from, to, ref));
  }
  sendResponse(from: Pid, to: Pid | Alias, ref: Ref, value: unknown, error: Term | undefined, o: MessageOptions): Outbound {
    return this.#later((c) => c.sendResponse(from, to, ref, value, error, o));
  }
  sendExit(from: Pid, to: Pid, reason: Term): void {
    this.#later((c) => c.sendExit(from, to, reason));
  }
  link(from: Pid, to: RemoteTarget, mode: LinkMode): void {
    this.#later((c) => c.link(from, to, mode));
  }
  unlink(from: Pid, to: RemoteTarget, mode: LinkMode): void {
    this.#later((c) => c.unlink(from, to, mode));
  }
  monitor(from: Pid, to: RemoteTarget, ref: Ref): void {
    this.#later((c) => c.monitor(from, to, ref));
  }
  demonitor(from: Pid, to: RemoteTarget, ref: Ref): void {
    this.#later((c) => c.demonitor(from, to, ref));
  }
  subscribe(from: Pid, event: Event, mode: 'link' | 'monitor', ref: Ref | undefined): Promise<MessageEvent[]> {
    return this.#then((c) => c.subscribe(from, event, mode, ref));
  }
  unsubscribe(from: Pid, event: Event, mode: 'link' | 'monitor', ref: Ref | undefined): void {
    this.#later((c) => c.unsubscribe(from, event, mode, ref));
  }
  terminated(from: Pid, target: LocalTarget, reason: Term, consumers: RemoteConsumers): void {
    this.#later((c) => c.terminated(from, target, reason, consumers));
  }
  publish(from: Pid, message: MessageEvent, subscribers: readonly Pid[]): Outbound {
    return this.#later((c) => c.publish(from, message, subscribers));
  }
  spawn(from: Pid, request: SpawnRequest): Promise<Pid> {
    return this.#then((c) => c.spawn(from, request));
  }
  applicationStart(from: Pid, name: Atom, mode: ApplicationStartMode | undefined, env: Readonly<Record<string, unknown>> | undefined): Promise<void> {
    return this.#then((c) => c.applicationStart(from, name, mode, env));
  }
  close(reason: Term): void {
    this.#later((c) => c.close(reason));
  }
}
