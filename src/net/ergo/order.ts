/**
 * The numbers ENP uses to keep order (ergo connection.go): a sender's link is its pid id mod
 * 255 (mod the pool size), byte 6 tells the receiver's decode queue. Go writes 0 when its
 * formula gives 0 and then decodes such frames on any queue; we write 255 instead.
 */
import type { Alias, Pid } from '../../term/ids.js';

/** id % 255 of a pid's u64 id, from its two 32-bit halves (2^32 ≡ 1 mod 255). */
export function mod255(p: Pid): number {
  return (p.id + p.serial) % 255;
}

/** Go: alias.ID[1] % 255 (ID[1] is words 2 and 3 of our layout). */
export function aliasMod255(a: Alias): number {
  return ((a.ids[2] ?? 0) + (a.ids[3] ?? 0)) % 255;
}

/** Never 0 ("any queue" for Go). */
export function nz(v: number): number {
  return v === 0 ? 255 : v;
}
