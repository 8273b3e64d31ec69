import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts } from '../support/ports.ts';

describe('test ports: below the ephemeral range, this worker’s own', () => {
  it('hands out distinct, bindable ports outside the range the kernel picks from', async () => {
    const ports = [...(await freePorts(3)), await freePort(), await freePort()];
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(21_000);
      expect(port).toBeLessThan(29_000);
    }
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(ports[0], '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });

  it('skips a port something else holds', async () => {
    const [taken] = await freePorts(1);
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(taken, '127.0.0.1', resolve));
    try {
      // Cycle through the worker's range once: the held port must never come back.
      for (let i = 0; i < 1_000; i += 50) {
        expect(await freePorts(50)).not.toContain(taken);
      }
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
