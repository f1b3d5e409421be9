/** Loopback helpers the network benches share. */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1 (also free for UDP when `udp`: a registrar port). */
export async function freePort(udp = false): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (!udp) return port;
    const ok = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}
