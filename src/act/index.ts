export { Actor, exitFromParent } from './actor.js';
export { replyLater, replyTo, replyErrorTo, genCall, type From, type ReplyLater } from './reply.js';
export { GenServer, type InitResult, type CallResult, type CastResult, type LooseResult } from './gen-server.js';
export {
  Supervisor,
  type SupervisorSpec,
  type ChildSpec,
  type RemoteChildStart,
  type ChildInfo,
  type Strategy,
  type Restart,
  type Shutdown,
  type AutoShutdown,
} from './supervisor.js';
export { Pool, type PoolOptions } from './pool.js';
