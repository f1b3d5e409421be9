/** Shared test helpers: a node without console logging and a recording probe process. */
import { Actor, replyLater, type From } from '../../src/act/index.js';
import { MemoryLogger, Node, type NodeOptions, type ProcessOptions } from '../../src/node/index.js';
import { atom, type Alias, type Atom, type Pid, type Ref, type Term } from '../../src/term/index.js';
import type { MessageEvent } from '../../src/gen/index.js';

let counter = 0;

export async function startNode(extra: Partial<NodeOptions> = {}): Promise<{ node: Node; logs: MemoryLogger }> {
  const logs = new MemoryLogger();
  const node = await Node.start({
    name: `test${++counter}@localhost`,
    defaultLogger: false,
    loggers: [{ name: 'memory', logger: logs }],
    ...extra,
  });
  return { node, logs };
}

/** Wait until `cond()` holds, polling on the event loop; fails after `ms`. */
export async function until(cond: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** An actor that records what it receives and answers calls with a function of the request. */
export class Probe extends Actor {
  readonly inbox: { from: Pid; message: unknown }[] = [];
  readonly events: MessageEvent[] = [];
  onCall: (req: unknown, from: Pid, ref: Ref) => unknown = (req) => req;
  onMessage: ((m: unknown, from: Pid) => unknown) | undefined = undefined;
  terminated: Term | undefined = undefined;
  #waiters: (() => void)[] = [];

  override handleMessage(message: unknown, from: Pid): unknown {
    this.inbox.push({ from, message });
    const r = this.onMessage?.(message, from);
    this.#wake();
    return r;
  }
  /** `onCall` returns the answer, or `replyLater`. */
  override handleCall(request: unknown, from: From): unknown {
    return this.onCall(request, from.pid, from.ref!);
  }
  override handleEvent(e: MessageEvent): unknown {
    this.events.push(e);
    this.#wake();
    return undefined;
  }
  override terminate(reason: Term): unknown {
    this.terminated = reason;
    return undefined;
  }
  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Resolve with the first message (already received or future) matching `pred`. */
  async receive<T = unknown>(pred: (m: unknown) => boolean = () => true, ms = 2000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex((e) => pred(e.message));
      if (i >= 0) return this.inbox.splice(i, 1)[0]!.message as T;
      const left = end - Date.now();
      if (left <= 0) throw new Error('probe: no matching message');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

export async function spawnProbe(node: Node, options?: ProcessOptions, name?: string): Promise<{ probe: Probe; pid: Pid }> {
  const probe = new Probe();
  const pid = name ? await node.spawnRegister(name, () => probe, options) : await node.spawn(() => probe, options);
  return { probe, pid };
}

/** Holds its mailbox shut while it waits on 'hold' (so what arrives stays queued), records the rest. */
export class Gate extends Actor {
  handled: unknown[] = [];
  froms: Pid[] = [];
  alias!: Alias;
  waiting = false;
  #release: (() => void) | undefined;
  override init(): void {
    this.alias = this.process.createAlias();
  }
  override handleMessage(m: unknown, from: Pid): unknown {
    if (m === 'hold') {
      this.waiting = true;
      return new Promise<void>((r) => (this.#release = r));
    }
    this.handled.push(m);
    this.froms.push(from);
    return undefined;
  }
  release(): void {
    this.waiting = false;
    this.#release?.();
  }
}

/** Answers calls: echo, an error answer (`failure`) for 'fail', never for 'silent'. */
export class Echo extends Actor {
  alias!: Alias;
  constructor(readonly failure: Atom = atom('custom_failure')) {
    super();
  }
  override init(): void {
    this.alias = this.process.createAlias();
  }
  override handleCall(request: unknown, from: From): unknown {
    if (request === 'fail') {
      this.replyError(from, this.failure);
      return replyLater;
    }
    if (request === 'silent') return replyLater;
    return request;
  }
}
