/**
 * Growable ring buffers. Queues in the runtime never use `Array#shift` (O(n) once V8 leaves
 * the fast path); a power-of-two ring with a mask is O(1) and reuses its slots.
 */

/** A FIFO of single values. */
export class Ring<T> {
  #buf: (T | undefined)[];
  #mask: number;
  #head = 0;
  #size = 0;

  constructor(capacity = 16) {
    let c = 4;
    while (c < capacity) c <<= 1;
    this.#buf = new Array<T | undefined>(c);
    this.#mask = c - 1;
  }

  get length(): number {
    return this.#size;
  }

  push(v: T): void {
    if (this.#size > this.#mask) this.#grow();
    this.#buf[(this.#head + this.#size) & this.#mask] = v;
    this.#size++;
  }

  /** The oldest value, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const i = this.#head;
    const v = this.#buf[i];
    this.#buf[i] = undefined;
    this.#head = (i + 1) & this.#mask;
    this.#size--;
    return v;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#buf[this.#head];
  }

  /** Drop every value for which `keep` is false, preserving order. */
  filter(keep: (v: T) => boolean): void {
    const n = this.#size;
    const out: T[] = [];
    for (let i = 0; i < n; i++) {
      const v = this.#buf[(this.#head + i) & this.#mask] as T;
      if (keep(v)) out.push(v);
    }
    this.clear();
    for (const v of out) this.push(v);
  }

  /** Values oldest first (a copy). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#buf[(this.#head + i) & this.#mask] as T);
    return out;
  }

  clear(): void {
    this.#buf.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const old = this.#buf;
    const cap = old.length;
    const next = new Array<T | undefined>(cap * 2);
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) & this.#mask];
    this.#buf = next;
    this.#mask = cap * 2 - 1;
    this.#head = 0;
  }
}

/**
 * A FIFO of mailbox entries, five slots per entry (kind, from, message, ref, via) stored flat,
 * so enqueuing a message allocates nothing.
 */
export class EntryRing {
  static readonly STRIDE = 5;
  #buf: unknown[];
  /** Capacity in entries − 1. */
  #mask: number;
  #head = 0;
  #size = 0;

  constructor(capacity = 8) {
    let c = 4;
    while (c < capacity) c <<= 1;
    this.#buf = new Array<unknown>(c * 5);
    this.#mask = c - 1;
  }

  get length(): number {
    return this.#size;
  }

  push(kind: number, from: unknown, message: unknown, ref: unknown, via: unknown): void {
    if (this.#size > this.#mask) this.#grow();
    const o = ((this.#head + this.#size) & this.#mask) * 5;
    const b = this.#buf;
    b[o] = kind;
    b[o + 1] = from;
    b[o + 2] = message;
    b[o + 3] = ref;
    b[o + 4] = via;
    this.#size++;
  }

  /**
   * Remove the oldest entry and copy it into `out` (slots 0..4). Returns false when empty.
   * The caller owns `out`; reusing one scratch array keeps dequeue allocation-free.
   */
  shiftInto(out: unknown[]): boolean {
    if (this.#size === 0) return false;
    const o = this.#head * 5;
    const b = this.#buf;
    out[0] = b[o];
    out[1] = b[o + 1];
    out[2] = b[o + 2];
    out[3] = b[o + 3];
    out[4] = b[o + 4];
    b[o + 1] = b[o + 2] = b[o + 3] = b[o + 4] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return true;
  }

  clear(): void {
    this.#buf.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const old = this.#buf;
    const cap = this.#mask + 1;
    const next = new Array<unknown>(cap * 10);
    for (let i = 0; i < this.#size; i++) {
      const s = ((this.#head + i) & this.#mask) * 5;
      const d = i * 5;
      next[d] = old[s];
      next[d + 1] = old[s + 1];
      next[d + 2] = old[s + 2];
      next[d + 3] = old[s + 3];
      next[d + 4] = old[s + 4];
    }
    this.#buf = next;
    this.#mask = cap * 2 - 1;
    this.#head = 0;
  }
}
