// A real Mosquitto 2.0 broker on loopback, optionally persisting to a throw-away dir.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import {
  acceptsTcp,
  findBinary,
  type ManagedProcess,
  spawnManaged,
  waitUntilReady,
} from './process.ts';

const READY_TIMEOUT_MS = 15_000;

export interface MosquittoHandle {
  /** mqtt://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Last ~4 KB of the broker's log, for debugging a failing test. */
  logs(): string;
  stop(): Promise<void>;
  /** Start again on the same port with the same persistence dir. */
  restart(): Promise<void>;
  /** stop() and delete the temp dir. */
  destroy(): Promise<void>;
}

function mosquittoConfig(port: number, persistDir: string | undefined, quiet: boolean): string {
  const lines = [
    '# Generated for a single test run.',
    // Without a listener line mosquitto 2 would listen on 1883; with one it listens only here.
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'log_dest stderr',
    // A benchmark must not pay for a log line per PUBLISH; subscriptions stay visible.
    ...(quiet
      ? ['log_type error', 'log_type warning', 'log_type notice', 'log_type subscribe']
      : ['log_type all']),
  ];
  // Started as root, mosquitto switches to the "mosquitto" user, which cannot write into our
  // root-owned temp dir (saving the database fails with "Permission denied"). Stay as root.
  if (process.getuid?.() === 0) lines.push(`user ${userInfo().username}`);
  if (persistDir) {
    lines.push(
      'persistence true',
      // mosquitto concatenates this with the file name, so the trailing slash matters.
      `persistence_location ${persistDir}/`,
      'autosave_interval 1',
    );
  } else {
    lines.push('persistence false');
  }
  return `${lines.join('\n')}\n`;
}

export async function startMosquitto(
  opts: { persistence?: boolean; extraConfig?: string[]; quiet?: boolean } = {},
): Promise<MosquittoHandle> {
  const binary = findBinary('mosquitto', 'MOSQUITTO_BIN');
  const dir = await mkdtemp(join(tmpdir(), 'heatnet-mosquitto-'));
  const persistDir = opts.persistence ? join(dir, 'data') : undefined;
  if (persistDir) await mkdir(persistDir);
  const port = await freePort();
  const configFile = join(dir, 'mosquitto.conf');
  const extra = opts.extraConfig?.length ? `${opts.extraConfig.join('\n')}\n` : '';
  await writeFile(configFile, mosquittoConfig(port, persistDir, opts.quiet ?? false) + extra);

  const launch = async (): Promise<ManagedProcess> => {
    const proc = spawnManaged('mosquitto', binary, ['-c', configFile]);
    const what = `127.0.0.1:${port} to accept TCP connections`;
    await waitUntilReady(proc, what, () => acceptsTcp(port), READY_TIMEOUT_MS);
    return proc;
  };

  let proc: ManagedProcess;
  try {
    proc = await launch();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    logs: () => proc.output(),
    stop: () => proc.stop(),
    restart: async () => {
      await proc.stop();
      proc = await launch();
    },
    destroy: async () => {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
