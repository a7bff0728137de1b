/**
 * Free TCP ports on the loopback for a kernel's five sockets, found the way jupyter_client does:
 * bind port 0, read the port, release it (a small race the kernel's bind would surface as an error).
 */
import { createServer } from 'node:net';

export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError('freePorts: count must be a positive integer');
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<import('node:net').Server>((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(0, host, () => resolve(s));
      }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}
