/**
 * Calls: the table of pending requests, keyed by their reference. A call settles exactly once —
 * by the answer (`deliverResponse`), an error answer, its timeout, its AbortSignal, the callee's
 * death (`ERR_CALL_FAILED` with the callee's reason, as gen_server:call's monitor gives), the
 * caller's death, the callee's node going down, or the node stopping.
 */
import { Alias, Atom, Pid, type Ref, type Term } from '../term/index.js';
import { Err, ErrCode, Event, Outbound, RuntimeError, type Priority, type RemoteTarget } from '../gen/index.js';
import { queueOf, type ProcessImpl } from './process.js';
import { Kind, type CallOptions, type Target } from './types.js';
import type { RefKey } from './relations.js';
import type { Core } from './core.js';
import { Deadlines, type Expiring } from './deadlines.js';

interface Pending extends Expiring {
  key: RefKey;
  /** What was called, for the timeout's message. */
  to: Target;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** The caller (undefined for calls the node itself makes). */
  caller: ProcessImpl | undefined;
  /** The local callee, so its death fails the call. */
  callee: ProcessImpl | undefined;
  /** The remote target, so a nodedown fails the call and a give-up is passed on. */
  remote: RemoteTarget | undefined;
  ref: Ref;
  cleanup: (() => void) | undefined;
}

export class Calls {
  readonly #core: Core;
  readonly #pending = new Map<RefKey, Pending>();
  readonly #deadlines = new Deadlines((c) => this.#giveUp((c as Pending).key, Err.timeout(`call to ${String((c as Pending).to)}`)));

  constructor(core: Core) {
    this.#core = core;
  }

  call(from: ProcessImpl | undefined, to: Target, request: unknown, o: CallOptions | undefined, kind: number = Kind.Request): Promise<unknown> {
    const core = this.#core;
    let t;
    try {
      t = core.norm(to);
    } catch (e) {
      return Promise.reject(e);
    }
    if (t instanceof Event) return Promise.reject(Err.incorrect('cannot call an event'));
    const fromPid = from === undefined ? core.pid : from.pid;
    const prio: Priority = o?.priority ?? from?.x?.priority ?? 'normal';
    let callee: ProcessImpl | undefined;
    let remote: RemoteTarget | undefined;
    if (t instanceof Atom || t.node === core.name) {
      const local = t as Pid | Atom | Alias;
      callee = core.resolve(local);
      if (callee === undefined) return Promise.reject(core.unknown(local));
      if (callee === from) return Promise.reject(new RuntimeError(ErrCode.CallSelf, `${fromPid} called itself`));
    } else {
      remote = t;
      if (core.router === undefined) return Promise.reject(Err.noConnection(t.node.name, 'no route (no network stack installed)'));
    }
    const signal = o?.signal;
    if (signal?.aborted) return Promise.reject(new RuntimeError(ErrCode.Aborted, 'call aborted', { cause: signal.reason }));
    const ref = core.ids.makeRef();
    return new Promise<unknown>((resolve, reject) => {
      const key = core.ids.refKey(ref);
      const c: Pending = { key, to, resolve, reject, deadline: 0, expiry: undefined, caller: from, callee, remote, ref, cleanup: undefined };
      const timeout = o?.timeout ?? 5000;
      if (Number.isFinite(timeout)) this.#deadlines.add(c, timeout);
      if (signal !== undefined) {
        const onAbort = (): void => this.#giveUp(key, new RuntimeError(ErrCode.Aborted, 'call aborted', { cause: signal.reason }));
        signal.addEventListener('abort', onAbort, { once: true });
        c.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.#pending.set(key, c);
      if (from !== undefined) from.pc++;
      if (callee !== undefined) callee.pc++;
      try {
        if (callee !== undefined) {
          core.sched.push(callee, queueOf(prio), kind, fromPid, request, ref, t instanceof Pid ? undefined : (t as Atom | Alias));
        } else {
          const r = core.router!.connection(remote!.node).call(fromPid, remote!, ref, request, { priority: prio });
          if (r === Outbound.Busy && from !== undefined) core.sched.park(from, remote!.node);
        }
        if (from !== undefined) from.nOut++;
      } catch (e) {
        this.#fail(key, e);
      }
    });
  }

  inspect(from: ProcessImpl | undefined, to: Pid, items: string[]): Promise<Record<string, string>> {
    if (to.node !== this.#core.name) return Promise.reject(new RuntimeError(ErrCode.Unsupported, 'inspect of a remote process'));
    return this.call(from, to, items, { timeout: 5000 }, Kind.Inspect) as Promise<Record<string, string>>;
  }

  /** The call timed out or was aborted: settle it, and let a remote peer drop its state. */
  #giveUp(key: RefKey, e: unknown): void {
    const c = this.#pending.get(key);
    if (c === undefined) return;
    this.#pending.delete(key);
    this.#settle(c, undefined, e);
    this.#cancelRemote(c);
  }

  #cancelRemote(c: Pending): void {
    if (c.remote === undefined) return;
    try {
      this.#core.router?.connection(c.remote.node).cancelCall(c.caller?.pid ?? this.#core.pid, c.remote, c.ref);
    } catch {
      // No connection any more: nothing to cancel.
    }
  }

  #fail(key: RefKey, e: unknown): void {
    const c = this.#pending.get(key);
    if (c === undefined) return;
    this.#pending.delete(key);
    this.#settle(c, undefined, e);
  }

  /** Every pending call leaves the table through here, exactly once. */
  #settle(c: Pending, value: unknown, err: unknown): void {
    if (c.caller !== undefined) c.caller.pc--;
    if (c.callee !== undefined) c.callee.pc--;
    this.#deadlines.remove(c);
    c.cleanup?.();
    if (err !== undefined) c.reject(err);
    else c.resolve(value);
  }

  /** The answer to a pending call; false when `ref` is not one (late, or not a call at all). */
  deliverResponse(ref: Ref, value: unknown, error?: Term): boolean {
    const k = this.#core.ids.refKey(ref);
    const c = this.#pending.get(k);
    if (c === undefined) return false;
    this.#pending.delete(k);
    if (error !== undefined) this.#settle(c, undefined, Err.callFailed(error));
    else this.#settle(c, value, undefined);
    return true;
  }

  /** `p` ended: calls it was answering fail with its reason; its own pending calls are rejected. */
  processEnded(p: ProcessImpl, reason: Term): void {
    if (p.pc === 0) return;
    for (const [k, c] of this.#pending) {
      if (c.callee === p) {
        this.#pending.delete(k);
        this.#settle(c, undefined, Err.callFailed(reason));
      } else if (c.caller === p) {
        this.#pending.delete(k);
        this.#settle(c, undefined, Err.processTerminated(p.pid));
        this.#cancelRemote(c);
      }
    }
  }

  nodeDown(node: Atom): void {
    for (const [k, c] of this.#pending) {
      if (c.remote?.node === node) {
        this.#pending.delete(k);
        this.#settle(c, undefined, Err.noConnection(node.name, 'connection lost'));
      }
    }
  }

  stop(): void {
    for (const c of this.#pending.values()) this.#settle(c, undefined, Err.nodeTerminated());
    this.#pending.clear();
  }
}

