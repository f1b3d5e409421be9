/**
 * Distribution capability flags, exchanged in the handshake as a 64-bit field. Values follow
 * OTP's dist.h / dist.hrl; they are bigints because bits 32 and above are in use.
 *
 * Note on MANDATORY_25_DIGEST: it is bit 26 (`0x4000000`). OTP 29's erl_dist_protocol.md says
 * `1 bsl 36`, which is wrong (bit 36 is the internal LOCAL_EXT flag); dist.h and the flags real
 * OTP 25–29 nodes send agree on bit 26.
 */
export const DFlag = {
  PUBLISHED: 0x1n,
  ATOM_CACHE: 0x2n,
  EXTENDED_REFERENCES: 0x4n,
  DIST_MONITOR: 0x8n,
  FUN_TAGS: 0x10n,
  DIST_MONITOR_NAME: 0x20n,
  HIDDEN_ATOM_CACHE: 0x40n,
  NEW_FUN_TAGS: 0x80n,
  EXTENDED_PIDS_PORTS: 0x100n,
  EXPORT_PTR_TAG: 0x200n,
  BIT_BINARIES: 0x400n,
  NEW_FLOATS: 0x800n,
  UNICODE_IO: 0x1000n,
  DIST_HDR_ATOM_CACHE: 0x2000n,
  SMALL_ATOM_TAGS: 0x4000n,
  UTF8_ATOMS: 0x10000n,
  MAP_TAG: 0x20000n,
  BIG_CREATION: 0x40000n,
  SEND_SENDER: 0x80000n,
  BIG_SEQTRACE_LABELS: 0x100000n,
  EXIT_PAYLOAD: 0x400000n,
  FRAGMENTS: 0x800000n,
  HANDSHAKE_23: 0x1000000n,
  UNLINK_ID: 0x2000000n,
  MANDATORY_25_DIGEST: 0x4000000n, // bit 26 (see above)
  SPAWN: 1n << 32n,
  NAME_ME: 1n << 33n,
  V4_NC: 1n << 34n,
  ALIAS: 1n << 35n,
  // bit 36 is LOCAL_EXT, internal to the BEAM, never on the wire
  ALTACT_SIG: 1n << 37n, // OTP 28
  NATIVE_RECORDS: 1n << 38n, // OTP 29 (EEP 79)
} as const;

/** What OTP 25 refuses a peer without (dist.hrl MANDATORY_DFLAGS_25) = 0x1070F94. */
export const MANDATORY_25 =
  DFlag.EXTENDED_REFERENCES |
  DFlag.FUN_TAGS |
  DFlag.EXTENDED_PIDS_PORTS |
  DFlag.UTF8_ATOMS |
  DFlag.NEW_FUN_TAGS |
  DFlag.BIG_CREATION |
  DFlag.NEW_FLOATS |
  DFlag.MAP_TAG |
  DFlag.EXPORT_PTR_TAG |
  DFlag.BIT_BINARIES |
  DFlag.HANDSHAKE_23;

/** What OTP 26–29 refuse a peer without = 0x403070F94 (nothing was added after 26). */
export const MANDATORY_26 = MANDATORY_25 | DFlag.V4_NC | DFlag.UNLINK_ID;

/**
 * The flags OTP 25–27 offer (`erts_internal:get_dflags()` default, 0xD07DF7FBC), without
 * PUBLISHED, which is added per connection unless the node is hidden.
 */
export const OTP_DEFAULT =
  MANDATORY_26 |
  DFlag.DIST_MONITOR |
  DFlag.DIST_MONITOR_NAME |
  DFlag.UNICODE_IO |
  DFlag.DIST_HDR_ATOM_CACHE |
  DFlag.SMALL_ATOM_TAGS |
  DFlag.SEND_SENDER |
  DFlag.BIG_SEQTRACE_LABELS |
  DFlag.EXIT_PAYLOAD |
  DFlag.FRAGMENTS |
  DFlag.MANDATORY_25_DIGEST |
  DFlag.SPAWN |
  DFlag.ALIAS;

/** What we offer by default: OTP's set plus ALTACT_SIG (op 37 is implemented both ways). */
export const DEFAULT_FLAGS = OTP_DEFAULT | DFlag.ALTACT_SIG;

/**
 * The only flags a node may leave out of OTP's set without being refused (dist.c rejectable):
 * the atom-cache header and fragments change the framing, not the meaning.
 */
export const REJECTABLE = DFlag.DIST_HDR_ATOM_CACHE | DFlag.HIDDEN_ATOM_CACHE | DFlag.FRAGMENTS | DFlag.ATOM_CACHE;

/** OTP dist_util: expand_mandatory_25_flag — the digest bit stands for all eleven OTP 25 bits. */
export function expandMandatory25(flags: bigint): bigint {
  return (flags & DFlag.MANDATORY_25_DIGEST) !== 0n ? flags | MANDATORY_25 : flags;
}

const names = new Map<bigint, string>(Object.entries(DFlag).map(([k, v]) => [v, k]));

/** The names of the flags in `mask` (unknown bits as hex), lowest bit first. */
export function flagNames(mask: bigint): string[] {
  const out: string[] = [];
  for (let bit = 1n; mask !== 0n && bit <= 1n << 63n; bit <<= 1n) {
    if ((mask & bit) === 0n) continue;
    out.push(names.get(bit) ?? `0x${bit.toString(16)}`);
    mask &= ~bit;
  }
  return out;
}

/** `required` bits missing from `flags`. */
export function missingFlags(flags: bigint, required: bigint): bigint {
  return required & ~flags;
}
