/**
 * The explicit-stack half of the ETF decoder: containers nested deeper than the recursion
 * limit are decoded here, so any nesting within maxDepth decodes whatever its shape (tuples,
 * lists and their tails, maps, funs, records). The open containers are kept as parallel
 * arrays indexed by level, not as an object per frame, and each container's items go
 * straight into an array of its final size: a level costs what the container itself costs.
 */
import type { TermMap } from '../../term/map.js';
import { ImproperList, NativeRecord, Tuple, type Term } from '../../term/types.js';
import { makeFun, readFunHead, readRecordHead, type Cursor, type FunHead, type RecordHead } from './decode-parts.js';
import { Cost, EMPTY_LIST, EMPTY_MAP, EMPTY_TUPLE } from './leaf.js';
import { Tag } from './tags.js';

/** The decoder's surface the deep reader uses. */
export interface DeepCursor extends Cursor {
  enter(at: number, tag: number): void;
  /** Back up `levels` levels (default 1). */
  leave(levels?: number): void;
  makeMap(kv: Term[], at: number, tag: number): TermMap;
  /** A term that is not a container (never recurses). */
  leaf(tag: number, at: number): Term;
}

const enum Kind {
  Tuple,
  List,
  /** A list whose next item is its improper tail. */
  ListTail,
  Map,
  Fun,
  Record,
  /**
   * A run of `left` nested one-element tuples `{{{…}}}`, opened as one level of the stack:
   * the tuples are made, innermost first, when the innermost element is done.
   */
  Tuple1,
}

/**
 * The open containers, innermost at `top`; slot i of each array describes level i. Kinds and
 * counts are typed arrays, grown by doubling: opening a level stores three numbers and an
 * array reference, and gives the garbage collector nothing to trace but `items`. One set is
 * kept between decodes (see {@link decodeDeep}), so a deep input costs no growth after the
 * first, and a shallow container just past the recursion limit costs no allocation here.
 */
class Frames {
  top = -1;
  /** The deepest level used since the last {@link release}. */
  high = -1;
  /** The deepest level whose `items` was set to an array of its own since the last release. */
  dirty = -1;
  kind = new Uint8Array(64);
  /** Items still to read before the container (or, for a list, this run of elements) ends. */
  left = new Uint32Array(64);
  /** Items read so far (maps: key, value, key, …; lists: elements, then an improper tail). */
  fill = new Uint32Array(64);
  items: Term[][] = new Array<Term[]>(64);
  /** Maps: where the map starts (a duplicate key is reported there). Set for maps only. */
  at = new Float64Array(64);
  /**
   * Funs and records: the header. Set for those only. Dense, like `items` (a write far past
   * the end of an empty JS array would turn it into a slow dictionary).
   */
  head: (FunHead | RecordHead | undefined)[] = new Array<FunHead | RecordHead | undefined>(64).fill(undefined);
  /** The deepest level whose `head` was set since the last release. */
  headHigh = -1;

  open(kind: Kind, left: number, items: Term[]): number {
    const i = ++this.top;
    if (i > this.high) {
      if (i === this.kind.length) this.#grow();
      this.high = i;
    }
    this.kind[i] = kind;
    this.left[i] = left;
    this.fill[i] = 0;
    this.items[i] = items;
    if (items !== EMPTY_ITEMS && i > this.dirty) this.dirty = i;
    return i;
  }

  #grow(): void {
    const n = 2 * this.kind.length;
    const kind = new Uint8Array(n);
    kind.set(this.kind);
    this.kind = kind;
    const left = new Uint32Array(n);
    left.set(this.left);
    this.left = left;
    const fill = new Uint32Array(n);
    fill.set(this.fill);
    this.fill = fill;
    const items = new Array<Term[]>(n);
    for (let j = 0; j < this.items.length; j++) items[j] = this.items[j]!;
    this.items = items;
    const at = new Float64Array(n);
    at.set(this.at);
    this.at = at;
    const head = new Array<FunHead | RecordHead | undefined>(n).fill(undefined);
    for (let j = 0; j < this.head.length; j++) head[j] = this.head[j];
    this.head = head;
  }

  /** Open a fun or record level with its header. */
  openWithHead(kind: Kind, h: FunHead | RecordHead, n: number): void {
    const i = this.open(kind, n, new Array<Term>(n));
    this.head[i] = h;
    if (i > this.headHigh) this.headHigh = i;
  }

  /** Drops the references to what the last decode built (they must not outlive it). */
  release(): void {
    const items = this.items;
    for (let j = 0; j <= this.dirty; j++) if (items[j] !== EMPTY_ITEMS) items[j] = EMPTY_ITEMS;
    this.dirty = -1;
    const head = this.head;
    for (let j = 0; j <= this.headHigh; j++) head[j] = undefined;
    this.headHigh = -1;
    this.top = -1;
    this.high = -1;
  }
}

const EMPTY_ITEMS: Term[] = [];

/** The frames kept between decodes; undefined while a decode uses them. */
let spare: Frames | undefined = new Frames();

/**
 * Decodes the container at `at` with an explicit stack instead of recursion, so nesting is
 * bounded by `maxDepth` rather than by the JS stack. `head`: a fun or record header that
 * has already been read (the container's items start at `pos`).
 */
export function decodeDeep(d: DeepCursor, at: number, head?: FunHead | RecordHead): Term {
  // Nothing below decodes a container through another call, but stay correct if it ever did.
  const f = spare ?? new Frames();
  spare = undefined;
  try {
    return deep(d, f, at, head);
  } finally {
    f.release();
    spare = f;
  }
}

function deep(d: DeepCursor, f: Frames, at: number, head: FunHead | RecordHead | undefined): Term {
  const b = d.b;
  const end = d.end;
  let value: Term | undefined;
  if (head === undefined) d.pos = at;
  else if ('oldUniq' in head) {
    d.enter(at, Tag.NEW_FUN_EXT);
    f.openWithHead(Kind.Fun, head, head.free);
  } else {
    d.enter(at, Tag.RECORD_EXT);
    f.openWithHead(Kind.Record, head, head.fields.length);
  }
  for (;;) {
    if (value === undefined) {
      const p = d.pos;
      if (p >= end) throw d.err('ERR_ETF_TRUNCATED', 'a term was expected', p);
      const tag = b[p]!;
      d.pos = p + 1;
      switch (tag) {
        case Tag.SMALL_INTEGER_EXT:
          d.need(1, p, tag);
          value = b[p + 1]!;
          d.pos = p + 2;
          break;
        case Tag.NIL_EXT:
          value = EMPTY_LIST;
          break;
        case Tag.SMALL_TUPLE_EXT:
        case Tag.LARGE_TUPLE_EXT: {
          let n: number;
          if (tag === Tag.SMALL_TUPLE_EXT) {
            if (p + 2 > end) throw d.err('ERR_ETF_TRUNCATED', 'needs 1 more bytes, 0 left', p, tag);
            n = b[p + 1]!;
            d.pos = p + 2;
          } else {
            d.need(4, p, tag);
            n = d.u32();
          }
          if (n > end - d.pos) throw d.err('ERR_ETF_TRUNCATED', `tuple of ${n} elements in ${end - d.pos} bytes`, p, tag);
          if (n === 0) value = EMPTY_TUPLE;
          else {
            d.charge(Cost.TUPLE + Cost.SLOT * n, p, tag);
            d.enter(p, tag);
            if (n === 1) {
              // The one-element tuples nested straight inside this one join its level of the
              // stack (each is still charged and counted against maxDepth where it starts,
              // and one with nothing after it is left to fail as it would alone).
              let run = 1;
              let q = d.pos;
              while (q + 2 < end && b[q] === Tag.SMALL_TUPLE_EXT && b[q + 1] === 1) {
                d.charge(Cost.TUPLE + Cost.SLOT, q, Tag.SMALL_TUPLE_EXT);
                d.enter(q, Tag.SMALL_TUPLE_EXT);
                q += 2;
                run++;
              }
              d.pos = q;
              f.open(Kind.Tuple1, run, EMPTY_ITEMS);
            } else f.open(Kind.Tuple, n, slots(n));
          }
          break;
        }
        case Tag.LIST_EXT: {
          d.need(4, p, tag);
          const n = d.u32();
          if (n + 1 > end - d.pos) throw d.err('ERR_ETF_TRUNCATED', `list of ${n} elements in ${end - d.pos} bytes`, p, tag);
          d.charge(Cost.ARRAY + Cost.SLOT * n, p, tag);
          d.enter(p, tag);
          f.open(Kind.List, n, new Array<Term>(n));
          if (n === 0) {
            const r = listTail(d, f);
            if (r !== undefined) {
              f.top--;
              d.leave();
              value = r;
            }
          }
          break;
        }
        case Tag.MAP_EXT: {
          d.need(4, p, tag);
          const n = d.u32();
          if (n > (end - d.pos) / 2) throw d.err('ERR_ETF_TRUNCATED', `map of ${n} pairs in ${end - d.pos} bytes`, p, tag);
          if (n === 0) value = EMPTY_MAP;
          else {
            d.charge(Cost.MAP + Cost.MAP_PAIR * n, p, tag);
            d.enter(p, tag);
            f.at[f.open(Kind.Map, 2 * n, slots(2 * n))] = p;
          }
          break;
        }
        case Tag.NEW_FUN_EXT: {
          const h = readFunHead(d, p);
          if (h.free === 0) value = makeFun(h, EMPTY_LIST as Term[]);
          else {
            d.enter(p, tag);
            f.openWithHead(Kind.Fun, h, h.free);
          }
          break;
        }
        case Tag.RECORD_EXT: {
          const h = readRecordHead(d, p);
          const n = h.fields.length;
          if (n === 0) value = new NativeRecord(h.module, h.name, [], [], h.exported);
          else {
            d.enter(p, tag);
            f.openWithHead(Kind.Record, h, n);
          }
          break;
        }
        default:
          value = d.leaf(tag, p); // not a container: no recursion below this point
      }
      if (value === undefined) continue;
    }
    // Hand the finished value to the enclosing container; close those now complete.
    for (;;) {
      const i = f.top;
      if (i < 0) return value!;
      if (f.kind[i] === Kind.Tuple1) {
        const run = f.left[i]!;
        for (let j = 0; j < run; j++) value = new Tuple([value!]);
        f.top--;
        d.leave(run);
        continue;
      }
      f.items[i]![f.fill[i]!++] = value!;
      if (--f.left[i]! > 0) {
        value = undefined;
        break;
      }
      if (f.kind[i] === Kind.List) {
        const r = listTail(d, f);
        if (r === undefined) {
          value = undefined;
          break;
        }
        value = r;
      } else value = close(d, f, i);
      f.top--;
      d.leave();
    }
  }
}

/**
 * An array for `n` items. Small ones are literals: allocated inline and already of the
 * elements kind that holds any term, where `new Array(n)` would change kind at the first
 * item that is not a small integer.
 */
function slots(n: number): Term[] {
  switch (n) {
    case 1:
      return [EMPTY_LIST];
    case 2:
      return [EMPTY_LIST, EMPTY_LIST];
    case 3:
      return [EMPTY_LIST, EMPTY_LIST, EMPTY_LIST];
    case 4:
      return [EMPTY_LIST, EMPTY_LIST, EMPTY_LIST, EMPTY_LIST];
    default:
      return new Array<Term>(n);
  }
}

/**
 * After a run of elements of the list at the top: more elements (a LIST_EXT or STRING_EXT
 * tail), the end (NIL_EXT), or an improper tail still to read. Returns the finished list,
 * or undefined when the list needs more items (`left` set; kind ListTail for the tail).
 */
function listTail(d: DeepCursor, f: Frames): Term | undefined {
  const b = d.b;
  const i = f.top;
  const items = f.items[i]!;
  for (;;) {
    const p = d.pos;
    const t = p < d.end ? b[p] : undefined;
    if (t === Tag.NIL_EXT) {
      d.pos = p + 1;
      return f.fill[i] === 0 ? EMPTY_LIST : items;
    }
    if (t === Tag.LIST_EXT && p + 5 <= d.end) {
      const more = ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
      d.pos = p + 5;
      if (more + 1 > d.end - d.pos) throw d.err('ERR_ETF_TRUNCATED', `list of ${more} elements in ${d.end - d.pos} bytes`, p, Tag.LIST_EXT);
      d.charge(Cost.SLOT * more, p, Tag.LIST_EXT);
      if (more === 0) continue;
      f.left[i] = more;
      return undefined;
    }
    if (t === Tag.STRING_EXT) {
      d.pos = p + 1;
      let n = f.fill[i]!;
      for (const c of d.leaf(Tag.STRING_EXT, p) as readonly number[]) items[n++] = c;
      return n === 0 ? EMPTY_LIST : items;
    }
    f.kind[i] = Kind.ListTail;
    f.left[i] = 1;
    return undefined;
  }
}

function close(d: DeepCursor, f: Frames, i: number): Term {
  const items = f.items[i]!;
  switch (f.kind[i] as Kind) {
    case Kind.Tuple:
      return new Tuple(items);
    case Kind.ListTail: {
      // The improper tail was read last.
      const n = f.fill[i]! - 1;
      const tail = items[n]!;
      items.length = n;
      return n === 0 ? tail : new ImproperList(items, tail);
    }
    case Kind.Map:
      return d.makeMap(items, f.at[i]!, Tag.MAP_EXT);
    case Kind.Fun:
      return makeFun(f.head[i] as FunHead, items);
    case Kind.Record: {
      const h = f.head[i] as RecordHead;
      return new NativeRecord(h.module, h.name, h.fields, items, h.exported);
    }
    case Kind.List:
    case Kind.Tuple1:
      throw new Error('unreachable: closed by listTail or in decodeDeep');
  }
}
