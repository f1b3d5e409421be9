/**
 * A bare node for tests: a DistEndpoint whose handler records every inbound signal and does
 * the minimum a node must (answer net_kernel's is_auth so `net_adm:ping` gets pong; accept
 * links and monitors on the pids it made; `noproc` otherwise). Processes are just pids.
 */
import { Atom, ImproperList, Pid, Ref, Tuple, atom, type Term } from '../../../src/term/index.js';
import { DistEndpoint, type DistConnection, type DistHandler, type EndpointOptions, type SpawnRequest } from '../../../src/net/erlang/index.js';

export type Signal =
  | { kind: 'message'; from: Pid | undefined; to: Pid; msg: Term; prio: boolean; token: Term | undefined; conn: DistConnection }
  | { kind: 'regMessage'; from: Pid; to: Atom; msg: Term; prio: boolean; token: Term | undefined; conn: DistConnection }
  | { kind: 'aliasMessage'; from: Pid; to: Ref; msg: Term; prio: boolean; token: Term | undefined; conn: DistConnection }
  | { kind: 'link'; from: Pid; to: Pid; conn: DistConnection }
  | { kind: 'unlink'; id: number | bigint; from: Pid; to: Pid; conn: DistConnection }
  | { kind: 'unlinkAck'; id: number | bigint; from: Pid; to: Pid; conn: DistConnection }
  | { kind: 'linkExit'; from: Pid; to: Pid; reason: Term; token: Term | undefined; conn: DistConnection }
  | { kind: 'exit2'; from: Pid; to: Pid | Ref | Atom; reason: Term; prio: boolean; token: Term | undefined; conn: DistConnection }
  | { kind: 'monitor'; from: Pid; to: Pid | Atom; ref: Ref; conn: DistConnection }
  | { kind: 'demonitor'; from: Pid; to: Pid | Atom; ref: Ref; conn: DistConnection }
  | { kind: 'monitorExit'; from: Pid | Atom; to: Pid; ref: Ref; reason: Term; conn: DistConnection }
  | { kind: 'groupLeader'; leader: Pid; to: Pid; conn: DistConnection }
  | { kind: 'spawnRequest'; req: SpawnRequest; conn: DistConnection }
  | { kind: 'spawnReply'; reqId: Ref; to: Pid; flags: number; result: Term; token: Term | undefined; conn: DistConnection }
  | { kind: 'up'; conn: DistConnection }
  | { kind: 'down'; conn: DistConnection; reason: Error };

const NET_KERNEL = atom('net_kernel');
const GEN_CALL = atom('$gen_call');
const IS_AUTH = atom('is_auth');
const ALIAS = atom('alias');
const YES = atom('yes');

export class RawNode {
  readonly signals: Signal[] = [];
  readonly errors: unknown[] = [];
  ep!: DistEndpoint;
  readonly #live = new Set<string>();
  readonly names = new Map<Atom, Pid>();
  #next = 100;
  #waiters: { pred: (s: Signal) => boolean; resolve: (s: Signal) => void }[] = [];
  /** Called for spawn requests (default: answer `notsup`). */
  onSpawn: ((req: SpawnRequest, conn: DistConnection) => void) | undefined;

  static async start(opts: Omit<EndpointOptions, 'handler'>): Promise<RawNode> {
    const n = new RawNode();
    n.ep = await DistEndpoint.start({ ...opts, handler: n.handler, onError: (e) => n.errors.push(e) });
    if (n.ep.node) n.names.set(NET_KERNEL, n.pid());
    return n;
  }

  /** A new pid of this node, alive until `kill`. */
  pid(): Pid {
    const p = new Pid(this.ep.node!, this.#next++, 0, this.ep.creation);
    this.#live.add(p.toString());
    return p;
  }

  register(name: string, p: Pid): void {
    this.names.set(atom(name), p);
  }

  kill(p: Pid): void {
    this.#live.delete(p.toString());
  }

  ref(): Ref {
    return new Ref(this.ep.node!, this.ep.creation, [this.#next++, 1, 2]);
  }

  isLive(p: Pid): boolean {
    return this.#live.has(p.toString()) && p.creation === this.ep.creation;
  }

  /** The first recorded signal matching `pred`, or the next one. */
  waitFor<K extends Signal['kind']>(kind: K, pred: (s: Extract<Signal, { kind: K }>) => boolean = () => true, timeout = 10_000): Promise<Extract<Signal, { kind: K }>> {
    const p = (s: Signal) => s.kind === kind && pred(s as Extract<Signal, { kind: K }>);
    const found = this.signals.find(p);
    if (found) return Promise.resolve(found as Extract<Signal, { kind: K }>);
    return new Promise((resolve, reject) => {
      const w = { pred: p, resolve: resolve as (s: Signal) => void };
      this.#waiters.push(w);
      setTimeout(() => {
        const i = this.#waiters.indexOf(w);
        if (i >= 0) {
          this.#waiters.splice(i, 1);
          reject(new Error(`no ${kind} signal within ${timeout} ms; got: ${this.signals.map((s) => s.kind).join(', ')}`));
        }
      }, timeout);
    });
  }

  #record(s: Signal): void {
    this.signals.push(s);
    for (const w of [...this.#waiters]) {
      if (w.pred(s)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(s);
      }
    }
  }

  stop(): Promise<void> {
    return this.ep.stop();
  }

  readonly handler: DistHandler = {
    message: (conn, from, to, msg, prio, token) => this.#record({ kind: 'message', from, to, msg, prio, token, conn }),
    regMessage: (conn, from, to, msg, prio, token) => {
      this.#record({ kind: 'regMessage', from, to, msg, prio, token, conn });
      // net_kernel: {'$gen_call', {From, Tag}, {is_auth, Node}} → {Tag, yes}, as net_adm:ping expects.
      if (to === NET_KERNEL && msg instanceof Tuple && msg.elements[0] === GEN_CALL) {
        const [, fromTag, req] = msg.elements;
        if (fromTag instanceof Tuple && req instanceof Tuple && req.elements[0] === IS_AUTH) {
          const [caller, tag] = fromTag.elements as [Pid, Term];
          if (!this.names.has(NET_KERNEL)) this.names.set(NET_KERNEL, this.pid());
          const me = this.names.get(NET_KERNEL)!;
          const reply = new Tuple([tag, YES]);
          if (tag instanceof ImproperList && tag.head[0] === ALIAS && tag.tail instanceof Ref) conn.aliasSend(me, tag.tail, reply);
          else conn.send(me, caller, reply);
        }
      }
    },
    aliasMessage: (conn, from, to, msg, prio, token) => this.#record({ kind: 'aliasMessage', from, to, msg, prio, token, conn }),
    link: (conn, from, to) => {
      this.#record({ kind: 'link', from, to, conn });
      return this.isLive(to) ? undefined : atom('noproc');
    },
    unlink: (conn, id, from, to) => this.#record({ kind: 'unlink', id, from, to, conn }),
    unlinkAck: (conn, id, from, to) => this.#record({ kind: 'unlinkAck', id, from, to, conn }),
    linkExit: (conn, from, to, reason, token) => this.#record({ kind: 'linkExit', from, to, reason, token, conn }),
    exit2: (conn, from, to, reason, prio, token) => this.#record({ kind: 'exit2', from, to, reason, prio, token, conn }),
    monitor: (conn, from, to, ref) => {
      this.#record({ kind: 'monitor', from, to, ref, conn });
      const alive = to instanceof Pid ? this.isLive(to) : this.names.has(to);
      return alive ? undefined : atom('noproc');
    },
    demonitor: (conn, from, to, ref) => this.#record({ kind: 'demonitor', from, to, ref, conn }),
    monitorExit: (conn, from, to, ref, reason) => this.#record({ kind: 'monitorExit', from, to, ref, reason, conn }),
    groupLeader: (conn, leader, to) => this.#record({ kind: 'groupLeader', leader, to, conn }),
    spawnRequest: (conn, req) => {
      this.#record({ kind: 'spawnRequest', req, conn });
      if (this.onSpawn) this.onSpawn(req, conn);
      else conn.spawnReply(req.reqId, req.from, 0, atom('notsup'));
    },
    spawnReply: (conn, reqId, to, flags, result, token) => this.#record({ kind: 'spawnReply', reqId, to, flags, result, token, conn }),
    connectionUp: (conn) => this.#record({ kind: 'up', conn }),
    connectionDown: (conn, reason) => this.#record({ kind: 'down', conn, reason }),
    error: (_conn, err) => this.errors.push(err),
  };
}
