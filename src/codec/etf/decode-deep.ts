/**
 * The explicit-stack half of the ETF decoder: containers nested deeper than the recursion
 * limit are decoded here, one frame per open container, so any nesting within maxDepth
 * decodes whatever its shape (tuples, lists and their tails, maps, funs, records).
 */
import { TermMap } from '../../term/map.js';
import { ImproperList, NativeRecord, Tuple, type Term } from '../../term/types.js';
import { makeFun, readFunHead, readRecordHead, type Cursor, type FunHead, type RecordHead } from './decode-parts.js';
import { Cost, EMPTY_LIST, EMPTY_TUPLE } from './leaf.js';
import { Tag } from './tags.js';

/** The decoder's surface the deep reader uses. */
export interface DeepCursor extends Cursor {
  enter(at: number, tag: number): void;
  leave(): void;
  makeMap(kv: Term[], at: number, tag: number): TermMap;
  /** A term that is not a container (never recurses). */
  leaf(tag: number, at: number): Term;
}

const enum Kind {
  Tuple,
  List,
  Map,
  Fun,
  Record,
}

/** An open container in #deep. */
interface Frame {
  kind: Kind;
  at: number;
  tag: number;
  /** Elements so far (maps: key, value, key, …; lists: elements, then the tail if improper). */
  items: Term[];
  /** Items still to read before the container (or, for a list, this run of elements) ends. */
  left: number;
  /** Lists: the next item is the improper tail. Funs/records: the header. */
  tail: boolean;
  head: FunHead | RecordHead | undefined;
}

/**
 * Decodes the container at `at` with an explicit stack instead of recursion, so nesting is
 * bounded by `maxDepth` rather than by the JS stack. `head`: a fun or record header that
 * has already been read (the container's items start at `pos`).
 */
export function decodeDeep(d: DeepCursor, at: number, head?: FunHead | RecordHead): Term {
  const b = d.b;
  const stack: Frame[] = [];
  let value: Term | undefined;
  if (head === undefined) d.pos = at;
  else {
    const isFun = 'oldUniq' in head;
    d.enter(at, isFun ? Tag.NEW_FUN_EXT : Tag.RECORD_EXT);
    stack.push({ kind: isFun ? Kind.Fun : Kind.Record, at, tag: isFun ? Tag.NEW_FUN_EXT : Tag.RECORD_EXT, items: [], left: isFun ? (head as FunHead).free : (head as RecordHead).fields.length, tail: false, head });
  }
  for (;;) {
    if (value === undefined) {
      const p = d.pos;
      if (p >= d.end) throw d.err('ERR_ETF_TRUNCATED', 'a term was expected', p);
      const tag = b[p]!;
      d.pos = p + 1;
      switch (tag) {
        case Tag.SMALL_TUPLE_EXT:
        case Tag.LARGE_TUPLE_EXT: {
          const small = tag === Tag.SMALL_TUPLE_EXT;
          d.need(small ? 1 : 4, p, tag);
          const n = small ? b[d.pos++]! : d.u32();
          if (n > d.end - d.pos) throw d.err('ERR_ETF_TRUNCATED', `tuple of ${n} elements in ${d.end - d.pos} bytes`, p, tag);
          if (n === 0) value = EMPTY_TUPLE;
          else {
            d.charge(Cost.TUPLE + Cost.SLOT * n, p, tag);
            d.enter(p, tag);
            stack.push({ kind: Kind.Tuple, at: p, tag, items: [], left: n, tail: false, head: undefined });
          }
          break;
        }
        case Tag.LIST_EXT: {
          d.need(4, p, tag);
          const n = d.u32();
          if (n + 1 > d.end - d.pos) throw d.err('ERR_ETF_TRUNCATED', `list of ${n} elements in ${d.end - d.pos} bytes`, p, tag);
          d.charge(Cost.ARRAY + Cost.SLOT * n, p, tag);
          d.enter(p, tag);
          const f: Frame = { kind: Kind.List, at: p, tag, items: [], left: n, tail: false, head: undefined };
          if (n > 0) stack.push(f);
          else {
            const r = listTail(d, f);
            if (r === undefined) stack.push(f);
            else {
              d.leave();
              value = r;
            }
          }
          break;
        }
        case Tag.MAP_EXT: {
          d.need(4, p, tag);
          const n = d.u32();
          if (n > (d.end - d.pos) / 2) throw d.err('ERR_ETF_TRUNCATED', `map of ${n} pairs in ${d.end - d.pos} bytes`, p, tag);
          d.charge(Cost.MAP + Cost.MAP_PAIR * n, p, tag);
          if (n === 0) value = TermMap.fromDecoded([]) as TermMap;
          else {
            d.enter(p, tag);
            stack.push({ kind: Kind.Map, at: p, tag, items: [], left: 2 * n, tail: false, head: undefined });
          }
          break;
        }
        case Tag.NEW_FUN_EXT: {
          const h = readFunHead(d, p);
          if (h.free === 0) value = makeFun(h, EMPTY_LIST as Term[]);
          else {
            d.enter(p, tag);
            stack.push({ kind: Kind.Fun, at: p, tag, items: [], left: h.free, tail: false, head: h });
          }
          break;
        }
        case Tag.RECORD_EXT: {
          const h = readRecordHead(d, p);
          if (h.fields.length === 0) value = new NativeRecord(h.module, h.name, [], [], h.exported);
          else {
            d.enter(p, tag);
            stack.push({ kind: Kind.Record, at: p, tag, items: [], left: h.fields.length, tail: false, head: h });
          }
          break;
        }
        default:
          value = d.leaf(tag, p); // not a container: no recursion below this point
      }
      if (value === undefined) continue;
    }
    // Hand the finished value to the enclosing frame; close frames that are now complete.
    for (;;) {
      const f = stack[stack.length - 1];
      if (f === undefined) return value!;
      f.items.push(value!);
      if (--f.left > 0) {
        value = undefined;
        break;
      }
      if (f.kind === Kind.List && !f.tail) {
        const r = listTail(d, f);
        if (r === undefined) {
          value = undefined;
          break;
        }
        value = r;
      } else value = close(d, f);
      stack.pop();
      d.leave();
    }
  }
}

/**
 * After a run of list elements (in #deep): more elements (a LIST_EXT or STRING_EXT tail),
 * the end (NIL_EXT), or an improper tail still to read. Returns the finished list, or
 * undefined when the frame needs more items (`left` set; `tail` set for the improper tail).
 */
function listTail(d: DeepCursor, f: Frame): Term | undefined {
  const b = d.b;
  for (;;) {
    const p = d.pos;
    const t = p < d.end ? b[p] : undefined;
    if (t === Tag.NIL_EXT) {
      d.pos = p + 1;
      return f.items.length === 0 ? EMPTY_LIST : f.items;
    }
    if (t === Tag.LIST_EXT && p + 5 <= d.end) {
      const more = ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
      d.pos = p + 5;
      if (more + 1 > d.end - d.pos) throw d.err('ERR_ETF_TRUNCATED', `list of ${more} elements in ${d.end - d.pos} bytes`, p, Tag.LIST_EXT);
      d.charge(Cost.SLOT * more, p, Tag.LIST_EXT);
      if (more === 0) continue;
      f.left = more;
      return undefined;
    }
    if (t === Tag.STRING_EXT) {
      d.pos = p + 1;
      for (const c of d.leaf(Tag.STRING_EXT, p) as readonly number[]) f.items.push(c);
      return f.items.length === 0 ? EMPTY_LIST : f.items;
    }
    f.tail = true;
    f.left = 1;
    return undefined;
  }
}

function close(d: DeepCursor, f: Frame): Term {
  switch (f.kind) {
    case Kind.Tuple:
      return new Tuple(f.items);
    case Kind.List: {
      // An improper tail was read last.
      const tail = f.items.pop()!;
      return f.items.length === 0 ? tail : new ImproperList(f.items, tail);
    }
    case Kind.Map:
      return d.makeMap(f.items, f.at, f.tag);
    case Kind.Fun:
      return makeFun(f.head as FunHead, f.items);
    case Kind.Record: {
      const h = f.head as RecordHead;
      return new NativeRecord(h.module, h.name, h.fields, f.items, h.exported);
    }
  }
}

