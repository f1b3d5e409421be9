/**
 * The framework messages the runtime delivers to processes: DOWN, EXIT, events and node
 * notices. They are defined once, here, below both codecs:
 *
 * - each is a {@link Tuple} holding its Erlang form (`{'DOWN', Ref, process, Pid, Reason}`,
 *   `{'EXIT', Pid, Reason}`, `{nodedown, Node}`), so the ETF codec, `format()`, `equals()` and
 *   a BEAM peer all see exactly that term;
 * - the EDF codec encodes them as Ergo's `gen.Message*` structs (`MessageDownPID`,
 *   `MessageExitProcessID`, `MessageEvent`, …) and decodes those structs back into these
 *   classes — the binding lives in `src/gen/framework-edf.ts`;
 * - a handler tells them apart with `instanceof` and reads named fields (`ref`, `kind`,
 *   `target`, `reason`) that keep what the tuple cannot: whether a name or an alias was
 *   monitored, and the event or node.
 */
import { A, atom, type Atom } from './atom.js';
import { Alias, Pid, type Ref } from './ids.js';
import { Event, ProcessID } from './names.js';
import { Tuple, type Term } from './types.js';

/** What a link or monitor points at. */
export type TargetKind = 'process' | 'name' | 'alias' | 'event' | 'node';

/** The thing a DOWN or EXIT is about: a pid, a `{name, node}`, an alias, an event or a node name. */
export type SignalSource = Pid | ProcessID | Alias | Event | Atom;

const nodedown = atom('nodedown');
const nodeup = atom('nodeup');
const EVENT = atom('EVENT');
const eventStart = atom('event_start');
const eventStop = atom('event_stop');

/** The kind of target a source is. */
export function kindOf(t: SignalSource): TargetKind {
  if (t instanceof Pid) return 'process';
  if (t instanceof ProcessID) return 'name';
  if (t instanceof Alias) return 'alias';
  if (t instanceof Event) return 'event';
  return 'node';
}

/** How Erlang names the source in a DOWN/EXIT: a pid, `{Name, Node}`, the alias, `{Event, Node}`, the node. */
function erlangForm(t: SignalSource): Term {
  if (t instanceof ProcessID) return t.toTerm();
  if (t instanceof Event) return new Tuple([t.name, t.node]);
  return t;
}

/**
 * A monitor fired. Erlang form `{'DOWN', Ref, process, Pid | {Name, Node}, Reason}`; for a node
 * monitor `{nodedown, Node}` (what `monitor_node/2` delivers). Ergo: `gen.MessageDownPID`,
 * `…ProcessID`, `…Alias`, `…Event`, `…Node`.
 */
export class MessageDown extends Tuple {
  /** What was monitored, as it was named when monitoring. */
  readonly target: SignalSource;
  readonly kind: TargetKind;
  constructor(
    /** The reference `monitor()` returned. */
    readonly ref: Ref,
    target: SignalSource,
    readonly reason: Term,
    /** The kind, when it is not the one `target`'s class implies. */
    kind?: TargetKind,
  ) {
    const k = kind ?? kindOf(target);
    super(k === 'node' ? [nodedown, target as Atom] : [A.DOWN, ref, A.process, erlangForm(target), reason]);
    this.target = target;
    this.kind = k;
  }
  /** The Erlang form as a plain tuple. */
  toTerm(): Tuple {
    return new Tuple(this.elements);
  }
}

/**
 * An exit signal turned into a message because the receiver traps exits. Erlang form
 * `{'EXIT', From, Reason}`. Ergo: `gen.MessageExitPID`, `…ProcessID`, `…Alias`, `…Event`,
 * `…Node` (a node link broke).
 */
export class MessageExit extends Tuple {
  readonly kind: TargetKind;
  constructor(
    readonly from: SignalSource,
    readonly reason: Term,
    kind?: TargetKind,
  ) {
    super([A.EXIT, erlangForm(from), reason]);
    this.kind = kind ?? kindOf(from);
  }
  toTerm(): Tuple {
    return new Tuple(this.elements);
  }
}

/**
 * One published event, as subscribers receive it and the replay buffer keeps it. Ergo:
 * `gen.MessageEvent{Event, Timestamp (ns), Message}`. Erlang has no events; the term form is
 * `{'EVENT', {Name, Node}, TimestampMs, Message}`.
 */
export class MessageEvent extends Tuple {
  readonly #nanos: bigint | undefined;
  constructor(
    readonly event: Event,
    /** Milliseconds since the epoch, when it was published. */
    readonly timestamp: number,
    readonly message: unknown,
    /** The exact nanoseconds Ergo sent, when it came from an Ergo peer. */
    nanos?: bigint,
  ) {
    super([EVENT, new Tuple([event.name, event.node]), timestamp, message as Term]);
    this.#nanos = nanos;
  }
  /** Nanoseconds since the epoch (Ergo's `Timestamp`). */
  get nanos(): bigint {
    return this.#nanos ?? BigInt(Math.round(this.timestamp)) * 1_000_000n;
  }
  /** A `MessageEvent` from Ergo's nanosecond timestamp, kept exactly. */
  static fromNanos(event: Event, nanos: bigint, message: unknown): MessageEvent {
    return new MessageEvent(event, Number(nanos / 1_000_000n), message, nanos);
  }
}

/** To an event's owner (registered with `notify`): the first subscriber arrived. `{event_start, Name}`. */
export class MessageEventStart extends Tuple {
  constructor(readonly name: Atom) {
    super([eventStart, name]);
  }
}

/** To an event's owner (registered with `notify`): the last subscriber left. `{event_stop, Name}`. */
export class MessageEventStop extends Tuple {
  constructor(readonly name: Atom) {
    super([eventStop, name]);
  }
}

/** A connection to a node came up (`net_kernel:monitor_nodes/1`'s `{nodeup, Node}`). */
export class MessageNodeUp extends Tuple {
  constructor(readonly node: Atom) {
    super([nodeup, node]);
  }
}

/** A connection to a node went down (`{nodedown, Node}`), for processes watching all nodes. */
export class MessageNodeDown extends Tuple {
  constructor(
    readonly node: Atom,
    readonly reason: Term,
  ) {
    super([nodedown, node]);
  }
}
