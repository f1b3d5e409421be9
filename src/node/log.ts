/**
 * Logging. Levels follow Ergo (trace < debug < info < warning < error < panic, plus
 * `disabled`); every node and process has its own level, and a message goes to every logger
 * whose level filter accepts it. A logger is either an object (`Logger`) or a process, which
 * then receives the message in its log queue (`Actor.handleLog`).
 */
import { format } from 'node:util';
import type { Atom, Pid } from '../term/index.js';

export const LogLevel = {
  trace: 1,
  debug: 2,
  info: 3,
  warning: 4,
  error: 5,
  panic: 6,
  disabled: 100,
} as const;
export type LogLevelName = keyof typeof LogLevel;

/** Who logged. */
export type LogSource =
  | { kind: 'node'; node: Atom }
  | { kind: 'process'; node: Atom; pid: Pid; name: Atom | undefined; behavior: string };

export interface LogMessage {
  /** Milliseconds since the epoch. */
  time: number;
  level: LogLevelName;
  source: LogSource;
  /** `util.format` style: `%s`, `%d`, `%o`, … */
  format: string;
  args: readonly unknown[];
}

/** A pluggable logger. `log` must not throw; it may be called often. */
export interface Logger {
  log(message: LogMessage): void;
  /** Called when the logger is removed or the node stops. */
  terminate?(): void;
}

/** The message text, formatted. */
export function formatLog(m: LogMessage): string {
  return m.args.length === 0 ? m.format : format(m.format, ...m.args);
}

function sourceText(s: LogSource): string {
  if (s.kind === 'node') return s.node.name;
  return s.name ? `${s.pid} ${s.name.name}` : String(s.pid);
}

/** Writes one line per message to stderr: time, level, source, text. */
export class ConsoleLogger implements Logger {
  log(m: LogMessage): void {
    const t = new Date(m.time).toISOString();
    process.stderr.write(`${t} [${m.level}] ${sourceText(m.source)}: ${formatLog(m)}\n`);
  }
}

/** Keeps messages in memory; handy in tests. */
export class MemoryLogger implements Logger {
  readonly messages: LogMessage[] = [];
  log(m: LogMessage): void {
    this.messages.push(m);
  }
  /** Formatted lines `level: text`. */
  lines(): string[] {
    return this.messages.map((m) => `${m.level}: ${formatLog(m)}`);
  }
}

/** The logging handle a node or a process exposes. */
export interface Log {
  level(): LogLevelName;
  setLevel(level: LogLevelName): void;
  trace(format: string, ...args: unknown[]): void;
  debug(format: string, ...args: unknown[]): void;
  info(format: string, ...args: unknown[]): void;
  warning(format: string, ...args: unknown[]): void;
  error(format: string, ...args: unknown[]): void;
  panic(format: string, ...args: unknown[]): void;
}
