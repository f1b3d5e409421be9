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
