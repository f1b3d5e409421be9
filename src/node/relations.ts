/**
 * Typed records of who watches what: a link or a monitor, from a consumer (a local or remote
 * pid) to a target (a pid, a `{Name, Node}`, an alias, an event or a node), as it was named.
 *
 * Each record sits in two places and knows both, so removing it is O(1) without string keys:
 * - on the consumer side, in its local holder's `held` set (and `monitors` by reference), or
 *   in the remote node's `consumers` set for a remote consumer;
 * - on the target side, in its `bucket`: the watchers of a local process or event, or the
 *   per-target set of a remote node's table.
 * A two-way link is two records, one in each direction, joined by `pair`.
 */
import type { Pid, Ref } from '../term/index.js';
import type { LinkMode, SignalSource, TargetKind } from '../gen/index.js';
import type { ProcessImpl } from './process.js';

/** A reference as a map key: a number for the node's own references, a string otherwise. */
export type RefKey = number | string;

abstract class RelationBase {
  /** The local process holding this record as consumer (undefined for a remote consumer). */
  holder: ProcessImpl | undefined = undefined;
  /** The target-side set this record is in. */
  bucket: Set<Relation> | undefined = undefined;
  constructor(
    readonly consumer: Pid,
    /** The target as the consumer named it. */
    readonly target: SignalSource,
    readonly kind: TargetKind,
  ) {}
}

/** A link: `consumer` hears when `target` ends (two-way: and the other way round, via `pair`). */
export class LinkRecord extends RelationBase {
  /** The record in the other direction of a two-way link. */
  pair: LinkRecord | undefined = undefined;
  constructor(
    consumer: Pid,
    target: SignalSource,
    kind: TargetKind,
    readonly mode: LinkMode,
  ) {
    super(consumer, target, kind);
  }
}

/** A monitor (or an event subscription by monitor): `consumer` gets a DOWN carrying `ref`. */
export class MonitorRecord extends RelationBase {
  constructor(
    consumer: Pid,
    target: SignalSource,
    kind: TargetKind,
    readonly ref: Ref,
  ) {
    super(consumer, target, kind);
  }
}

export type Relation = LinkRecord | MonitorRecord;
