/**
 * Identities the runtime addresses besides a pid (a name on a node, an event) and the
 * framework messages it delivers to processes (DOWN, EXIT, events, fallbacks).
 *
 * Framework messages are JS classes, so a handler tests them with `instanceof`; each has
 * `toTerm()` giving the Erlang form a BEAM process would receive.
 */
import { A, Alias, Atom, atom, Event, Pid, ProcessID, Ref, Tuple, tuple, type Term } from '../term/index.js';

export { ProcessID, processId, Event, event } from '../term/names.js';

/** What a link or monitor points at. */
export type TargetKind = 'process' | 'name' | 'alias' | 'event' | 'node';

/** The thing a DOWN or EXIT is about: a pid, a `{name, node}`, an alias, an event or a node name. */
export type SignalSource = Pid | ProcessID | Alias | Event | Atom;

const nodedown = atom('nodedown');

/**
 * A monitor fired. Erlang form: `{'DOWN', Ref, process, Pid | {Name, Node}, Reason}`; for a
 * node monitor `{nodedown, Node}`.
 */
export class MessageDown {
  constructor(
    /** The reference `monitor()` returned. */
    readonly ref: Ref,
    readonly kind: TargetKind,
    /** What was monitored, as it was named when monitoring. */
    readonly target: SignalSource,
    readonly reason: Term,
  ) {}
  toTerm(): Tuple {
    if (this.kind === 'node') return tuple(nodedown, this.target as Atom);
    const t = this.target;
    const who: Term = t instanceof ProcessID ? t.toTerm() : t instanceof Event ? tuple(t.name, t.node) : (t as Pid | Alias | Atom);
    return tuple(A.DOWN, this.ref, A.process, who, this.reason);
  }
}

/**
 * An exit signal turned into a message because the receiver traps exits (or, for Ergo's
 * one-way links, arrived while it traps). Erlang form: `{'EXIT', From, Reason}`.
 */
export class MessageExit {
  constructor(
    readonly from: SignalSource,
    readonly kind: TargetKind,
    readonly reason: Term,
  ) {}
  toTerm(): Tuple {
    const f = this.from;
    const who: Term = f instanceof ProcessID ? f.toTerm() : f instanceof Event ? tuple(f.name, f.node) : (f as Pid | Alias | Atom);
    return tuple(A.EXIT, who, this.reason);
  }
}

/** One published event, as subscribers receive it and as the replay buffer keeps it. */
export class MessageEvent {
  constructor(
    readonly event: Event,
    /** Milliseconds since the epoch, when it was sent. */
    readonly timestamp: number,
    readonly message: unknown,
  ) {}
}

/** To an event's owner (when registered with `notify`): the first subscriber arrived. */
export class MessageEventStart {
  constructor(readonly name: Atom) {}
}

/** To an event's owner (when registered with `notify`): the last subscriber left. */
export class MessageEventStop {
  constructor(readonly name: Atom) {}
}

/** What a fallback process receives when the target's mailbox was full. */
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

export type { Ref };
