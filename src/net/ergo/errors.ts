/**
 * Errors of the Ergo network stack. Every failure carries a stable `code` from
 * {@link ErgoNetCode}; switch on it. Hostile or broken input from a peer never throws out of
 * a socket callback: it becomes one of these, the offending link is closed, and the handler's
 * `linkError` hears about it.
 */
import { EdfError, GoErr } from '../../codec/edf/index.js';
import { ErgoError } from '../../term/errors.js';

/** Stable codes. Never rename; add new ones at the end. */
export const ErgoNetCode = {
  // -- framing (a frame the peer sent cannot be read; the link is closed)
  /** Byte 0 is not 0x4E (ENP) / 0x57 (handshake). */
  BadMagic: 'ERR_ERGO_BAD_MAGIC',
  /** Byte 1 is not 1. */
  BadVersion: 'ERR_ERGO_BAD_VERSION',
  /** The length field is below the header size or inconsistent with the bytes. */
  BadLength: 'ERR_ERGO_BAD_LENGTH',
  /** A frame over our MaxMessageSize (or a handshake frame over 65535 bytes). */
  FrameTooLarge: 'ERR_ERGO_FRAME_TOO_LARGE',
  /** Too short for its message type. */
  Truncated: 'ERR_ERGO_TRUNCATED',
  /** A message type id we do not know (including the reserved 201–203). */
  UnknownType: 'ERR_ERGO_UNKNOWN_TYPE',
  /** The EDF payload could not be decoded (cause: the DecodeError). */
  BadPayload: 'ERR_ERGO_BAD_PAYLOAD',
  /** A payload of the wrong kind for its frame (e.g. an exit reason that is not an error). */
  UnexpectedPayload: 'ERR_ERGO_UNEXPECTED_PAYLOAD',
  /** A header atom id the peer never announced. */
  UnknownCacheId: 'ERR_ERGO_UNKNOWN_CACHE_ID',
  /** A compressed frame that does not inflate to its declared size, or an unknown algorithm. */
  BadCompression: 'ERR_ERGO_BAD_COMPRESSION',
  /** The inflated size is over our limit. */
  DecompressedTooLarge: 'ERR_ERGO_DECOMPRESSED_TOO_LARGE',
  /** A 130 frame with a code other than 0, 1, 2, 3 or 255. */
  BadResponseCode: 'ERR_ERGO_BAD_RESPONSE_CODE',

  // -- handshake
  /** The peer's digest does not match our cookie (wrong cookie, or a forged peer). */
  BadDigest: 'ERR_ERGO_BAD_DIGEST',
  /** The TLS certificate digest does not match the certificate we see. */
  BadCertDigest: 'ERR_ERGO_BAD_CERT_DIGEST',
  /** A handshake message of the wrong type at this step, or undecodable. */
  BadHandshake: 'ERR_ERGO_BAD_HANDSHAKE',
  /** The peer introduced itself with our own name, or not with the name we dialed. */
  BadPeerName: 'ERR_ERGO_BAD_PEER_NAME',
  /** The peer's Introduce carries creation 0 or another value Go refuses. */
  BadIntroduce: 'ERR_ERGO_BAD_INTRODUCE',
  /** A handshake step did not complete in time. */
  HandshakeTimeout: 'ERR_ERGO_HANDSHAKE_TIMEOUT',
  /** A Join for a connection we do not have, with the wrong id, or over the pool size. */
  JoinRefused: 'ERR_ERGO_JOIN_REFUSED',

  // -- connection and links
  /** The socket closed (EOF, reset) before or during use. */
  LinkClosed: 'ERR_ERGO_LINK_CLOSED',
  /** The connection has no links left, or was terminated. */
  NoConnection: 'ERR_ERGO_NO_CONNECTION',
  /** The frame would exceed the peer's MaxMessageSize or 4 GiB (Go: gen.ErrTooLarge). */
  TooLarge: 'ERR_ERGO_TOO_LARGE',
  /** Our outgoing queue toward this peer is over its limit: the peer is not reading. */
  Busy: 'ERR_ERGO_BUSY',
  /** The peer did not announce what this needs (important delivery, remote spawn…). */
  Unsupported: 'ERR_ERGO_UNSUPPORTED',
  /** The peer's flags refuse it (remote spawn / application start disabled). */
  NotAllowed: 'ERR_ERGO_NOT_ALLOWED',
  /** A PID/alias of another incarnation (creation) of the peer. */
  Incarnation: 'ERR_ERGO_INCARNATION',
  /** A name or event name over 255 bytes (Go: "process name too long"). */
  NameTooLong: 'ERR_ERGO_NAME_TOO_LONG',
  /** The payload could not be encoded (cause: the EncodeError). */
  Encode: 'ERR_ERGO_ENCODE',
  /** A request (link, monitor, spawn, application start, important send) got no answer in time. */
  Timeout: 'ERR_ERGO_TIMEOUT',
  /** The peer answered a request with an error; `remote` holds it. */
  Remote: 'ERR_ERGO_REMOTE',
  /** The peer answered with something other than what the request needs. */
  Malformed: 'ERR_ERGO_MALFORMED',

  // -- registrar and routing
  /** The registrar refused the name: another node holds it (Go: gen.ErrTaken). */
  NameTaken: 'ERR_ERGO_NAME_TAKEN',
  /** The registrar does not know the node (Go: gen.ErrUnknown "unknown"). */
  NodeUnknown: 'ERR_ERGO_NODE_UNKNOWN',
  /** A node name without a host part, or with two '@'. */
  BadNodeName: 'ERR_ERGO_BAD_NODE_NAME',
  /** A registrar packet we cannot read. */
  BadRegistrarPacket: 'ERR_ERGO_BAD_REGISTRAR_PACKET',
  /** The registrar did not answer in time. */
  RegistrarTimeout: 'ERR_ERGO_REGISTRAR_TIMEOUT',
  /** No static route, no registrar answer, and no way to reach the node. */
  NoRoute: 'ERR_ERGO_NO_ROUTE',
  /** The route names a handshake or protocol other than EHS:R1 / ENP:R1. */
  UnsupportedRoute: 'ERR_ERGO_UNSUPPORTED_ROUTE',
  /** No acceptor port could be bound in the configured range. */
  NoPort: 'ERR_ERGO_NO_PORT',
  /** The stack is stopped. */
  Stopped: 'ERR_ERGO_STOPPED',
} as const;
export type ErgoNetCode = (typeof ErgoNetCode)[keyof typeof ErgoNetCode];

/** Every error of this stack. */
export class ErgoNetError extends ErgoError {
  declare readonly code: ErgoNetCode;
  constructor(code: ErgoNetCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A frame that cannot be read: where it was and what it claimed to be. */
export class FrameError extends ErgoNetError {
  constructor(
    code: ErgoNetCode,
    message: string,
    /** Offset inside the frame. */
    readonly offset: number,
    /** The frame's type byte, if it got that far. */
    readonly type?: number,
    options?: { cause?: unknown },
  ) {
    super(code, `${message} (type ${type ?? '?'}, offset ${offset})`, options);
  }
}

/** A failed handshake step. `step` names it like ergo's messages: hello, introduce, accept, join. */
export class HandshakeError extends ErgoNetError {
  constructor(
    code: ErgoNetCode,
    message: string,
    readonly step: string,
    readonly peer?: string,
    options?: { cause?: unknown },
  ) {
    super(code, `handshake ${step}${peer ? ` with ${peer}` : ''}: ${message}`, options);
  }
}

/** A request the peer answered with an error: `remote` is the error it sent (an EDF error). */
export class RemoteError extends ErgoNetError {
  constructor(
    readonly remote: EdfError,
    what: string,
  ) {
    super(ErgoNetCode.Remote, `${what}: ${remote.message}`);
  }
}

/**
 * Delivery errors a receiving handler returns, and what a peer's 130 codes 1–3 decode to. The
 * first two and `ProcessTerminated` are Go's own error texts; `MailboxFull` is not in Go's
 * EDF error table (it travels only as code 2), so it is ours.
 */
export const DeliveryErr = {
  ProcessUnknown: GoErr.ProcessUnknown,
  MailboxFull: new EdfError('process mailbox is full'),
  ProcessTerminated: GoErr.ProcessTerminated,
} as const;

export const mkErr = (code: ErgoNetCode, message: string, cause?: unknown): ErgoNetError =>
  new ErgoNetError(code, message, cause === undefined ? undefined : { cause });
