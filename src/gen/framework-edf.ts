/**
 * Binds the runtime's framework messages (src/term/signals.ts) to Ergo's registered EDF types,
 * so the one set of classes is also what EDF writes and reads:
 *
 * | runtime value | Ergo type (`#ergo.services/ergo/gen/…`) |
 * |---|---|
 * | `MessageDown` kind process / name / alias / event / node | `MessageDownPID` / `…ProcessID` / `…Alias` / `…Event` / `MessageDownNode` |
 * | `MessageExit` kind process / name / alias / event / node | `MessageExitPID` / `…ProcessID` / `…Alias` / `…Event` / `MessageExitNode` |
 * | `MessageEvent` | `MessageEvent` (Timestamp in ns, kept exactly when it came from Go) |
 * | `MessageEventStart`, `MessageEventStop` | `MessageEventStart`, `MessageEventStop` |
 *
 * Reasons cross as Go errors (src/gen/reasons.ts). Go's DOWN structs carry no reference, so a
 * decoded `MessageDown` has {@link NO_REF}. Go registers `MessageEvent*` at start; the DOWN and
 * EXIT structs are plain Go types it does not register (Ergo never sends them: it sends
 * Terminate frames), so a Go program that wants them in a message registers them with
 * `edf.RegisterTypeOf(gen.MessageDownPID{})`, and so on.
 *
 * What this relies on in the EDF codec (src/codec/edf): the registry's `get`/`struct`; the
 * encoder taking a value's type from its `[EDF_TYPE]` property and reading struct fields by
 * their Go names; and the decoder building a struct with `new RegType.factory(...fields)` in
 * field order.
 */
import { atom, Atom, Ref, type Pid } from '../term/index.js';
import { defaultRegistry, EDF_TYPE, EdfError, type RegType, type TypeExpr } from '../codec/edf/index.js';
import { Event, MessageDown, MessageEvent, MessageEventStart, MessageEventStop, MessageExit, ProcessID, type TargetKind } from './messages.js';
import { reasonFromGoError, reasonToGoError } from './reasons.js';

const GEN = '#ergo.services/ergo/gen/';

/** The reference of a `MessageDown` decoded from EDF (Go's DOWN structs have none). */
export const NO_REF = new Ref(atom(''), 0, [0, 0, 0]);

/** The registered type `name`, declared here if the framework table did not declare it. */
function bind(name: string, fields: readonly (readonly [string, TypeExpr])[]): RegType {
  const full = GEN + name;
  const found = defaultRegistry.get(full) ?? (defaultRegistry.struct(full, fields).edf as RegType);
  const got = found.fields.map((f) => f.name).join(',');
  const want = fields.map((f) => f[0]).join(',');
  if (found.regKind !== 'struct' || got !== want) throw new Error(`EDF type ${full} has fields ${got}, expected ${want}`);
  return found;
}

/** Decode `rt` into `make(...fields)` instead of its generated class. */
function decodeAs(rt: RegType, make: (...fields: never[]) => unknown): void {
  // The decoder calls `new factory(...)`; a function returning an object makes `new` yield it.
  rt.factory = function (this: unknown, ...fields: unknown[]) {
    return (make as (...f: unknown[]) => unknown)(...fields);
  } as unknown as RegType['factory'];
  rt.decodeBody = undefined;
}

const targetField: Record<Exclude<TargetKind, 'node'>, readonly [string, TypeExpr]> = {
  process: ['PID', 'pid'],
  name: ['ProcessID', 'processId'],
  alias: ['Alias', 'alias'],
  event: ['Event', 'event'],
};
const suffix: Record<TargetKind, string> = { process: 'PID', name: 'ProcessID', alias: 'Alias', event: 'Event', node: 'Node' };

function typesFor(prefix: 'MessageDown' | 'MessageExit', make: (target: Pid | ProcessID | Ref | Event | Atom, reason: EdfError | null, kind: TargetKind) => unknown): Record<TargetKind, RegType> {
  const out = {} as Record<TargetKind, RegType>;
  for (const kind of ['process', 'name', 'alias', 'event'] as const) {
    const rt = bind(prefix + suffix[kind], [targetField[kind], ['Reason', 'error']]);
    decodeAs(rt, (target: Pid | ProcessID | Ref | Event, reason: EdfError | null) => make(target, reason, kind));
    out[kind] = rt;
  }
  const node = bind(prefix + 'Node', [['Name', 'atom']]);
  decodeAs(node, (name: Atom) => make(name, null, 'node'));
  out.node = node;
  return out;
}

const downTypes = typesFor('MessageDown', (t, r, kind) => new MessageDown(NO_REF, t as Pid, kind === 'node' ? atom('noconnection') : reasonFromGoError(r), kind));
const exitTypes = typesFor('MessageExit', (t, r, kind) => new MessageExit(t as Pid, kind === 'node' ? atom('noconnection') : reasonFromGoError(r), kind));

/** Getters the struct encoders read, by Go field name; non-enumerable, on the prototype. */
function fields(proto: object, getters: Record<string, (this: never) => unknown>): void {
  for (const [k, get] of Object.entries(getters)) Object.defineProperty(proto, k, { get, configurable: true });
}

for (const [cls, types] of [
  [MessageDown, downTypes],
  [MessageExit, exitTypes],
] as const) {
  Object.defineProperty(cls.prototype, EDF_TYPE, {
    get(this: MessageDown | MessageExit) {
      return types[this.kind];
    },
    configurable: true,
  });
}
const targetOf = function (this: MessageDown | MessageExit): unknown {
  return this instanceof MessageDown ? this.target : this.from;
};
const reasonOf = function (this: MessageDown | MessageExit): EdfError {
  return reasonToGoError(this.reason);
};
for (const proto of [MessageDown.prototype, MessageExit.prototype]) {
  fields(proto, { PID: targetOf, ProcessID: targetOf, Alias: targetOf, Event: targetOf, Name: targetOf, Reason: reasonOf });
}

const eventType = bind('MessageEvent', [
  ['Event', 'event'],
  ['Timestamp', 'int64'],
  ['Message', 'any'],
]);
decodeAs(eventType, (ev: Event, ns: bigint, message: unknown) => MessageEvent.fromNanos(ev, ns, message));
Object.defineProperty(MessageEvent.prototype, EDF_TYPE, { value: eventType, configurable: true });
fields(MessageEvent.prototype, {
  Event(this: MessageEvent) {
    return this.event;
  },
  Timestamp(this: MessageEvent) {
    return this.nanos;
  },
  Message(this: MessageEvent) {
    return this.message;
  },
});

for (const [cls, name] of [
  [MessageEventStart, 'MessageEventStart'],
  [MessageEventStop, 'MessageEventStop'],
] as const) {
  const rt = bind(name, [['Name', 'atom']]);
  decodeAs(rt, (n: Atom) => new cls(n));
  Object.defineProperty(cls.prototype, EDF_TYPE, { value: rt, configurable: true });
  fields(cls.prototype, {
    Name(this: MessageEventStart) {
      return this.name;
    },
  });
}
