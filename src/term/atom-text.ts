/**
 * Atom text and bytes: UTF-8 both ways, with bytes that are not valid UTF-8 kept as lone
 * surrogates U+DC00 + byte in the name (see atom.ts), and the code point count OTP limits.
 */
const textEncoder = new TextEncoder();

/** The string of `n` bytes < 0x80 at `b[p]`. */
export function asciiText(b: Uint8Array, p: number, n: number): string {
  if (n <= 12) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(b[p + i]!);
    return s;
  }
  return String.fromCharCode.apply(null, b.subarray(p, p + n) as unknown as number[]);
}

/** The number of code points of `s` (OTP limits atoms to 255). */
export function countCodePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Whether `s` holds a lone surrogate U+DC80–U+DCFF standing for a raw byte. */
export function hasEscapes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff) {
      const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
      if (!(prev >= 0xd800 && prev <= 0xdbff)) return true;
    }
  }
  return false;
}

/** UTF-8 of `s`, with lone surrogates U+DC80–U+DCFF written as the raw byte they stand for. */
export function toBytes(s: string): Uint8Array {
  if (!hasEscapes(s)) return textEncoder.encode(s);
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) {
      out.push(c & 0xff);
      continue;
    }
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    for (const b of textEncoder.encode(String.fromCodePoint(cp))) out.push(b);
  }
  return Uint8Array.from(out);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text of `bytes`: UTF-8 where valid, each byte of an invalid sequence as U+DC00 + byte. */
export function fromBytes(b: Uint8Array): string {
  try {
    return strictUtf8.decode(b);
  } catch {
    // fall through: decode sequence by sequence
  }
  let s = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n === 1) {
      s += String.fromCharCode(c);
      i++;
      continue;
    }
    if (n > 0 && i + n <= b.length) {
      try {
        s += strictUtf8.decode(b.subarray(i, i + n));
        i += n;
        continue;
      } catch {
        // invalid sequence: escape its first byte
      }
    }
    s += String.fromCharCode(0xdc00 + c);
    i++;
  }
  return s;
}
