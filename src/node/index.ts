export { Node, nodeName, type NodeOptions, type NodeInfo, type NodeMonitor, type NodeLink } from './node.js';
export {
  Kind,
  type Target,
  type LinkTarget,
  type Process,
  type ProcessBehavior,
  type Factory,
  type InitArgs,
  type SpawnOptions,
  type SpawnOptionsArg,
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
} from './types.js';
export { LogLevel, ConsoleLogger, MemoryLogger, formatLog, type Log, type Logger, type LogLevelName, type LogMessage, type LogSource } from './log.js';
export type { EnableSpawnOptions } from './spawn-registry.js';
export {
  type ApplicationBehavior,
  type ApplicationSpec,
  type ApplicationMember,
  type ApplicationMode,
  type ApplicationState,
  type ApplicationInfo,
} from './application.js';
export { NetworkManager, type NetworkManagerOptions, type StaticRoute } from './network/index.js';
export type { Priority } from '../gen/index.js';
