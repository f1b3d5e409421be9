/**
 * One ETF fuzz input judged against the real BEAM's answer. The checks:
 * - nothing but `DecodeError` ever escapes our decoder;
 * - accept ⇔ accept (binary_to_term/1 vs decode());
 * - for an accepted input, our re-encoding is the BEAM's `term_to_binary(T, [{minor_version,2},
 *   deterministic])` (see proto-spec/etf.md §4 for why deterministic);
 * - our output always decodes back to the same term and re-encodes to the same bytes.
 * A disagreement is either one of the deliberate differences in {@link DIFFERENCES} (with its
 * reason) or unclassified, which fails the suite.
 */
import { decode, encode, Tag } from '../../src/codec/etf/index.js';
import { DecodeError } from '../../src/codec/errors.js';
import { equals, Fun, ImproperList, NativeRecord, Port, TermMap, Tuple, type Term } from '../../src/term/index.js';
import { walk } from './walk.js';
import type { OracleAnswer } from './oracle.js';

export type Outcome =
  | 'agree-accept'
  | 'agree-refuse'
  /** We refuse what the BEAM accepts. */
  | 'refuse-accepted'
  /** We accept what the BEAM refuses. */
  | 'accept-refused'
  /** Both accept; our bytes differ from the BEAM's. */
  | 'bytes'
  /** Our output does not decode to the same term, or re-encodes differently. */
  | 'roundtrip'
  /** Something other than a DecodeError escaped. */
  | 'crash';

export interface Verdict {
  outcome: Outcome;
  /** Set for a disagreement that is a deliberate difference (a key of DIFFERENCES). */
  classified?: DifferenceId;
  detail?: string;
}

/** The deliberate differences, each with its reason; proto-spec/etf.md §9 lists them too. */
export const DIFFERENCES = {
  'trailing-bytes': 'binary_to_term/1 ignores bytes after the term; decode() refuses them (ERR_ETF_TRAILING) — decodeAt() reads one term and says where it ended',
  limits: 'our configured limits (atoms, depth, big integers, allocation budget) refuse inputs the BEAM would still take',
  'large-map-order': 'maps of more than 32 keys keep the order they came in; the BEAM writes hash-trie order, or term order with [deterministic]',
  'fun-pid': 'OTP 26+ drops the creator pid of a fun and writes its own <0.0.0>; we keep the pid we received',
  'fun-key-order': 'OTP 29 orders funs without their OldUniq and breaks ties by VM-internal identity; we order them as OTP 25 and 27 do (module, index, old uniq, free variables)',
  'otp29-fun-identity': 'OTP 29 tells funs apart by VM fun entry (module, index, uniq); two fun map keys can be one key to it and two to us, or the reverse',
  'otp25-signed-zero': 'OTP 25 treats 0.0 and -0.0 as the same term (a map with both keys is a duplicate); OTP 27+ and we keep them apart',
  'record-before-otp29': 'RECORD_EXT (67) is unknown before OTP 29; we decode it on every link, as OTP 29 sends it to peers that never asked',
  'zero-word-refs': 'a reference of 0 words: OTP 25–29 "accept" it by reading a word past the end of their input; we refuse it',
  'otp25-port-form': 'OTP 25 writes a port below 2^28 as NEW_PORT_EXT; OTP 26+ and we always write V4_PORT_EXT',
  'atom-index-tags': "tags 73 and 75 (the VM's internal ATOM_INTERNAL_REF forms) index the decoding VM's own atom table: binary_to_term takes them, but they mean nothing from another node; we refuse them",
  'otp29-fun-fields': "OTP 29 does not keep a fun's OldIndex and OldUniq: it writes the Index as OldIndex, and the OldUniq of the first fun with the same module, index and uniq the VM saw; we keep both as received (OTP 25 and 27 do too)",
  'export-arity': 'EXPORT_EXT arity above 255: OTP 25 and 29 keep it, OTP 27 crashes (segfault) on it, a fun cannot have it; we refuse it',
  'otp25-fun-pid-field': "OTP 25 takes any term in a fun's Pid field; OTP 27+ and we require a pid",
  'float-no-nul': 'FLOAT_EXT text with no NUL in its 31 bytes: the BEAM reads on past the field (its answer depends on the bytes after it); we refuse it',
  'otp25-empty-bitstring': 'OTP 25 takes BIT_BINARY_EXT with 0 bytes and 0 bits as <<>>; OTP 27+ and we refuse it',
} as const;

export type DifferenceId = keyof typeof DIFFERENCES;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function tryDecode(b: Uint8Array): { term: Term } | { error: DecodeError } {
  try {
    return { term: decode(b) };
  } catch (e) {
    if (e instanceof DecodeError) return { error: e };
    throw e;
  }
}

export function checkEtf(input: Uint8Array, beam: OracleAnswer, release: string): Verdict {
  let ours: { term: Term } | { error: DecodeError };
  try {
    ours = tryDecode(input);
  } catch (e) {
    return { outcome: 'crash', detail: String((e as Error)?.stack ?? e) };
  }
  if (!beam.ok) {
    if ('error' in ours) return { outcome: 'agree-refuse' };
    if (beam.crashed) return { outcome: 'accept-refused', detail: `this input crashes OTP ${release}; we must refuse it` };
    return { outcome: 'accept-refused', classified: whyAccepted(ours.term, release), detail: `we decode ${describe(ours.term)}` };
  }
  if ('error' in ours) {
    const e = ours.error;
    if (e.code === 'ERR_ETF_TRAILING' && beam.used < input.length) {
      // Judge the term itself: the prefix the BEAM used.
      const inner = checkEtf(input.subarray(0, beam.used), beam, release);
      if (inner.outcome === 'agree-accept') return { outcome: 'refuse-accepted', classified: 'trailing-bytes' };
      return inner;
    }
    if (LIMIT_CODES.has(e.code)) return { outcome: 'refuse-accepted', classified: 'limits', detail: e.message };
    let cls = whyRefused(e, release);
    // A duplicate-key refusal where OTP 29 saw two keys: funs it tells apart by fun entry.
    if (cls === undefined && e.code === 'ERR_ETF_DUPLICATE_KEY' && Number(release) >= 29 && input.includes(Tag.NEW_FUN_EXT)) cls = 'otp29-fun-identity';
    return { outcome: 'refuse-accepted', classified: cls, detail: `${e.code}: ${e.message}` };
  }
  // Our output must decode to the same term and re-encode to the same bytes.
  let mine: Uint8Array;
  try {
    mine = Uint8Array.from(encode(ours.term));
    const back = decode(mine);
    if (!equals(back, ours.term)) return { outcome: 'roundtrip', detail: `encode∘decode changed the term: ${hex(mine).slice(0, 200)}` };
    const again = encode(back);
    if (hex(again) !== hex(mine)) return { outcome: 'roundtrip', detail: `unstable re-encode ${hex(mine).slice(0, 100)} → ${hex(again).slice(0, 100)}` };
  } catch (e) {
    if (e instanceof DecodeError) return { outcome: 'roundtrip', detail: `our output does not decode: ${e.message}` };
    return { outcome: 'crash', detail: String((e as Error)?.stack ?? e) };
  }
  if (hex(mine) === hex(beam.det)) return { outcome: 'agree-accept' };
  return { outcome: 'bytes', classified: whyBytes(ours.term, beam, release), detail: `ours ${hex(mine).slice(0, 160)} beam ${hex(beam.det).slice(0, 160)}` };
}

const LIMIT_CODES = new Set(['ERR_ETF_TOO_LARGE', 'ERR_ETF_TOO_DEEP', 'ERR_ETF_ATOM_LIMIT', 'ERR_ETF_ALLOC_LIMIT']);

/** We accept, the BEAM refuses. */
function whyAccepted(t: Term, release: string): DifferenceId | undefined {
  const major = Number(release);
  let hasRecord = false;
  let zeroPair = false;
  let funPair = false;
  walk(t, (x) => {
    if (x instanceof NativeRecord) hasRecord = true;
    if (x instanceof TermMap) {
      let pos = false;
      let neg = false;
      let funs = 0;
      for (const k of x.keys()) {
        if (k !== null && typeof k === 'object' && 'value' in k && (k as { value: unknown }).value === 0) {
          if (Object.is((k as { value: number }).value, -0)) neg = true;
          else pos = true;
        }
        if (k instanceof Fun) funs++;
      }
      if (pos && neg) zeroPair = true;
      if (funs >= 2) funPair = true;
    }
  });
  if (hasRecord && major < 29) return 'record-before-otp29';
  if (major <= 25 && zeroPair) return 'otp25-signed-zero';
  if (major >= 29 && funPair) return 'otp29-fun-identity';
  return undefined;
}

/** We refuse (not a limit), the BEAM accepts. */
function whyRefused(e: DecodeError, _release: string, t?: Term): DifferenceId | undefined {
  if (e.code === 'ERR_ETF_BAD_REF' && /of 0 words/.test(e.message)) return 'zero-word-refs';
  if ((e.code === 'ERR_ETF_UNKNOWN_TAG' || e.code === 'ERR_ETF_EXPECTED_ATOM') && (e.tag === 73 || e.tag === 75)) return 'atom-index-tags';
  if (e.code === 'ERR_ETF_BAD_FLOAT' && /no NUL/.test(e.message)) return 'float-no-nul';
  if (e.code === 'ERR_ETF_BAD_EXPORT' && /0\.\.255/.test(e.message)) return 'export-arity';
  if (e.code === 'ERR_ETF_BAD_FUN' && /Pid is not a pid/.test(e.message) && Number(_release) <= 25) return 'otp25-fun-pid-field';
  if (e.code === 'ERR_ETF_BAD_BITS' && /of 0 bytes with 0 bits/.test(e.message) && Number(_release) <= 25) return 'otp25-empty-bitstring';
  return undefined;
}

/** Both accept, bytes differ. */
function whyBytes(t: Term, beam: { det: Uint8Array; plain: Uint8Array }, release: string): DifferenceId | undefined {
  const major = Number(release);
  let theirs: Term;
  try {
    theirs = decode(beam.det);
  } catch {
    return undefined;
  }
  let large = false;
  let funs = false;
  let funKeys = false;
  let ports = false;
  walk(t, (x) => {
    if (x instanceof TermMap) {
      if (x.size > 32) large = true;
      let n = 0;
      for (const k of x.keys()) if (k instanceof Fun) n++;
      if (n >= 2) funKeys = true;
    }
    if (x instanceof Fun) funs = true;
    if (x instanceof Port) ports = true;
  });
  if (major >= 29 && funs) {
    // OTP 29 rebuilds OldIndex and OldUniq, and writes its own pid (see fun-pid).
    const norm = (x: Term) => mapFuns(x, (f) => new Fun(f.arity, f.uniq, f.index, f.module, 0, 0, f.pid, f.freeVars));
    if (!equals(theirs, t) && equals(norm(theirs), norm(t))) return 'otp29-fun-fields';
  }
  if (equals(theirs, t)) {
    if (large) return 'large-map-order';
    if (funKeys && major >= 29) return 'fun-key-order';
    if (ports && major <= 25) return 'otp25-port-form';
    // Same term, other bytes: only fun pids can make that (they are not compared).
    if (funs && major >= 26) return 'fun-pid';
    return undefined;
  }
  return undefined;
}

/** `t` with every fun replaced by `f(fun)` (free variables first). Recursive: for the checker only. */
function mapFuns(t: Term, f: (x: Fun) => Fun): Term {
  if (Array.isArray(t)) return (t as Term[]).map((e) => mapFuns(e, f));
  if (t instanceof Tuple) return new Tuple(t.elements.map((e) => mapFuns(e, f)));
  if (t instanceof TermMap) return new TermMap([...t].map(([k, v]) => [mapFuns(k, f), mapFuns(v, f)] as const));
  if (t instanceof ImproperList) return new ImproperList(t.head.map((e) => mapFuns(e, f)), mapFuns(t.tail, f));
  if (t instanceof NativeRecord) return new NativeRecord(t.module, t.name, t.fields, t.values.map((e) => mapFuns(e, f)), t.exported);
  if (t instanceof Fun) return f(new Fun(t.arity, t.uniq, t.index, t.module, t.oldIndex, t.oldUniq, t.pid, t.freeVars.map((e) => mapFuns(e, f))));
  return t;
}

function describe(t: Term): string {
  try {
    return hex(encode(t)).slice(0, 120);
  } catch {
    return '(unencodable)';
  }
}
