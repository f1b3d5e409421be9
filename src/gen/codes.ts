/**
 * Every error code ergo-ts raises, in one catalogue: the runtime's ({@link ErrCode}, raised as
 * `RuntimeError`) and the codecs' (raised as `DecodeError` / `EncodeError` from src/codec).
 * `proto-spec/errors.md` lists the same codes for people; a test keeps the three in step (every
 * `'ERR_…'` literal in src/ is here, and everything here is in the document).
 */
import { ErrCode } from './errors.js';

export interface ErrorCodeInfo {
  /** Which part raises it. */
  readonly layer: 'runtime' | 'etf' | 'edf';
  /** The error class thrown. */
  readonly thrownAs: 'RuntimeError' | 'DecodeError' | 'EncodeError';
  readonly meaning: string;
}

const runtime = (meaning: string): ErrorCodeInfo => ({ layer: 'runtime', thrownAs: 'RuntimeError', meaning });
const etfDecode = (meaning: string): ErrorCodeInfo => ({ layer: 'etf', thrownAs: 'DecodeError', meaning });
const etfEncode = (meaning: string): ErrorCodeInfo => ({ layer: 'etf', thrownAs: 'EncodeError', meaning });
const edfDecode = (meaning: string): ErrorCodeInfo => ({ layer: 'edf', thrownAs: 'DecodeError', meaning });
const edfEncode = (meaning: string): ErrorCodeInfo => ({ layer: 'edf', thrownAs: 'EncodeError', meaning });

export const ErrorCatalogue: Readonly<Record<string, ErrorCodeInfo>> = {
  // ------------------------------------------------------------------ runtime (src/gen/errors.ts)
  [ErrCode.ProcessUnknown]: runtime('the pid is not (or no longer) alive on its node'),
  [ErrCode.ProcessIncarnation]: runtime('the pid belongs to a previous incarnation (creation) of this node'),
  [ErrCode.ProcessTerminated]: runtime('the acting process has terminated'),
  [ErrCode.MailboxFull]: runtime("the target's mailbox is at its limit and it has no fallback"),
  [ErrCode.NameUnknown]: runtime('no process is registered under that name'),
  [ErrCode.Taken]: runtime('the name, logger, event or type is already taken'),
  [ErrCode.ParentUnknown]: runtime('the process has no parent (or leader) to act on'),
  [ErrCode.AliasUnknown]: runtime('no such alias'),
  [ErrCode.AliasOwner]: runtime('only the owner may delete the alias'),
  [ErrCode.EventUnknown]: runtime('no such event'),
  [ErrCode.EventOwner]: runtime("only the event's owner, with its token, may send or unregister it"),
  [ErrCode.Timeout]: runtime('a wait ran out of time (call, stop, shutdown)'),
  [ErrCode.Aborted]: runtime("the caller's AbortSignal fired"),
  [ErrCode.CallSelf]: runtime('a process called itself (OTP: calling_self)'),
  [ErrCode.CallFailed]: runtime('the callee answered with an error, or died first; `reason` holds why'),
  [ErrCode.NodeTerminated]: runtime('the node is stopping or stopped'),
  [ErrCode.NoConnection]: runtime('the target node cannot be reached (no connection, no network)'),
  [ErrCode.NoRoute]: runtime('no stack can reach that node name'),
  [ErrCode.NotAllowed]: runtime('refused for this target or in this state (e.g. remote spawn not enabled)'),
  [ErrCode.Unsupported]: runtime("not supported by this target or by the peer's protocol"),
  [ErrCode.Incorrect]: runtime('a bad argument (a non-factory to spawn, a malformed node name, …)'),
  [ErrCode.TargetUnknown]: runtime('the link or monitor target is unknown or of an unsupported kind'),
  [ErrCode.TargetExist]: runtime('the link or subscription already exists'),
  [ErrCode.ApplicationUnknown]: runtime('no such application'),
  [ErrCode.ApplicationDepends]: runtime('an application dependency is missing, failed, or forms a cycle'),
  [ErrCode.ApplicationState]: runtime('the application is running or stopping; the operation needs it loaded'),
  [ErrCode.ApplicationEmpty]: runtime('the application spec has no members'),
  [ErrCode.ApplicationName]: runtime('the application spec has no name, or the name is taken'),
  [ErrCode.ApplicationStopping]: runtime('stopping the application did not finish within the timeout'),
  [ErrCode.ChildUnknown]: runtime('no supervisor child with that id'),
  [ErrCode.ChildExist]: runtime('a supervisor child with that id exists (or runs)'),
  [ErrCode.ChildStart]: runtime("a child could not be started; `reason` holds why"),
  [ErrCode.Internal]: runtime('a bug in the runtime'),
  [ErrCode.InitFailed]: runtime("a process's init threw or rejected; `reason` is the exit reason"),

  // ------------------------------------------------------------------ ETF (src/codec/etf)
  ERR_ETF_TRUNCATED: etfDecode('the input ends inside a term (or is empty)'),
  ERR_ETF_TRAILING: etfDecode('bytes follow the term'),
  ERR_ETF_BAD_VERSION: etfDecode('the first byte is not the version byte 131'),
  ERR_ETF_UNKNOWN_TAG: etfDecode('an unknown tag byte'),
  ERR_ETF_TOO_DEEP: etfDecode('nesting deeper than the limit (decode) or than the encoder allows (encode)'),
  ERR_ETF_TOO_LARGE: etfDecode('the input, or a big integer in it, is over its limit'),
  ERR_ETF_ATOM_CACHE: etfDecode('an atom cache reference to an entry that does not exist'),
  ERR_ETF_ATOM_LIMIT: etfDecode('the atom table is full (decoder option maxAtoms)'),
  ERR_ETF_ATOM_TOO_LONG: etfDecode('an atom of more than 255 characters'),
  ERR_ETF_NEW_ATOM: etfDecode('an atom that does not exist yet, with existingAtoms set'),
  ERR_ETF_BAD_UTF8: etfDecode('atom text that is not valid UTF-8'),
  ERR_ETF_EXPECTED_ATOM: etfDecode('an atom was expected here (node names, module and function names)'),
  ERR_ETF_BAD_REF: etfDecode('a reference with a bad word count or first word'),
  ERR_ETF_BAD_FUN: etfDecode('a fun with malformed fields'),
  ERR_ETF_BAD_EXPORT: etfDecode('an export whose arity is not a small integer'),
  ERR_ETF_BAD_FLOAT: etfDecode('an old-style float whose text is not a float'),
  ERR_ETF_BAD_BITS: etfDecode('a bitstring with 0 or more than 8 bits in its last byte (encode: outside 1..7)'),
  ERR_ETF_BAD_COMPRESSED: etfDecode('a compressed term that does not inflate to its declared size'),
  ERR_ETF_NESTED_COMPRESSED: etfDecode('a compressed term anywhere but right after the version byte'),
  ERR_ETF_STREAM_COMPRESSED: etfDecode('a compressed term in a stream (it has no length of its own)'),
  ERR_ETF_DUPLICATE_KEY: etfDecode('a map with the same key twice'),
  ERR_ETF_NOT_FINITE: etfDecode('NaN or ±Infinity (no Erlang float has them), decoding or encoding'),
  ERR_ETF_UNENCODABLE: etfEncode('a JS value with no term form (null, undefined, a function, a class instance)'),
  ERR_ETF_UNSAFE_INTEGER: etfEncode('an integral number beyond 2^53 (pass a bigint)'),
  ERR_ETF_BAD_CREATION: etfEncode('a pid, reference or port whose creation does not fit in 32 bits'),
  ERR_ETF_BAD_PORT: etfEncode('a port id out of range'),
  ERR_ETF_BAD_ARITY: etfEncode('an export arity outside 0..255'),

  // ------------------------------------------------------------------ EDF (src/codec/edf)
  ERR_EDF_TRUNCATED: edfDecode('the input ends inside a value'),
  ERR_EDF_TRAILING: edfDecode('bytes follow the value'),
  ERR_EDF_UNKNOWN_TAG: edfDecode('an unknown type tag'),
  ERR_EDF_UNKNOWN_TYPE: edfDecode('a registered type name this registry does not know (encode: not registered)'),
  ERR_EDF_UNKNOWN_CACHE_ID: edfDecode("a cache id missing from the peer's announced cache"),
  ERR_EDF_BAD_FOLD: edfDecode('a malformed folded type description'),
  ERR_EDF_BAD_MARKER: edfDecode('a slice or map marker that does not match its type'),
  ERR_EDF_BAD_TIME: edfDecode('a time.Time of a length Go does not write'),
  ERR_EDF_BAD_TYPE: edfDecode('a type the codec cannot handle in that position'),
  ERR_EDF_TOO_DEEP: edfDecode('nesting deeper than the limit'),
  ERR_EDF_TOO_LARGE: edfDecode('a value over the decoder limits'),
  ERR_EDF_TOO_MANY_ATOMS: edfDecode('the atom table is full (decoder option maxAtoms)'),
  ERR_EDF_CUSTOM: edfDecode("a custom (MarshalEDF) type's own codec failed, decoding or encoding"),
  ERR_EDF_UNENCODABLE: edfEncode('a JS value with no EDF form in an any slot (declare its Go type)'),
  ERR_EDF_RANGE: edfEncode("a number outside its Go type's range"),
  ERR_EDF_ARRAY_LENGTH: edfEncode('an array of the wrong length for a Go [N]T'),
  ERR_EDF_ATOM_TOO_LONG: edfEncode('an atom over 255 bytes'),
  ERR_EDF_STRING_TOO_LONG: edfEncode("a string over 65533 bytes (Go's decoder limit)"),
  ERR_EDF_BINARY_TOO_LONG: edfEncode('a binary over 4 GiB'),
  ERR_EDF_ERROR_TOO_LONG: edfEncode('an error message over 32767 bytes'),
  ERR_EDF_BAD_NAME: edfEncode('a registered type name without the leading # or over 4095 bytes'),
  ERR_EDF_BAD_FIELD: edfEncode('a struct field name that is not an exported Go identifier, or declared twice'),
  ERR_EDF_TYPE_TAKEN: edfEncode('a type name registered twice'),
  ERR_EDF_BAD_CACHE_ID: edfEncode('a cache id outside its range'),
  ERR_EDF_CACHE_FULL: edfEncode('no free cache id left'),
};
