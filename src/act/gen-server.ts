/**
 * `GenServer`: OTP's gen_server callbacks over the runtime, so code ported from Erlang keeps
 * its shape and BEAM peers can `gen_server:call`/`cast` it.
 *
 * Results are Erlang-style tuples as arrays: `['reply', Reply, State]`, `['noreply', State]`,
 * `['stop', Reason, State]` (and from handleCall `['stop', Reason, Reply, State]`); init returns
 * `['ok', State]` or `['stop', Reason]`. Any callback may be async.
 *
 * Requests arrive two ways and are answered the same way through `reply(from, value)`:
 * native calls (`Process.call`) and Erlang's `{'$gen_call', {Pid, Tag}, Request}` messages
 * (answered `Pid ! {Tag, Reply}`, or through the alias when Tag is `[alias | Ref]`).
 */
import { A, Alias, atom, ImproperList, Pid, Ref, Tuple, tuple, type Atom, type Term } from '../term/index.js';
import { Kind, type Process, type ProcessBehavior, type Target } from '../node/index.js';
import type { Node } from '../node/index.js';
import { ErrCode, RuntimeError, exit } from '../gen/index.js';
import { exitFromParent } from './actor.js';

const GEN_CALL = atom('$gen_call');
const GEN_CAST = atom('$gen_cast');
const ALIAS = atom('alias');
const BAD_RETURN = atom('bad_return_value');

/** OTP: a callback returning something it does not understand stops with `{bad_return_value, R}`. */
function badReturn(r: unknown): never {
  throw exit(tuple(BAD_RETURN, r as Term));
}

function isResult(r: unknown, tag: string, ...lengths: number[]): r is readonly unknown[] {
  return Array.isArray(r) && r[0] === tag && lengths.includes(r.length);
}

/** Who made a request: answer with `reply(from, value)`, now or later. */
export interface From {
  pid: Pid;
  /** Set for native calls. */
  ref: Ref | undefined;
  /** Set for Erlang `$gen_call` requests: the tag to answer with. */
  tag: Term | undefined;
}

export type InitResult<S> = readonly ['ok', S] | readonly ['stop', Term];
export type CallResult<S> =
  | readonly ['reply', unknown, S]
  | readonly ['noreply', S]
  | readonly ['stop', Term, unknown, S]
  | readonly ['stop', Term, S];
export type CastResult<S> = readonly ['noreply', S] | readonly ['stop', Term, S];

type Maybe<T> = T | Promise<T>;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function';
}

export abstract class GenServer<S = unknown> implements ProcessBehavior {
  process!: Process;
  /** The current state (what the last callback returned). */
  state!: S;

  abstract init(...args: unknown[]): Maybe<InitResult<S>>;

  handleCall(request: unknown, from: From, state: S): Maybe<CallResult<S>> {
    this.process.log.warning('unhandled call from %s: %o', String(from.pid), request);
    return ['reply', tuple(A.error, atom('unknown_call')), state];
  }

  handleCast(message: unknown, state: S): Maybe<CastResult<S>> {
    this.process.log.warning('unhandled cast: %o', message);
    return ['noreply', state];
  }

  /** Everything else: plain messages, DOWN, trapped EXIT, events. */
  handleInfo(message: unknown, state: S): Maybe<CastResult<S>> {
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
    const r = this.init(...args);
    return isThenable(r) ? (r as Promise<InitResult<S>>).then((v) => this.#afterInit(v)) : this.#afterInit(r as InitResult<S>);
  }

  #afterInit(r: unknown): void {
    if (isResult(r, 'stop', 2)) throw exit(r[1] as Term);
    if (!isResult(r, 'ok', 2)) badReturn(r);
    this.state = r[1] as S;
  }

  processHandle(kind: Kind, from: Pid, message: unknown, ref: Ref | undefined, _via: Atom | Alias | undefined): unknown {
    switch (kind) {
      case Kind.Request:
        return this.#call(message, { pid: from, ref, tag: undefined });
      case Kind.Message: {
        if (message instanceof Tuple) {
          const e = message.elements;
          if (e[0] === GEN_CALL && e.length === 3 && e[1] instanceof Tuple && e[1].elements.length === 2 && e[1].elements[0] instanceof Pid) {
            return this.#call(e[2], { pid: e[1].elements[0], ref: undefined, tag: e[1].elements[1] });
          }
          if (e[0] === GEN_CAST && e.length === 2) return this.#noreply(this.handleCast(e[1], this.state));
        }
        if (exitFromParent(this.process, from, message)) {
          this.process.stop(message.reason);
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
    if (isThenable(r)) return (r as Promise<CallResult<S>>).then((v) => this.#afterCall(v, from));
    this.#afterCall(r as CallResult<S>, from);
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
      this.process.stop(r[1] as Term);
    } else badReturn(r);
  }

  #noreply(r: Maybe<CastResult<S>>): unknown {
    if (isThenable(r)) return (r as Promise<CastResult<S>>).then((v) => this.#afterCast(v));
    this.#afterCast(r as CastResult<S>);
    return undefined;
  }

  #afterCast(r: unknown): void {
    if (isResult(r, 'noreply', 2)) {
      this.state = r[1] as S;
    } else if (isResult(r, 'stop', 3)) {
      this.state = r[2] as S;
      this.process.stop(r[1] as Term);
    } else badReturn(r);
  }

  processTerminate(reason: Term): unknown {
    return this.terminate(reason, this.state);
  }
}

/** The `Ref` of an `[alias | Ref]` tag, or undefined. */
function aliasRef(t: unknown): Ref | undefined {
  return t instanceof ImproperList && t.head.length === 1 && t.head[0] === ALIAS && t.tail instanceof Ref ? t.tail : undefined;
}

/** Errors a reply to a caller that is gone can give; OTP's `catch To ! Msg` ignores them. */
const GONE: ReadonlySet<string> = new Set([ErrCode.ProcessUnknown, ErrCode.ProcessIncarnation, ErrCode.AliasUnknown]);

/** Answer a `From`, native or Erlang. Never fails because the caller has gone (OTP's gen:reply). */
export function replyTo(process: Process, from: From, value: unknown): void {
  if (from.ref !== undefined) {
    process.sendResponse(from.pid, from.ref, value);
    return;
  }
  const tag = from.tag!;
  // OTP 24+: Tag = [alias | Ref], or [[alias | Ref] | _] (gen:reply's second clause); the
  // answer, with the whole tag, goes to the alias only.
  const r = aliasRef(tag) ?? aliasRef(Array.isArray(tag) ? tag[0] : tag instanceof ImproperList ? tag.head[0] : undefined);
  const to = r === undefined ? from.pid : new Alias(r.node, r.creation, r.ids);
  try {
    process.send(to, tuple(tag, value as Term));
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    // A caller that died (or dropped its alias) while we worked: the answer is simply lost.
    if (!GONE.has(e.code)) process.log.warning('reply to %s dropped: %s', String(to), e.message);
  }
}

/** `gen_server:cast`: sends `{'$gen_cast', Message}`. */
export function cast(caller: Process | Node, to: Target, message: Term): void {
  caller.send(to, tuple(GEN_CAST, message));
}
