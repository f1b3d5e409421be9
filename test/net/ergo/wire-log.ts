/**
 * What went over the wire, from a stack's `tap`: each link's byte stream (either direction) cut
 * back into handshake and ENP frames, so a test can count frame types (a compressed frame is
 * type 200, an event 105/106, …) without trusting the code under test to report them.
 */
import type { ErgoStackOptions } from '../../../src/net/ergo/index.js';

interface Stream {
  buf: Uint8Array;
}

export interface WireFrame {
  peer: string;
  link: number;
  dir: 'in' | 'out';
  /** ENP type byte, or 0 for a handshake frame. */
  type: number;
  bytes: Uint8Array;
}

export class WireLog {
  readonly frames: WireFrame[] = [];
  readonly #streams = new Map<string, Stream>();

  readonly tap: NonNullable<ErgoStackOptions['tap']> = (peer, link, dir, bytes) => {
    const key = `${link}/${dir}`;
    let s = this.#streams.get(key);
    if (!s) this.#streams.set(key, (s = { buf: new Uint8Array(0) }));
    const all = new Uint8Array(s.buf.length + bytes.length);
    all.set(s.buf);
    all.set(bytes, s.buf.length);
    let p = 0;
    while (all.length - p >= 6) {
      const len = ((all[p + 2]! << 24) | (all[p + 3]! << 16) | (all[p + 4]! << 8) | all[p + 5]!) >>> 0;
      const total = all[p] === 0x57 ? len + 6 : len;
      if (total < 6 || all.length - p < total) break;
      this.frames.push({ peer, link, dir, type: all[p] === 0x57 ? 0 : all[p + 7]!, bytes: all.slice(p, p + total) });
      p += total;
    }
    s.buf = all.slice(p);
  };

  count(dir: 'in' | 'out', type: number): number {
    return this.frames.filter((f) => f.dir === dir && f.type === type).length;
  }
}
