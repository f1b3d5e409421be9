import { ErgoError } from '../term/errors.js';

/**
 * Malformed or over-limit input. `offset` is where the offending item starts in the input
 * (after any framing the caller stripped), `tag` the tag byte being decoded there, if any.
 */
export class DecodeError extends ErgoError {
  readonly offset: number;
  readonly tag: number | undefined;
  constructor(code: string, message: string, offset: number, tag?: number, options?: { cause?: unknown }) {
    super(code, `${message} (at offset ${offset}${tag === undefined ? '' : `, tag ${tag}`})`, options);
    this.offset = offset;
    this.tag = tag;
  }
}

/** A value that has no encoding in the target format (NaN, a JS function, an Ergo ref in ETF, …). */
export class EncodeError extends ErgoError {
  readonly value: unknown;
  constructor(code: string, message: string, value?: unknown, options?: { cause?: unknown }) {
    super(code, message, options);
    this.value = value;
  }
}
