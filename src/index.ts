/**
 * ergo-ts public API: what applications need, by name. Internals (term fingerprints, error
 * shorthands, codec writers, behaviour plumbing) are in `ergo-ts/internal`, without a stability
 * promise.
 */

// ---------------------------------------------------------------- terms
export {
  Atom,
  atom,
  A,
  Pid,
  Ref,
  Alias,
  Port,
  Tuple,
  tuple,
  ImproperList,
  improperList,
  ErlFloat,
  float,
  BitBinary,
  Export,
  Fun,
  LocalTerm,
  TermMap,
  equals,
  compare,
  format,
  charlist,
  text,
  ok,
  error,
  okValue,
  errorReason,
  isTagged,
  propGet,
  proplist,
  RecordDef,
  record,
  ErgoError,
  ProcessID,
  processId,
  Event,
  event,
  type Term,
  type Creation,
} from './term/index.js';

// ---------------------------------------------------------------- framework messages
export {
  MessageDown,
  MessageExit,
  MessageEvent,
  MessageEventStart,
  MessageEventStop,
  MessageNodeUp,
  MessageNodeDown,
  MessageFallback,
  isNormalExit,
  type TargetKind,
  type SignalSource,
} from './gen/index.js';

// ---------------------------------------------------------------- codecs
export { encode as encodeEtf, decode as decodeEtf, EtfEncoder, EtfDecoder, EtfStreamDecoder, termLength, type EncodeOptions as EtfEncodeOptions, type DecodeOptions as EtfDecodeOptions } from './codec/etf/index.js';
export { DecodeError, EncodeError } from './codec/errors.js';
// EDF (Ergo Data Format): the whole codec as a namespace (its ProcessID/Event/Typed… would
// clash with runtime names), plus the two entry points.
export * as edf from './codec/edf/index.js';
export { encode as encodeEdf, decode as decodeEdf, EdfEncoder, EdfDecoder, type EdfEncodeOptions, type EdfDecodeOptions } from './codec/edf/index.js';

// ---------------------------------------------------------------- errors and exit reasons
export { ErrCode, RuntimeError, TimeoutError, ErrorCatalogue, reasonText, shutdownWith, ExitReason, exit, type ErrorCodeInfo } from './gen/index.js';

// ---------------------------------------------------------------- the node
export {
  Node,
  Kind,
  LogLevel,
  ConsoleLogger,
  MemoryLogger,
  formatLog,
  NetworkManager,
  type NodeOptions,
  type NodeInfo,
  type NodeMonitor,
  type NodeLink,
  type Target,
  type LinkTarget,
  type Process,
  type ProcessBehavior,
  type Factory,
  type InitArgs,
  type SpawnOptions,
  type RemoteSpawnName,
  type RemoteSpawnOptions,
  type ProcessOptions,
  type ProcessState,
  type ProcessInfo,
  type ProcessShortInfo,
  type MailboxDepth,
  type CallOptions,
  type SendOptions,
  type EventOptions,
  type EnableSpawnOptions,
  type Log,
  type Logger,
  type LogLevelName,
  type LogMessage,
  type LogSource,
  type ApplicationBehavior,
  type ApplicationSpec,
  type ApplicationMember,
  type ApplicationMode,
  type ApplicationState,
  type ApplicationInfo,
  type NetworkManagerOptions,
  type StaticRoute,
  type Priority,
} from './node/index.js';

// ---------------------------------------------------------------- the Ergo network stack (Go Ergo v3 clusters)
export { ErgoStack, type ErgoStackOptions, type StaticRoute as ErgoStaticRoute, type AcceptorOptions as ErgoAcceptorOptions, type RegistrarClientOptions as ErgoRegistrarOptions, type CompressionOptions as ErgoCompressionOptions } from './net/ergo/index.js';

// ---------------------------------------------------------------- behaviours
export {
  Actor,
  replyLater,
  GenServer,
  Supervisor,
  Pool,
  type From,
  type InitResult,
  type CallResult,
  type CastResult,
  type SupervisorSpec,
  type ChildSpec,
  type RemoteChildStart,
  type ChildInfo,
  type Strategy,
  type Restart,
  type Shutdown,
  type AutoShutdown,
  type PoolOptions,
} from './act/index.js';

// ---------------------------------------------------------------- the Erlang distribution stack
export {
  ErlangStack,
  type ErlangStackOptions,
  type RpcFunction,
  type RpcCall,
  type RpcOptions,
} from './net/erlang/index.js';

// ---------------------------------------------------------------- writing a network stack
export {
  Delivery,
  Outbound,
  delivered,
  type NetworkRouter,
  type NetworkStack,
  type Connection,
  type ConnectionInfo,
  type NodeInbound,
  type RouterContext,
  type NetworkLog,
  type StackContext,
  type Route,
  type RemoteTarget,
  type LocalTarget,
  type InboundTarget,
  type RemoteConsumers,
  type MessageOptions,
  type SpawnRequest,
  type Mfa,
  type ApplicationStartMode,
  type LinkMode,
  type Protocol,
} from './gen/index.js';
