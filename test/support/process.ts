// Shared plumbing for the real-server test helpers (influxd, mosquitto, victoria-metrics):
// spawn a child, keep the tail of its output for error messages, wait for readiness with a
// deadline, and make sure no server outlives the test process.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect, Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const TAIL_CHARS = 4096;
const KILL_AFTER_MS = 5_000;
const POLL_INTERVAL_MS = 100;

export interface ManagedProcess {
  readonly name: string;
  /** Resolves once the child has exited (or failed to spawn); never rejects. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** Last ~4 KB of interleaved stdout and stderr. */
  output(): string;
  /** SIGTERM (or the stop signal), then SIGKILL after 5 s (or killAfterMs). Resolves when it has exited. */
  stop(): Promise<void>;
}

// Children still running. The hooks below kill them synchronously when the test process ends,
// including when a test forgot to call destroy() or a vitest worker is torn down.
const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killAllSync(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous: kill() is, and SIGKILL cannot be ignored.
  process.on('exit', killAllSync);
  // A process killed by a signal it has no handler for never emits 'exit'. Kill the children,
  // then re-raise the signal for its default effect unless someone else handles it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllSync();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/**
 * Locate a server binary. Debian puts mosquitto in /usr/sbin, which is not on a normal user's
 * PATH, so the sbin directories are searched too. `envOverride` names a variable that may hold
 * an explicit path.
 */
export function findBinary(name: string, envOverride: string): string {
  const explicit = process.env[envOverride];
  if (explicit) return explicit;
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new Error(
    `${name} not found on PATH or in /usr/sbin (set ${envOverride} to override). ` +
      'Run `bash scripts/ensure-test-env.sh` to install the test servers.',
  );
}

export interface SpawnExtras {
  /** Run as this user and group (a server that refuses to run as root, like postgres). */
  uid?: number;
  gid?: number;
  cwd?: string;
  /** The signal stop() sends first (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** How long stop() waits before SIGKILL (default KILL_AFTER_MS). */
  killAfterMs?: number;
}

export function spawnManaged(
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  extras: SpawnExtras = {},
): ManagedProcess {
  installExitHooks();
  let tail = '';
  let exitReason: string | undefined;
  const append = (chunk: Buffer | string): void => {
    tail = (tail + chunk.toString()).slice(-TAIL_CHARS);
  };

  const { stopSignal = 'SIGTERM', killAfterMs = KILL_AFTER_MS, ...options } = extras;
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  live.add(child);
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  // A server the caller forgot to stop must not keep the test process alive; the exit hooks
  // kill it when the process ends instead.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) if (stream instanceof Socket) stream.unref();

  const exited = new Promise<string>((resolve) => {
    const done = (reason: string): void => {
      live.delete(child);
      exitReason ??= reason;
      resolve(exitReason);
    };
    // A failed spawn (ENOENT, EACCES) emits 'error' and may never emit 'exit'.
    child.once('error', (err) => done(`failed to start: ${err.message}`));
    child.once('exit', (code, signal) =>
      done(signal ? `killed by ${signal}` : `exit code ${code}`),
    );
  });

  return {
    name,
    exited,
    hasExited: () => exitReason !== undefined,
    output: () => tail,
    async stop() {
      if (exitReason !== undefined) return;
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function failure(proc: ManagedProcess, problem: string): Error {
  const tail = proc.output().trimEnd() || '(no output)';
  return new Error(`${proc.name} ${problem}\n--- last output of ${proc.name} ---\n${tail}`);
}

/**
 * Poll `isReady` until it returns true. Fails fast if the child exits, and stops the child
 * before throwing on timeout so a half-started server is not left behind.
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  what: string,
  isReady: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.hasExited()) throw failure(proc, `${await proc.exited} before ${what}`);
    if (await isReady().catch(() => false)) return;
    if (Date.now() >= deadline) {
      await proc.stop();
      throw failure(proc, `was not ready within ${timeoutMs} ms (waiting for ${what})`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Readiness probe: the HTTP status of a GET, or undefined when nothing answers. */
export async function httpStatus(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return undefined;
  }
}

/** Readiness probe: whether a TCP connection to 127.0.0.1:port is accepted. */
export function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
