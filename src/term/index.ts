export { Atom, atom, A, MAX_ATOM_CHARACTERS } from './atom.js';
export { Pid, Ref, Alias, Port, canonicalInt, type Creation } from './ids.js';
export { Tuple, tuple, ImproperList, improperList, ErlFloat, float, BitBinary, Export, Fun, NativeRecord, LocalTerm, MapTerm, type Term } from './types.js';
export { TermMap } from './map.js';
export { equals, compare, compareKeys, hash, termKey } from './equal.js';
export { charlist, text, ok, error, okValue, errorReason, isTagged, propGet, proplist, RecordDef, record } from './idioms.js';
export { ErgoError } from './errors.js';
export { format } from './format.js';
export { ProcessID, processId, Event, event } from './names.js';
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
} from './signals.js';
