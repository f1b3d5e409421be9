/**
 * `Actor`: the general-purpose behaviour (Ergo's `act.Actor`). Subclass it and override the
 * callbacks you need; every callback may be async (the process takes no other message until
 * it settles). Callbacks take the payload first, then who sent it — as `GenServer` does.
 *
 * ```ts
 * class Counter extends Actor {
 *   n = 0;
 *   override init(start: number) { this.n = start; }
 *   override handleMessage(m: unknown) { if (m === 'inc') this.n++; }
 *   override handleCall(req: unknown) { return req === 'get' ? this.n : replyLater; }
 * }
 * const pid = await node.spawn(Counter, { args: [5] });
 * ```
 */
import { Alias, atom, Atom, type Pid, type Ref, type Term } from '../term/index.js';
import { MessageExit, type MessageEvent } from '../gen/index.js';
import { Kind, type Process, type ProcessBehavior, type CallOptions, type SendOptions, type Target } from '../node/index.js';
import type { Log, LogMessage } from '../node/index.js';
import { genCall, replyErrorTo, replyLater, replyTo, type From } from './reply.js';

const unknownRequest = atom('unknown_request');

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function';
}

/**
 * True when a trapped exit comes from the parent: OTP's gen_server and Ergo's Actor both
 * terminate then, trap or not, so a supervisor (or the node) can always stop its children.
 */
export function exitFromParent(process: Process, from: Pid, message: unknown): message is MessageExit {
  return message instanceof MessageExit && message.kind === 'process' && from.equals(process.parent);
}

export abstract class Actor implements ProcessBehavior {
  /** This actor's process; set before `init` runs. */
  process!: Process;
  #split = false;

  // ------------------------------------------------------------- runtime side

  processInit(process: Process, args: readonly unknown[]): unknown {
    this.process = process;
    return this.init(...(args as unknown[]));
  }

  processHandle(kind: Kind, from: Pid, message: unknown, ref: Ref | undefined, via: Atom | Alias | undefined): unknown {
    switch (kind) {
      case Kind.Message: {
        if (exitFromParent(this.process, from, message)) {
          this.process.stop(message.reason);
          return undefined;
        }
        const call = genCall(message);
        if (call !== undefined) return this.#call(call.request, call.from, via);
        if (this.#split && via !== undefined) {
          return via instanceof Alias ? this.handleMessageAlias(message, from, via) : this.handleMessageName(message, from, via);
        }
        return this.handleMessage(message, from);
      }
      case Kind.Request:
        return this.#call(message, { pid: from, ref, tag: undefined }, via);
      case Kind.Event:
        return this.handleEvent(message as MessageEvent);
      case Kind.Inspect: {
        const r = this.handleInspect(from, ...(message as string[]));
        this.process.sendResponse(from, ref!, r);
        return undefined;
      }
      case Kind.Log:
        return this.handleLog(message as LogMessage);
    }
    return undefined;
  }

  #call(request: unknown, from: From, via: Atom | Alias | undefined): unknown {
    const r =
      this.#split && via !== undefined
        ? via instanceof Alias
          ? this.handleCallAlias(request, from, via)
          : this.handleCallName(request, from, via)
        : this.handleCall(request, from);
    if (isThenable(r)) return r.then((v) => this.#answer(from, v));
    this.#answer(from, r);
    return undefined;
  }

  #answer(from: From, value: unknown): void {
    if (value !== replyLater) replyTo(this.process, from, value);
  }

  processTerminate(reason: Term): unknown {
    return this.terminate(reason);
  }

  // ------------------------------------------------------------- callbacks

  /** Set up, with the spawn's `args`. Throw (or reject) to fail the spawn. */
  init(..._args: unknown[]): void | Promise<void> {}

  /** A message sent with `send`. Throwing terminates the process with the error. */
  handleMessage(message: unknown, from: Pid): unknown {
    this.process.log.warning('unhandled message from %s: %o', String(from), message);
    return undefined;
  }

  /**
   * A request made with `call` (or an Erlang `gen_server:call`). Return the answer (or a promise
   * of it) — `undefined` is an answer too; return {@link replyLater} to answer later with
   * `this.reply(from, value)`.
   */
  handleCall(request: unknown, from: From): unknown {
    this.process.log.warning('unhandled request from %s: %o', String(from.pid), request);
    this.replyError(from, unknownRequest);
    return replyLater;
  }

  /** With `setSplitHandle(true)`: a message sent to this process's registered name. */
  handleMessageName(message: unknown, from: Pid, _name: Atom): unknown {
    return this.handleMessage(message, from);
  }
  /** With `setSplitHandle(true)`: a message sent to one of this process's aliases. */
  handleMessageAlias(message: unknown, from: Pid, _alias: Alias): unknown {
    return this.handleMessage(message, from);
  }
  handleCallName(request: unknown, from: From, _name: Atom): unknown {
    return this.handleCall(request, from);
  }
  handleCallAlias(request: unknown, from: From, _alias: Alias): unknown {
    return this.handleCall(request, from);
  }

  /** An event from a subscription (`linkEvent`/`monitorEvent`). */
  handleEvent(event: MessageEvent): unknown {
    this.process.log.warning('unhandled event %s', String(event.event));
    return undefined;
  }

  /** Answer `inspect()`: a flat record of strings. */
  handleInspect(_from: Pid, ..._items: string[]): Record<string, string> {
    return {};
  }

  /** A log message, when this process was added as a logger. */
  handleLog(_message: LogMessage): unknown {
    return undefined;
  }

  /** Clean up. Called on every termination except `kill`. */
  terminate(_reason: Term): unknown {
    return undefined;
  }

  // ------------------------------------------------------------- conveniences

  /** Route messages by how they were addressed (name, alias) to the `*Name`/`*Alias` callbacks. */
  setSplitHandle(on: boolean): void {
    this.#split = on;
  }

  /** Answer a request whose `handleCall` returned {@link replyLater}. */
  reply(from: From, value: unknown): void {
    replyTo(this.process, from, value);
  }
  /** Fail a request: the caller gets `ERR_CALL_FAILED` with `reason` (an Erlang caller `{error, Reason}`). */
  replyError(from: From, reason: Term): void {
    replyErrorTo(this.process, from, reason);
  }

  get pid(): Pid {
    return this.process.pid;
  }
  get log(): Log {
    return this.process.log;
  }
  send(to: Target, message: unknown, options?: SendOptions): void {
    this.process.send(to, message, options);
  }
  call<T = unknown>(to: Target, request: unknown, options?: CallOptions): Promise<T> {
    return this.process.call<T>(to, request, options);
  }
  cast(to: Target, message: unknown): void {
    this.process.cast(to, message);
  }
}

export { replyLater, type From } from './reply.js';
