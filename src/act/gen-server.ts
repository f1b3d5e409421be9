/**
 * `GenServer`: OTP's gen_server callbacks over the runtime, so code ported from Erlang keeps
 * its shape and BEAM peers can `gen_server:call`/`cast` it.
 *
 * Results are Erlang-style tuples written as plain arrays — no `as const` needed:
 * `['reply', Reply, State]`, `['noreply', State]`, `['stop', Reason, State]` (and from
 * handleCall `['stop', Reason, Reply, State]`); init returns `['ok', State]` or
 * `['stop', Reason]`. Any callback may be async. A result it does not understand stops the
 * server with `{bad_return_value, R}`, as OTP does.
 *
 * Requests arrive two ways and are answered the same way through `reply(from, value)`:
 * native calls (`process.call`) and Erlang's `{'$gen_call', {Pid, Tag}, Request}` messages
 * (answered `Pid ! {Tag, Reply}`, or through the alias when Tag is `[alias | Ref]`). Casts:
 * `process.cast(to, msg)` / `node.cast(to, msg)` send `{'$gen_cast', Msg}`.
 */
import { A, atom, Tuple, tuple, type Alias, type Atom, type Pid, type Ref, type Term } from '../term/index.js';
import { Kind, type Process, type ProcessBehavior } from '../node/index.js';
import { exit } from '../gen/index.js';
import { exitFromParent } from './actor.js';
import { ErlangStack } from '../net/erlang/stack.js';
import { genCall, replyTo, systemCall, type From } from './reply.js';

const GEN_CAST = atom('$gen_cast');
const SYS = {
  getState: atom('get_state'),
  replaceState: atom('replace_state'),
  getStatus: atom('get_status'),
  suspend: atom('suspend'),
  resume: atom('resume'),
  terminate: atom('terminate'),
  debug: atom('debug'),
  changeCode: atom('change_code'),
  status: atom('status'),
  module: atom('module'),
  genServer: atom('gen_server'),
  running: atom('running'),
  suspended: atom('suspended'),
  data: atom('data'),
  unknown: atom('unknown_system_msg'),
  notSupported: atom('not_supported'),
};
const BAD_RETURN = atom('bad_return_value');

/** OTP: a callback returning something it does not understand stops with `{bad_return_value, R}`. */
function badReturn(r: unknown): never {
  throw exit(tuple(BAD_RETURN, r as Term));
}

function isResult(r: unknown, tag: string, ...lengths: number[]): r is readonly unknown[] {
  return Array.isArray(r) && r[0] === tag && lengths.includes(r.length);
}

export type InitResult<S> = readonly ['ok', S] | readonly ['stop', Term];
export type CallResult<S> =
  | readonly ['reply', unknown, S]
  | readonly ['noreply', S]
  | readonly ['stop', Term, unknown, S]
  | readonly ['stop', Term, S];
export type CastResult<S> = readonly ['noreply', S] | readonly ['stop', Term, S];
/** A result written as a plain array literal (`['reply', n, n]`): checked when it returns. */
export type LooseResult = readonly unknown[];

type Maybe<T> = T | Promise<T>;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function';
}

export abstract class GenServer<S = unknown> implements ProcessBehavior {
  process!: Process;
  /** The current state (what the last callback returned). */
  state!: S;
  /** `sys:suspend`ed: everything but system messages waits here until `sys:resume`. */
  #deferred: [Kind, Pid, unknown, Ref | undefined, Atom | Alias | undefined][] | undefined;

  abstract init(...args: unknown[]): Maybe<InitResult<S> | LooseResult>;

  handleCall(request: unknown, from: From, state: S): Maybe<CallResult<S> | LooseResult> {
    this.process.log.warning('unhandled call from %s: %o', String(from.pid), request);
    return ['reply', tuple(A.error, atom('unknown_call')), state];
  }

  handleCast(message: unknown, state: S): Maybe<CastResult<S> | LooseResult> {
    this.process.log.warning('unhandled cast: %o', message);
    return ['noreply', state];
  }

  /** Everything else: plain messages, DOWN, trapped EXIT, events. */
  handleInfo(message: unknown, state: S): Maybe<CastResult<S> | LooseResult> {
    this.process.log.warning('unhandled info: %o', message);
    return ['noreply', state];
  }

  terminate(_reason: Term, _state: S): unknown {
    return undefined;
  }

  /** Answer a request whose handleCall returned `['noreply', …]`. */
  reply(from: From, value: unknown): void {
    replyTo(this.process, from, value);
  }

  // ------------------------------------------------------------- runtime side

  processInit(process: Process, args: readonly unknown[]): unknown {
    this.process = process;
    const r = this.init(...(args as unknown[]));
    return isThenable(r) ? (r as Promise<unknown>).then((v) => this.#afterInit(v)) : this.#afterInit(r);
  }

  #afterInit(r: unknown): void {
    if (isResult(r, 'stop', 2)) throw exit(r[1] as Term);
    if (!isResult(r, 'ok', 2)) badReturn(r);
    this.state = r[1] as S;
  }

  processHandle(kind: Kind, from: Pid, message: unknown, ref: Ref | undefined, via: Atom | Alias | undefined): unknown {
    if (kind === Kind.Message) {
      const sys = systemCall(message);
      if (sys !== undefined) return this.#system(sys.request, sys.from);
    }
    if (this.#deferred !== undefined) {
      // OTP sys:suspend_loop: only system messages and the parent's exit are taken.
      if (kind === Kind.Message && exitFromParent(this.process, from, message)) {
        this.#stop(message.reason);
        return undefined;
      }
      this.#deferred.push([kind, from, message, ref, via]);
      return undefined;
    }
    switch (kind) {
      case Kind.Request:
        return this.#call(message, { pid: from, ref, tag: undefined });
      case Kind.Message: {
        if (message instanceof Tuple) {
          const call = genCall(message);
          if (call !== undefined) return this.#call(call.request, call.from);
          const e = message.elements;
          if (e[0] === GEN_CAST && e.length === 2) return this.#noreply(this.handleCast(e[1], this.state));
        }
        if (exitFromParent(this.process, from, message)) {
          this.#stop(message.reason);
          return undefined;
        }
        return this.#noreply(this.handleInfo(message, this.state));
      }
      case Kind.Inspect:
        this.process.sendResponse(from, ref!, { state: String(this.state) });
        return undefined;
      default:
        return this.#noreply(this.handleInfo(message, this.state));
    }
  }

  #call(request: unknown, from: From): unknown {
    const r = this.handleCall(request, from, this.state);
    if (isThenable(r)) return (r as Promise<unknown>).then((v) => this.#afterCall(v, from));
    this.#afterCall(r, from);
    return undefined;
  }

  #afterCall(r: unknown, from: From): void {
    if (isResult(r, 'reply', 3)) {
      this.state = r[2] as S;
      this.reply(from, r[1]);
    } else if (isResult(r, 'noreply', 2)) {
      this.state = r[1] as S;
    } else if (isResult(r, 'stop', 3, 4)) {
      if (r.length === 4) {
        this.state = r[3] as S;
        this.reply(from, r[2]);
      } else this.state = r[2] as S;
      this.#stop(r[1] as Term);
    } else badReturn(r);
  }

  #noreply(r: unknown): unknown {
    if (isThenable(r)) return (r as Promise<unknown>).then((v) => this.#afterCast(v));
    this.#afterCast(r);
    return undefined;
  }

  #afterCast(r: unknown): void {
    if (isResult(r, 'noreply', 2)) {
      this.state = r[1] as S;
    } else if (isResult(r, 'stop', 3)) {
      this.state = r[2] as S;
      this.#stop(r[1] as Term);
    } else badReturn(r);
  }

  processTerminate(reason: Term): unknown {
    return this.terminate(reason, this.state);
  }

  // OTP sys.erl handle_system_msg / do_cmd, with gen_server's system callbacks.
  #system(req: unknown, from: From): unknown {
    const reply = (v: unknown): void => replyTo(this.process, from, v);
    if (req === SYS.getState) return this.#getState(from);
    else if (req === SYS.getStatus) {
      const status = this.#deferred === undefined ? SYS.running : SYS.suspended;
      const misc = [tuple(SYS.data, [tuple('Status', status), tuple('Parent', this.process.parent)]), tuple(SYS.data, [tuple('State', this.state as Term)])];
      reply(tuple(SYS.status, this.process.pid, tuple(SYS.module, SYS.genServer), [[], status, this.process.parent, [], misc]));
    } else if (req === SYS.suspend) {
      this.#deferred ??= [];
      reply(A.ok);
    } else if (req === SYS.resume) {
      const waiting = this.#deferred;
      this.#deferred = undefined;
      reply(A.ok);
      if (waiting !== undefined && waiting.length > 0) return this.#replay(waiting);
    } else if (req instanceof Tuple && req.elements[0] === SYS.terminate && req.elements.length === 2) {
      reply(A.ok);
      this.#stop(req.elements[1]!);
    } else if (req instanceof Tuple && req.elements[0] === SYS.replaceState) {
      // The state function is Erlang code: it cannot run here.
      reply(tuple(A.error, SYS.notSupported));
    } else if ((req instanceof Tuple && (req.elements[0] === SYS.debug || req.elements[0] === SYS.changeCode)) || req === SYS.debug) {
      reply(A.ok);
    } else reply(tuple(A.error, tuple(SYS.unknown, req as Term)));
    return undefined;
  }

  /**
   * sys:get_state's answer: `{ok, State}` since OTP 26, the bare state before (sys.erl
   * get_state); a BEAM caller's release is asked of the Erlang stack.
   */
  async #getState(from: From): Promise<void> {
    const node = this.process.node;
    const peer = from.pid.node;
    const release = peer === node.name ? undefined : await ErlangStack.of(node)?.otpRelease(peer);
    replyTo(this.process, from, release !== undefined && release < 26 ? (this.state as Term) : tuple(A.ok, this.state as Term));
  }

  #stopping = false;
  #stop(reason: Term): void {
    this.#stopping = true;
    this.process.stop(reason);
  }

  /** After `sys:resume`: what waited, in order, before anything newer. */
  async #replay(waiting: [Kind, Pid, unknown, Ref | undefined, Atom | Alias | undefined][]): Promise<void> {
    for (let i = 0; i < waiting.length; i++) {
      if (this.#stopping) return;
      if (this.#deferred !== undefined) {
        // Suspended again by one of them: the rest waits again, first in line.
        this.#deferred.unshift(...waiting.slice(i));
        return;
      }
      const [k, f, m, r, v] = waiting[i]!;
      await this.processHandle(k, f, m, r, v);
    }
  }
}

export { replyTo, type From } from './reply.js';
