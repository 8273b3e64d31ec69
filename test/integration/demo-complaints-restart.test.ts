import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SQLITE_FILE } from '../../src/store/build.ts';
import { eventually, type RawConfig, TEST_TOKENS, testConfigYaml } from '../support/config.ts';
import { freePorts } from '../support/ports.ts';

/**
 * The demo's residents through a service restart (issue 10, item 4), end to end:
 * `heatnet simulate` and `heatnet start` in their own processes over real HTTP, a
 * substation whose supply stops so its households call within seconds, heatnet stopped
 * (SIGTERM) mid-run and started again on the same store. Every call the residents
 * delivered is in `GET /api/complaints` exactly once, and the store holds one row per
 * idempotency key. The residents' own count comes from the ground-truth server
 * (`GET /truth/residents`).
 */

const env = { ...process.env, ...TEST_TOKENS, HEATNET_LOG_LEVEL: 'warn' };
const service = { authorization: `Bearer ${TEST_TOKENS.HEATNET_SERVICE_TOKEN}` };
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function heatnet(command: 'start' | 'simulate', file: string): ChildProcess {
  const child = spawn(process.execPath, ['bin/heatnet.js', command, '--config', file], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function stopped(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  return ((await exit) as [number | null])[0];
}

interface Residents {
  counts: Record<'delivered' | 'rejected' | 'not-found' | 'unreachable' | 'dropped', number>;
  pending: number;
}

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'heatnet-restart-'));
  const [apiPort, truthPort] = await freePorts(2);
  let cold = '';
  const yaml = await testConfigYaml({
    substations: 2,
    patch: (raw: RawConfig) => {
      cold = raw.network.substations[0].id;
      raw.api = { ...raw.api, host: '127.0.0.1', port: apiPort };
      raw.storage = { ...raw.storage, dataDir: join(dir, 'data') };
      raw.simulation = {
        ...raw.simulation,
        speed: 300,
        groundTruth: { port: truthPort },
        // Only the cold substation's households call: a few calls a second here.
        complaints: {
          target: `http://127.0.0.1:${apiPort}/api/complaints`,
          coldPerHour: 0.5,
          warmPerHour: 0,
        },
        faults: [{ type: 'supply-stop', substation: cold, at: '+0m' }],
      };
    },
  });
  const file = join(dir, 'restart.yaml');
  writeFileSync(file, yaml);
  return {
    file,
    store: join(dir, 'data', DEFAULT_SQLITE_FILE),
    api: `http://127.0.0.1:${apiPort}`,
    truth: `http://127.0.0.1:${truthPort}`,
  };
}

async function complaintCount(api: string): Promise<number> {
  const res = await fetch(`${api}/api/complaints?limit=1000`, { headers: service });
  if (res.status !== 200) throw new Error(`GET /api/complaints: ${res.status}`);
  return ((await res.json()) as { complaints: unknown[] }).complaints.length;
}

async function residents(truth: string): Promise<Residents> {
  return (await (await fetch(`${truth}/truth/residents`)).json()) as Residents;
}

// Measured: 100 s with the machine loaded (load average 14 on 2 cores: a 5,000-station
// benchmark and two other test runs beside it), of which a service start through tsx took
// up to 35 s and the residents' retry backoff (capped at 30 s) the rest; the budget is 3×
// the whole, and each wait gets 90 s (3× the slowest single wait seen, 30 s).
describe('residents posting through a service restart', { timeout: 300_000 }, () => {
  it('delivers every call exactly once: none lost, none doubled', async () => {
    const { file, store, api, truth } = await setup();
    const wait = { timeoutMs: 90_000, intervalMs: 200 };
    let desk = heatnet('start', file);
    await eventually(() => complaintCount(api).then(() => true), { ...wait, what: 'heatnet up' });
    const sim = heatnet('simulate', file);
    await eventually(async () => (await complaintCount(api)) >= 10, {
      ...wait,
      what: 'ten calls',
    });

    // Stopped mid-run: the residents hold their calls back and retry with their keys.
    expect(await stopped(desk)).toBe(0);
    const before = await eventually(
      async () => {
        const r = await residents(truth);
        return r.counts.unreachable >= 2 && r.pending >= 2 ? r : undefined;
      },
      { ...wait, what: 'calls held back while heatnet is down' },
    );
    desk = heatnet('start', file);
    // Every call held back goes through, and more after them.
    const held = before.counts.delivered + before.pending;
    await eventually(async () => (await residents(truth)).counts.delivered > held, {
      ...wait,
      what: 'the held-back calls and one more delivered after the restart',
    });

    // Freeze the count: with heatnet down no attempt can commit, so once a fresh attempt
    // has failed every earlier one is counted, and stopping the residents loses nothing.
    expect(await stopped(desk)).toBe(0);
    const down = await residents(truth);
    const final = await eventually(
      async () => {
        const r = await residents(truth);
        return r.counts.unreachable > down.counts.unreachable ? r : undefined;
      },
      { ...wait, what: 'a failed attempt after the second stop' },
    );
    expect(await stopped(sim)).toBe(0);
    expect(final.counts).toMatchObject({ rejected: 0, 'not-found': 0, dropped: 0 });

    desk = heatnet('start', file);
    const listed = await eventually(() => complaintCount(api), { ...wait, what: 'heatnet up' });
    expect(listed).toBe(final.counts.delivered);
    expect(await stopped(desk)).toBe(0);
    const db = new Database(store, { readonly: true });
    const rows = db
      .prepare('SELECT count(*) AS n, count(DISTINCT idempotency_key) AS keys FROM complaints')
      .get() as { n: number; keys: number };
    db.close();
    expect(rows).toEqual({ n: final.counts.delivered, keys: final.counts.delivered });
  });
});
