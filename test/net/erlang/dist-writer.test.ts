/**
 * The direct paths of a call (DistWriter.monitorShaped for MONITOR_P / DEMONITOR_P, genCall
 * for the SEND_SENDER of gen's call message): the bytes they put in the batch are exactly those
 * of the general encoder, and they decline every case they do not cover (atoms not yet in the
 * peer's cache, references that are not 3 words, big creations, a message to fragment).
 */
import { describe, expect, it } from 'vitest';
import { DistWriter } from '../../../src/net/erlang/dist-writer.js';
import { Dop } from '../../../src/net/erlang/dop.js';
import { Atom, ImproperList, Pid, Ref, Tuple, atom, tuple, type Term } from '../../../src/term/index.js';

const LOCAL = Atom.of('ts_writer@127.0.0.1');
const PEER = Atom.of('beam_writer@localhost');

function writer(): DistWriter {
  return new DistWriter({ atomCache: true, fragments: true, fragmentSize: 65536 });
}

/** The general path: begin, the elements, end. */
function general(w: DistWriter, op: number, from: Pid, to: Pid, ref: Ref): void {
  w.begin(op, 4);
  w.pid(from);
  w.pid(to);
  w.ref(ref);
  w.end();
}

const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex');

describe('dist writer: monitor-shaped control messages', () => {
  it('writes the bytes the general encoder writes, once both node names are in the cache', () => {
    const a = writer();
    const b = writer();
    const from = new Pid(LOCAL, 1234, 5, 0x6a0f_1234);
    const to = new Pid(PEER, 0xffff_fff0, 0xffff_ffff, 7);
    const warm = new Ref(LOCAL, 0x6a0f_1234, [1, 2, 3]);
    // First use lists the atoms' text: the direct path declines it.
    expect(b.monitorShaped(Dop.MONITOR_P, from, to, warm)).toBe(false);
    general(a, Dop.MONITOR_P, from, to, warm);
    general(b, Dop.MONITOR_P, from, to, warm);
    expect(hex(b.take())).toBe(hex(a.take()));
    for (const [op, ids] of [
      [Dop.MONITOR_P, [0, 0, 1]],
      [Dop.DEMONITOR_P, [0xffff_ffff, 0x3_ffff, 0xdead_beef]],
      [Dop.MONITOR_P, [77, 1, 99]],
    ] as const) {
      const ref = new Ref(LOCAL, 0x6a0f_1234, [...ids]);
      general(a, op, from, to, ref);
      expect(b.monitorShaped(op, from, to, ref)).toBe(true);
      expect(hex(b.take())).toBe(hex(a.take()));
    }
    expect(b.messagesOut).toBe(a.messagesOut);
    expect(b.cacheStats).toEqual(a.cacheStats);
  });

  it('declines what it does not cover', () => {
    const w = writer();
    const from = new Pid(LOCAL, 1, 0, 9);
    const to = new Pid(PEER, 2, 0, 10);
    general(w, Dop.MONITOR_P, from, to, new Ref(LOCAL, 9, [1, 2, 3]));
    w.take();
    expect(w.monitorShaped(Dop.MONITOR_P, from, to, new Ref(LOCAL, 9, [1, 2, 3, 4, 5]))).toBe(false);
    expect(w.monitorShaped(Dop.MONITOR_P, from, to, new Ref(PEER, 9, [1, 2, 3]))).toBe(false);
    expect(w.monitorShaped(Dop.MONITOR_P, new Pid(LOCAL, 1, 0, 2n ** 40n), to, new Ref(LOCAL, 9, [1, 2, 3]))).toBe(false);
    expect(w.monitorShaped(Dop.MONITOR_P, from, new Pid(Atom.of('other@host'), 2, 0, 10), new Ref(LOCAL, 9, [1, 2, 3]))).toBe(false);
    expect(w.take()).toBeUndefined();
    const plain = new DistWriter({ atomCache: false, fragments: false, fragmentSize: 65536 });
    expect(plain.monitorShaped(Dop.MONITOR_P, from, to, new Ref(LOCAL, 9, [1, 2, 3]))).toBe(false);
  });
});

describe('dist writer: the call message', () => {
  const GEN_CALL = atom('$gen_call');
  const ALIAS = atom('alias');
  const send = (w: DistWriter, from: Pid, to: Pid, ref: Ref, req: Term) => {
    w.begin(Dop.SEND_SENDER, 3);
    w.pid(from);
    w.pid(to);
    w.end(new Tuple([GEN_CALL, new Tuple([from, new ImproperList([ALIAS], ref)]), req]));
  };

  it('writes the bytes the general encoder writes, new atoms of the request and all', () => {
    const a = writer();
    const b = writer();
    const from = new Pid(LOCAL, 1234, 5, 0x6a0f_1234);
    const to = new Pid(PEER, 88, 0, 7);
    const requests: Term[] = [
      atom('ping'),
      atom('ping'),
      tuple(atom('get'), atom('$gen_call'), atom('alias'), [1, 2, 3], Buffer.from('bytes')),
      tuple(atom(`fresh_${'é'.repeat(200)}`), atom('ts_writer@127.0.0.1'), 1.5, -(7n ** 30n)),
      [],
      new Pid(LOCAL, 9, 9, 0x6a0f_1234),
    ];
    let i = 0;
    for (const req of requests) {
      const ref = new Ref(LOCAL, 0x6a0f_1234, [i++, 0, 77]);
      send(a, from, to, ref, req);
      expect(b.genCall(from, to, ref, req, GEN_CALL, ALIAS)).toBe(true);
      expect(hex(b.take())).toBe(hex(a.take()));
    }
    expect(b.messagesOut).toBe(a.messagesOut);
    expect(b.cacheStats).toEqual(a.cacheStats);
  });

  it('declines what it does not cover, writing nothing', () => {
    const w = new DistWriter({ atomCache: true, fragments: true, fragmentSize: 256 });
    const from = new Pid(LOCAL, 1, 0, 9);
    const to = new Pid(PEER, 2, 0, 10);
    expect(w.genCall(from, to, new Ref(LOCAL, 9, [1, 2, 3, 4]), atom('x'), GEN_CALL, ALIAS)).toBe(false);
    expect(w.genCall(from, new Pid(PEER, 2, 0, 2n ** 33n), new Ref(LOCAL, 9, [1, 2, 3]), atom('x'), GEN_CALL, ALIAS)).toBe(false);
    // Too big for one fragment: the general path fragments it.
    expect(w.genCall(from, to, new Ref(LOCAL, 9, [1, 2, 3]), Buffer.alloc(1000), GEN_CALL, ALIAS)).toBe(false);
    expect(w.take()).toBeUndefined();
    // An unencodable request throws, and leaves nothing behind.
    expect(() => w.genCall(from, to, new Ref(LOCAL, 9, [1, 2, 3]), Number.NaN, GEN_CALL, ALIAS)).toThrow();
    expect(w.take()).toBeUndefined();
    const plain = new DistWriter({ atomCache: false, fragments: false, fragmentSize: 65536 });
    expect(plain.genCall(from, to, new Ref(LOCAL, 9, [1, 2, 3]), atom('x'), GEN_CALL, ALIAS)).toBe(false);
  });
});
