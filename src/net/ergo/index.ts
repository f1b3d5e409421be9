/**
 * The Ergo Framework 3.x network stack (registrar ESRD R1, handshake EHS R1, protocol ENP R1),
 * byte-compatible with Go Ergo nodes. See proto-spec/ergo-network.md.
 */
export { Esrd, Ehs, Enp, EnpType, EnpFlag, Priority, ResponseCode, CompressionId, Defaults, HANDSHAKE_VERSION, PROTO_VERSION, REGISTRAR_VERSION, type CompressionType } from './constants.js';
export { ErgoNetCode, ErgoNetError, FrameError, HandshakeError, RemoteError, DeliveryErr } from './errors.js';
export { lzwCompress, lzwDecompress, LzwError } from './lzw.js';
export { compressFrame, decompressFrame, compressionId, type CompressionLevel } from './compress.js';
export {
  decodeFrame,
  encodeFrame,
  wrapCompressed,
  writeSend,
  writeRequest,
  writeEvent,
  writeExit,
  writeResponse,
  writeResponseError,
  writeTerminate,
  writeAny,
  responseCode,
  type EnpFrame,
  type EnpDecodeContext,
  type EnpEncodeContext,
} from './frames.js';
export {
  startHandshake,
  acceptHandshake,
  joinHandshake,
  encodeHandshake,
  decodeHandshake,
  handshakeFrameLength,
  digest,
  certDigest,
  certFingerprint,
  defaultNetworkFlags,
  version,
  randomEntropy,
  type HandshakeIO,
  type HandshakeEntropy,
  type HandshakeOptions,
  type HandshakeResult,
  type StartOptions,
  type AcceptOptions,
  type AcceptResult,
  type JoinOptions,
  type LocalNode,
  type Version,
} from './handshake.js';
export { Link, SocketHandshakeIO, type LinkOptions } from './link.js';
export { ErgoConnection, type SendOptions, type ConnectionOptions, type LinkTap } from './connection.js';
export { mod255, aliasMod255 } from './order.js';
export { PendingRequests, type Answer } from './pending.js';
export type { ErgoInbound, Delivery, EventMessage, SpawnOptions, ApplicationStartOptions, LocalTarget, MaybePromise } from './inbound.js';
export { RegistrarServer, encodeRegistrarPacket, decodeRegistrarPacket, type Route, type RegistrarServerOptions } from './registrar-server.js';
export { RegistrarClient, hostOf, type RegistrarClientOptions, type RegistrarEvent } from './registrar-client.js';
export { StaticRoutes, type StaticRoute } from './routes.js';
export { ErgoNetwork, ErgoChannels, defaultCache, type ErgoNetworkOptions, type AcceptorOptions } from './network.js';
export { ErgoStack, ergoDropChannel, type ErgoStackOptions } from './stack.js';
export { ErgoNodeConnection, type CompressionOptions } from './node-connection.js';
export { NodeBridge } from './node-inbound.js';
export { toRuntimeError } from './runtime-errors.js';
