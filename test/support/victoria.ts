// A real VictoriaMetrics single-node server on loopback with a throw-away data dir. It accepts
// InfluxDB line protocol on /api/v2/write, which is how the v2 write path is tested.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { findBinary, httpStatus, spawnManaged, waitUntilReady } from './process.ts';

const READY_TIMEOUT_MS = 30_000;

export interface VictoriaMetricsHandle {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Last ~4 KB of the server's log, for debugging a failing test. */
  logs(): string;
  /**
   * Make everything written so far searchable. Call it after writing and before reading: a
   * read that races the ~1 s background flush can cache an empty answer for that matcher for
   * up to ~30 s (seen with 1.79), so polling /api/v1/export instead of flushing can fail.
   */
  flush(): Promise<void>;
  stop(): Promise<void>;
  /** stop() and delete the data dir. */
  destroy(): Promise<void>;
}

export async function startVictoriaMetrics(): Promise<VictoriaMetricsHandle> {
  const binary = findBinary('victoria-metrics', 'VICTORIA_METRICS_BIN');
  const dataDir = await mkdtemp(join(tmpdir(), 'heatnet-victoria-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnManaged('victoria-metrics', binary, [
    `-storageDataPath=${dataDir}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    // Tests write fixed timestamps that may lie far in the past; keep them all.
    '-retentionPeriod=100y',
    // On SIGTERM it waits for open HTTP connections to close, up to 7 s by default. Node's fetch
    // keeps idle connections for 4 s, so stop() would intermittently take ~4.2 s.
    '-http.maxGracefulShutdownDuration=1s',
    // Queries hide the newest 30 s by default (data may still be arriving); tests read
    // what they just wrote.
    '-search.latencyOffset=0s',
  ]);
  try {
    const healthy = async () => (await httpStatus(`${url}/health`)) === 200;
    await waitUntilReady(proc, `GET ${url}/health to return 200`, healthy, READY_TIMEOUT_MS);
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    port,
    logs: () => proc.output(),
    flush: async () => {
      const res = await fetch(`${url}/internal/force_flush`);
      if (!res.ok) throw new Error(`victoria-metrics force_flush: HTTP ${res.status}`);
      await res.body?.cancel();
    },
    stop: () => proc.stop(),
    destroy: async () => {
      await proc.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
