import { createServer, type Server } from 'node:net';

/**
 * Ports for test servers that must be told their port before they start (influxd,
 * mosquitto, pymodbus, a service restarted on the same port). They come from below
 * Linux's ephemeral range (32768–60999), where the kernel never picks one for a
 * listener on port 0 or for an outgoing connection, and each vitest worker has its own
 * thousand of them (21,000–28,999), handed out in turn: a port given here cannot be taken by a server
 * of a test running beside it, by the kernel, or again by the next test in the same
 * worker, between its check and the server binding it. Asking the kernel for a free
 * port, as before, left that window open, and a test failed through it (session 5).
 */
const FIRST_PORT = 20_000;
const PORTS_PER_WORKER = 1_000;
/** vitest's workers take slots 1–8; a script run outside it (a bench) takes the last one. */
const OUTSIDE_VITEST = 9;
/** 29,000–32,767 for a bench, which may ask for a port per simulated device. */
const PORTS_OUTSIDE_VITEST = 3_768;

const pool = Number(process.env.VITEST_POOL_ID);
const inVitest = Number.isInteger(pool) && pool > 0;

function portsOfThisProcess(): { first: number; count: number } {
  const slot = inVitest ? 1 + ((pool - 1) % (OUTSIDE_VITEST - 1)) : OUTSIDE_VITEST;
  const count = inVitest ? PORTS_PER_WORKER : PORTS_OUTSIDE_VITEST;
  return { first: FIRST_PORT + slot * PORTS_PER_WORKER, count };
}

/**
 * Where this process starts in its range. vitest's workers each own theirs; scripts outside
 * it (benches) share one, so each starts at a place of its own, spread by its pid. Two
 * benches started together took the same ports before: one's influxd failed to bind, and
 * most likely the same collision made session 10's burst bench count 31,018 points for the
 * 30,000 it had sent (a bench beside it, on the same ports, writing into its database).
 */
let handedOut = inVitest ? 0 : (process.pid * 97) % PORTS_OUTSIDE_VITEST;

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * `count` free loopback ports. All are held open until every one is known, so a single
 * call never returns the same port twice (influxd needs two).
 */
export async function freePorts(count: number): Promise<number[]> {
  const mine = portsOfThisProcess();
  const held: Server[] = [];
  try {
    for (let tried = 0; held.length < count && tried < mine.count; tried++) {
      const server = await listenOn(mine.first + (handedOut++ % mine.count));
      if (server) held.push(server);
    }
    if (held.length < count) throw new Error(`no ${count} free ports from ${mine.first}`);
    return held.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('freePorts(1) returned no port');
  return port;
}
