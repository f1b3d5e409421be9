/** Distribution control operations (OTP dist.h `enum dop`), and the flags some of them carry. */
export const Dop = {
  LINK: 1,
  SEND: 2,
  EXIT: 3,
  UNLINK: 4, // obsolete: OTP 26+ drops the connection on it; never sent
  NODE_LINK: 5, // obsolete: every OTP drops the connection on it; never sent
  REG_SEND: 6,
  GROUP_LEADER: 7,
  EXIT2: 8,
  SEND_TT: 12,
  EXIT_TT: 13,
  REG_SEND_TT: 16,
  EXIT2_TT: 18,
  MONITOR_P: 19,
  DEMONITOR_P: 20,
  MONITOR_P_EXIT: 21,
  SEND_SENDER: 22,
  SEND_SENDER_TT: 23,
  PAYLOAD_EXIT: 24,
  PAYLOAD_EXIT_TT: 25,
  PAYLOAD_EXIT2: 26,
  PAYLOAD_EXIT2_TT: 27,
  PAYLOAD_MONITOR_P_EXIT: 28,
  SPAWN_REQUEST: 29,
  SPAWN_REQUEST_TT: 30,
  SPAWN_REPLY: 31,
  SPAWN_REPLY_TT: 32,
  ALIAS_SEND: 33, // deprecated in OTP 28, to go in 30; replaced by ALTACT_SIG_SEND
  ALIAS_SEND_TT: 34,
  UNLINK_ID: 35,
  UNLINK_ID_ACK: 36,
  ALTACT_SIG_SEND: 37, // OTP 28
} as const;

/** ALTACT_SIG_SEND flags (dist.h ERTS_DOP_ALTACT_SIG_FLG_*). */
export const AltactFlag = {
  PRIO: 1,
  TOKEN: 2,
  ALIAS: 4,
  NAME: 8,
  EXIT: 16,
} as const;

/** SPAWN_REPLY flags (dist.h ERTS_DIST_SPAWN_FLAG_*): what the spawning side set up. */
export const SpawnFlag = {
  LINK: 1,
  MONITOR: 2,
} as const;
