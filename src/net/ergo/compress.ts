/**
 * The three algorithms of ENP's MessageZ (ergo lib/compress.go): gzip and zlib through
 * node:zlib, LZW through ./lzw.ts. Go's readers accept any conforming gzip/zlib stream, so our
 * deflate output need not equal Go's; LZW output does equal Go's.
 */
import { deflateSync, gunzipSync, gzipSync, inflateSync, constants as zc } from 'node:zlib';
import { CompressionId, type CompressionType } from './constants.js';
import { lzwCompress, lzwDecompress } from './lzw.js';

/** gen.CompressionLevel: 0 default, 1 best speed, 2 best size (what ergo maps them to). */
export type CompressionLevel = 0 | 1 | 2;

export function compressionId(t: CompressionType): number {
  return t === 'zlib' ? CompressionId.ZLIB : t === 'lzw' ? CompressionId.LZW : CompressionId.GZIP;
}

function zlevel(level: CompressionLevel): number {
  return level === 1 ? zc.Z_BEST_SPEED : level === 2 ? zc.Z_BEST_COMPRESSION : zc.Z_DEFAULT_COMPRESSION;
}

/** Compress a whole inner frame. Go applies the level to gzip only; so do we. */
export function compressFrame(type: CompressionType, frame: Uint8Array, level: CompressionLevel = 0): Uint8Array {
  switch (type) {
    case 'lzw':
      return lzwCompress(frame);
    case 'zlib':
      return deflateSync(frame);
    default:
      return gzipSync(frame, { level: zlevel(level) });
  }
}

/**
 * Inflate to exactly `size` bytes, or throw (Go: "unpacked size mismatch", "dst buffer too
 * small"). The caller has already checked `size` against its limit.
 */
export function decompressFrame(id: number, data: Uint8Array, size: number): Uint8Array {
  let out: Uint8Array;
  switch (id) {
    case CompressionId.LZW:
      return lzwDecompress(data, size);
    case CompressionId.ZLIB:
      // One byte of slack, so "more than declared" is seen as a size mismatch, not a cut stream.
      out = inflateSync(data, { maxOutputLength: size + 1 });
      break;
    case CompressionId.GZIP:
      out = gunzipSync(data, { maxOutputLength: size + 1 });
      break;
    default:
      throw new Error(`unknown compression type ${id}`);
  }
  if (out.length !== size) throw new Error('unpacked size mismatch');
  return out;
}
