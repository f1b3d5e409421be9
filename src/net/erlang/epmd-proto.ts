/**
 * EPMD wire format (OTP erl_dist_protocol.md "EPMD Protocol"; epmd_srv.c). Requests carry a
 * 2-byte big-endian length; replies carry none. Pure functions over bytes, no sockets.
 */
export const EpmdOp = {
  ALIVE2_REQ: 120, // 'x'
  ALIVE2_RESP: 121, // 'y', 16-bit creation (registrant's HighestVersion < 6)
  ALIVE2_X_RESP: 118, // 'v', 32-bit creation
  PORT_PLEASE2_REQ: 122, // 'z'
  PORT2_RESP: 119, // 'w'
  NAMES_REQ: 110, // 'n'
  DUMP_REQ: 100, // 'd'
  KILL_REQ: 107, // 'k'
  STOP_REQ: 115, // 's'
} as const;

/** NodeType in ALIVE2: informational only, visibility is decided by the handshake flags. */
export const NodeType = { NORMAL: 77, HIDDEN: 72 } as const;

export interface NodeEntry {
  /** The alive part of the node name (before `@`). */
  name: string;
  port: number;
  nodeType: number;
  protocol: number;
  highVersion: number;
  lowVersion: number;
  extra: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function withLength(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + body.length);
  out[0] = body.length >>> 8;
  out[1] = body.length & 0xff;
  out.set(body, 2);
  return out;
}

export function encodeAlive2Req(e: NodeEntry): Uint8Array {
  const name = enc.encode(e.name);
  const body = new Uint8Array(13 + name.length + e.extra.length);
  const v = new DataView(body.buffer);
  body[0] = EpmdOp.ALIVE2_REQ;
  v.setUint16(1, e.port);
  body[3] = e.nodeType;
  body[4] = e.protocol;
  v.setUint16(5, e.highVersion);
  v.setUint16(7, e.lowVersion);
  v.setUint16(9, name.length);
  body.set(name, 11);
  v.setUint16(11 + name.length, e.extra.length);
  body.set(e.extra, 13 + name.length);
  return withLength(body);
}

export function encodePortPlease2Req(name: string): Uint8Array {
  const n = enc.encode(name);
  const body = new Uint8Array(1 + n.length);
  body[0] = EpmdOp.PORT_PLEASE2_REQ;
  body.set(n, 1);
  return withLength(body);
}

export function encodeNamesReq(): Uint8Array {
  return withLength(Uint8Array.of(EpmdOp.NAMES_REQ));
}

export type Alive2Resp = { result: number; creation: number; extended: boolean };

/** ALIVE2_X_RESP / ALIVE2_RESP; `undefined` while more bytes are needed; throws on garbage. */
export function decodeAlive2Resp(b: Uint8Array): Alive2Resp | undefined {
  if (b.length < 1) return undefined;
  if (b[0] === EpmdOp.ALIVE2_X_RESP) {
    if (b.length < 6) return undefined;
    return { result: b[1]!, creation: ((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0, extended: true };
  }
  if (b[0] === EpmdOp.ALIVE2_RESP) {
    if (b.length < 4) return undefined;
    return { result: b[1]!, creation: (b[2]! << 8) | b[3]!, extended: false };
  }
  throw new RangeError(`unexpected ALIVE2 reply tag ${b[0]}`);
}

/** PORT2_RESP: `{result}` on failure, the whole entry on success; `undefined` if incomplete. */
export function decodePort2Resp(b: Uint8Array): { result: number; entry?: NodeEntry } | undefined {
  if (b.length < 2) return undefined;
  if (b[0] !== EpmdOp.PORT2_RESP) throw new RangeError(`unexpected PORT2 reply tag ${b[0]}`);
  if (b[1] !== 0) return { result: b[1]! };
  if (b.length < 12) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const nlen = v.getUint16(10);
  if (b.length < 14 + nlen) return undefined;
  const elen = v.getUint16(12 + nlen);
  if (b.length < 14 + nlen + elen) return undefined;
  return {
    result: 0,
    entry: {
      port: v.getUint16(2),
      nodeType: b[4]!,
      protocol: b[5]!,
      highVersion: v.getUint16(6),
      lowVersion: v.getUint16(8),
      name: dec.decode(b.subarray(12, 12 + nlen)),
      extra: b.slice(14 + nlen, 14 + nlen + elen),
    },
  };
}

/** NAMES reply (complete, read until close): EPMD's port, then `name N at port P` lines. */
export function decodeNamesResp(b: Uint8Array): { epmdPort: number; names: { name: string; port: number }[] } {
  if (b.length < 4) throw new RangeError('NAMES reply shorter than 4 bytes');
  const epmdPort = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const names: { name: string; port: number }[] = [];
  for (const line of dec.decode(b.subarray(4)).split('\n')) {
    const m = /^name (.+) at port (\d+)$/.exec(line);
    if (m) names.push({ name: m[1]!, port: Number(m[2]) });
  }
  return { epmdPort, names };
}

/** One request body (without its length) from a server-side buffer, or undefined if incomplete. */
export function takeRequest(b: Uint8Array): { body: Uint8Array; rest: Uint8Array } | undefined {
  if (b.length < 2) return undefined;
  const n = (b[0]! << 8) | b[1]!;
  if (b.length < 2 + n) return undefined;
  return { body: b.subarray(2, 2 + n), rest: b.subarray(2 + n) };
}

/** Server side: parse an ALIVE2_REQ body; throws RangeError on a malformed one (epmd_srv.c checks). */
export function decodeAlive2Req(body: Uint8Array): NodeEntry {
  if (body.length <= 13) throw new RangeError('ALIVE2_REQ too short');
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const nlen = v.getUint16(9);
  if (nlen + 13 > body.length) throw new RangeError('ALIVE2_REQ name length beyond the request');
  const elen = v.getUint16(11 + nlen);
  if (elen + nlen + 13 > body.length) throw new RangeError('ALIVE2_REQ extra length beyond the request');
  const nameBytes = body.subarray(11, 11 + nlen);
  if (nameBytes.includes(0)) throw new RangeError('ALIVE2_REQ name contains NUL');
  const name = dec.decode(nameBytes);
  if (name.length === 0 || [...name].length > 255) throw new RangeError('ALIVE2_REQ name empty or over 255 characters');
  return {
    port: v.getUint16(1),
    nodeType: body[3]!,
    protocol: body[4]!,
    highVersion: v.getUint16(5),
    lowVersion: v.getUint16(7),
    name,
    extra: body.slice(13 + nlen, 13 + nlen + elen),
  };
}

export function encodeAlive2Resp(result: number, creation: number, extended: boolean): Uint8Array {
  if (extended) {
    return Uint8Array.of(EpmdOp.ALIVE2_X_RESP, result, creation >>> 24, (creation >>> 16) & 0xff, (creation >>> 8) & 0xff, creation & 0xff);
  }
  return Uint8Array.of(EpmdOp.ALIVE2_RESP, result, (creation >>> 8) & 0xff, creation & 0xff);
}

export function encodePort2Resp(e: NodeEntry | undefined): Uint8Array {
  if (!e) return Uint8Array.of(EpmdOp.PORT2_RESP, 1);
  const name = enc.encode(e.name);
  const out = new Uint8Array(14 + name.length + e.extra.length);
  const v = new DataView(out.buffer);
  out[0] = EpmdOp.PORT2_RESP;
  out[1] = 0;
  v.setUint16(2, e.port);
  out[4] = e.nodeType;
  out[5] = e.protocol;
  v.setUint16(6, e.highVersion);
  v.setUint16(8, e.lowVersion);
  v.setUint16(10, name.length);
  out.set(name, 12);
  v.setUint16(12 + name.length, e.extra.length);
  out.set(e.extra, 14 + name.length);
  return out;
}

export function encodeNamesResp(epmdPort: number, entries: Iterable<NodeEntry>, dump = false): Uint8Array {
  let text = '';
  for (const e of entries) text += dump ? `active name     <${e.name}> at port ${e.port}, fd = 0\n\0` : `name ${e.name} at port ${e.port}\n`;
  const t = enc.encode(text);
  const out = new Uint8Array(4 + t.length);
  new DataView(out.buffer).setUint32(0, epmdPort);
  out.set(t, 4);
  return out;
}
