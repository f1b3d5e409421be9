/**
 * The control requests a connection sends and waits on (type 199, answered by MessageResult):
 * link / unlink / monitor / demonitor of a pid, name or alias, the event subscriptions (whose
 * answer carries the event's buffer), remote spawn and remote application start. Each builds
 * its Proto message around the request's ref and turns the peer's answer into a value or a
 * {@link RemoteError}. The connection owns the writing and the waiting (`request`).
 */
import { Gen, Proto, Typed, type NetworkFlags } from '../../codec/edf/index.js';
import type { Atom } from '../../term/atom.js';
import { Alias, Pid, type Creation, type Ref } from '../../term/ids.js';
import type { Event, ProcessID } from '../../term/names.js';
import { ErgoNetCode, ErgoNetError, RemoteError } from './errors.js';
import type { EventMessage } from './inbound.js';
import { aliasMod255, mod255 } from './order.js';
import type { Answer } from './pending.js';

/** What the requests need of a connection. */
export interface RequestPort {
  readonly peer: Atom;
  readonly peerCreation: Creation;
  readonly peerFlags: NetworkFlags;
  readonly corePid: Pid;
  request(what: string, order: number, byte6: number, build: (ref: Ref) => object): Promise<Answer>;
}

async function simple(c: RequestPort, what: string, order: number, byte6: number, build: (ref: Ref) => object): Promise<void> {
  const { error } = await c.request(what, order, byte6, build);
  if (error !== null) throw new RemoteError(error, what);
}

export function relation(c: RequestPort, op: 'Link' | 'Unlink' | 'Monitor' | 'Demonitor', source: Pid, target: Pid | ProcessID | Alias): Promise<void> {
  if ((target instanceof Pid || target instanceof Alias) && target.creation !== c.peerCreation) {
    return Promise.reject(new ErgoNetError(ErgoNetCode.Incarnation, `${String(target)} belongs to another incarnation of ${c.peer.name}`));
  }
  const kind = target instanceof Pid ? 'PID' : target instanceof Alias ? 'Alias' : 'ProcessID';
  const cls = Proto[`Message${op}${kind}`];
  // Go's byte 6: the target for pids and aliases; we also use it for (de)monitor PID, where Go writes 0.
  const byte6 = target instanceof Pid ? mod255(target) || 255 : target instanceof Alias ? aliasMod255(target) || 255 : 0;
  return simple(c, `${op}${kind} ${String(target)}`, mod255(source) || 255, byte6, (ref) => new cls({ Source: source, Target: target as never, Ref: ref }));
}

/** Link or monitor an event of the peer; resolves with its buffered messages. */
export async function subscribe(c: RequestPort, op: 'Link' | 'Monitor', source: Pid, event: Event): Promise<EventMessage[]> {
  const cls = Proto[`Message${op}Event`];
  const { error, result } = await c.request(`${op}Event ${String(event)}`, mod255(source) || 255, 0, (ref) => new cls({ Source: source, Target: event, Ref: ref }));
  if (error !== null) throw new RemoteError(error, `${op}Event ${String(event)}`);
  const list = result instanceof Typed ? result.value : result;
  if (list !== null && !Array.isArray(list)) throw new ErgoNetError(ErgoNetCode.Malformed, `${op}Event answer is not a []gen.MessageEvent`);
  return (list ?? []) as EventMessage[];
}

export function unsubscribe(c: RequestPort, op: 'Unlink' | 'Demonitor', source: Pid, event: Event): Promise<void> {
  const cls = Proto[`Message${op}Event`];
  return simple(c, `${op}Event ${String(event)}`, mod255(source) || 255, 0, (ref) => new cls({ Source: source, Target: event, Ref: ref }));
}

/**
 * Spawn `name` (enabled there with EnableSpawn) on the peer; resolves with the new pid.
 * ParentPID and ParentLeader default to our core pid (Go refuses a spawn without them).
 */
export async function remoteSpawn(c: RequestPort, name: Atom, options: ConstructorParameters<typeof Gen.ProcessOptionsExtra>[0]): Promise<Pid> {
  if (c.peerFlags.Enable && !c.peerFlags.EnableRemoteSpawn) throw new ErgoNetError(ErgoNetCode.NotAllowed, `${c.peer.name} does not allow remote spawn`);
  const o = { ParentPID: c.corePid, ParentLeader: c.corePid, ...options };
  const { error, result } = await c.request(`spawn ${name.name}`, 0, 0, (ref) => new Proto.MessageSpawn({ Name: name, Options: new Gen.ProcessOptionsExtra(o), Ref: ref }));
  if (error !== null) throw new RemoteError(error, `spawn ${name.name}`);
  if (!(result instanceof Pid)) throw new ErgoNetError(ErgoNetCode.Malformed, 'spawn answer is not a gen.PID');
  return result;
}

/** Start application `name` on the peer (`mode` 0 = as its spec says, 1 temporary, 2 transient, 3 permanent); CorePID defaults to ours. */
export async function remoteApplicationStart(c: RequestPort, name: Atom, mode: number, options?: ConstructorParameters<typeof Gen.ApplicationOptionsExtra>[0]): Promise<void> {
  if (c.peerFlags.Enable && !c.peerFlags.EnableRemoteApplicationStart) throw new ErgoNetError(ErgoNetCode.NotAllowed, `${c.peer.name} does not allow remote application start`);
  const o = { CorePID: c.corePid, ...options };
  await simple(c, `application start ${name.name}`, 0, 0, (ref) => new Proto.MessageApplicationStart({ Name: name, Mode: BigInt(mode), Options: new Gen.ApplicationOptionsExtra(o), Ref: ref }));
}
