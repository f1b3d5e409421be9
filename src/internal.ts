/** Internals for tests, benchmarks and the interop harness; no stability promise. */
export * from './index.js';
export { Tag as EtfTag } from './codec/etf/tags.js';
export { Writer } from './codec/writer.js';
