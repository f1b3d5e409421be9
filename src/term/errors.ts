/**
 * The root of every error ergo-ts throws. `code` is stable across releases and is what
 * callers should switch on; `message` is for people. Subclasses live with the layer that
 * raises them (codec: DecodeError/EncodeError; net: HandshakeError, ConnectionError; …).
 */
export class ErgoError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
