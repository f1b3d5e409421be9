/**
 * `decodeAsync`: like decode(), but a compressed term (`131, 80, …`) that inflates to
 * ASYNC_INFLATE_MIN bytes or more is inflated by node:zlib on libuv's thread pool, so the
 * event loop (other connections, timers) keeps running while it inflates. Everything else is
 * decoded at once. The result, errors and limits are exactly decode()'s.
 */
import { inflate } from 'node:zlib';
import type { Term } from '../../term/types.js';
import { DecodeError } from '../errors.js';
import { decode, EtfDecoder, type DecodeOptions } from './decode.js';
import { Tag } from './tags.js';

/** Declared inflated size from which decodeAsync inflates off the main thread (64 KiB). */
export const ASYNC_INFLATE_MIN = 64 * 1024;

export function decodeAsync(bytes: Uint8Array, opts?: DecodeOptions): Promise<Term> {
  if (opts?.versionByte === false || bytes.length < 6 || bytes[0] !== Tag.VERSION || bytes[1] !== Tag.COMPRESSED) {
    return settle(() => decode(bytes, opts));
  }
  const size = ((bytes[2]! << 24) | (bytes[3]! << 16) | (bytes[4]! << 8) | bytes[5]!) >>> 0;
  const max = opts?.maxBytes ?? 256 * 1024 * 1024;
  if (size < ASYNC_INFLATE_MIN || size > max || bytes.length > max) return settle(() => decode(bytes, opts));
  const zipped = bytes.subarray(6);
  return new Promise<Term>((resolve, reject) => {
    inflate(zipped, { maxOutputLength: size, info: true } as object, (err, res) => {
      if (err) {
        reject(new DecodeError('ERR_ETF_BAD_COMPRESSED', 'compressed term does not inflate', 1, Tag.COMPRESSED, { cause: err }));
        return;
      }
      const r = res as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      try {
        resolve(new EtfDecoder().decodeInflated(bytes, r.buffer, r.engine.bytesWritten, opts));
      } catch (e) {
        reject(e);
      }
    });
  });
}

function settle(f: () => Term): Promise<Term> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}
