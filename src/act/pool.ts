/**
 * `Pool`: a process that hands each message and request it receives to the next of its
 * workers in rotation (Ergo's `act.Pool`). Requests are forwarded with the caller's identity,
 * so the worker answers the caller directly. Workers are monitored; a dead one is replaced.
 * Workers are linked to the pool, which traps exits: a pool that is killed takes its workers
 * with it, while a dying worker only costs a replacement.
 *
 * ```ts
 * class Workers extends Pool {
 *   pool() { return { size: 4, worker: Worker }; }
 * }
 * ```
 */
import { A, Pid, type Alias, type Atom, type Ref, type Term } from '../term/index.js';
import { MessageDown, MessageExit } from '../gen/index.js';
import { Kind, type Factory, type Node, type Process, type ProcessOptions, type Target } from '../node/index.js';
import { Actor, exitFromParent } from './actor.js';

export interface PoolOptions {
  size: number;
  worker: Factory;
  workerArgs?: unknown[];
  workerOptions?: ProcessOptions;
}

class PoolRequest {
  constructor(
    readonly op: 'add' | 'remove' | 'workers',
    readonly n: number,
  ) {}
}

export abstract class Pool extends Actor {
  #workers: Pid[] = [];
  #monitors = new Map<string, Pid>();
  #next = 0;
  #options!: PoolOptions;

  /** The pool's configuration (Ergo's Pool Init). May be async. */
  abstract pool(...args: unknown[]): PoolOptions | Promise<PoolOptions>;

  override async init(...args: unknown[]): Promise<void> {
    this.process.trapExit = true;
    this.#options = await this.pool(...args);
    for (let i = 0; i < this.#options.size; i++) this.#workers.push(await this.#spawnWorker());
  }

  async #spawnWorker(): Promise<Pid> {
    const o = this.#options;
    const pid = await this.process.spawn(o.worker as Factory, { ...o.workerOptions, linkParent: true, args: o.workerArgs ?? [] });
    const ref = this.process.monitor(pid);
    this.#monitors.set(String(ref), pid);
    return pid;
  }

  override processHandle(kind: Kind, from: Pid, message: unknown, ref: Ref | undefined, via: Atom | Alias | undefined): unknown {
    if (kind === Kind.Message) {
      if (message instanceof MessageDown && this.#monitors.has(String(message.ref))) return this.#replace(message);
      if (exitFromParent(this.process, from, message)) return super.processHandle(kind, from, message, ref, via);
      // A worker's link exit: its DOWN (monitor) does the replacing.
      if (message instanceof MessageExit && message.from instanceof Pid && this.#workers.some((w) => w.equals(message.from))) return undefined;
      this.#forward(from, message, undefined);
      return undefined;
    }
    if (kind === Kind.Request) {
      if (message instanceof PoolRequest) return this.#admin(from, ref!, message);
      this.#forward(from, message, ref);
      return undefined;
    }
    return super.processHandle(kind, from, message, ref, via);
  }

  #forward(from: Pid, message: unknown, ref: Ref | undefined): void {
    const n = this.#workers.length;
    for (let tries = 0; tries < n; tries++) {
      const w = this.#workers[this.#next++ % n]!;
      try {
        this.process.forward(w, from, message, ref);
        return;
      } catch {
        // full or gone: try the next worker
      }
    }
    this.process.log.warning('no worker could take a message from %s', String(from));
    if (ref !== undefined) this.process.sendResponseError(from, ref, A.noproc);
  }

  async #replace(down: MessageDown): Promise<void> {
    const dead = this.#monitors.get(String(down.ref))!;
    this.#monitors.delete(String(down.ref));
    const i = this.#workers.findIndex((w) => w.equals(dead));
    if (i < 0) return;
    this.process.log.info('worker %s ended (%s): replacing it', String(dead), String(down.reason));
    this.#workers[i] = await this.#spawnWorker();
  }

  async #admin(from: Pid, ref: Ref, r: PoolRequest): Promise<void> {
    if (r.op === 'add') for (let i = 0; i < r.n; i++) this.#workers.push(await this.#spawnWorker());
    if (r.op === 'remove') {
      for (let i = 0; i < r.n && this.#workers.length > 0; i++) {
        const w = this.#workers.pop()!;
        for (const [k, p] of this.#monitors) if (p.equals(w)) this.#monitors.delete(k);
        this.process.demonitor(w);
        try {
          this.process.sendExit(w, A.shutdown);
        } catch {
          // already gone
        }
      }
    }
    this.process.sendResponse(from, ref, [...this.#workers]);
  }

  override terminate(_reason: Term): unknown {
    for (const w of this.#workers) {
      try {
        this.process.sendExit(w, A.shutdown);
      } catch {
        // already gone
      }
    }
    return undefined;
  }

  static addWorkers(caller: Process | Node, pool: Target, n: number): Promise<Pid[]> {
    return caller.call(pool, new PoolRequest('add', n)) as Promise<Pid[]>;
  }
  static removeWorkers(caller: Process | Node, pool: Target, n: number): Promise<Pid[]> {
    return caller.call(pool, new PoolRequest('remove', n)) as Promise<Pid[]>;
  }
  static workers(caller: Process | Node, pool: Target): Promise<Pid[]> {
    return caller.call(pool, new PoolRequest('workers', 0)) as Promise<Pid[]>;
  }
}
