/**
 * LZW exactly as Go's compress/lzw writes and reads it with LSB bit order and 8-bit literals
 * (what ergo's lib.CompressLZW uses): codes 9 to 12 bits wide, packed least significant bit
 * first; code 256 clears the table, 257 ends the stream. The writer starts with a clear code,
 * widens a code after the code that fills the current width, and emits a clear code and starts
 * over when the next code would be 4095. Our writer makes the same choices, so our output is
 * byte-identical to Go's (the vectors check it), and our reader accepts exactly what Go's does.
 */

const CLEAR = 256;
const EOF = 257;
const MAX_WIDTH = 12;
/** The writer starts over when its next code would reach this (Go: maxCode = 1<<12 - 1). */
const MAX_CODE = 4095;
const TABLE_SIZE = 4 << 12;
const TABLE_MASK = TABLE_SIZE - 1;
const NO_CODE = 0xffff;

export class LzwError extends Error {}

/** Compress `src` (go: lzw.NewWriter(w, lzw.LSB, 8) + Write + Close). */
export function lzwCompress(src: Uint8Array): Uint8Array {
  // Worst case: 12 bits per input byte plus a few codes.
  let out = new Uint8Array(Math.ceil((src.length * 12) / 8) + 16);
  let o = 0;
  let bits = 0;
  let nBits = 0;
  let width = 9;
  let hi = EOF;
  let overflow = 512;
  // (prefix code << 8 | literal) << 12 | new code; 0 = empty slot (codes are ≥ 258).
  const table = new Uint32Array(TABLE_SIZE);

  const emit = (code: number): void => {
    bits |= code << nBits;
    nBits += width;
    while (nBits >= 8) {
      if (o === out.length) {
        const bigger = new Uint8Array(out.length * 2);
        bigger.set(out);
        out = bigger;
      }
      out[o++] = bits & 0xff;
      bits >>>= 8;
      nBits -= 8;
    }
  };
  /** Next code; true when the table was full and has just been cleared. */
  const incHi = (): boolean => {
    hi++;
    if (hi === overflow) {
      width++;
      overflow <<= 1;
    }
    if (hi === MAX_CODE) {
      emit(CLEAR);
      width = 9;
      hi = EOF;
      overflow = 512;
      table.fill(0);
      return true;
    }
    return false;
  };

  if (src.length === 0) {
    emit(CLEAR);
  } else {
    emit(CLEAR);
    let code = src[0]!;
    outer: for (let i = 1; i < src.length; i++) {
      const lit = src[i]!;
      const key = (code << 8) | lit;
      let h = ((key >>> 12) ^ key) & TABLE_MASK;
      for (let t = table[h]!; t !== 0; t = table[h]!) {
        if (t >>> 12 === key) {
          code = t & MAX_CODE;
          continue outer;
        }
        h = (h + 1) & TABLE_MASK;
      }
      emit(code);
      code = lit;
      if (incHi()) continue;
      // h is the first free slot after the key's hash.
      table[h] = ((key << 12) | hi) >>> 0;
    }
    emit(code);
    incHi();
  }
  emit(EOF);
  if (nBits > 0) {
    if (o === out.length) {
      const bigger = new Uint8Array(out.length + 1);
      bigger.set(out);
      out = bigger;
    }
    out[o++] = bits & 0xff;
  }
  return out.subarray(0, o);
}

/**
 * Inflate `src` into exactly `size` bytes (ergo lib.DecompressLZW + decompress): the stream must
 * end with the EOF code and produce exactly `size` bytes. Throws {@link LzwError} otherwise.
 */
export function lzwDecompress(src: Uint8Array, size: number): Uint8Array {
  const dst = new Uint8Array(size);
  let d = 0;
  let p = 0;
  let bits = 0;
  let nBits = 0;
  let width = 9;
  let hi = EOF;
  let overflow = 512;
  let last = NO_CODE;
  const suffix = new Uint8Array(1 << MAX_WIDTH);
  const prefix = new Uint16Array(1 << MAX_WIDTH);
  const stack = new Uint8Array(1 << MAX_WIDTH);

  for (;;) {
    while (nBits < width) {
      if (p >= src.length) throw new LzwError('lzw: unexpected end of stream');
      bits |= src[p++]! << nBits;
      nBits += 8;
    }
    const code = bits & ((1 << width) - 1);
    bits >>>= width;
    nBits -= width;

    if (code < CLEAR) {
      if (d >= size) throw new LzwError('lzw: output larger than declared');
      dst[d++] = code;
      if (last !== NO_CODE) {
        suffix[hi] = code;
        prefix[hi] = last;
      }
    } else if (code === CLEAR) {
      width = 9;
      hi = EOF;
      overflow = 512;
      last = NO_CODE;
      continue;
    } else if (code === EOF) {
      break;
    } else if (code <= hi) {
      // Build the string backwards in `stack`, then copy it out.
      let i = stack.length - 1;
      let c = code;
      if (code === hi && last !== NO_CODE) {
        // The code being defined right now: last's string plus its own first byte.
        c = last;
        while (c >= CLEAR) c = prefix[c]!;
        stack[i--] = c;
        c = last;
      }
      while (c >= CLEAR) {
        stack[i--] = suffix[c]!;
        c = prefix[c]!;
      }
      stack[i] = c;
      const n = stack.length - i;
      if (d + n > size) throw new LzwError('lzw: output larger than declared');
      dst.set(stack.subarray(i), d);
      d += n;
      if (last !== NO_CODE) {
        suffix[hi] = c;
        prefix[hi] = last;
      }
    } else {
      throw new LzwError('lzw: invalid code');
    }
    last = code;
    hi++;
    if (hi >= overflow) {
      if (width === MAX_WIDTH) {
        last = NO_CODE;
        hi--;
      } else {
        width++;
        overflow <<= 1;
      }
    }
  }
  if (d !== size) throw new LzwError('unpacked size mismatch');
  return dst;
}
