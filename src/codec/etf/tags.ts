/** ETF tag bytes, spelled as OTP's erl_ext_dist names them. */
export const Tag = {
  VERSION: 131, // 0x83
  RECORD_EXT: 67, // 0x43, OTP 29 native records (EEP 79)
  DIST_HEADER: 68, // 0x44 'D'
  DIST_FRAG_HEADER: 69, // 0x45
  DIST_FRAG_CONT: 70, // 0x46, shares its byte with NEW_FLOAT_EXT; only after 131
  NEW_FLOAT_EXT: 70, // 0x46
  BIT_BINARY_EXT: 77, // 0x4d
  COMPRESSED: 80, // 0x50
  ATOM_CACHE_REF: 82, // 0x52
  NEW_PID_EXT: 88, // 0x58
  NEW_PORT_EXT: 89, // 0x59
  NEWER_REFERENCE_EXT: 90, // 0x5a
  SMALL_INTEGER_EXT: 97, // 0x61
  INTEGER_EXT: 98, // 0x62
  FLOAT_EXT: 99, // 0x63
  ATOM_EXT: 100, // 0x64
  REFERENCE_EXT: 101, // 0x65
  PORT_EXT: 102, // 0x66
  PID_EXT: 103, // 0x67
  SMALL_TUPLE_EXT: 104, // 0x68
  LARGE_TUPLE_EXT: 105, // 0x69
  NIL_EXT: 106, // 0x6a
  STRING_EXT: 107, // 0x6b
  LIST_EXT: 108, // 0x6c
  BINARY_EXT: 109, // 0x6d
  SMALL_BIG_EXT: 110, // 0x6e
  LARGE_BIG_EXT: 111, // 0x6f
  NEW_FUN_EXT: 112, // 0x70
  EXPORT_EXT: 113, // 0x71
  NEW_REFERENCE_EXT: 114, // 0x72
  SMALL_ATOM_EXT: 115, // 0x73
  MAP_EXT: 116, // 0x74
  FUN_EXT: 117, // 0x75, removed in OTP 23
  ATOM_UTF8_EXT: 118, // 0x76
  SMALL_ATOM_UTF8_EXT: 119, // 0x77
  V4_PORT_EXT: 120, // 0x78
  LOCAL_EXT: 121, // 0x79
} as const;
