/**
 * Error catalogue of the Erlang distribution stack. Every failure carries a stable `code`;
 * switch on it, never on the message. A connection that fails is closed with one of these as
 * its reason; the node keeps running.
 *
 * | code | when |
 * |---|---|
 * | ERR_DIST_CLOSED | the peer closed the socket |
 * | ERR_DIST_SHUTDOWN | we closed the connection (`close()`, endpoint stopped, replaced) |
 * | ERR_DIST_SOCKET | a socket error (`cause` holds it) |
 * | ERR_DIST_TICK_TIMEOUT | nothing read for the whole tick window (net_ticktime) |
 * | ERR_DIST_PACKET_TOO_LARGE | a packet length over `maxPacketSize` |
 * | ERR_DIST_MESSAGE_TOO_LARGE | a fragmented message growing past `maxMessageSize` |
 * | ERR_DIST_BAD_HEADER | a distribution header OTP would refuse (version byte, kind, atom cache) |
 * | ERR_DIST_BAD_FRAMING | pass-through framing on a header connection, or the reverse |
 * | ERR_DIST_BAD_FRAGMENT | a fragment out of order, of an unknown sequence, or a reused sequence |
 * | ERR_DIST_TOO_MANY_SEQUENCES | more fragmented messages in flight than `maxSequences` |
 * | ERR_DIST_BAD_TERM | a control message or payload that is not valid ETF (`cause`: DecodeError) |
 * | ERR_DIST_TRAILING | bytes after the last term of a message |
 * | ERR_DIST_BAD_CONTROL | a control message that is not a known op with the right shape |
 * | ERR_DIST_FOREIGN_PID | a sender pid not of the peer's node, or a target not of ours |
 * | ERR_DIST_NO_ROUTE | no port for a node (EPMD said no, no static route) |
 * | ERR_DIST_CONNECT | the TCP/TLS connection could not be made |
 * | ERR_DIST_NOT_STARTED | the endpoint is not started or is stopping |
 * | ERR_HANDSHAKE_* | see {@link HandshakeError} |
 * | ERR_EPMD_* | see {@link EpmdError} |
 */
import { ErgoError } from '../../term/errors.js';

export const DistCode = {
  Closed: 'ERR_DIST_CLOSED',
  Shutdown: 'ERR_DIST_SHUTDOWN',
  Socket: 'ERR_DIST_SOCKET',
  TickTimeout: 'ERR_DIST_TICK_TIMEOUT',
  PacketTooLarge: 'ERR_DIST_PACKET_TOO_LARGE',
  MessageTooLarge: 'ERR_DIST_MESSAGE_TOO_LARGE',
  BadHeader: 'ERR_DIST_BAD_HEADER',
  BadFraming: 'ERR_DIST_BAD_FRAMING',
  BadFragment: 'ERR_DIST_BAD_FRAGMENT',
  TooManySequences: 'ERR_DIST_TOO_MANY_SEQUENCES',
  BadTerm: 'ERR_DIST_BAD_TERM',
  Trailing: 'ERR_DIST_TRAILING',
  BadControl: 'ERR_DIST_BAD_CONTROL',
  ForeignPid: 'ERR_DIST_FOREIGN_PID',
  NoRoute: 'ERR_DIST_NO_ROUTE',
  Connect: 'ERR_DIST_CONNECT',
  NotStarted: 'ERR_DIST_NOT_STARTED',
} as const;
export type DistCode = (typeof DistCode)[keyof typeof DistCode];

/** A distribution connection failed or was refused; `node` is the peer when known. */
export class DistError extends ErgoError {
  readonly node: string | undefined;
  constructor(code: string, message: string, options?: { cause?: unknown; node?: string }) {
    super(code, options?.node ? `${message} (node ${options.node})` : message, options);
    this.node = options?.node;
  }
}

export const HandshakeCode = {
  /** The handshake did not finish within the setup time. */
  Timeout: 'ERR_HANDSHAKE_TIMEOUT',
  /** The peer closed the socket during the handshake. */
  Closed: 'ERR_HANDSHAKE_CLOSED',
  /** A handshake message with the wrong tag, size or layout. */
  BadMessage: 'ERR_HANDSHAKE_BAD_MESSAGE',
  /** The peer's digest does not match: the cookies differ. */
  BadDigest: 'ERR_HANDSHAKE_BAD_DIGEST',
  /** Refused by policy: status `not_allowed`, or a node outside our allow list. */
  NotAllowed: 'ERR_HANDSHAKE_NOT_ALLOWED',
  /** The peer lacks flags we require (or we lack flags it requires). */
  Flags: 'ERR_HANDSHAKE_FLAGS',
  /** A node name that is malformed, or not the node we dialled. */
  BadName: 'ERR_HANDSHAKE_BAD_NAME',
  /** Status `nok`: a simultaneous connect that the other side's attempt won. */
  Nok: 'ERR_HANDSHAKE_NOK',
  /** Status `alive` answered `false`: the existing connection stays. */
  Alive: 'ERR_HANDSHAKE_ALIVE',
  /** A status we do not know. */
  Status: 'ERR_HANDSHAKE_STATUS',
  /** A simultaneous connect that our other attempt won (we answered `nok`). */
  Simultaneous: 'ERR_HANDSHAKE_SIMULTANEOUS',
} as const;
export type HandshakeCode = (typeof HandshakeCode)[keyof typeof HandshakeCode];

/** The handshake failed at `step` (OTP dist_util's step names: `recv_status`, `recv_challenge`, …). */
export class HandshakeError extends ErgoError {
  readonly step: string;
  readonly peer: string | undefined;
  constructor(code: HandshakeCode, step: string, message: string, options?: { cause?: unknown; peer?: string }) {
    super(code, `${step}: ${message}${options?.peer ? ` (peer ${options.peer})` : ''}`, options);
    this.step = step;
    this.peer = options?.peer;
  }
}

export const EpmdCode = {
  /** Nothing answers on the EPMD port. */
  Unreachable: 'ERR_EPMD_UNREACHABLE',
  /** ALIVE2 refused (result > 0): the name is taken or invalid. */
  Register: 'ERR_EPMD_REGISTER',
  /** PORT_PLEASE2 found no such node. */
  NotFound: 'ERR_EPMD_NOT_FOUND',
  /** A reply that is not what the protocol allows. */
  BadResponse: 'ERR_EPMD_BAD_RESPONSE',
  /** No reply in time. */
  Timeout: 'ERR_EPMD_TIMEOUT',
  /** The registration socket closed: the node is no longer registered. */
  Closed: 'ERR_EPMD_CLOSED',
} as const;
export type EpmdCode = (typeof EpmdCode)[keyof typeof EpmdCode];

export class EpmdError extends ErgoError {
  constructor(code: EpmdCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
