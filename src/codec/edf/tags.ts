/**
 * EDF type tags, spelled as Go's `edt*` constants in ergo net/edf/edf.go. A tag byte appears
 * only where the static type is dynamic (top level, `any` slots) and inside type folds.
 */
export const Edt = {
  /** 0x82: type header — u16 length + fold; precedes unregistered slices/arrays/maps. */
  Type: 0x82,
  /** 0x83: registered type (tag + REGREF), and the value marker of registered slices/maps. */
  Reg: 0x83,
  /** 0x84: `any`; only inside folds (Go tolerates `84` + a tagged value on decode). */
  Any: 0x84,
  Atom: 0x8c,
  String: 0x8d,
  Binary: 0x8e,
  Float32: 0x8f,
  Float64: 0x90,
  Bool: 0x91,
  Int8: 0x92,
  Int16: 0x93,
  Int32: 0x94,
  Int64: 0x95,
  /** 0x96: Go `int`, always 8 bytes, distinct from int64. */
  Int: 0x96,
  Uint8: 0x97,
  Uint16: 0x98,
  Uint32: 0x99,
  Uint64: 0x9a,
  /** 0x9b: Go `uint`, always 8 bytes, distinct from uint64. */
  Uint: 0x9b,
  Error: 0x9c,
  /** 0x9d: unregistered slice: fold byte, and the value marker of a non-nil slice. */
  Slice: 0x9d,
  /** 0x9e: unregistered array; only in folds (values carry no marker). */
  Array: 0x9e,
  /** 0x9f: unregistered map: fold byte, and the value marker of a non-nil map. */
  Map: 0x9f,
  PID: 0xaa,
  ProcessID: 0xab,
  Alias: 0xac,
  Event: 0xad,
  Ref: 0xae,
  Time: 0xaf,
  /** 0xff: nil (any slot, nil slice/map marker; `ff ff` is the nil error header). */
  Nil: 0xff,
} as const;

/** Thresholds of the three "length or cache id" u16 headers (ergo net/edf encode.go). */
export const Limit = {
  /** ATOMREF: 0..255 inline length, 256.. AtomCache id. */
  ATOM_INLINE_MAX: 255,
  /** REGREF: 0..4095 name length, 4096.. RegCache id. */
  REG_NAME_MAX: 4095,
  /** ERRHDR: 0..32767 inline length, 32768..65534 ErrCache id, 65535 nil. */
  ERR_INLINE_MAX: 32767,
  ERR_NIL: 0xffff,
  /** The u16 length's range; Go's encoder refuses longer strings (ErrStringTooLong) and our decoder reads up to this. */
  STRING_MAX: 65535,
  /**
   * What our encoder writes at most: Go's decoder fails above this (uint16 overflow in
   * decodeString), so longer strings are refused on encode; see proto-spec/edf.md.
   */
  STRING_GO_SAFE_MAX: 65533,
} as const;
