/**
 * The SEND_SENDER shortcut of the receive path (src/net/erlang/fast-control.ts): it reads what
 * the full decoder reads, reuses Pid objects only while the pid is the same, and declines every
 * other form so the decoder (and its checks) handles it.
 */
import { describe, expect, it } from 'vitest';
import { atom, Pid, type Atom } from '../../../src/term/index.js';
import { FastControl, isSendSender } from '../../../src/net/erlang/fast-control.js';

const A = atom('a@127.0.0.1');
const B = atom('b@127.0.0.1');

function pidBytes(idx: number, id: number, serial: number, creation: number): number[] {
  const u = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return [88, 82, idx, ...u(id), ...u(serial), ...u(creation)];
}

function sendSender(from: number[], to: number[], payload = [97, 7]): Uint8Array {
  return Uint8Array.from([104, 3, 97, 22, ...from, ...to, ...payload]);
}

describe('FastControl (SEND_SENDER read from the bytes)', () => {
  const atoms: (Atom | undefined)[] = [A, B];

  it('reads sender and target as the decoder would, and where the payload starts', () => {
    const f = new FastControl();
    const b = sendSender(pidBytes(0, 80, 0, 7), pidBytes(1, 0xffffffff, 3, 0x80000001));
    expect(isSendSender(b, 0, b.length)).toBe(true);
    expect(f.sendSender(b, 0, b.length, atoms)).toBe(true);
    expect(f.from).toEqual(new Pid(A, 80, 0, 7));
    expect(f.to).toEqual(new Pid(B, 0xffffffff, 3, 0x80000001));
    expect(Array.from(b.subarray(f.end))).toEqual([97, 7]);
  });

  it('hands back the same Pid objects while the pids repeat, new ones when they change', () => {
    const f = new FastControl();
    const b1 = sendSender(pidBytes(0, 80, 0, 7), pidBytes(1, 90, 0, 9));
    f.sendSender(b1, 0, b1.length, atoms);
    const [from1, to1] = [f.from, f.to];
    f.sendSender(b1, 0, b1.length, atoms);
    expect(f.from).toBe(from1);
    expect(f.to).toBe(to1);
    const b2 = sendSender(pidBytes(0, 81, 0, 7), pidBytes(1, 90, 0, 9));
    f.sendSender(b2, 0, b2.length, atoms);
    expect(f.from).not.toBe(from1);
    expect(f.from).toEqual(new Pid(A, 81, 0, 7));
    expect(f.to).toBe(to1);
    // Same numbers under another node atom: another pid.
    const b3 = sendSender(pidBytes(1, 81, 0, 7), pidBytes(1, 90, 0, 9));
    f.sendSender(b3, 0, b3.length, atoms);
    expect(f.from).toEqual(new Pid(B, 81, 0, 7));
  });

  it('declines other ops, inline node atoms, unknown cache indexes and short input', () => {
    const f = new FastControl();
    const ok = sendSender(pidBytes(0, 80, 0, 7), pidBytes(1, 90, 0, 9));
    const reg = Uint8Array.from(ok);
    reg[3] = 2; // SEND
    expect(isSendSender(reg, 0, reg.length)).toBe(false);
    const inline = Uint8Array.from([104, 3, 97, 22, 88, 119, 1, 97, ...new Array(12).fill(0), ...pidBytes(1, 90, 0, 9), 97, 1]);
    expect(f.sendSender(inline, 0, inline.length, atoms)).toBe(false);
    const unknown = sendSender(pidBytes(5, 80, 0, 7), pidBytes(1, 90, 0, 9));
    expect(f.sendSender(unknown, 0, unknown.length, atoms)).toBe(false);
    expect(isSendSender(ok, 0, 20)).toBe(false);
    expect(f.sendSender(ok, 0, 20, atoms)).toBe(false);
  });
});
