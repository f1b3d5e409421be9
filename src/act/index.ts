export { Actor, exitFromParent } from './actor.js';
export { GenServer, replyTo, cast, type From, type InitResult, type CallResult, type CastResult } from './gen-server.js';
export {
  Supervisor,
  type SupervisorSpec,
  type ChildSpec,
  type ChildInfo,
  type Strategy,
  type Restart,
  type Shutdown,
  type AutoShutdown,
} from './supervisor.js';
export { Pool, type PoolOptions } from './pool.js';
