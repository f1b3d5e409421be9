/**
 * Requests waiting for the peer, by ref: 199 requests waiting for their MessageResult, and
 * important sends waiting for their 130 acknowledgement (ergo connection.go: requests map,
 * waitResult). Each has a timer; a connection going down fails them all at once.
 */
import type { EdfError } from '../../codec/edf/index.js';
import type { Ref } from '../../term/ids.js';
import { ErgoNetCode, ErgoNetError } from './errors.js';

export interface Answer {
  error: EdfError | null;
  result: unknown;
}

interface Waiter {
  resolve: (v: Answer) => void;
  reject: (e: ErgoNetError) => void;
  timer: NodeJS.Timeout;
}

/**
 * The map key of a ref: its words without trailing zeros, so the 3-word form and the 6-word
 * wire form of one reference (Ergo's 3×u64) find the same request.
 */
function key(r: Ref): string {
  const x = r.ids;
  let n = x.length;
  while (n > 1 && x[n - 1] === 0) n--;
  let k = String(x[0]);
  for (let i = 1; i < n; i++) k += '.' + x[i];
  return k;
}

export class PendingRequests {
  readonly #m = new Map<string, Waiter>();

  constructor(readonly timeoutMs: number) {}

  /** Resolves with the answer to `ref`; rejects with Timeout after `timeoutMs`. */
  expect(ref: Ref, what: string, peer: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const k = key(ref);
      const timer = setTimeout(() => {
        this.#m.delete(k);
        reject(new ErgoNetError(ErgoNetCode.Timeout, `${what}: no answer from ${peer} in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.#m.set(k, { resolve, reject, timer });
    });
  }

  /** Hand `v` to whoever waits for `ref`; false when nobody does (cheap when nothing waits). */
  settle(ref: Ref, v: Answer | ErgoNetError): boolean {
    if (this.#m.size === 0) return false;
    const k = key(ref);
    const w = this.#m.get(k);
    if (!w) return false;
    this.#m.delete(k);
    clearTimeout(w.timer);
    if (v instanceof ErgoNetError) w.reject(v);
    else w.resolve(v);
    return true;
  }

  /** Fail everything still waiting. */
  failAll(e: ErgoNetError): void {
    for (const [k, w] of this.#m) {
      clearTimeout(w.timer);
      this.#m.delete(k);
      w.reject(e);
    }
  }
}
