/**
 * A flowing TCP socket's Readable schedules, after every chunk it emits, a `process.nextTick`
 * that asks the socket to read more (Node's `maybeReadMore`). libuv is already reading (only
 * back-pressure stops it, and that restarts reading by itself), so the tick does nothing, but
 * it runs before the promise continuations of the chunk's handlers. Measured on a call round
 * trip to a BEAM gen_server: about 7 % of its time (bench beam, call p50 0.93–0.98× BEAM's
 * with it, 1.03–1.07× without). Marking the stream as already "reading more" skips it.
 *
 * Only plain TCP sockets whose stream state has that flag (TLS sockets, whose reads go
 * through their own machinery, and test streams are left as they are).
 */
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

export function skipReadMore(s: unknown): void {
  if (!(s instanceof Socket) || s instanceof TLSSocket) return;
  const st = (s as unknown as { _readableState?: { readingMore?: unknown } })._readableState;
  if (st !== undefined && typeof st.readingMore === 'boolean') st.readingMore = true;
}
