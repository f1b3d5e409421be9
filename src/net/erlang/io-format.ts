/**
 * Enough of `io_lib:format/2` to answer the io requests BEAM processes send their group
 * leader (`io:format(Fmt, Args)` arrives as `{put_chars, unicode, io_lib, format, [Fmt, Args]}`
 * and the group leader must produce the text). Control sequences follow STDLIB's io_lib_format:
 * `~F.P.PadModC` with field width, precision, pad character, the `t`/`l` modifiers and the
 * controls `~ c f e g s w p W P B X # b x + n i`. Terms print in Erlang syntax (src/term
 * format). Anything it cannot read throws, and the caller answers `{error, format}` as
 * io_lib would raise badarg.
 */
import { Atom } from '../../term/atom.js';
import { format } from '../../term/format.js';
import { text } from '../../term/idioms.js';
import { ErlFloat, type Term } from '../../term/types.js';

class FormatError extends Error {}

/** Chardata (a binary, a charlist, nested lists of both) as a string; undefined if it is not. */
export function chardata(t: Term, depth = 0): string | undefined {
  if (depth > 100) return undefined;
  if (t instanceof Uint8Array) return text(t);
  if (typeof t === 'string') return t;
  if (!Array.isArray(t)) return undefined;
  let s = '';
  for (const c of t as readonly Term[]) {
    if (typeof c === 'number') {
      if (!Number.isInteger(c) || c < 0 || c > 0x10ffff) return undefined;
      s += String.fromCodePoint(c);
    } else {
      const inner = chardata(c, depth + 1);
      if (inner === undefined) return undefined;
      s += inner;
    }
  }
  return s;
}

function num(t: Term | undefined): number {
  if (typeof t === 'number') return t;
  if (t instanceof ErlFloat) return t.value;
  throw new FormatError('not a number');
}

function int(t: Term | undefined): bigint {
  if (typeof t === 'number' && Number.isInteger(t)) return BigInt(t);
  if (typeof t === 'bigint') return t;
  throw new FormatError('not an integer');
}

function str(t: Term | undefined): string {
  if (t instanceof Atom) return t.name;
  if (t === true || t === false) return String(t);
  const s = t === undefined ? undefined : chardata(t);
  if (s === undefined) throw new FormatError('not chardata');
  return s;
}

/** io_lib_format: right-justified in the field unless the width is negative. */
function pad(s: string, width: number | undefined, padChar: string): string {
  if (width === undefined) return s;
  const w = Math.abs(width);
  const chars = [...s];
  if (chars.length >= w) return chars.slice(0, w).join('');
  const fill = padChar.repeat(w - chars.length);
  return width < 0 || Object.is(width, -0) ? s + fill : fill + s;
}

function floatE(x: number, prec: number): string {
  // Erlang: ~e has `prec` significant digits and an exponent without leading zeros: 1.00000e+0.
  return x.toExponential(Math.max(1, prec) - 1);
}

/** `io_lib:format(Format, Args)` as a string. Throws when the format and the arguments do not fit. */
export function ioFormat(fmtTerm: Term, argsTerm: Term): string {
  const fmt = str(fmtTerm);
  if (!Array.isArray(argsTerm)) throw new FormatError('arguments are not a list');
  const args = argsTerm as readonly Term[];
  let ai = 0;
  const next = (): Term => {
    if (ai >= args.length) throw new FormatError('too few arguments');
    return args[ai++]!;
  };
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i++]!;
    if (ch !== '~') {
      out += ch;
      continue;
    }
    // ~F.P.PadModC
    let width: number | undefined;
    let prec: number | undefined;
    let padChar = ' ';
    const field = (): number | undefined => {
      if (fmt[i] === '*') {
        i++;
        return Number(int(next()));
      }
      let neg = false;
      if (fmt[i] === '-') {
        neg = true;
        i++;
      }
      const m = /^\d+/.exec(fmt.slice(i));
      if (m === null) return neg ? -0 : undefined;
      i += m[0].length;
      return neg ? -Number(m[0]) : Number(m[0]);
    };
    width = field();
    if (fmt[i] === '.') {
      i++;
      prec = field();
      if (fmt[i] === '.') {
        i++;
        if (fmt[i] === '*') {
          i++;
          padChar = String.fromCodePoint(Number(int(next())));
        } else padChar = fmt[i++] ?? ' ';
      }
    }
    while (fmt[i] === 't' || fmt[i] === 'l' || fmt[i] === 'k' || fmt[i] === 'K') {
      if (fmt[i] === 'K') next();
      i++;
    }
    const c = fmt[i++];
    switch (c) {
      case '~':
        out += pad('~', width, padChar);
        break;
      case 'n':
        out += '\n'.repeat(width === undefined ? 1 : Math.abs(width));
        break;
      case 'c': {
        const code = Number(int(next()));
        out += String.fromCodePoint(code).repeat(width === undefined ? 1 : Math.abs(width));
        break;
      }
      case 'f':
        out += pad(num(next()).toFixed(prec ?? 6), width, padChar);
        break;
      case 'e':
        out += pad(floatE(num(next()), prec ?? 6), width, padChar);
        break;
      case 'g': {
        const x = num(next());
        const a = Math.abs(x);
        out += pad(a >= 0.1 && a < 10000 ? x.toFixed(prec ?? 6) : floatE(x, prec ?? 6), width, padChar);
        break;
      }
      case 's': {
        let s = str(next());
        if (prec !== undefined) s = [...s].slice(0, prec).join('');
        out += pad(s, width, padChar);
        break;
      }
      case 'w':
      case 'p':
        out += pad(format(next(), 1 << 20), width, padChar);
        break;
      case 'W':
      case 'P': {
        const t = next();
        next(); // depth: the whole term is printed
        out += pad(format(t, 1 << 20), width, padChar);
        break;
      }
      case 'B':
      case 'b':
      case '#':
      case '+': {
        const v = int(next());
        const base = prec ?? 10;
        if (base < 2 || base > 36) throw new FormatError('base out of range');
        let s = (v < 0n ? -v : v).toString(base);
        if (c === 'B' || c === '#' || c === '+') s = s.toUpperCase();
        if (c === '#' || c === '+') s = `${base}#${s}`;
        out += pad((v < 0n ? '-' : '') + s, width, padChar);
        break;
      }
      case 'X':
      case 'x': {
        const v = int(next());
        const prefix = str(next());
        let s = (v < 0n ? -v : v).toString(prec ?? 10);
        if (c === 'X') s = s.toUpperCase();
        out += pad((v < 0n ? '-' : '') + prefix + s, width, padChar);
        break;
      }
      case 'i':
        next();
        break;
      default:
        throw new FormatError(`unknown control ~${c ?? ''}`);
    }
  }
  if (ai !== args.length) throw new FormatError('too many arguments');
  return out;
}
