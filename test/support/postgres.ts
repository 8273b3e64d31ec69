// A real PostgreSQL server (Debian's postgresql, 15 on bookworm) on loopback with a throw-away
// data dir, for the relational store's tests (DESIGN §5).
import { spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.ts';
import { findBinary, type SpawnExtras, spawnManaged, waitUntilReady } from './process.ts';

const READY_TIMEOUT_MS = 30_000;
const INITDB_TIMEOUT_MS = 60_000;
const SUPERUSER = 'heatnet';

export interface PostgresHandle {
  port: number;
  /** postgres://heatnet@127.0.0.1:PORT/postgres */
  url: string;
  /** A fresh, empty database on this server; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Last ~4 KB of the server's log, for debugging a failing test. */
  logs(): string;
  /** Fast shutdown (SIGINT) and delete the temp dir. */
  destroy(): Promise<void>;
}

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Debian keeps initdb and postgres in /usr/lib/postgresql/<major>/bin, off the PATH (only
 * wrappers are on it). POSTGRES_BIN_DIR overrides; else the newest major installed; else a
 * PATH that has initdb (other distributions).
 */
export function postgresBinDir(): string {
  const explicit = process.env['POSTGRES_BIN_DIR'];
  if (explicit) return explicit;
  let majors: string[] = [];
  try {
    majors = readdirSync('/usr/lib/postgresql').filter((d) => /^\d+$/.test(d));
  } catch {
    // not Debian's layout
  }
  majors.sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const dir = join('/usr/lib/postgresql', major, 'bin');
    if (executable(join(dir, 'initdb')) && executable(join(dir, 'postgres'))) return dir;
  }
  return join(findBinary('initdb', 'POSTGRES_BIN_DIR'), '..');
}

/**
 * postgres refuses to run as root. As root (CI, this machine) the server runs as the
 * `postgres` system user Debian's package creates, owning the temp dir; else as ourselves.
 */
function runAs(): Pick<SpawnExtras, 'uid' | 'gid'> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) {
    throw new Error('running as root, but there is no "postgres" user to run the server as');
  }
  return { uid, gid };
}

function initdb(bin: string, dataDir: string, user: Pick<SpawnExtras, 'uid' | 'gid'>): void {
  const args = ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C'];
  // --no-sync: a crash during the test run loses a throw-away cluster, nothing more.
  const run = spawnSync(join(bin, 'initdb'), [...args, '--no-sync'], {
    ...user,
    cwd: dataDir,
    encoding: 'utf8',
    timeout: INITDB_TIMEOUT_MS,
  });
  if (run.status !== 0) {
    throw new Error(
      `initdb failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`,
    );
  }
}

async function acceptsQueries(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startPostgres(): Promise<PostgresHandle> {
  const bin = postgresBinDir();
  const user = runAs();
  const dir = await mkdtemp(join(tmpdir(), 'heatnet-postgres-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  await mkdir(dataDir, { mode: 0o700 });
  await mkdir(socketDir);
  if (user.uid !== undefined && user.gid !== undefined) {
    for (const d of [dir, dataDir, socketDir]) chownSync(d, user.uid, user.gid);
  }
  const port = await freePort();
  const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
  try {
    initdb(bin, dataDir, user);
    const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', socketDir];
    const proc = spawnManaged('postgres', join(bin, 'postgres'), args, process.env, {
      ...user,
      cwd: dir,
      // SIGTERM is a "smart" shutdown that waits for every client; SIGINT ends them.
      stopSignal: 'SIGINT',
      // The shutdown checkpoint can take over 5 s on a loaded machine; a SIGKILL then left
      // its workers writing pg_wal while the folder was removed (ENOTEMPTY in teardown).
      killAfterMs: 20_000,
    });
    await waitUntilReady(proc, `${url} to answer`, () => acceptsQueries(url), READY_TIMEOUT_MS);
    return {
      port,
      url,
      logs: () => proc.output(),
      async createDatabase(name) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        } finally {
          await client.end();
        }
        return `postgres://${SUPERUSER}@127.0.0.1:${port}/${name}`;
      },
      async destroy() {
        await proc.stop();
        // A worker that outlived its postmaster may still be writing: retry while it ends.
        await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
