/**
 * Internals for tests, benchmarks, the network stacks and the interop harness; no stability
 * promise. Everything public is here too.
 */
export * from './index.js';
export { canonicalInt, hash, termKey, MAX_ATOM_CHARACTERS, kindOf } from './term/index.js';
export { Err, reasonToGoError, reasonFromGoError } from './gen/index.js';
export { NO_REF } from './gen/framework-edf.js';
export { nodeName, type SpawnOptionsArg } from './node/index.js';
export { exitFromParent, replyTo, replyErrorTo, genCall, type ReplyLater, type LooseResult } from './act/index.js';
export { Tag as EtfTag } from './codec/etf/tags.js';
export { Writer } from './codec/writer.js';
