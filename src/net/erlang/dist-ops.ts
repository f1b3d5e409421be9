/**
 * The outbound half of a distribution connection: one typed method per control operation,
 * choosing the form the negotiated flags call for (SEND_SENDER or SEND, PAYLOAD_* or the
 * classic exits, ALTACT_SIG_SEND or ALIAS_SEND, the _TT forms when a token is given), encoding
 * into the connection's batch. {@link DistConnection} adds the socket, reading and ticks.
 *
 * Signals are fire-and-forget, as in Erlang: an operation returns `false` only when the
 * connection is closed (or the peer cannot take that kind of signal). A sender that is not a
 * pid of our node, or a target not of the peer's, is a programming error and throws DistError
 * ERR_DIST_FOREIGN_PID (OTP would drop the whole connection on such a message).
 */
import { Atom } from '../../term/atom.js';
import { Pid, Ref } from '../../term/ids.js';
import { ImproperList, Tuple, type Term } from '../../term/types.js';
import type { DistWriter } from './dist-writer.js';
import { AltactFlag, Dop } from './dop.js';
import { DistCode, DistError } from './errors.js';
import { DFlag } from './flags.js';

const GEN_CALL = Atom.of('$gen_call');
const ALIAS = Atom.of('alias');

/** gen's call message (OTP gen.erl do_call): `{'$gen_call', {From, [alias | Ref]}, Request}`. */
export function genCallMessage(from: Pid, ref: Ref, request: Term): Tuple {
  return new Tuple([GEN_CALL, new Tuple([from, new ImproperList([ALIAS], ref)]), request]);
}

export abstract class DistOps {
  /** Our node. */
  readonly localNode: Atom;
  /** The peer's node name. */
  readonly node: Atom;
  /** Negotiated flags (ours AND the peer's). */
  readonly flags: bigint;
  protected readonly writer: DistWriter;
  protected readonly sendSender: boolean;
  protected readonly exitPayload: boolean;
  protected readonly altact: boolean;
  protected readonly alias: boolean;

  constructor(localNode: Atom, node: Atom, flags: bigint, writer: DistWriter) {
    this.localNode = localNode;
    this.node = node;
    this.flags = flags;
    this.writer = writer;
    this.sendSender = (flags & DFlag.SEND_SENDER) !== 0n;
    this.exitPayload = (flags & DFlag.EXIT_PAYLOAD) !== 0n;
    this.altact = (flags & DFlag.ALTACT_SIG) !== 0n;
    this.alias = (flags & DFlag.ALIAS) !== 0n;
  }

  abstract get isOpen(): boolean;

  /**
   * A message was appended to the batch: schedule (or do) the flush. `urgent` false: nobody
   * waits on this one, it may go out with whatever is sent next in this event-loop turn.
   */
  protected abstract queued(urgent?: boolean): void;

  // ------------------------------------------------------------ checks

  protected fromLocal(p: Pid): void {
    if (p.node !== this.localNode) throw new DistError(DistCode.ForeignPid, `sender ${p} is not a pid of this node`, { node: this.node.name });
  }

  protected toPeer(p: Pid | Ref): void {
    if (p.node !== this.node) throw new DistError(DistCode.ForeignPid, `target ${p} is not of node ${this.node.name}`, { node: this.node.name });
  }

  protected fail(e: unknown): never {
    this.writer.abort();
    throw e;
  }

  // ------------------------------------------------------------ messages

  /**
   * gen's call message ({@link genCallMessage}) to a pid: as {@link send} of it, written by the
   * writer's direct path when it can be.
   */
  genCall(from: Pid, to: Pid, ref: Ref, request: Term): boolean {
    if (!this.isOpen) return false;
    this.fromLocal(from);
    this.toPeer(to);
    if (this.sendSender && this.writer.genCall(from, to, ref, request, GEN_CALL, ALIAS)) {
      this.queued();
      return true;
    }
    return this.send(from, to, genCallMessage(from, ref, request));
  }

  /** A message to a pid: SEND_SENDER when negotiated (else SEND), the _TT form with a token. */
  send(from: Pid, to: Pid, msg: Term, token?: Term): boolean {
    if (!this.isOpen) return false;
    this.fromLocal(from);
    this.toPeer(to);
    const w = this.writer;
    try {
      const tt = token !== undefined;
      if (this.sendSender) {
        w.begin(tt ? Dop.SEND_SENDER_TT : Dop.SEND_SENDER, tt ? 4 : 3);
        w.pid(from);
      } else {
        w.begin(tt ? Dop.SEND_TT : Dop.SEND, tt ? 4 : 3);
        w.atom(EMPTY);
      }
      w.pid(to);
      if (tt) w.term(token);
      w.end(msg);
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }

  /** A message to a registered name on the peer: REG_SEND (REG_SEND_TT). */
  regSend(from: Pid, to: Atom, msg: Term, token?: Term): boolean {
    if (!this.isOpen) return false;
    this.fromLocal(from);
    const w = this.writer;
    try {
      const tt = token !== undefined;
      w.begin(tt ? Dop.REG_SEND_TT : Dop.REG_SEND, tt ? 5 : 4);
      w.pid(from);
      w.atom(EMPTY);
      w.atom(to);
      if (tt) w.term(token);
      w.end(msg);
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }

  /**
   * A message to an alias: ALTACT_SIG_SEND with the ALIAS flag when the peer set ALTACT_SIG
   * (OTP 28+), else ALIAS_SEND (OTP 24–29). Without either the peer cannot take it: false.
   */
  aliasSend(from: Pid, alias: Ref, msg: Term, token?: Term): boolean {
    if (this.altact) return this.altactSend(AltactFlag.ALIAS, from, alias, msg, token);
    if (!this.isOpen || !this.alias) return false;
    this.fromLocal(from);
    this.toPeer(alias);
    const w = this.writer;
    try {
      const tt = token !== undefined;
      w.begin(tt ? Dop.ALIAS_SEND_TT : Dop.ALIAS_SEND, tt ? 4 : 3);
      w.pid(from);
      w.ref(alias);
      if (tt) w.term(token);
      w.end(msg);
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }

  /**
   * ALTACT_SIG_SEND (op 37, OTP 28+) as is: `flags` of {@link AltactFlag} (PRIO, ALIAS, NAME,
   * EXIT; TOKEN is set from `token`), `to` a pid, an alias or a name to match. The payload is
   * the message, or the exit reason with EXIT. False if the peer did not set ALTACT_SIG.
   */
  altactSend(flags: number, from: Pid, to: Pid | Ref | Atom, payload: Term, token?: Term): boolean {
    if (!this.isOpen || !this.altact) return false;
    this.fromLocal(from);
    if (!(to instanceof Atom)) this.toPeer(to);
    const tt = token !== undefined;
    const fs = (flags & ~AltactFlag.TOKEN) | (tt ? AltactFlag.TOKEN : 0);
    const w = this.writer;
    try {
      w.begin(Dop.ALTACT_SIG_SEND, tt ? 5 : 4);
      w.int(fs);
      w.pid(from);
      if (to instanceof Pid) w.pid(to);
      else if (to instanceof Ref) w.ref(to);
      else w.atom(to);
      if (tt) w.term(token);
      w.end(payload);
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }

  // ------------------------------------------------------------ links

  /** LINK. */
  link(from: Pid, to: Pid): boolean {
    return this.#pair(Dop.LINK, from, to);
  }

  /** UNLINK_ID (the new link protocol; the obsolete UNLINK is never sent). `id` ≠ 0. */
  unlinkId(id: number | bigint, from: Pid, to: Pid): boolean {
    if (id === 0 || id === 0n) throw new DistError(DistCode.BadControl, 'unlink id 0 is invalid');
    return this.#idPair(Dop.UNLINK_ID, id, from, to);
  }

  /** UNLINK_ID_ACK: `from` acknowledges the unlink `to` sent. */
  unlinkIdAck(id: number | bigint, from: Pid, to: Pid): boolean {
    return this.#idPair(Dop.UNLINK_ID_ACK, id, from, to);
  }

  /** The link exit of a local process that died: PAYLOAD_EXIT(_TT) when negotiated, else EXIT(_TT). */
  exit(from: Pid, to: Pid, reason: Term, token?: Term): boolean {
    return this.#exit(this.exitPayload ? (token !== undefined ? Dop.PAYLOAD_EXIT_TT : Dop.PAYLOAD_EXIT) : token !== undefined ? Dop.EXIT_TT : Dop.EXIT, from, to, reason, token);
  }

  /**
   * `exit/2`: PAYLOAD_EXIT2(_TT) or EXIT2(_TT); to an alias, or as a priority signal, through
   * ALTACT_SIG_SEND with EXIT (OTP 28+; false if the peer lacks it).
   */
  exit2(from: Pid, to: Pid | Ref, reason: Term, opts?: { token?: Term; prio?: boolean }): boolean {
    if (to instanceof Ref || opts?.prio) {
      return this.altactSend(AltactFlag.EXIT | (to instanceof Ref ? AltactFlag.ALIAS : 0) | (opts?.prio ? AltactFlag.PRIO : 0), from, to, reason, opts?.token);
    }
    const token = opts?.token;
    return this.#exit(this.exitPayload ? (token !== undefined ? Dop.PAYLOAD_EXIT2_TT : Dop.PAYLOAD_EXIT2) : token !== undefined ? Dop.EXIT2_TT : Dop.EXIT2, from, to, reason, token);
  }

  #exit(op: number, from: Pid, to: Pid, reason: Term, token: Term | undefined): boolean {
    if (!this.isOpen) return false;
    this.fromLocal(from);
    this.toPeer(to);
    const payloadForm = op === Dop.PAYLOAD_EXIT || op === Dop.PAYLOAD_EXIT_TT || op === Dop.PAYLOAD_EXIT2 || op === Dop.PAYLOAD_EXIT2_TT;
    const tt = token !== undefined;
    const w = this.writer;
    try {
      w.begin(op, 3 + (tt ? 1 : 0) + (payloadForm ? 0 : 1));
      w.pid(from);
      w.pid(to);
      if (tt) w.term(token);
      if (payloadForm) w.end(reason);
      else {
        w.term(reason);
        w.end();
      }
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }

  // ------------------------------------------------------------ monitors

  /** MONITOR_P on a pid, or on a name registered on the peer. */
  monitor(from: Pid, to: Pid | Atom, ref: Ref): boolean {
    return this.#monitorOp(Dop.MONITOR_P, from, to, ref);
  }

  /** DEMONITOR_P (nobody waits on it: it goes out with the next batch of this turn). */
  demonitor(from: Pid, to: Pid | Atom, ref: Ref): boolean {
    return this.#monitorOp(Dop.DEMONITOR_P, from, to, ref, false);
  }

  /**
   * A monitor the peer's process `to` holds on our `from` fired: PAYLOAD_MONITOR_P_EXIT when
   * negotiated, else MONITOR_P_EXIT. `from` is the name when it was monitored by name.
   */
  monitorExit(from: Pid | Atom, to: Pid, ref: Ref, reason: Term): boolean {
    if (!this.isOpen) return false;
    if (from instanceof Pid) this.fromLocal(from);
    this.toPeer(to);
    const w = this.writer;
    try {
      w.begin(this.exitPayload ? Dop.PAYLOAD_MONITOR_P_EXIT : Dop.MONITOR_P_EXIT, this.exitPayload ? 4 : 5);
      if (from instanceof Pid) w.pid(from);
      else w.atom(from);
      w.pid(to);
      w.ref(ref);
      if (this.exitPayload) w.end(reason);
      else {
        w.term(reason);
        w.end();
      }
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }

  #monitorOp(op: number, from: Pid, to: Pid | Atom, ref: Ref, urgent = true): boolean {
    if (!this.isOpen) return false;
    this.fromLocal(from);
    if (to instanceof Pid) {
      this.toPeer(to);
      // A call's monitor and demonitor: written straight into the batch when they can be.
      if (this.writer.monitorShaped(op, from, to, ref)) {
        this.queued(urgent);
        return true;
      }
    }
    const w = this.writer;
    try {
      w.begin(op, 4);
      w.pid(from);
      if (to instanceof Pid) w.pid(to);
      else w.atom(to);
      w.ref(ref);
      w.end();
    } catch (e) {
      this.fail(e);
    }
    this.queued(urgent);
    return true;
  }

  /** GROUP_LEADER: `leader` (ours) becomes the group leader of the peer's process `to`. */
  groupLeader(leader: Pid, to: Pid): boolean {
    return this.#pair(Dop.GROUP_LEADER, leader, to);
  }

  #pair(op: number, from: Pid, to: Pid): boolean {
    if (!this.isOpen) return false;
    this.fromLocal(from);
    this.toPeer(to);
    const w = this.writer;
    try {
      w.begin(op, 3);
      w.pid(from);
      w.pid(to);
      w.end();
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }

  #idPair(op: number, id: number | bigint, from: Pid, to: Pid): boolean {
    if (!this.isOpen) return false;
    this.fromLocal(from);
    this.toPeer(to);
    const w = this.writer;
    try {
      w.begin(op, 4);
      w.int(id);
      w.pid(from);
      w.pid(to);
      w.end();
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }

  // ------------------------------------------------------------ spawn

  /**
   * SPAWN_REQUEST (SPAWN_REQUEST_TT): spawn `module:fn(args…)` on the peer; put `link` and/or
   * `monitor` in `options` to have them set up (the reply's flags say which were).
   */
  spawnRequest(req: {
    reqId: Ref;
    from: Pid;
    groupLeader: Pid;
    module: Atom;
    fn: Atom;
    args: readonly Term[];
    options?: readonly Term[];
    token?: Term;
  }): boolean {
    if (!this.isOpen) return false;
    this.fromLocal(req.from);
    const tt = req.token !== undefined;
    const w = this.writer;
    try {
      w.begin(tt ? Dop.SPAWN_REQUEST_TT : Dop.SPAWN_REQUEST, tt ? 7 : 6);
      w.ref(req.reqId);
      w.pid(req.from);
      w.pid(req.groupLeader);
      w.term(new Tuple([req.module, req.fn, req.args.length]));
      w.term(req.options ?? []);
      if (tt) w.term(req.token!);
      w.end(req.args);
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }

  /** SPAWN_REPLY (SPAWN_REPLY_TT): `result` the new pid or an error atom; `flags` SpawnFlag bits. */
  spawnReply(reqId: Ref, to: Pid, flags: number, result: Pid | Atom, token?: Term): boolean {
    if (!this.isOpen) return false;
    this.toPeer(to);
    if (result instanceof Pid) this.fromLocal(result);
    const tt = token !== undefined;
    const w = this.writer;
    try {
      w.begin(tt ? Dop.SPAWN_REPLY_TT : Dop.SPAWN_REPLY, tt ? 6 : 5);
      w.ref(reqId);
      w.pid(to);
      w.int(flags);
      w.term(result);
      if (tt) w.term(token);
      w.end();
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }

  /** Any control tuple and payload, as given (for tests and for ops added later). */
  sendRaw(control: Tuple, payload?: Term): boolean {
    if (!this.isOpen) return false;
    const el = control.elements;
    const w = this.writer;
    try {
      w.begin(el[0] as number, el.length);
      for (let i = 1; i < el.length; i++) w.term(el[i]!);
      w.end(payload);
    } catch (e) {
      this.fail(e);
    }
    this.queued();
    return true;
  }
}

const EMPTY = Atom.of('');
