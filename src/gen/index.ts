export { ErrCode, RuntimeError, TimeoutError, Err, reasonText, shutdownWith, ExitReason, exit } from './errors.js';
export {
  ProcessID,
  processId,
  Event,
  event,
  MessageDown,
  MessageExit,
  MessageEvent,
  MessageEventStart,
  MessageEventStop,
  MessageFallback,
  isNormalExit,
  type TargetKind,
  type SignalSource,
} from './messages.js';
export type { NetworkRouter, NodeInbound, RemoteTarget, RemoteSendOptions, Priority, LinkKind } from './network.js';
