/**
 * What the node sees of this stack's failures: each {@link ErgoNetError} (and each error a Go
 * peer answered with) as the runtime's catalogue error (src/gen/errors.ts), so code above the
 * network switches on `ERR_PROCESS_UNKNOWN`, `ERR_TIMEOUT`, … whatever the protocol.
 */
import { Err, ErrCode, RuntimeError, reasonFromGoError } from '../../gen/index.js';
import type { Atom } from '../../term/atom.js';
import { ErgoNetCode, ErgoNetError, RemoteError } from './errors.js';

/** Go's error texts (gen/errors.go) → our codes. */
const byText = new Map<string, ErrCode>([
  ['unknown process', ErrCode.ProcessUnknown],
  ['process terminated', ErrCode.ProcessTerminated],
  ['process mailbox is full', ErrCode.MailboxFull],
  ['unknown name', ErrCode.NameUnknown],
  ['unknown alias', ErrCode.AliasUnknown],
  ['unknown event', ErrCode.EventUnknown],
  ['unknown application', ErrCode.ApplicationUnknown],
  ['not allowed', ErrCode.NotAllowed],
  ['not supported', ErrCode.Unsupported],
  ['timed out', ErrCode.Timeout],
  ['resource is taken', ErrCode.Taken],
  ['incorrect value or argument', ErrCode.Incorrect],
  ['target is already exist', ErrCode.TargetExist],
  ['unknown target', ErrCode.TargetUnknown],
  ['no connection', ErrCode.NoConnection],
  ['no route', ErrCode.NoRoute],
  ['node terminated', ErrCode.NodeTerminated],
  ['process ID belongs to the previous incarnation', ErrCode.ProcessUnknown],
  ['parent/leader is not set', ErrCode.ParentUnknown],
  ['dependency fail', ErrCode.ApplicationDepends],
  ['application is in running/stopping state', ErrCode.ApplicationState],
  ['too large', ErrCode.NotAllowed],
]);

/**
 * A failure of `what` toward `peer` as a RuntimeError. A peer's error without a catalogue
 * meaning becomes `fallback` (the caller says what it means there), carrying the error as its
 * reason term.
 */
export function toRuntimeError(e: unknown, what: string, peer: Atom, fallback: ErrCode = ErrCode.NotAllowed): RuntimeError {
  if (e instanceof RuntimeError) return e;
  if (e instanceof RemoteError) {
    const code = byText.get(e.remote.message);
    if (code === ErrCode.Timeout) return Err.timeout(`${what} on ${peer.name}`);
    const reason = reasonFromGoError(e.remote);
    return new RuntimeError(code ?? fallback, `${what}: ${peer.name} answered "${e.remote.message}"`, { cause: e, reason });
  }
  if (e instanceof ErgoNetError) {
    switch (e.code) {
      case ErgoNetCode.Timeout:
        return new RuntimeError(ErrCode.Timeout, `${what}: no answer from ${peer.name}`, { cause: e });
      case ErgoNetCode.NoConnection:
      case ErgoNetCode.LinkClosed:
      case ErgoNetCode.Stopped:
        return new RuntimeError(ErrCode.NoConnection, `${what}: connection to ${peer.name} lost`, { cause: e });
      case ErgoNetCode.Busy:
        return new RuntimeError(ErrCode.NoConnection, `${what}: ${peer.name} is not reading (${e.message})`, { cause: e });
      case ErgoNetCode.Incarnation:
        return new RuntimeError(ErrCode.ProcessUnknown, `${what}: ${e.message}`, { cause: e });
      case ErgoNetCode.Unsupported:
        return new RuntimeError(ErrCode.Unsupported, `${what}: ${e.message}`, { cause: e });
      case ErgoNetCode.NotAllowed:
      case ErgoNetCode.TooLarge:
        return new RuntimeError(ErrCode.NotAllowed, `${what}: ${e.message}`, { cause: e });
      case ErgoNetCode.Encode:
      case ErgoNetCode.NameTooLong:
        return new RuntimeError(ErrCode.Incorrect, `${what}: ${e.message}`, { cause: e });
      case ErgoNetCode.Malformed:
        return new RuntimeError(ErrCode.Internal, `${what}: ${e.message}`, { cause: e });
    }
    return new RuntimeError(ErrCode.NoConnection, `${what}: ${e.message}`, { cause: e });
  }
  return new RuntimeError(ErrCode.Internal, `${what}: ${String(e)}`, { cause: e });
}
