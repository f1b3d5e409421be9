/**
 * Who made a request, and how to answer it — shared by `Actor` and `GenServer`, for native
 * calls (`process.call`) and for Erlang's `{'$gen_call', {Pid, Tag}, Request}` alike.
 */
import { atom, Alias, ImproperList, Pid, Ref, Tuple, tuple, type Term } from '../term/index.js';
import { ErrCode, RuntimeError } from '../gen/index.js';
import type { Process } from '../node/index.js';

const GEN_CALL = atom('$gen_call');
const SYSTEM = atom('system');
const ALIAS = atom('alias');

/** Who made a request: answer with `reply(from, value)`, now or later. */
export interface From {
  pid: Pid;
  /** Set for native calls. */
  ref: Ref | undefined;
  /** Set for Erlang `$gen_call` requests: the tag to answer with. */
  tag: Term | undefined;
}

/**
 * Return this from `handleCall` to answer later with `reply(from, value)` (or not at all).
 * Any other return value — `undefined` included — is the answer.
 */
export const replyLater: unique symbol = Symbol('ergo-ts.replyLater');
export type ReplyLater = typeof replyLater;

/** `{'$gen_call', {Pid, Tag}, Request}` → the request and its `From`, or undefined. */
export function genCall(message: unknown): { request: unknown; from: From } | undefined {
  if (!(message instanceof Tuple)) return undefined;
  const e = message.elements;
  if (e.length !== 3 || e[0] !== GEN_CALL || !(e[1] instanceof Tuple)) return undefined;
  const f = e[1].elements;
  if (f.length !== 2 || !(f[0] instanceof Pid)) return undefined;
  return { request: e[2], from: { pid: f[0], ref: undefined, tag: f[1] } };
}

/**
 * `{system, {Pid, Tag}, Request}` — what `sys:*`, `proc_lib:stop` and `gen_server:stop` send
 * (sys.erl send_system_msg, a gen:call with label `system`) → the request and its `From`.
 */
export function systemCall(message: unknown): { request: unknown; from: From } | undefined {
  if (!(message instanceof Tuple)) return undefined;
  const e = message.elements;
  if (e.length !== 3 || e[0] !== SYSTEM || !(e[1] instanceof Tuple)) return undefined;
  const f = e[1].elements;
  if (f.length !== 2 || !(f[0] instanceof Pid)) return undefined;
  return { request: e[2], from: { pid: f[0], ref: undefined, tag: f[1] } };
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

/**
 * Fail a request: a native caller's promise rejects with `ERR_CALL_FAILED` carrying `reason`;
 * an Erlang caller gets `{error, Reason}` as its reply.
 */
export function replyErrorTo(process: Process, from: From, reason: Term): void {
  if (from.ref !== undefined) process.sendResponseError(from.pid, from.ref, reason);
  else replyTo(process, from, tuple(atom('error'), reason));
}
