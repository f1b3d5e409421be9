/**
 * The Erlang distribution stack: EPMD (client and embedded server), the version 6 handshake
 * in both roles, and distribution connections with the atom cache, fragments, ticks and every
 * control operation. The node runtime plugs in through {@link DistHandler} (inbound) and the
 * operations of {@link DistConnection} (outbound).
 */
export { DistEndpoint, type EndpointOptions } from './endpoint.js';
export { DistConnection, type ConnectionOptions, type ConnectionInfo } from './connection.js';
export { DistOps } from './dist-ops.js';
export type { DistHandler, SpawnRequest } from './handler.js';
export { Dop, AltactFlag, SpawnFlag } from './dop.js';
export { DFlag, MANDATORY_25, MANDATORY_26, OTP_DEFAULT, DEFAULT_FLAGS, REJECTABLE, expandMandatory25, flagNames } from './flags.js';
export { DistError, DistCode, HandshakeError, HandshakeCode, EpmdError, EpmdCode } from './errors.js';
export { EpmdClient, EpmdRegistration, epmdPortFromEnv, type EpmdClientOptions, type RegisterOptions } from './epmd-client.js';
export { EpmdServer, type EpmdServerOptions } from './epmd-server.js';
export { NodeType, type NodeEntry } from './epmd-proto.js';
export { initiate, accept, genDigest, genChallenge, isNodeName, type HandshakeSide, type HandshakeResult, type AcceptDecision, type InitiateOptions, type AcceptOptions } from './handshake.js';
export { HandshakeIO } from './handshake-io.js';
export { DistReader, DEFAULT_READER_LIMITS, type ReaderLimits } from './dist-reader.js';
export { DistWriter } from './dist-writer.js';
export { OutAtomCache, InAtomCache } from './atom-cache.js';
export { ErlangStack, type ErlangStackOptions, type RpcFunction, type RpcCall, type RpcOptions } from './stack.js';
export { Peer } from './peer.js';
export { ioFormat, chardata } from './io-format.js';
