/**
 * What a distribution connection hands to the node above it. One plain callback per kind of
 * signal, with typed arguments; nothing allocated beyond the decoded terms. The connection has
 * already checked every control message (shape, sender of the peer's node, target of ours) and
 * answered what the protocol answers by itself: an UNLINK_ID is acknowledged right after
 * `unlink` returns; a LINK or MONITOR_P whose target is gone gets its EXIT / MONITOR_P_EXIT
 * from the value `link` / `monitor` return. Targets that name a previous incarnation of our
 * node (same name, other creation) never reach the handler: they are treated as gone.
 *
 * Callbacks should not throw; if one does, the connection reports it through `error` and
 * goes on with the next message.
 */
import type { Atom } from '../../term/atom.js';
import type { Pid, Ref } from '../../term/ids.js';
import type { Term } from '../../term/types.js';
import type { DistConnection } from './connection.js';

/** A SPAWN_REQUEST (or SPAWN_REQUEST_TT): answer it with {@link DistConnection.spawnReply}. */
export interface SpawnRequest {
  reqId: Ref;
  from: Pid;
  groupLeader: Pid;
  module: Atom;
  fn: Atom;
  arity: number;
  /** The option list as sent: `link`, `monitor` and any BEAM spawn options verbatim. */
  options: readonly Term[];
  args: readonly Term[];
  token: Term | undefined;
}

export interface DistHandler {
  /** SEND, SEND_SENDER and their _TT forms, ALTACT_SIG_SEND to a pid. `from` is absent for plain SEND. */
  message(conn: DistConnection, from: Pid | undefined, to: Pid, msg: Term, prio: boolean, token: Term | undefined): void;
  /** REG_SEND(_TT), ALTACT_SIG_SEND with NAME. Unknown names are the handler's to drop. */
  regMessage(conn: DistConnection, from: Pid, to: Atom, msg: Term, prio: boolean, token: Term | undefined): void;
  /** ALIAS_SEND(_TT), ALTACT_SIG_SEND with ALIAS. */
  aliasMessage(conn: DistConnection, from: Pid, alias: Ref, msg: Term, prio: boolean, token: Term | undefined): void;
  /** LINK. Return undefined when linked, or the reason of the EXIT to send back (`noproc`). */
  link(conn: DistConnection, from: Pid, to: Pid): Term | undefined;
  /** UNLINK_ID: drop an active link, leave an inactive one. The connection sends the ack after. */
  unlink(conn: DistConnection, id: number | bigint, from: Pid, to: Pid): void;
  /** UNLINK_ID_ACK: drop the link if it is inactive with this unlink id. */
  unlinkAck(conn: DistConnection, id: number | bigint, from: Pid, to: Pid): void;
  /** EXIT, EXIT_TT, PAYLOAD_EXIT(_TT): the linked process `from` died with `reason`. */
  linkExit(conn: DistConnection, from: Pid, to: Pid, reason: Term, token: Term | undefined): void;
  /** EXIT2, EXIT2_TT, PAYLOAD_EXIT2(_TT), ALTACT_SIG_SEND with EXIT (to an alias or name too). */
  exit2(conn: DistConnection, from: Pid, to: Pid | Ref | Atom, reason: Term, prio: boolean, token: Term | undefined): void;
  /** MONITOR_P. Return undefined when set up, or the reason of the MONITOR_P_EXIT to send at once. */
  monitor(conn: DistConnection, from: Pid, to: Pid | Atom, ref: Ref): Term | undefined;
  /** DEMONITOR_P. */
  demonitor(conn: DistConnection, from: Pid, to: Pid | Atom, ref: Ref): void;
  /** MONITOR_P_EXIT / PAYLOAD_MONITOR_P_EXIT: a monitor `to` holds fired. `from` is the atom for a by-name monitor. */
  monitorExit(conn: DistConnection, from: Pid | Atom, to: Pid, ref: Ref, reason: Term): void;
  /** GROUP_LEADER: `leader` becomes the group leader of `to`. */
  groupLeader(conn: DistConnection, leader: Pid, to: Pid): void;
  spawnRequest(conn: DistConnection, req: SpawnRequest): void;
  /** SPAWN_REPLY(_TT): `result` is the new pid or an error atom; `flags` has SpawnFlag bits. */
  spawnReply(conn: DistConnection, reqId: Ref, to: Pid, flags: number, result: Term, token: Term | undefined): void;
  /** The connection is up (handshake done). */
  connectionUp?(conn: DistConnection): void;
  /** The connection is gone; `reason` says why (a DistError). Links and monitors across it fire now. */
  connectionDown?(conn: DistConnection, reason: Error): void;
  /** A callback threw, or something worth logging happened that did not close the connection. */
  error?(conn: DistConnection, err: unknown): void;
}
