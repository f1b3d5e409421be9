/**
 * Exit reasons between the two worlds. Erlang reasons are terms; Ergo's are Go `error`s, which
 * EDF carries as their text (or as an ErrCache id for the framework's own errors). The Ergo
 * stack and the EDF binding of DOWN/EXIT messages convert with these two functions, so a
 * reason crosses the same way whichever path it takes.
 *
 * | term | Go error |
 * |---|---|
 * | `normal`, `shutdown` | `gen.TerminateReasonNormal` "normal", `…Shutdown` "shutdown" |
 * | `killed` (and `kill`) | `gen.TerminateReasonKill` "kill" |
 * | `noproc` | `gen.ErrProcessUnknown` "unknown process" |
 * | `noconnection` | `gen.ErrNoConnection` "no connection" |
 * | `timeout` | `gen.ErrTimeout` "timed out" |
 * | any other atom | its text |
 * | any other term | its Erlang text (`{shutdown,db_down}`), read back as `{error, <<Text>>}` |
 */
import { A, Atom, atom, format, Tuple, type Term } from '../term/index.js';
import { EdfError, GoErr, frameworkError } from '../codec/edf/index.js';

const NO_CONNECTION = 'no connection';

const toGo = new Map<Atom, EdfError>([
  [A.normal, GoErr.TerminateReasonNormal],
  [A.shutdown, GoErr.TerminateReasonShutdown],
  [A.killed, GoErr.TerminateReasonKill],
  [A.kill, GoErr.TerminateReasonKill],
  [A.noproc, GoErr.ProcessUnknown],
  [A.timeout, GoErr.Timeout],
]);

const fromGo = new Map<string, Atom>([
  ['normal', A.normal],
  ['shutdown', A.shutdown],
  ['kill', A.killed],
  ['unknown process', A.noproc],
  [NO_CONNECTION, A.noconnection],
  ['timed out', A.timeout],
]);

const ATOM_TEXT = /^[a-z][A-Za-z0-9_@]*$/;

/** An exit reason as the Go `error` an Ergo peer expects. */
export function reasonToGoError(reason: Term): EdfError {
  if (reason instanceof Atom) {
    const known = toGo.get(reason);
    if (known !== undefined) return known;
    if (reason === A.noconnection) return new EdfError(NO_CONNECTION);
    return frameworkError(reason.name) ?? new EdfError(reason.name);
  }
  return new EdfError(format(reason));
}

/** A Go `error` from an Ergo peer as an exit reason term. `null` (no error) reads as `normal`. */
export function reasonFromGoError(e: EdfError | Error | null | undefined): Term {
  if (e === null || e === undefined) return A.normal;
  const text = e.message;
  const known = fromGo.get(text);
  if (known !== undefined) return known;
  if (ATOM_TEXT.test(text) && text.length <= 255) return atom(text);
  return new Tuple([A.error, text]);
}
