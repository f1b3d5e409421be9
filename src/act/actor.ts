/**
 * `Actor`: the general-purpose behaviour (Ergo's `act.Actor`). Subclass it and override the
 * callbacks you need; every callback may be async (the process takes no other message until
 * it settles).
 *
 * ```ts
 * class Counter extends Actor {
 *   n = 0;
 *   override handleMessage(_from: Pid, m: unknown) { if (m === 'inc') this.n++; }
 *   override handleCall(_from: Pid, _ref: Ref, req: unknown) { return req === 'get' ? this.n : undefined; }
 * }
 * ```
 */
import { Alias, atom, Atom, type Pid, type Ref, type Term } from '../term/index.js';
import { MessageExit, type MessageEvent } from '../gen/index.js';
import { Kind, type Process, type ProcessBehavior, type CallOptions, type SendOptions, type Target } from '../node/index.js';
import type { Log, LogMessage } from '../node/index.js';

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
    return this.init(...args);
  }

  processHandle(kind: Kind, from: Pid, message: unknown, ref: Ref | undefined, via: Atom | Alias | undefined): unknown {
    switch (kind) {
      case Kind.Message:
        if (exitFromParent(this.process, from, message)) {
          this.process.stop(message.reason);
          return undefined;
        }
        if (this.#split && via !== undefined) {
          return via instanceof Alias ? this.handleMessageAlias(via, from, message) : this.handleMessageName(via, from, message);
        }
        return this.handleMessage(from, message);
      case Kind.Request: {
        const r =
          this.#split && via !== undefined
            ? via instanceof Alias
              ? this.handleCallAlias(via, from, ref!, message)
              : this.handleCallName(via, from, ref!, message)
            : this.handleCall(from, ref!, message);
        if (isThenable(r)) return r.then((v) => this.#reply(from, ref!, v));
        this.#reply(from, ref!, r);
        return undefined;
      }
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

  #reply(to: Pid, ref: Ref, value: unknown): void {
    // `undefined` means "I will answer later with sendResponse" (Ergo: a nil result).
    if (value !== undefined) this.process.sendResponse(to, ref, value);
  }

  processTerminate(reason: Term): unknown {
    return this.terminate(reason);
  }

  // ------------------------------------------------------------- callbacks

  /** Set up. Throw (or reject) to fail the spawn. */
  init(..._args: unknown[]): void | Promise<void> {}

  /** A message sent with `send`. Throwing terminates the process with the error. */
  handleMessage(from: Pid, message: unknown): unknown {
    this.process.log.warning('unhandled message from %s: %o', String(from), message);
    return undefined;
  }

  /**
   * A request made with `call`. Return the answer (or a promise of it); return `undefined` to
   * answer later with `process.sendResponse(from, ref, value)`.
   */
  handleCall(from: Pid, ref: Ref, request: unknown): unknown {
    this.process.log.warning('unhandled request from %s: %o', String(from), request);
    this.process.sendResponseError(from, ref, unknownRequest);
    return undefined;
  }

  /** With `setSplitHandle(true)`: a message sent to this process's registered name. */
  handleMessageName(_name: Atom, from: Pid, message: unknown): unknown {
    return this.handleMessage(from, message);
  }
  /** With `setSplitHandle(true)`: a message sent to one of this process's aliases. */
  handleMessageAlias(_alias: Alias, from: Pid, message: unknown): unknown {
    return this.handleMessage(from, message);
  }
  handleCallName(_name: Atom, from: Pid, ref: Ref, request: unknown): unknown {
    return this.handleCall(from, ref, request);
  }
  handleCallAlias(_alias: Alias, from: Pid, ref: Ref, request: unknown): unknown {
    return this.handleCall(from, ref, request);
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

  get pid(): Pid {
    return this.process.pid;
  }
  get log(): Log {
    return this.process.log;
  }
  send(to: Target, message: unknown, options?: SendOptions): void {
    this.process.send(to, message, options);
  }
  call(to: Target, request: unknown, options?: CallOptions): Promise<unknown> {
    return this.process.call(to, request, options);
  }
}
