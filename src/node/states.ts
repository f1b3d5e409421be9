/** Process states, flags and queue numbers: constants every room of the runtime shares. */
import type { Priority } from '../gen/index.js';

/** Process states as bits (Ergo's numbering). */
export const S = {
  Init: 1,
  Sleep: 2,
  Running: 4,
  Waiting: 8,
  Terminated: 16,
  /** Running its terminate callback: still alive for its own API, no longer handling mail. */
  Terminating: 32,
} as const;

export const F = {
  /** In the scheduler's ready queue. */
  Queued: 1,
  TrapExit: 2,
  Important: 4,
  /**
   * `fatal` came from `Process.stop()`: it waits for a pending handler (or async init) to
   * finish, where an exit signal would act at once.
   */
  SelfStop: 8,
  /** Dying from an untrappable `exit(Pid, kill)`: the only death that skips `terminate`. */
  Killed: 16,
  /** Parked: a connection it sent to is busy; it takes no message until the connection drains. */
  Parked: 32,
  /** Someone waits for its queue to drain (`NodeInbound.drained`). */
  DrainWait: 64,
} as const;

/** Queue indexes, highest priority first. */
export const Q = { urgent: 0, system: 1, main: 2, log: 3 } as const;

export function queueOf(p: Priority): number {
  return p === 'normal' ? Q.main : p === 'high' ? Q.system : Q.urgent;
}
