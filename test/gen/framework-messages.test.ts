/**
 * One set of framework messages (DOWN, EXIT, events, node notices), encoded by both codecs:
 * ETF as the Erlang tuples a BEAM process receives (checked through a real `erl`), EDF as
 * Ergo's registered `gen.Message*` structs, decoded back into the same runtime classes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A, Alias, atom, Pid, Ref, tuple, type Term } from '../../src/term/index.js';
import {
  event,
  MessageDown,
  MessageEvent,
  MessageEventStart,
  MessageEventStop,
  MessageExit,
  processId,
  reasonFromGoError,
  reasonToGoError,
} from '../../src/gen/index.js';
import { decode as decodeEtf, encode as encodeEtf } from '../../src/codec/etf/index.js';
import { decode as decodeEdf, EdfError, encode as encodeEdf, defaultRegistry } from '../../src/codec/edf/index.js';
import { PacketPeer } from '../support/erl.js';

const n = atom('ts@127.0.0.1');
const pid = new Pid(n, 1001, 0, 7);
const ref = new Ref(n, 7, [1, 2, 3]);
const alias = new Alias(n, 7, [4, 5, 6]);

const latin = new TextDecoder('latin1');
/** The registered type name an EDF value starts with (`83 u16 len name`). */
function edfTypeName(b: Uint8Array): string {
  expect(b[0]).toBe(0x83);
  const len = (b[1]! << 8) | b[2]!;
  return latin.decode(b.subarray(3, 3 + len));
}

describe('ETF: the Erlang forms', () => {
  it('DOWN, EXIT and nodedown encode exactly as the tuples', () => {
    const cases: [Term, Term][] = [
      [new MessageDown(ref, pid, atom('boom')), tuple(A.DOWN, ref, A.process, pid, atom('boom'))],
      [new MessageDown(ref, processId('db', n), A.normal), tuple(A.DOWN, ref, A.process, tuple(atom('db'), n), A.normal)],
      [new MessageDown(ref, n, A.noconnection), tuple(atom('nodedown'), n)],
      [new MessageExit(pid, A.shutdown), tuple(A.EXIT, pid, A.shutdown)],
      [new MessageExit(processId('db', n), atom('x')), tuple(A.EXIT, tuple(atom('db'), n), atom('x'))],
      [new MessageEventStart(atom('prices')), tuple(atom('event_start'), atom('prices'))],
    ];
    for (const [msg, t] of cases) expect(Buffer.from(encodeEtf(msg))).toEqual(Buffer.from(encodeEtf(t)));
    // An alias in an EXIT is a reference to BEAM.
    expect(decodeEtf(encodeEtf(new MessageExit(alias, A.normal)))).toEqual(tuple(A.EXIT, alias.toRef(), A.normal));
  });

  describe('through a real BEAM (host erl)', () => {
    let beam: PacketPeer;
    beforeAll(() => {
      beam = new PacketPeer('etf_echo');
    });
    afterAll(async () => {
      await beam.close();
    });
    it("binary_to_term reads them as {'DOWN', …} / {'EXIT', …} and term_to_binary gives the same term back", async () => {
      for (const msg of [new MessageDown(ref, pid, tuple(A.shutdown, atom('x'))), new MessageDown(ref, processId('db', n), A.noproc), new MessageExit(pid, A.killed)]) {
        const back = await beam.request(encodeEtf(msg));
        expect(back[0]).toBe(0);
        expect(decodeEtf(back.subarray(1))).toEqual(msg.toTerm());
      }
    });
  });
});

describe("EDF: Ergo's gen.Message* types", () => {
  it('each kind of DOWN and EXIT is its registered struct, and decodes back into the runtime class', () => {
    const cases: [MessageDown | MessageExit, string][] = [
      [new MessageDown(ref, pid, A.normal), 'MessageDownPID'],
      [new MessageDown(ref, processId('db', n), A.shutdown), 'MessageDownProcessID'],
      [new MessageDown(ref, alias, A.killed), 'MessageDownAlias'],
      [new MessageDown(ref, event('prices', n), atom('gone')), 'MessageDownEvent'],
      [new MessageDown(ref, n, A.noconnection), 'MessageDownNode'],
      [new MessageExit(pid, A.normal), 'MessageExitPID'],
      [new MessageExit(processId('db', n), A.noproc), 'MessageExitProcessID'],
      [new MessageExit(alias, A.timeout), 'MessageExitAlias'],
      [new MessageExit(event('prices', n), atom('gone')), 'MessageExitEvent'],
      [new MessageExit(n, A.noconnection), 'MessageExitNode'],
    ];
    for (const [msg, type] of cases) {
      const bytes = encodeEdf(msg);
      expect(edfTypeName(bytes)).toBe(`#ergo.services/ergo/gen/${type}`);
      const back = decodeEdf(bytes) as MessageDown | MessageExit;
      expect(back).toBeInstanceOf(msg.constructor);
      expect(back.kind).toBe(msg.kind);
      const target = back instanceof MessageDown ? back.target : back.from;
      const want = msg instanceof MessageDown ? msg.target : msg.from;
      expect(target === want || (target as Pid).equals(want)).toBe(true);
      expect(back.reason).toEqual(msg.reason);
    }
  });

  it('the struct bodies are Go field order: PID then Reason (an error)', () => {
    const rt = defaultRegistry.get('#ergo.services/ergo/gen/MessageDownPID')!;
    expect(rt.fields.map((f) => [f.name, f.type.goName])).toEqual([
      ['PID', 'gen.PID'],
      ['Reason', 'error'],
    ]);
    const viaStruct = encodeEdf(new (rt.cls as new (i: object) => object)({ PID: pid, Reason: new EdfError('normal') }));
    expect(Buffer.from(encodeEdf(new MessageDown(ref, pid, A.normal)))).toEqual(Buffer.from(viaStruct));
  });

  it('events keep their nanoseconds; event start/stop and events inside any slots', () => {
    const ev = MessageEvent.fromNanos(event('prices', n), 1_700_000_000_123_456_789n, 42);
    const back = decodeEdf(encodeEdf(ev)) as MessageEvent;
    expect(back).toBeInstanceOf(MessageEvent);
    expect(back.nanos).toBe(1_700_000_000_123_456_789n);
    expect(back.timestamp).toBe(1_700_000_000_123);
    expect(back.event.equals(ev.event)).toBe(true);
    expect(back.message).toEqual(ev.message);
    expect(edfTypeName(encodeEdf(new MessageEventStop(atom('prices'))))).toBe('#ergo.services/ergo/gen/MessageEventStop');
    const list = decodeEdf(encodeEdf([new MessageEventStart(atom('a')), new MessageExit(pid, A.normal)])) as unknown[];
    expect(list[0]).toBeInstanceOf(MessageEventStart);
    expect(list[1]).toBeInstanceOf(MessageExit);
  });

  it('reasons cross as Go errors and come back as the same terms where Go has the word', () => {
    for (const r of [A.normal, A.shutdown, A.killed, A.noproc, A.noconnection, A.timeout, atom('panic')]) expect(reasonFromGoError(reasonToGoError(r))).toBe(r);
    expect(reasonToGoError(A.killed).message).toBe('kill');
    expect(reasonToGoError(tuple(A.shutdown, atom('db_down'))).message).toBe('{shutdown,db_down}');
    expect(reasonFromGoError(new EdfError('connection reset by peer'))).toEqual(tuple(A.error, 'connection reset by peer'));
    expect(reasonFromGoError(null)).toBe(A.normal);
  });
});
