/**
 * The runtime's error catalogue. Every failure the node, its processes and its behaviours
 * report is a {@link RuntimeError} whose `code` is one of {@link ErrCode}; switch on the code,
 * not on the message. The list follows Ergo's `gen/errors.go` (same faults, our codes) plus the
 * few faults OTP adds (`calling_self`, per-child shutdown timeouts).
 *
 * Exit reasons are not errors: they are terms (`normal`, `shutdown`, `{shutdown, T}`, `killed`).
 * Where an error has to become a reason (a crash, a failed call seen by a BEAM peer),
 * {@link RuntimeError.reason} gives the term for it.
 */
import { A, Atom, atom, ErgoError, format, tuple, type Term } from '../term/index.js';

/** Stable codes. Never renumber or rename; add new ones at the end. */
export const ErrCode = {
  /** The pid is not (or no longer) alive on its node. Erlang: `noproc`. */
  ProcessUnknown: 'ERR_PROCESS_UNKNOWN',
  /** The pid names a previous incarnation (creation) of this node. */
  ProcessIncarnation: 'ERR_PROCESS_INCARNATION',
  /** The process has terminated; its handle can no longer act. */
  ProcessTerminated: 'ERR_PROCESS_TERMINATED',
  /** The target's mailbox is at its limit and it has no fallback process. */
  MailboxFull: 'ERR_MAILBOX_FULL',
  /** No process is registered under that name. */
  NameUnknown: 'ERR_NAME_UNKNOWN',
  /** The name (or resource) is already taken. */
  Taken: 'ERR_TAKEN',
  /** The process has no parent (or leader) to act on. */
  ParentUnknown: 'ERR_PARENT_UNKNOWN',
  /** The alias does not exist. */
  AliasUnknown: 'ERR_ALIAS_UNKNOWN',
  /** Only the owner may delete or use this alias in this way. */
  AliasOwner: 'ERR_ALIAS_OWNER',
  /** No such event. */
  EventUnknown: 'ERR_EVENT_UNKNOWN',
  /** Only the event's owner (holding its token) may send or unregister it. */
  EventOwner: 'ERR_EVENT_OWNER',
  /** A wait ran out of time (call, stop, shutdown). */
  Timeout: 'ERR_TIMEOUT',
  /** The caller gave up through its AbortSignal. */
  Aborted: 'ERR_ABORTED',
  /** A process called itself; it would wait forever (OTP: `calling_self`). */
  CallSelf: 'ERR_CALL_SELF',
  /** The callee answered the call with an error ({@link RuntimeError.reason} holds it). */
  CallFailed: 'ERR_CALL_FAILED',
  /** The node is stopping or stopped. */
  NodeTerminated: 'ERR_NODE_TERMINATED',
  /** The target lives on a node we have no connection (or no route, or no network) to. */
  NoConnection: 'ERR_NO_CONNECTION',
  /** No route is known for that node. */
  NoRoute: 'ERR_NO_ROUTE',
  /** The operation is not allowed for this target or in this state. */
  NotAllowed: 'ERR_NOT_ALLOWED',
  /** Not supported by this target (or by the peer's protocol). */
  Unsupported: 'ERR_UNSUPPORTED',
  /** A bad argument. */
  Incorrect: 'ERR_INCORRECT',
  /** The link/monitor target is unknown or of an unsupported kind. */
  TargetUnknown: 'ERR_TARGET_UNKNOWN',
  /** The link/monitor already exists. */
  TargetExist: 'ERR_TARGET_EXIST',
  /** No such application. */
  ApplicationUnknown: 'ERR_APPLICATION_UNKNOWN',
  /** A dependency is missing, failed, or forms a cycle. */
  ApplicationDepends: 'ERR_APPLICATION_DEPENDS',
  /** The application is running or stopping; the operation needs it loaded. */
  ApplicationState: 'ERR_APPLICATION_STATE',
  /** The application spec has no members. */
  ApplicationEmpty: 'ERR_APPLICATION_EMPTY',
  /** The application spec has no name, or the name is taken. */
  ApplicationName: 'ERR_APPLICATION_NAME',
  /** Stopping the application did not finish within the timeout. */
  ApplicationStopping: 'ERR_APPLICATION_STOPPING',
  /** A supervisor child with that id does not exist. */
  ChildUnknown: 'ERR_CHILD_UNKNOWN',
  /** A supervisor child with that id exists (or is running). */
  ChildExist: 'ERR_CHILD_EXIST',
  /** A child could not be started (init failed); `reason` holds why. */
  ChildStart: 'ERR_CHILD_START',
  /** A bug in the runtime. */
  Internal: 'ERR_INTERNAL',
  /** A process's init callback threw or rejected; `reason` is the exit reason it became. */
  InitFailed: 'ERR_INIT_FAILED',
} as const;

export type ErrCode = (typeof ErrCode)[keyof typeof ErrCode];

/** The reason term each code maps to when it has to cross into a term world. */
const reasonOf: Record<string, Atom> = {
  [ErrCode.ProcessUnknown]: A.noproc,
  [ErrCode.ProcessIncarnation]: A.noproc,
  [ErrCode.NameUnknown]: A.noproc,
  [ErrCode.AliasUnknown]: A.noproc,
  [ErrCode.ProcessTerminated]: A.noproc,
  [ErrCode.NoConnection]: A.noconnection,
  [ErrCode.NoRoute]: A.noconnection,
  [ErrCode.Timeout]: A.timeout,
  [ErrCode.CallSelf]: atom('calling_self'),
  [ErrCode.MailboxFull]: atom('mailbox_full'),
  [ErrCode.NodeTerminated]: atom('node_terminated'),
};

/** Any failure the runtime reports. */
export class RuntimeError extends ErgoError {
  declare readonly code: ErrCode;
  /**
   * The error as an Erlang term: `noproc`, `noconnection`, `timeout`, …, or for
   * {@link ErrCode.CallFailed} / {@link ErrCode.ChildStart} the reason the other side gave.
   */
  readonly reason: Term;
  constructor(code: ErrCode, message: string, options?: { cause?: unknown; reason?: Term }) {
    super(code, message, options);
    this.reason = options?.reason ?? reasonOf[code] ?? atom(code.slice(4).toLowerCase());
  }
}

/** A wait that ran out of time. */
export class TimeoutError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrCode.Timeout, message, options);
  }
}

/** Shorthand constructors, so call sites read like Ergo's `gen.ErrProcessUnknown`. */
export const Err = {
  processUnknown: (what: unknown) => new RuntimeError(ErrCode.ProcessUnknown, `unknown process ${String(what)}`),
  processIncarnation: (what: unknown) =>
    new RuntimeError(ErrCode.ProcessIncarnation, `${String(what)} belongs to a previous incarnation of this node`),
  processTerminated: (what: unknown) => new RuntimeError(ErrCode.ProcessTerminated, `process ${String(what)} has terminated`),
  mailboxFull: (what: unknown) => new RuntimeError(ErrCode.MailboxFull, `mailbox of ${String(what)} is full`),
  nameUnknown: (what: unknown) => new RuntimeError(ErrCode.NameUnknown, `no process registered as ${String(what)}`),
  taken: (what: unknown) => new RuntimeError(ErrCode.Taken, `${String(what)} is taken`),
  aliasUnknown: (what: unknown) => new RuntimeError(ErrCode.AliasUnknown, `unknown alias ${String(what)}`),
  eventUnknown: (what: unknown) => new RuntimeError(ErrCode.EventUnknown, `unknown event ${String(what)}`),
  timeout: (what: string) => new TimeoutError(`${what} timed out`),
  noConnection: (node: unknown, why = 'no connection') =>
    new RuntimeError(ErrCode.NoConnection, `${why} to node ${String(node)}`),
  notAllowed: (what: string) => new RuntimeError(ErrCode.NotAllowed, what),
  incorrect: (what: string) => new RuntimeError(ErrCode.Incorrect, what),
  nodeTerminated: () => new RuntimeError(ErrCode.NodeTerminated, 'node terminated'),
  initFailed: (reason: Term, cause?: unknown) =>
    new RuntimeError(ErrCode.InitFailed, `init failed: ${reasonText(reason)}`, { reason, cause }),
  callFailed: (reason: Term, cause?: unknown) =>
    new RuntimeError(ErrCode.CallFailed, `call failed: ${reasonText(reason)}`, { reason, cause }),
} as const;

/** A short readable form of a reason term for messages and logs. */
export function reasonText(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  try {
    return format(reason as Term, 1024);
  } catch {
    return String(reason);
  }
}

/** `{shutdown, Detail}` */
export function shutdownWith(detail: Term): Term {
  return tuple(A.shutdown, detail);
}

/**
 * A thrown exit: `throw exit(reason)` ends the process with exactly `reason` (like Erlang's
 * `exit/1`), without the crash log an ordinary error gets when the reason is normal.
 */
export class ExitReason {
  constructor(readonly reason: Term) {}
}

export function exit(reason: Term): ExitReason {
  return new ExitReason(reason);
}
