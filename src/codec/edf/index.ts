/**
 * EDF — the Ergo Data Format of Ergo Framework 3.x (Go), byte-compatible with its net/edf
 * package. See proto-spec/edf.md.
 */
export { Edt, Limit } from './tags.js';
export {
  T,
  EdfType,
  RegType,
  Typed,
  EdfRegistry,
  defaultRegistry,
  struct,
  named,
  namedSlice,
  namedArray,
  namedMap,
  custom,
  typeOf,
  zeroOf,
  EDF_TYPE,
  type TypeExpr,
  type JsOf,
  type StructClass,
  type CustomCodec,
  type Field,
  type FieldSpec,
  type InitOf,
  type RegKind,
} from './types.js';
export { int8, int16, int32, int64, uint8, uint16, uint32, uint64, goUint, goInt, float32, typed } from './typed.js';
export { ProcessID, Event, GoTime, EdfError, GoErr, frameworkErrors, frameworkError } from './values.js';
export { EdfEncodeCache, EdfDecodeCache, type EdfTables } from './caches.js';
export { EdfEncoder, encode, encodeAs, type EdfEncodeOptions } from './encode.js';
export { EdfDecoder, decode, decodeAt, type EdfDecodeOptions } from './decode.js';
export { NetworkFlags, NetworkProxyFlags } from './network-flags.js';
export { Gen, Inspect, Handshake, Proto, Registrar, SystemApp, frameworkTypeNames, GenLocal, genLocalRegistry } from './framework-types.gen.js';
export { toEJson, fromEJson, matchEJson, typeToJson, typeFromJson, type EJson, type ETypeJson, type FromEJsonContext } from './ejson.js';
