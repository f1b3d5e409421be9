/**
 * Measures a term without building it: the byte length of the term at `offset`, or -1 when
 * the bytes end before it does ("need more" is a return value). Malformed structure still
 * throws `DecodeError`. Used to frame self-delimited term streams and to find where a dist
 * message's payload starts without decoding the payload.
 */
import { DecodeError } from '../errors.js';
import { Tag } from './tags.js';

const NEED_MORE = -1;

export function termLength(b: Uint8Array, offset: number, end = b.length, maxDepth = 20_000): number {
  // An explicit stack of "terms still to skip" counts, so nesting costs no JS stack.
  const pending: number[] = [1];
  let p = offset;
  while (pending.length > 0) {
    const top = pending.length - 1;
    if (pending[top] === 0) {
      pending.pop();
      continue;
    }
    pending[top]!--;
    if (p >= end) return NEED_MORE;
    const at = p;
    const tag = b[p++]!;
    const avail = end - p;
    switch (tag) {
      case Tag.SMALL_INTEGER_EXT:
      case Tag.ATOM_CACHE_REF:
        if (avail < 1) return NEED_MORE;
        p += 1;
        break;
      case Tag.INTEGER_EXT:
        if (avail < 4) return NEED_MORE;
        p += 4;
        break;
      case Tag.NEW_FLOAT_EXT:
        if (avail < 8) return NEED_MORE;
        p += 8;
        break;
      case Tag.FLOAT_EXT:
        if (avail < 31) return NEED_MORE;
        p += 31;
        break;
      case Tag.NIL_EXT:
        break;
      case Tag.SMALL_ATOM_EXT:
      case Tag.SMALL_ATOM_UTF8_EXT:
        if (avail < 1) return NEED_MORE;
        p += 1 + b[p]!;
        break;
      case Tag.ATOM_EXT:
      case Tag.ATOM_UTF8_EXT:
      case Tag.STRING_EXT:
        if (avail < 2) return NEED_MORE;
        p += 2 + ((b[p]! << 8) | b[p + 1]!);
        break;
      case Tag.BINARY_EXT:
        if (avail < 4) return NEED_MORE;
        p += 4 + u32(b, p);
        break;
      case Tag.BIT_BINARY_EXT:
        if (avail < 5) return NEED_MORE;
        p += 5 + u32(b, p);
        break;
      case Tag.SMALL_BIG_EXT:
        if (avail < 1) return NEED_MORE;
        p += 2 + b[p]!;
        break;
      case Tag.LARGE_BIG_EXT:
        if (avail < 4) return NEED_MORE;
        p += 5 + u32(b, p);
        break;
      case Tag.SMALL_TUPLE_EXT:
        if (avail < 1) return NEED_MORE;
        push(pending, b[p]!, maxDepth, at, tag);
        p += 1;
        break;
      case Tag.LARGE_TUPLE_EXT:
        if (avail < 4) return NEED_MORE;
        push(pending, u32(b, p), maxDepth, at, tag);
        p += 4;
        break;
      case Tag.LIST_EXT:
        if (avail < 4) return NEED_MORE;
        push(pending, u32(b, p) + 1, maxDepth, at, tag); // elements and the tail
        p += 4;
        break;
      case Tag.MAP_EXT:
        if (avail < 4) return NEED_MORE;
        push(pending, u32(b, p) * 2, maxDepth, at, tag);
        p += 4;
        break;
      case Tag.NEW_PID_EXT:
        p = fixedAfterNode(b, p, end, 12);
        break;
      case Tag.PID_EXT:
        p = fixedAfterNode(b, p, end, 9);
        break;
      case Tag.NEW_PORT_EXT:
        p = fixedAfterNode(b, p, end, 8);
        break;
      case Tag.PORT_EXT:
        p = fixedAfterNode(b, p, end, 5);
        break;
      case Tag.V4_PORT_EXT:
        p = fixedAfterNode(b, p, end, 12);
        break;
      case Tag.REFERENCE_EXT:
        p = fixedAfterNode(b, p, end, 5);
        break;
      case Tag.NEWER_REFERENCE_EXT:
      case Tag.NEW_REFERENCE_EXT: {
        if (avail < 2) return NEED_MORE;
        const n = (b[p]! << 8) | b[p + 1]!;
        p = fixedAfterNode(b, p + 2, end, (tag === Tag.NEWER_REFERENCE_EXT ? 4 : 1) + 4 * n);
        break;
      }
      case Tag.EXPORT_EXT:
        push(pending, 3, maxDepth, at, tag);
        break;
      case Tag.NEW_FUN_EXT:
        if (avail < 4) return NEED_MORE;
        p = at + 1 + u32(b, p);
        break;
      case Tag.LOCAL_EXT:
        p = end;
        break;
      default:
        throw new DecodeError('ERR_ETF_UNKNOWN_TAG', `unknown tag ${tag}`, at, tag);
    }
    if (p > end) return NEED_MORE;
  }
  return p - offset;
}

/**
 * Pid/port/ref bodies are "node atom, then N fixed bytes". The atom is skipped inline (it is
 * never nested), then the fixed part.
 */
function fixedAfterNode(b: Uint8Array, p: number, end: number, fixed: number): number {
  if (p >= end) return end + 1;
  const tag = b[p]!;
  let q = p + 1;
  switch (tag) {
    case Tag.ATOM_CACHE_REF:
      q += 1;
      break;
    case Tag.SMALL_ATOM_EXT:
    case Tag.SMALL_ATOM_UTF8_EXT:
      if (q >= end) return end + 1;
      q += 1 + b[q]!;
      break;
    case Tag.ATOM_EXT:
    case Tag.ATOM_UTF8_EXT:
      if (q + 2 > end) return end + 1;
      q += 2 + ((b[q]! << 8) | b[q + 1]!);
      break;
    default:
      throw new DecodeError('ERR_ETF_EXPECTED_ATOM', 'an atom was expected', p, tag);
  }
  return q + fixed;
}

function push(pending: number[], n: number, maxDepth: number, at: number, tag: number): void {
  if (pending.length >= maxDepth) throw new DecodeError('ERR_ETF_TOO_DEEP', `nesting deeper than ${maxDepth}`, at, tag);
  if (n > 0) pending.push(n);
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}
