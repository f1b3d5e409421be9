/**
 * JS values for the EDF kinds the term model has no class for: `time.Time` and `error`, plus
 * the framework's error catalogue. (`gen.ProcessID` and `gen.Event` are src/term's.)
 */

// gen.ProcessID and gen.Event are shared with the runtime: on the wire Node comes first.
export { ProcessID, Event } from '../../term/names.js';

/** Seconds from 0001-01-01T00:00:00Z (Go's internal epoch) to the Unix epoch. */
const UNIX_TO_GO = 62135596800n;

/**
 * A Go `time.Time` exactly as `MarshalBinary` writes it (ergo encodes times that way), so a
 * decoded time re-encodes to the same bytes. A JS `Date` would lose the nanoseconds and the zone.
 *
 * - `sec`: seconds since 0001-01-01 UTC (the instant, whatever the zone);
 * - `nsec`: nanoseconds within the second, 0..999999999 for Go-made values;
 * - `offsetMin`: zone offset in minutes east of UTC, or −1 when the location is `time.UTC`;
 * - `offsetSec`: V2 only — the sub-minute rest of the offset (Go writes it as int8).
 */
export class GoTime {
  constructor(
    readonly sec: bigint,
    readonly nsec: number,
    readonly offsetMin: number,
    readonly offsetSec = 0,
    /** 1 or 2; Go writes 2 only when the offset is not a whole number of minutes. */
    readonly version: 1 | 2 = offsetSec !== 0 ? 2 : 1,
  ) {}

  /** Go's zero `time.Time{}` (year 1, UTC). */
  static readonly zero = new GoTime(0n, 0, -1);

  /** A UTC time from a `Date` (millisecond precision, like `time.UnixMilli(ms).UTC()`). */
  static fromDate(d: Date): GoTime {
    const ms = d.getTime();
    if (!Number.isFinite(ms)) throw new RangeError('invalid Date');
    const s = Math.floor(ms / 1000);
    return new GoTime(BigInt(s) + UNIX_TO_GO, (ms - s * 1000) * 1_000_000, -1);
  }

  /**
   * From Unix nanoseconds; `offsetSeconds` undefined means the UTC location (`ff ff`), a number
   * means a fixed zone with that offset (0 is "a zone at +00:00", not UTC, as in Go).
   */
  static fromUnixNano(ns: bigint, offsetSeconds?: number): GoTime {
    let s = ns / 1_000_000_000n;
    let n = ns % 1_000_000_000n;
    if (n < 0n) {
      n += 1_000_000_000n;
      s -= 1n;
    }
    if (offsetSeconds === undefined) return new GoTime(s + UNIX_TO_GO, Number(n), -1);
    if (!Number.isInteger(offsetSeconds)) throw new RangeError('zone offset must be whole seconds');
    // Go: offset/60 truncates toward zero and offset%60 keeps the sign (time.go MarshalBinary).
    const min = Math.trunc(offsetSeconds / 60);
    const rest = offsetSeconds % 60;
    // time.go MarshalBinary refuses offset/60 == -1 (it is the UTC marker).
    if (min === -1) throw new RangeError('Go cannot marshal a zone offset between -119 and -60 seconds');
    return new GoTime(s + UNIX_TO_GO, Number(n), min, rest === 0 ? 0 : rest);
  }

  /** True when the location is `time.UTC` (offset header −1). */
  get isUTC(): boolean {
    return this.offsetMin === -1;
  }

  /** Seconds since the Unix epoch. */
  get unixSeconds(): bigint {
    return this.sec - UNIX_TO_GO;
  }

  /** Nanoseconds since the Unix epoch (Go's `UnixNano`). */
  get unixNano(): bigint {
    return (this.sec - UNIX_TO_GO) * 1_000_000_000n + BigInt(this.nsec);
  }

  /** The zone offset in seconds east of UTC (0 for UTC). */
  get offsetSeconds(): number {
    return this.offsetMin === -1 ? 0 : this.offsetMin * 60 + this.offsetSec;
  }

  /** The instant as a `Date` (loses sub-millisecond precision and the zone). */
  toDate(): Date {
    return new Date(Number(this.unixSeconds) * 1000 + Math.floor(this.nsec / 1_000_000));
  }

  equals(o: unknown): boolean {
    return (
      o instanceof GoTime &&
      o.sec === this.sec &&
      o.nsec === this.nsec &&
      o.offsetMin === this.offsetMin &&
      o.offsetSec === this.offsetSec &&
      o.version === this.version
    );
  }

  toString(): string {
    return `GoTime<${this.toDate().toISOString()} ${this.isUTC ? 'UTC' : `${this.offsetSeconds}s`}>`;
  }
}

/**
 * A Go `error` value as EDF carries it: only its message. Deliberately not a JS `Error`
 * (no stack capture per decoded value). Errors that must keep their identity across the wire
 * (exit reasons) are the catalogue singletons below, sent and received by ErrCache id.
 */
export class EdfError {
  constructor(readonly message: string) {}
  toString(): string {
    return this.message;
  }
}

/**
 * The 15 errors Go registers in net/edf/init.go (`genErrors`), in registration order, so an
 * announced ErrCache built from this list gets Go's ids 32768…32782.
 */
export const GoErr = {
  Incorrect: new EdfError('incorrect value or argument'),
  Timeout: new EdfError('timed out'),
  Unsupported: new EdfError('not supported'),
  Unknown: new EdfError('unknown'),
  NameUnknown: new EdfError('unknown name'),
  NotAllowed: new EdfError('not allowed'),
  ProcessUnknown: new EdfError('unknown process'),
  ProcessTerminated: new EdfError('process terminated'),
  MetaUnknown: new EdfError('unknown meta process'),
  ApplicationUnknown: new EdfError('unknown application'),
  Taken: new EdfError('resource is taken'),
  TerminateReasonNormal: new EdfError('normal'),
  TerminateReasonShutdown: new EdfError('shutdown'),
  TerminateReasonKill: new EdfError('kill'),
  TerminateReasonPanic: new EdfError('panic'),
} as const;

/** {@link GoErr} in Go's registration order (ErrCache ids 32768 + index on a Go node). */
export const frameworkErrors: readonly EdfError[] = Object.values(GoErr);

const byMessage = new Map<string, EdfError>(frameworkErrors.map((e) => [e.message, e]));

/** The catalogue singleton with this message, if any (what Go's makeDecodeErrCache does). */
export function frameworkError(message: string): EdfError | undefined {
  return byMessage.get(message);
}

