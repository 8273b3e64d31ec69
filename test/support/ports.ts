import { createServer } from 'node:net';

/**
 * Ask the kernel for free loopback ports. All listeners are held open until every port is
 * known, so a single call never returns the same port twice (a server needing two ports,
 * like influxd, would otherwise race with itself). Another process can still grab a port
 * between close and the server binding it; that window is small enough for tests.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              if (address && typeof address === 'object') resolve(address.port);
              else reject(new Error('could not read the port of a loopback listener'));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) =>
            server.listening ? server.close(() => resolve()) : resolve(),
          ),
      ),
    );
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('freePorts(1) returned no port');
  return port;
}
