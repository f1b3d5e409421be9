/**
 * Wire constants of Ergo Framework 3.x networking (registrar "ESRD" R1, handshake "EHS" R1,
 * protocol "ENP" R1), spelled as in ergo's net/registrar, net/handshake and net/proto. See
 * proto-spec/ergo-network.md for what each one means on the wire.
 */

/** Registrar packet header (ergo net/registrar/types.go). No magic byte; u16 EDF length. */
export const Esrd = {
  /** protoVersion, byte 0 of every registrar packet. */
  VERSION: 1,
  /** 0x2c: node → server over TCP, MessageRegisterRoutes. */
  REGISTER: 44,
  /** 0x2d: server → node over TCP, MessageRegisterReply. */
  REGISTER_REPLY: 45,
  /** 0x2e: anyone → server over UDP, MessageResolveRoutes. */
  RESOLVE: 46,
  /** 0x2f: server → requester over UDP, MessageResolveReply. */
  RESOLVE_REPLY: 47,
  /** Registrar port for TCP registration, UDP resolve, and the UDP port asked on other hosts. */
  DEFAULT_PORT: 4499,
} as const;

/** Handshake frame header (ergo net/handshake/types.go). */
export const Ehs = {
  /** 0x57 */
  MAGIC: 87,
  VERSION: 1,
  /** magic, version, u32 length of the EDF part (header not counted). */
  HEADER: 6,
  /** Go refuses a longer EDF part ("too long handshake message"). */
  MAX_BODY: 65535,
  /** The acceptor's pool size when none is configured (ergo handshake.defaultPoolSize). */
  DEFAULT_POOL_SIZE: 3,
} as const;

/** ENP frame header (ergo net/proto/types.go). */
export const Enp = {
  /** 0x4e */
  MAGIC: 78,
  VERSION: 1,
  /** magic, version, u32 total length (header included), order byte, type byte. */
  HEADER: 8,
} as const;

/** ENP message types (byte 7), ergo's protoMessage* / protoRequest* constants. */
export const EnpType = {
  MessagePID: 101,
  MessageName: 102,
  MessageNameCache: 103,
  MessageAlias: 104,
  MessageEvent: 105,
  MessageEventCache: 106,
  MessageExit: 107,
  RequestPID: 121,
  RequestName: 122,
  RequestNameCache: 123,
  RequestAlias: 124,
  MessageResponse: 129,
  MessageResponseError: 130,
  TerminatePID: 181,
  TerminateName: 182,
  TerminateNameCache: 183,
  TerminateAlias: 184,
  TerminateEvent: 185,
  TerminateEventCache: 186,
  MessageAny: 199,
  /** Compressed wrapper around a whole inner frame. */
  MessageZ: 200,
  /** Reserved by ergo (encrypted / fragmented / proxy); never implemented there. */
  MessageE: 201,
  MessageF: 202,
  MessageP: 203,
} as const;
export type EnpType = (typeof EnpType)[keyof typeof EnpType];

/** Byte 16 of 101–104 and 121–124: priority in bits 0–1, important delivery in bit 7. */
export const EnpFlag = {
  PRIORITY_MASK: 0x03,
  IMPORTANT: 0x80,
} as const;

/** gen.MessagePriority */
export const Priority = { Normal: 0, High: 1, Max: 2 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

/** The `code` byte of MessageResponseError (ergo SendResponseError). */
export const ResponseCode = {
  OK: 0,
  ProcessUnknown: 1,
  MailboxFull: 2,
  ProcessTerminated: 3,
  /** Any other error; an EDF error value follows the code byte. */
  Other: 255,
} as const;

/** Compression type ids of MessageZ (gen.CompressionType.ID()). */
export const CompressionId = {
  LZW: 100,
  ZLIB: 101,
  GZIP: 102,
} as const;
export type CompressionType = 'gzip' | 'zlib' | 'lzw';

/** Defaults from ergo gen/default.go and friends. */
export const Defaults = {
  /** gen.DefaultPort: the first acceptor port tried. */
  ACCEPTOR_PORT: 11144,
  /** node/network.go startAcceptor: ports are tried up to here when no end is given. */
  ACCEPTOR_PORT_END: 50000,
  /** gen.DefaultRequestTimeout (seconds in Go): link/monitor/spawn/app start, important acks. */
  REQUEST_TIMEOUT_MS: 5000,
  /** Go's handshake read deadline, renewed before each read. */
  HANDSHAKE_READ_TIMEOUT_MS: 1000,
  /** net.Dialer timeout in node/network.go connect. */
  DIAL_TIMEOUT_MS: 3000,
  /** gen.DefaultKeepAlivePeriod for node links. */
  KEEPALIVE_MS: 15000,
  /** registrar defaultKeepAlive for the registration socket. */
  REGISTRAR_KEEPALIVE_MS: 3000,
  /** registrar client Resolve waits this long for the one UDP answer. */
  RESOLVE_TIMEOUT_MS: 3000,
  /** gen.DefaultCompressionThreshold; ergo refuses to go below it. */
  COMPRESSION_THRESHOLD: 1024,
} as const;

/** The versions a route announces; Go picks its handshake/proto implementation by `Name:Release`. */
export const HANDSHAKE_VERSION = { Name: 'EHS', Release: 'R1', Commit: '', License: 'MIT' } as const;
export const PROTO_VERSION = { Name: 'ENP', Release: 'R1', Commit: '', License: 'MIT' } as const;
export const REGISTRAR_VERSION = { Name: 'ESRD', Release: 'R1', Commit: '', License: 'MIT' } as const;
