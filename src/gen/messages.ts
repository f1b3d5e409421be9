/**
 * The framework messages the runtime delivers to processes. DOWN, EXIT, events and node
 * notices are defined once in `src/term/signals.ts` (below both codecs, which encode them:
 * ETF as their Erlang tuples, EDF as Ergo's `gen.Message*` structs) and re-exported here;
 * this module adds what only the runtime uses.
 */
import { A, Tuple, type Pid } from '../term/index.js';

export { ProcessID, processId, Event, event } from '../term/names.js';
export {
  MessageDown,
  MessageExit,
  MessageEvent,
  MessageEventStart,
  MessageEventStop,
  MessageNodeUp,
  MessageNodeDown,
  kindOf,
  type TargetKind,
  type SignalSource,
} from '../term/signals.js';

/** What a fallback process receives when the target's mailbox was full (Ergo `gen.MessageFallback`). */
export class MessageFallback {
  constructor(
    /** The process whose mailbox was full. */
    readonly pid: Pid,
    /** The tag configured with the fallback. */
    readonly tag: string,
    readonly from: Pid,
    readonly message: unknown,
  ) {}
}

/** `normal`, `shutdown` and `{shutdown, _}`: the reasons OTP does not report as failures. */
export function isNormalExit(reason: unknown): boolean {
  if (reason === A.normal || reason === A.shutdown) return true;
  return reason instanceof Tuple && reason.elements.length === 2 && reason.elements[0] === A.shutdown;
}
