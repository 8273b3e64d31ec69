// A real InfluxDB 1.x server (Debian's influxd 1.6) on loopback with a throw-away data dir.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.ts';
import {
  findBinary,
  httpStatus,
  type ManagedProcess,
  spawnManaged,
  waitUntilReady,
} from './process.ts';

const READY_TIMEOUT_MS = 30_000;

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface InfluxdHandle {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Holds influxdb.conf plus the meta/, data/ and wal/ directories. */
  dataDir: string;
  /** GET /query with epoch=ms; the series of the first result. Throws on any error field. */
  query(q: string, db?: string): Promise<InfluxSeries[]>;
  createDatabase(db: string): Promise<void>;
  /** Last ~4 KB of the server's log, for debugging a failing test. */
  logs(): string;
  /** SIGTERM and wait for exit; keeps dataDir. */
  stop(): Promise<void>;
  /** Start again on the same port and data dir. */
  restart(): Promise<void>;
  /** stop() and delete dataDir. */
  destroy(): Promise<void>;
}

interface QueryResponse {
  error?: string;
  results?: { error?: string; series?: InfluxSeries[] }[];
}

// influxd ignores unknown keys silently, so every key below was checked against the output of
// `influxd config` for 1.6.7. The goal: touch only dataDir and loopback, and stay quiet.
function influxConfig(
  dataDir: string,
  httpPort: number,
  rpcPort: number,
  maxValuesPerTag: number,
): string {
  return `# Generated for a single test run.
# Debian renamed upstream's reporting-disabled to reporting-enabled; set both spellings.
reporting-enabled = false
reporting-disabled = true
# The RPC service used by backup/restore; default 8088 would clash between parallel servers.
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dataDir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dataDir, 'data')}"
  wal-dir = "${join(dataDir, 'wal')}"
  query-log-enabled = false
  max-values-per-tag = ${maxValuesPerTag}

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  https-enabled = false
  unix-socket-enabled = false
  bind-socket = "${join(dataDir, 'influxd.sock')}"

[ifql]
  enabled = false

[continuous_queries]
  enabled = false
  log-enabled = false

[logging]
  suppress-logo = true
`;
}

// INFLUXDB_* variables override the config file (e.g. INFLUXDB_HTTP_BIND_ADDRESS), so a
// developer's or CI's environment could move the server off our port or data dir.
function envWithoutInfluxOverrides(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('INFLUXDB_')),
  );
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * @param options.maxValuesPerTag influxd's cap on distinct values of one tag (its default,
 *   100,000; 0 for none): a run with 250,000 households needs it lifted.
 * @param options.parentDir where its data dir is made (default: the system's temp dir).
 */
export async function startInfluxd(
  options: { maxValuesPerTag?: number; parentDir?: string } = {},
): Promise<InfluxdHandle> {
  const binary = findBinary('influxd', 'INFLUXD_BIN');
  const dataDir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'heatnet-influxd-'));
  const [port, rpcPort] = await freePorts(2);
  if (port === undefined || rpcPort === undefined) throw new Error('no free ports');
  const configFile = join(dataDir, 'influxdb.conf');
  const maxValues = options.maxValuesPerTag ?? 100_000;
  await writeFile(configFile, influxConfig(dataDir, port, rpcPort, maxValues));
  const url = `http://127.0.0.1:${port}`;

  const launch = async (): Promise<ManagedProcess> => {
    const proc = spawnManaged(
      'influxd',
      binary,
      ['-config', configFile],
      envWithoutInfluxOverrides(),
    );
    const ping = async () => (await httpStatus(`${url}/ping`)) === 204;
    await waitUntilReady(proc, `GET ${url}/ping to return 204`, ping, READY_TIMEOUT_MS);
    return proc;
  };

  let proc: ManagedProcess;
  try {
    proc = await launch();
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  const request = async (method: 'GET' | 'POST', q: string, db?: string) => {
    const params = new URLSearchParams({ q, epoch: 'ms' });
    if (db !== undefined) params.set('db', db);
    const res = await fetch(`${url}/query?${params}`, { method });
    const text = await res.text();
    let body: QueryResponse;
    try {
      body = JSON.parse(text) as QueryResponse;
    } catch {
      throw new Error(`influxd ${method} /query (${q}): HTTP ${res.status}: ${text}`);
    }
    const error = body.error ?? body.results?.[0]?.error;
    if (error !== undefined || !res.ok) {
      throw new Error(`influxd ${method} /query (${q}): HTTP ${res.status}: ${error ?? text}`);
    }
    return body.results?.[0]?.series ?? [];
  };

  return {
    url,
    port,
    dataDir,
    query: (q, db) => request('GET', q, db),
    // Statements that change state are refused over GET, so this one is a POST.
    createDatabase: async (db) => {
      await request('POST', `CREATE DATABASE ${quoteIdentifier(db)}`);
    },
    logs: () => proc.output(),
    stop: () => proc.stop(),
    restart: async () => {
      await proc.stop();
      proc = await launch();
    },
    destroy: async () => {
      await proc.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
