/**
 * The node's loggers: who logs (a node or a process), at which level, to which loggers. A
 * logger is an object (`Logger`) or a process, which gets the message in its log queue.
 */
import { Pid, type Atom } from '../term/index.js';
import { Err } from '../gen/index.js';
import { ConsoleLogger, LogLevel, type Log, type LogLevelName, type LogMessage, type LogSource, type Logger } from './log.js';
import { Q, S } from './states.js';
import type { ProcessImpl } from './process.js';
import { Kind } from './types.js';
import type { Core } from './core.js';

interface LoggerEntry {
  logger: Logger | undefined;
  pid: Pid | undefined;
  min: number;
}

export function levelName(n: number): LogLevelName {
  for (const [k, v] of Object.entries(LogLevel)) if (v === n) return k as LogLevelName;
  return 'info';
}

export class Loggers {
  readonly #core: Core;
  readonly #entries = new Map<string, LoggerEntry>();
  /** The node's own level. */
  level: number;
  readonly nodeLog: Log;

  constructor(core: Core, name: Atom, level: LogLevelName, defaultLogger: boolean) {
    this.#core = core;
    this.level = LogLevel[level];
    if (defaultLogger) this.#entries.set('default', { logger: new ConsoleLogger(), pid: undefined, min: LogLevel.trace });
    this.nodeLog = this.#makeLog(
      { kind: 'node', node: name },
      () => this.level,
      (l) => (this.level = l),
    );
  }

  source(p: ProcessImpl | undefined): LogSource {
    if (p === undefined) return { kind: 'node', node: this.#core.name };
    return { kind: 'process', node: this.#core.name, pid: p.pid, name: p.name, behavior: p.behavior.constructor.name };
  }

  processLog(p: ProcessImpl): Log {
    return this.#makeLog(
      () => this.source(p),
      () => p.logLevel(),
      (l) => (p.ext().logLevel = l),
    );
  }

  /** Log on behalf of `p` (or the node) at `level`. */
  emitFor(p: ProcessImpl | undefined, level: LogLevelName, format: string, args: readonly unknown[]): void {
    this.emit(p === undefined ? this.level : p.logLevel(), this.source(p), level, format, args);
  }

  #makeLog(source: LogSource | (() => LogSource), get: () => number, set: (l: number) => void): Log {
    const src = typeof source === 'function' ? source : () => source;
    const at =
      (level: LogLevelName) =>
      (format: string, ...args: unknown[]): void => {
        this.emit(get(), src(), level, format, args);
      };
    return {
      level: () => levelName(get()),
      setLevel: (l: LogLevelName) => set(LogLevel[l]),
      trace: at('trace'),
      debug: at('debug'),
      info: at('info'),
      warning: at('warning'),
      error: at('error'),
      panic: at('panic'),
    };
  }

  emit(min: number, source: LogSource, level: LogLevelName, format: string, args: readonly unknown[]): void {
    const lv = LogLevel[level];
    if (lv < min || this.#entries.size === 0) return;
    const m: LogMessage = { time: Date.now(), level, source, format, args };
    for (const e of this.#entries.values()) {
      if (lv < e.min) continue;
      if (e.logger !== undefined) {
        try {
          e.logger.log(m);
        } catch {
          // A broken logger must not take the node down.
        }
      } else if (e.pid !== undefined) {
        // A logger process does not log its own messages back to itself (no feedback loop).
        if (source.kind === 'process' && source.pid.equals(e.pid)) continue;
        const lp = this.#core.process(e.pid);
        if (lp !== undefined && lp.st !== S.Terminated) this.#core.sched.push(lp, Q.log, Kind.Log, source.kind === 'process' ? source.pid : this.#core.pid, m, undefined, undefined);
      }
    }
  }

  add(name: string, logger: Logger | Pid, level: LogLevelName): void {
    if (this.#entries.has(name)) throw Err.taken(`logger ${name}`);
    if (logger instanceof Pid) {
      if (this.#core.process(logger) === undefined) throw Err.processUnknown(logger);
      this.#entries.set(name, { logger: undefined, pid: logger, min: LogLevel[level] });
    } else this.#entries.set(name, { logger, pid: undefined, min: LogLevel[level] });
  }

  delete(name: string): void {
    const e = this.#entries.get(name);
    if (e === undefined) return;
    this.#entries.delete(name);
    e.logger?.terminate?.();
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  clear(): void {
    for (const name of [...this.#entries.keys()]) this.delete(name);
  }
}
