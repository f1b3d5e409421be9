/**
 * The receiving side of ENP's structured requests (type 199; ergo connection.go routeMessage):
 * link/unlink/monitor/demonitor of every target kind, remote spawn, remote application start.
 * Each gets exactly one MessageResult with the request's Ref copied back, on the link and with
 * the byte 6 Go uses for it.
 *
 * Differences from Go, on purpose: a request whose Source is not a process of the peer, or
 * whose target is not on this node, is refused (`not allowed` / `unknown process`) instead of
 * recorded; spawn and application start refused by our flags get a `not allowed` answer
 * instead of none (Go stays silent and lets the requester time out); MessageUpdateCache is
 * answered `not supported` (Go never sends it).
 */
import { EdfError, Gen, GoErr, Proto, T, typed } from '../../codec/edf/index.js';
import type { Atom } from '../../term/atom.js';
import { Alias, Pid, type Ref } from '../../term/ids.js';
import type { Event, ProcessID } from '../../term/names.js';
import type { ErgoConnection } from './connection.js';
import { ErgoNetCode, ErgoNetError } from './errors.js';
import type { ErgoInbound, EventMessage, LocalTarget, MaybePromise } from './inbound.js';
import { aliasMod255, mod255, nz } from './order.js';

type Rel = { Source: Pid; Target: Pid | ProcessID | Alias | Event; Ref: Ref };
export type AnyRequest = object;

const EVENTS = T.slice(Gen.MessageEvent);

function thenReply<T>(v: MaybePromise<T>, done: (r: NoInfer<T> | EdfError) => void): void {
  if (v instanceof Promise) v.then(done, (e: unknown) => done(new EdfError(e instanceof Error ? e.message : String(e))));
  else done(v);
}

function call<T>(fn: () => MaybePromise<T>): MaybePromise<T | EdfError> {
  try {
    return fn();
  } catch (e) {
    return new EdfError(e instanceof Error ? e.message : String(e));
  }
}

/** Handle one decoded 199 payload that is not a MessageResult. */
export function dispatchAny(conn: ErgoConnection, h: ErgoInbound, m: AnyRequest, onError: (e: ErgoNetError) => void): void {
  const local = conn.local.name;

  const relation = (r: Rel, op: 'link' | 'unlink' | 'monitor' | 'demonitor'): void => {
    const t = r.Target;
    let order = 0;
    if (t instanceof Pid) order = nz(mod255(t));
    else if (t instanceof Alias) order = nz(aliasMod255(t));
    const byte6 = nz(mod255(r.Source));
    const answer = (e: EdfError | null): void => conn.reply(r.Ref, e, null, order, byte6);
    if (r.Source.node !== conn.peer) return answer(GoErr.NotAllowed);
    if (t.node !== local) return answer(GoErr.ProcessUnknown);
    const target: LocalTarget = t instanceof Pid || t instanceof Alias ? t : (t as ProcessID).name;
    const v = call(() => h[op](r.Source, target, conn));
    thenReply(v, answer);
  };

  const events = (r: Rel, op: 'linkEvent' | 'monitorEvent'): void => {
    const byte6 = nz(mod255(r.Source));
    const answer = (v: readonly EventMessage[] | EdfError): void => {
      // Go's requester insists on a typed []gen.MessageEvent, even with an error (typed nil).
      if (v instanceof EdfError) conn.reply(r.Ref, v, typed(EVENTS, null), 0, byte6);
      else conn.reply(r.Ref, null, typed(EVENTS, v.length === 0 ? null : [...v]), 0, byte6);
    };
    if (r.Source.node !== conn.peer) return answer(GoErr.NotAllowed);
    if (r.Target.node !== local) return answer(new EdfError('unknown event'));
    const name = (r.Target as Event).name;
    thenReply(
      call(() => h[op](r.Source, name, conn)),
      answer,
    );
  };

  const unsubscribe = (r: Rel, op: 'unlinkEvent' | 'demonitorEvent'): void => {
    const byte6 = nz(mod255(r.Source));
    const answer = (e: EdfError | null): void => conn.reply(r.Ref, e, null, 0, byte6);
    if (r.Source.node !== conn.peer) return answer(GoErr.NotAllowed);
    if (r.Target.node !== local) return answer(new EdfError('unknown event'));
    const name: Atom = (r.Target as Event).name;
    thenReply(
      call(() => h[op](r.Source, name, conn)),
      answer,
    );
  };

  if (m instanceof Proto.MessageLinkPID || m instanceof Proto.MessageLinkProcessID || m instanceof Proto.MessageLinkAlias) return relation(m, 'link');
  if (m instanceof Proto.MessageUnlinkPID || m instanceof Proto.MessageUnlinkProcessID || m instanceof Proto.MessageUnlinkAlias) return relation(m, 'unlink');
  if (m instanceof Proto.MessageMonitorPID || m instanceof Proto.MessageMonitorProcessID || m instanceof Proto.MessageMonitorAlias) return relation(m, 'monitor');
  if (m instanceof Proto.MessageDemonitorPID || m instanceof Proto.MessageDemonitorProcessID || m instanceof Proto.MessageDemonitorAlias) return relation(m, 'demonitor');
  if (m instanceof Proto.MessageLinkEvent) return events(m, 'linkEvent');
  if (m instanceof Proto.MessageMonitorEvent) return events(m, 'monitorEvent');
  if (m instanceof Proto.MessageUnlinkEvent) return unsubscribe(m, 'unlinkEvent');
  if (m instanceof Proto.MessageDemonitorEvent) return unsubscribe(m, 'demonitorEvent');

  if (m instanceof Proto.MessageSpawn) {
    const byte6 = nz(mod255(m.Options.ParentPID));
    const f = conn.local.flags;
    if (f.Enable && !f.EnableRemoteSpawn) return conn.reply(m.Ref, GoErr.NotAllowed, null, 0, byte6);
    thenReply(
      call(() => h.spawn(m.Name, m.Options, conn)),
      (v) => (v instanceof Pid ? conn.reply(m.Ref, null, v, 0, byte6) : conn.reply(m.Ref, v, null, 0, byte6)),
    );
    return;
  }
  if (m instanceof Proto.MessageApplicationStart) {
    const f = conn.local.flags;
    if (f.Enable && !f.EnableRemoteApplicationStart) return conn.reply(m.Ref, GoErr.NotAllowed, null, 0, 0);
    thenReply(
      call(() => h.applicationStart(m.Name, Number(m.Mode), m.Options, conn)),
      (e) => conn.reply(m.Ref, e, null, 0, 0),
    );
    return;
  }
  if (m instanceof Proto.MessageUpdateCache) return conn.reply(m.Ref, GoErr.Unsupported, null, 0, 0);
  onError(new ErgoNetError(ErgoNetCode.UnexpectedPayload, `unexpected control message ${m?.constructor?.name ?? typeof m}`));
}
