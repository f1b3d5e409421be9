/**
 * ergo-ts public API. Named exports only; `./internal` holds what tests, benchmarks and the
 * interop harness reach into.
 */
export * from './term/index.js';
export { encode as encodeEtf, decode as decodeEtf, EtfEncoder, EtfDecoder, EtfStreamDecoder, termLength, type EncodeOptions as EtfEncodeOptions, type DecodeOptions as EtfDecodeOptions } from './codec/etf/index.js';
export { DecodeError, EncodeError } from './codec/errors.js';
export * from './gen/index.js';
export * from './node/index.js';
export * from './act/index.js';
// EDF (Ergo Data Format): the whole codec as a namespace (its ProcessID/Event/Typed… would
// clash with runtime names), plus the two entry points.
export * as edf from './codec/edf/index.js';
export { encode as encodeEdf, decode as decodeEdf, EdfEncoder, EdfDecoder, type EdfEncodeOptions, type EdfDecodeOptions } from './codec/edf/index.js';
