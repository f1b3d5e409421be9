/**
 * What arrives from BEAM peers, handed to the node: the {@link DistHandler} of the stack,
 * mapping every callback of a checked control message onto {@link NodeInbound}
 * (proto-spec/erlang-dist.md §6). Replies and DOWNs that end a call, a one-way link or an rpc
 * of ours are taken by the {@link Peer} first; messages to the names and pids a node must
 * answer for itself (net_kernel, rex, a group leader, erpc) go to the {@link Services} when no
 * local process takes them.
 */
import { A, Atom } from '../../term/atom.js';
import { Alias, Pid, Ref } from '../../term/ids.js';
import type { Term } from '../../term/types.js';
import { Delivery, ProcessID, type NetworkLog, type NodeInbound, type StackContext } from '../../gen/index.js';
import type { DistConnection } from './connection.js';
import { DistCode, DistError } from './errors.js';
import type { DistHandler, SpawnRequest } from './handler.js';
import { Peer, type PeerHost } from './peer.js';
import type { Services } from './services.js';

function peerOf(c: DistConnection): Peer {
  return c.context as Peer;
}

function asAlias(r: Ref): Alias {
  return r instanceof Alias ? r : new Alias(r.node, r.creation, r.ids);
}

/** Ways a connection ends that are not faults (nothing to report above info). */
const ORDINARY: ReadonlySet<string> = new Set([DistCode.Closed, DistCode.Shutdown]);

export class PeerInbound implements DistHandler {
  readonly #host: PeerHost;
  readonly #ctx: StackContext;
  readonly #services: Services;
  readonly #inbound: NodeInbound;
  readonly #log: NetworkLog | undefined;

  constructor(host: PeerHost, ctx: StackContext, services: Services) {
    this.#host = host;
    this.#ctx = ctx;
    this.#services = services;
    this.#inbound = ctx.inbound;
    this.#log = ctx.log;
  }

  // ------------------------------------------------------------------ messages

  message(c: DistConnection, from: Pid | undefined, to: Pid, msg: Term): void {
    const p = peerOf(c);
    if (p.calls.size > 0 && p.takeReply(msg)) return;
    const code = this.#inbound.deliver(from ?? p.anonymous, to, msg, 'normal');
    if (code !== Delivery.Ok) this.#undelivered(p, code, from, to, msg);
  }

  regMessage(c: DistConnection, from: Pid, to: Atom, msg: Term): void {
    const p = peerOf(c);
    const code = this.#inbound.deliver(from, to, msg, 'normal');
    if (code === Delivery.Unknown) this.#services.named(p, from, to, msg);
    else if (code !== Delivery.Ok) this.#undelivered(p, code, from, to, msg);
  }

  aliasMessage(c: DistConnection, from: Pid, alias: Ref, msg: Term): void {
    const p = peerOf(c);
    if (p.calls.size > 0 && p.takeAliasReply(alias, msg)) return;
    const a = asAlias(alias);
    const code = this.#inbound.deliver(from, a, msg, 'normal');
    if (code !== Delivery.Ok) this.#undelivered(p, code, from, a, msg);
  }

  #undelivered(p: Peer, code: Delivery, from: Pid | undefined, to: Pid | Atom | Alias, msg: Term): void {
    if (code === Delivery.Backlog) p.backlog(to);
    else if (code === Delivery.Unknown) {
      // Erlang drops a message to a process that is gone; a group leader we stand in for answers.
      if (to instanceof Pid) this.#services.unknownPid(p, to, msg);
    } else if (code === Delivery.MailboxFull) {
      this.#log?.debug('erlang: message from %s to %s dropped: mailbox full', String(from), String(to));
    }
  }

  // ------------------------------------------------------------------ links (OTP link protocol)

  link(c: DistConnection, from: Pid, to: Pid): Term | undefined {
    const p = peerOf(c);
    // An unlink of ours is in flight: the pair's state is inactive and a LINK does not revive it.
    if (p.isUnlinking(to, from)) return undefined;
    return this.#inbound.link(from, to, 'two-way') === Delivery.Unknown ? A.noproc : undefined;
  }

  unlink(c: DistConnection, _id: number | bigint, from: Pid, to: Pid): void {
    if (peerOf(c).isUnlinking(to, from)) return;
    this.#inbound.unlink(from, to, 'two-way');
  }

  unlinkAck(c: DistConnection, id: number | bigint, from: Pid, to: Pid): void {
    peerOf(c).unlinkAcked(to, from, id);
  }

  linkExit(c: DistConnection, from: Pid, to: Pid, reason: Term): void {
    if (peerOf(c).isUnlinking(to, from)) return;
    this.#inbound.linkExit(from, to, reason);
  }

  exit2(_c: DistConnection, from: Pid, to: Pid | Ref | Atom, reason: Term): void {
    if (to instanceof Pid) {
      this.#inbound.exit(from, to, reason);
      return;
    }
    // OTP 28+ exit signals to an alias or a name (ALTACT_SIG_SEND with EXIT): the contract's
    // exit names a pid, so these are dropped (and logged), as BEAM drops a signal to a target
    // that is gone.
    this.#log?.debug('erlang: exit signal from %s to %s (an alias or name) not supported; dropped', String(from), String(to));
  }

  // ------------------------------------------------------------------ monitors

  monitor(_c: DistConnection, from: Pid, to: Pid | Atom, ref: Ref): Term | undefined {
    if (this.#inbound.monitor(from, to, ref) !== Delivery.Unknown) return undefined;
    // net_kernel, rex: names the node answers for without a process; and the node itself,
    // group leader of what it spawns on BEAM (io:request monitors its group leader). They
    // never end while the connection lives.
    if (to instanceof Atom ? this.#services.serves(to) : to.equals(this.#host.nodePid)) return undefined;
    return A.noproc;
  }

  demonitor(_c: DistConnection, from: Pid, to: Pid | Atom, ref: Ref): void {
    this.#inbound.demonitor(from, to, ref);
  }

  monitorExit(c: DistConnection, from: Pid | Atom, to: Pid, ref: Ref, reason: Term): void {
    const p = peerOf(c);
    if (p.takeDown(ref, reason)) return;
    this.#inbound.down(from instanceof Atom ? new ProcessID(from, p.node) : from, to, ref, reason);
  }

  groupLeader(_c: DistConnection, leader: Pid, to: Pid): void {
    // Group leaders only matter for io, which TS processes do through the node's logger.
    this.#log?.debug('erlang: %s made group leader of %s (ignored)', String(leader), String(to));
  }

  // ------------------------------------------------------------------ spawn

  spawnRequest(c: DistConnection, req: SpawnRequest): void {
    this.#services.spawnRequest(peerOf(c), req);
  }

  spawnReply(c: DistConnection, reqId: Ref, to: Pid, flags: number, result: Term): void {
    const p = peerOf(c);
    if (!p.spawnReplied(reqId, to, flags, result as Pid | Atom)) {
      // A reply nobody waits for (the request timed out): the process it made is not ours to keep.
      if (result instanceof Pid) c.exit2(to, result, A.kill);
    }
  }

  // ------------------------------------------------------------------ connection life

  connectionUp(c: DistConnection): void {
    const p = new Peer(this.#host, c);
    c.context = p;
    this.#ctx.connectionUp(p, p.info);
    this.#log?.info('erlang: connected to %s (%s, creation %d%s)', c.node.name, c.initiated ? 'dialled' : 'accepted', c.peerCreation, c.visible ? '' : ', hidden');
  }

  connectionDown(c: DistConnection, reason: Error): void {
    const p = c.context as Peer | undefined;
    if (p === undefined) return;
    p.lost();
    const code = reason instanceof DistError ? reason.code : 'ERR_DIST_CLOSED';
    if (ORDINARY.has(code)) this.#log?.info('erlang: connection to %s closed (%s)', c.node.name, code);
    else this.#log?.error('erlang: connection to %s closed: %s: %s', c.node.name, code, reason.message);
    // Links and monitors across it fire with noconnection (OTP dist.c, erlang-dist.md §7.9).
    this.#ctx.connectionDown(p, A.noconnection);
  }

  error(c: DistConnection, err: unknown): void {
    this.#log?.error('erlang: handling a message from %s failed: %s', c.node.name, err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
}
