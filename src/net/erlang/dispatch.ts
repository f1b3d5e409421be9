/**
 * Checks each received control message the way OTP's erts_net_message does (op known, arity
 * right, element types right, senders of the peer's node, targets of ours) and hands it to
 * the handler. Protocol answers the connection owes by itself are sent here: EXIT `noproc`
 * for a LINK to a process that is gone, MONITOR_P_EXIT `noproc` for a MONITOR_P on one,
 * UNLINK_ID_ACK after every UNLINK_ID.
 */
import { A, Atom } from '../../term/atom.js';
import { Pid, Ref } from '../../term/ids.js';
import { ImproperList, Tuple, type Term } from '../../term/types.js';
import type { DistConnection } from './connection.js';
import { AltactFlag, Dop } from './dop.js';
import { DistCode, DistError } from './errors.js';
import type { DistHandler } from './handler.js';

const TRUE = Atom.of('true');
const FALSE = Atom.of('false');

function asAtom(t: Term): Atom | undefined {
  if (t instanceof Atom) return t;
  if (t === true) return TRUE;
  if (t === false) return FALSE;
  return undefined;
}

function isInt(t: Term): t is number | bigint {
  return (typeof t === 'number' && Number.isInteger(t)) || typeof t === 'bigint';
}

export class Dispatcher {
  readonly #conn: DistConnection;
  readonly #h: DistHandler;
  readonly #local: Atom;
  readonly #creation: number;
  readonly #peer: Atom;

  constructor(conn: DistConnection, handler: DistHandler, local: Atom, creation: number, peer: Atom) {
    this.#conn = conn;
    this.#h = handler;
    this.#local = local;
    this.#creation = creation;
    this.#peer = peer;
  }

  #bad(ctl: Term, what: string): DistError {
    return new DistError(DistCode.BadControl, `invalid distribution message (${what}): ${describe(ctl)}`, { node: this.#peer.name });
  }

  /** A sender: a pid of the peer's node. */
  #from(t: Term | undefined, ctl: Term): Pid {
    if (!(t instanceof Pid)) throw this.#bad(ctl, 'sender is not a pid');
    if (t.node !== this.#peer) throw new DistError(DistCode.ForeignPid, `sender ${t} is not of node ${this.#peer.name}`, { node: this.#peer.name });
    return t;
  }

  /** A target pid: of our node; `undefined` when it names a previous incarnation (it is gone). */
  #to(t: Term | undefined, ctl: Term): Pid | undefined {
    if (!(t instanceof Pid)) throw this.#bad(ctl, 'target is not a pid');
    if (t.node !== this.#local) throw new DistError(DistCode.ForeignPid, `target ${t} is not of this node`, { node: this.#peer.name });
    return t.creation === this.#creation ? t : undefined;
  }

  #ref(t: Term | undefined, ctl: Term): Ref {
    if (!(t instanceof Ref)) throw this.#bad(ctl, 'not a reference');
    return t;
  }

  /**
   * A SEND_SENDER the reader's fast path read from the bytes (fast-control.ts): the same checks
   * as {@link dispatch} gives it, without a control tuple.
   */
  sendSender(from: Pid, to: Pid, payload: Term): DistError | undefined {
    if (from.node !== this.#peer) return new DistError(DistCode.ForeignPid, `sender ${from} is not of node ${this.#peer.name}`, { node: this.#peer.name });
    if (to.node !== this.#local) return new DistError(DistCode.ForeignPid, `target ${to} is not of this node`, { node: this.#peer.name });
    // A target of a previous incarnation is gone: the message is dropped.
    if (to.creation !== this.#creation) return undefined;
    try {
      this.#h.message(this.#conn, from, to, payload, false, undefined);
    } catch (err) {
      this.#h.error?.(this.#conn, err);
    }
    return undefined;
  }

  /** Dispatch one message; returns the error to close the connection with, or undefined. */
  dispatch(ctl: Term, payload: Term | undefined): DistError | undefined {
    if (!(ctl instanceof Tuple) || ctl.elements.length < 1) return this.#bad(ctl, 'not a tuple');
    const e = ctl.elements;
    const op = e[0];
    const n = e.length;
    const h = this.#h;
    const c = this.#conn;
    try {
      switch (op) {
        case Dop.SEND:
        case Dop.SEND_TT: {
          if (n !== (op === Dop.SEND ? 3 : 4) || payload === undefined) return this.#bad(ctl, 'arity');
          const to = this.#to(e[2], ctl);
          if (to) h.message(c, undefined, to, payload, false, op === Dop.SEND ? undefined : e[3]);
          return undefined;
        }
        case Dop.SEND_SENDER:
        case Dop.SEND_SENDER_TT: {
          if (n !== (op === Dop.SEND_SENDER ? 3 : 4) || payload === undefined) return this.#bad(ctl, 'arity');
          const from = this.#from(e[1], ctl);
          const to = this.#to(e[2], ctl);
          if (to) h.message(c, from, to, payload, false, op === Dop.SEND_SENDER ? undefined : e[3]);
          return undefined;
        }
        case Dop.REG_SEND:
        case Dop.REG_SEND_TT: {
          if (n !== (op === Dop.REG_SEND ? 4 : 5) || payload === undefined) return this.#bad(ctl, 'arity');
          const from = this.#from(e[1], ctl);
          const name = asAtom(e[3]!);
          if (!name) return this.#bad(ctl, 'name is not an atom');
          h.regMessage(c, from, name, payload, false, op === Dop.REG_SEND ? undefined : e[4]);
          return undefined;
        }
        case Dop.ALIAS_SEND:
        case Dop.ALIAS_SEND_TT: {
          if (n !== (op === Dop.ALIAS_SEND ? 3 : 4) || payload === undefined) return this.#bad(ctl, 'arity');
          const from = this.#from(e[1], ctl);
          const alias = this.#ref(e[2], ctl);
          if (alias.node !== this.#local) throw new DistError(DistCode.ForeignPid, `alias ${alias} is not of this node`, { node: this.#peer.name });
          if (alias.creation === this.#creation) h.aliasMessage(c, from, alias, payload, false, op === Dop.ALIAS_SEND ? undefined : e[3]);
          return undefined;
        }
        case Dop.ALTACT_SIG_SEND:
          return this.#altact(ctl, e, payload);
        case Dop.LINK: {
          if (n !== 3 || payload !== undefined) return this.#bad(ctl, 'arity');
          const from = this.#from(e[1], ctl);
          const to = this.#to(e[2], ctl);
          const reason = to ? h.link(c, from, to) : A.noproc;
          if (reason !== undefined) c.exit(e[2] as Pid, from, reason);
          return undefined;
        }
        case Dop.UNLINK_ID:
        case Dop.UNLINK_ID_ACK: {
          if (n !== 4 || payload !== undefined) return this.#bad(ctl, 'arity');
          const id = e[1]!;
          if (!isInt(id) || id <= 0 || id > 0xffff_ffff_ffff_ffffn) return this.#bad(ctl, 'unlink id out of range');
          const from = this.#from(e[2], ctl);
          const to = this.#to(e[3], ctl);
          if (op === Dop.UNLINK_ID) {
            if (to) h.unlink(c, id, from, to);
            // The ack must be the next signal to the unlinker; it is, since we send it now.
            c.unlinkIdAck(id, e[3] as Pid, from);
          } else if (to) h.unlinkAck(c, id, from, to);
          return undefined;
        }
        case Dop.EXIT:
        case Dop.EXIT_TT:
        case Dop.PAYLOAD_EXIT:
        case Dop.PAYLOAD_EXIT_TT: {
          const payloadForm = op === Dop.PAYLOAD_EXIT || op === Dop.PAYLOAD_EXIT_TT;
          const tt = op === Dop.EXIT_TT || op === Dop.PAYLOAD_EXIT_TT;
          const arity = 3 + (tt ? 1 : 0) + (payloadForm ? 0 : 1);
          if (n !== arity || (payload !== undefined) !== payloadForm) return this.#bad(ctl, 'arity');
          const from = this.#from(e[1], ctl);
          const to = this.#to(e[2], ctl);
          const reason = payloadForm ? payload! : e[n - 1]!;
          if (to) h.linkExit(c, from, to, reason, tt ? e[3] : undefined);
          return undefined;
        }
        case Dop.EXIT2:
        case Dop.EXIT2_TT:
        case Dop.PAYLOAD_EXIT2:
        case Dop.PAYLOAD_EXIT2_TT: {
          const payloadForm = op === Dop.PAYLOAD_EXIT2 || op === Dop.PAYLOAD_EXIT2_TT;
          const tt = op === Dop.EXIT2_TT || op === Dop.PAYLOAD_EXIT2_TT;
          const arity = 3 + (tt ? 1 : 0) + (payloadForm ? 0 : 1);
          if (n !== arity || (payload !== undefined) !== payloadForm) return this.#bad(ctl, 'arity');
          const from = this.#from(e[1], ctl);
          const to = this.#to(e[2], ctl);
          const reason = payloadForm ? payload! : e[n - 1]!;
          if (to) h.exit2(c, from, to, reason, false, tt ? e[3] : undefined);
          return undefined;
        }
        case Dop.MONITOR_P:
        case Dop.DEMONITOR_P: {
          if (n !== 4 || payload !== undefined) return this.#bad(ctl, 'arity');
          const from = this.#from(e[1], ctl);
          const ref = this.#ref(e[3], ctl);
          const name = asAtom(e[2]!);
          const target = name ?? this.#to(e[2], ctl);
          if (op === Dop.DEMONITOR_P) {
            if (target) h.demonitor(c, from, target, ref);
            return undefined;
          }
          const reason = target ? h.monitor(c, from, target, ref) : A.noproc;
          // Echo the target as given: the atom for a monitor by name.
          if (reason !== undefined) c.monitorExit((name ?? e[2]) as Pid | Atom, from, ref, reason);
          return undefined;
        }
        case Dop.MONITOR_P_EXIT:
        case Dop.PAYLOAD_MONITOR_P_EXIT: {
          const payloadForm = op === Dop.PAYLOAD_MONITOR_P_EXIT;
          if (n !== (payloadForm ? 4 : 5) || (payload !== undefined) !== payloadForm) return this.#bad(ctl, 'arity');
          const name = asAtom(e[1]!);
          const from = name ?? this.#from(e[1], ctl);
          const to = this.#to(e[2], ctl);
          const ref = this.#ref(e[3], ctl);
          if (to) h.monitorExit(c, from, to, ref, payloadForm ? payload! : e[4]!);
          return undefined;
        }
        case Dop.GROUP_LEADER: {
          if (n !== 3 || payload !== undefined) return this.#bad(ctl, 'arity');
          const leader = this.#from(e[1], ctl);
          const to = this.#to(e[2], ctl);
          if (to) h.groupLeader(c, leader, to);
          return undefined;
        }
        case Dop.SPAWN_REQUEST:
        case Dop.SPAWN_REQUEST_TT: {
          const tt = op === Dop.SPAWN_REQUEST_TT;
          if (n !== (tt ? 7 : 6) || payload === undefined) return this.#bad(ctl, 'arity');
          const reqId = this.#ref(e[1], ctl);
          const from = this.#from(e[2], ctl);
          const gl = e[3];
          if (!(gl instanceof Pid)) return this.#bad(ctl, 'group leader is not a pid');
          const mfa = e[4];
          if (!(mfa instanceof Tuple) || mfa.elements.length !== 3) return this.#bad(ctl, 'MFA is not a 3-tuple');
          const m = asAtom(mfa.elements[0]!);
          const f = asAtom(mfa.elements[1]!);
          const arity = mfa.elements[2];
          if (!m || !f || typeof arity !== 'number' || !Number.isInteger(arity) || arity < 0 || arity > 255) return this.#bad(ctl, 'bad MFA');
          const opts = e[5];
          if (!Array.isArray(opts)) return this.#bad(ctl, 'options are not a proper list');
          if (!Array.isArray(payload)) return this.#bad(ctl, 'arguments are not a proper list');
          h.spawnRequest(c, {
            reqId,
            from,
            groupLeader: gl,
            module: m,
            fn: f,
            arity,
            options: opts as Term[],
            args: payload as Term[],
            token: tt ? e[6] : undefined,
          });
          return undefined;
        }
        case Dop.SPAWN_REPLY:
        case Dop.SPAWN_REPLY_TT: {
          const tt = op === Dop.SPAWN_REPLY_TT;
          if (n !== (tt ? 6 : 5) || payload !== undefined) return this.#bad(ctl, 'arity');
          const reqId = this.#ref(e[1], ctl);
          const to = this.#to(e[2], ctl);
          const flags = e[3];
          // OTP dist.c: flags are a small non-negative integer below 2^27.
          if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags >= 1 << 27) return this.#bad(ctl, 'spawn reply flags');
          const result = e[4]!;
          if (!(result instanceof Pid) && !asAtom(result)) return this.#bad(ctl, 'spawn result is neither a pid nor an atom');
          if (result instanceof Pid && result.node !== this.#peer) return this.#bad(ctl, 'spawned pid is not of the peer');
          if (to) h.spawnReply(c, reqId, to, flags, asAtom(result) ?? result, tt ? e[5] : undefined);
          return undefined;
        }
        default:
          // UNLINK (4) and NODE_LINK (5) included: OTP 26+ refuses them, and we require UNLINK_ID.
          return this.#bad(ctl, `unknown or obsolete operation ${describe(op as Term)}`);
      }
    } catch (err) {
      if (err instanceof DistError) return err;
      // A handler threw: report it and keep the connection.
      this.#h.error?.(c, err);
      return undefined;
    }
  }

  #altact(ctl: Term, e: readonly Term[], payload: Term | undefined): DistError | undefined {
    const n = e.length;
    // OTP dist.c: the tuple may grow in later releases; only a minimum arity is checked.
    if (n < 4 || payload === undefined) return this.#bad(ctl, 'arity');
    const rawFlags = e[1]!;
    if (!isInt(rawFlags) || rawFlags < 0) return this.#bad(ctl, 'flags');
    const flags = Number(BigInt(rawFlags) & 0xffn);
    const from = this.#from(e[2], ctl);
    let token: Term | undefined;
    if (flags & AltactFlag.TOKEN) {
      if (n < 5) return this.#bad(ctl, 'token flag without a token');
      token = e[4];
    }
    const prio = (flags & AltactFlag.PRIO) !== 0;
    let to: Pid | Ref | Atom;
    if (flags & AltactFlag.ALIAS) {
      const r = this.#ref(e[3], ctl);
      if (r.node !== this.#local) throw new DistError(DistCode.ForeignPid, `alias ${r} is not of this node`, { node: this.#peer.name });
      if (r.creation !== this.#creation) return undefined;
      to = r;
    } else if (flags & AltactFlag.NAME) {
      const a = asAtom(e[3]!);
      if (!a) return this.#bad(ctl, 'name is not an atom');
      to = a;
    } else {
      const p = this.#to(e[3], ctl);
      if (!p) return undefined;
      to = p;
    }
    const h = this.#h;
    const c = this.#conn;
    if (flags & AltactFlag.EXIT) h.exit2(c, from, to, payload, prio, token);
    else if (to instanceof Pid) h.message(c, from, to, payload, prio, token);
    else if (to instanceof Ref) h.aliasMessage(c, from, to, payload, prio, token);
    else h.regMessage(c, from, to, payload, prio, token);
    return undefined;
  }
}

function describe(t: Term): string {
  try {
    if (t instanceof Tuple) return `{${t.elements.map((x) => describe(x)).join(', ')}}`.slice(0, 200);
    if (t instanceof Atom) return t.inspect();
    if (t instanceof ImproperList) return '[…|…]';
    if (Array.isArray(t)) return `[…${t.length}]`;
    if (t instanceof Uint8Array) return `<<…${t.length}>>`;
    return String(t).slice(0, 80);
  } catch {
    return '?';
  }
}
