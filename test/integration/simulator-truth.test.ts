import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSink } from '../../simulators/complaint-sinks.ts';
import type { NetworkTruth } from '../../simulators/model/truth.ts';
import { ResidentsComponent } from '../../simulators/residents-component.ts';
import { Simulator } from '../../simulators/simulator.ts';
import { silentLogger } from '../../src/core/logger.ts';
import {
  eventually,
  type RawConfig,
  TEST_TOKENS,
  testConfig,
  testConfigYaml,
} from '../support/config.ts';
import { freePort } from '../support/ports.ts';

const START = '2025-01-10T00:00:00Z';
const dir = mkdtempSync(join(tmpdir(), 'heatnet-sim-truth-'));

/** Ground truth on `port` (0 = off) and no residents unless `extra` asks, whatever demo.yaml says. */
function simulation(port: number, extra: RawConfig = {}) {
  return (raw: RawConfig) => {
    const base = { ...raw.simulation, start: START, groundTruth: { port }, complaints: {} };
    raw.simulation = { ...base, ...extra };
  };
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe('ground truth endpoint', () => {
  let sim: Simulator;
  let base: string;
  const truth = async () => json<NetworkTruth>(await fetch(`${base}/truth`));
  const post = (body: unknown) =>
    fetch(`${base}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    const port = await freePort();
    // 600×: one model step (60 s) per 100 ms, so a fault shows up within a second.
    const config = await testConfig({ substations: 4, patch: simulation(port, { speed: 600 }) });
    sim = new Simulator(config, silentLogger());
    await sim.start();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => sim?.stop());

  it('tells the truth: near end over-supplied, far end under, mass balanced', async () => {
    const res = await fetch(`${base}/truth`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-heatnet-notice')).toMatch(/tests and demos only/);
    const t = await json<NetworkTruth>(res);
    expect(Date.parse(t.time)).toBeGreaterThanOrEqual(Date.parse(START));
    expect(t.substations).toHaveLength(4);
    for (const s of t.substations) {
      expect(s).toMatchObject({ id: expect.any(String), supply: expect.any(String) });
      expect(s.flowRatio).toBeGreaterThan(0);
      expect(Number.isFinite(s.indoorMeanC)).toBe(true);
    }
    for (const branch of new Set(t.substations.map((s) => s.branch))) {
      const line = t.substations
        .filter((s) => s.branch === branch)
        .sort((a, b) => a.distanceM - b.distanceM);
      expect(line.length).toBeGreaterThan(1);
      // Uniform pump speeds: the pressure drop along the main starves the far end.
      expect(line[0]!.flowRatio).toBeGreaterThan(line.at(-1)!.flowRatio);
    }
    const sum = t.substations.reduce((a, s) => a + s.actualFlowM3h, 0);
    expect(t.plantFlowM3h).toBeCloseTo(sum, 6);
  });

  it('lists households, all or one substation’s; 404 for an unknown substation', async () => {
    const all = await json<{ households: { substation: string; tempC: number }[] }>(
      await fetch(`${base}/truth/households`),
    );
    const one = await json<{ households: { substation: string; tempC: number }[] }>(
      await fetch(`${base}/truth/households?substation=S01`),
    );
    expect(all.households.length).toBeGreaterThan(one.households.length);
    expect(one.households.length).toBeGreaterThan(0);
    expect(one.households.every((h) => h.substation === 'S01' && h.tempC > 5)).toBe(true);
    expect((await fetch(`${base}/truth/households?substation=S99`)).status).toBe(404);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });

  it('refuses a bad fault with 400 listing every error by path', async () => {
    const res = await post({ type: 'strainer-clog', factor: 0.5, colour: 'red' });
    expect(res.status).toBe(400);
    const body = await json<{ issues: { path: string; message: string }[] }>(res);
    expect(body.issues).toEqual(
      expect.arrayContaining([
        { path: 'substation', message: 'is required' },
        { path: 'factor', message: 'must be >= 1' },
        { path: 'colour', message: 'unknown property' },
      ]),
    );
    const unknown = await json<{ issues: { path: string; message: string }[] }>(
      await post({ type: 'pump-trip', pump: 'NOPE', at: 'soon' }),
    );
    expect(unknown.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'pump: unknown pump "NOPE"',
      'at: "soon": expected +N[smhd] or an ISO time',
    ]);
    expect((await post({ type: 'meteor' })).status).toBe(400);
    expect((await post('{not json')).status).toBe(400);
  });

  it('injects a strainer clog that starves the nearest substation, then clears it', async () => {
    const before = await truth();
    const near = [...before.substations].sort((a, b) => a.distanceM - b.distanceM)[0]!;
    const res = await post({ type: 'strainer-clog', substation: near.id, id: 'clog-1' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: 'clog-1', type: 'strainer-clog', active: true });
    expect((await post({ type: 'strainer-clog', substation: near.id, id: 'clog-1' })).status).toBe(
      409,
    );

    const clogged = await eventually(
      async () => {
        const t = await truth();
        const s = t.substations.find((x) => x.id === near.id)!;
        return s.flowRatio < 0.7 * near.flowRatio ? { t, s } : undefined;
      },
      { timeoutMs: 10_000, what: `${near.id}'s flow to drop` },
    );
    expect(clogged.s.faults).toContain('clog-1');
    expect(clogged.t.faults).toContainEqual(expect.objectContaining({ id: 'clog-1', until: null }));

    const del = await fetch(`${base}/faults/clog-1`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ id: 'clog-1', active: false });
    expect((await fetch(`${base}/faults/clog-1`, { method: 'DELETE' })).status).toBe(404);
    const listed = await json<{ faults: { id: string; active: boolean }[] }>(
      await fetch(`${base}/faults`),
    );
    expect(listed.faults).toContainEqual(expect.objectContaining({ id: 'clog-1', active: false }));
    await eventually(
      async () => {
        const s = (await truth()).substations.find((x) => x.id === near.id)!;
        return s.flowRatio > 0.95 * near.flowRatio;
      },
      { timeoutMs: 10_000, what: `${near.id}'s flow to recover` },
    );
  });

  it('names each household’s true cause, filtered by level; a supply stop names one target', async () => {
    type Row = { id: string; level: string; cause: string; fault: string | null };
    const rows = async (query: string) =>
      (await json<{ households: Row[] }>(await fetch(`${base}/truth/households?${query}`)))
        .households;
    const all = await rows('substation=S01');
    expect(all.every((h) => typeof h.level === 'string' && typeof h.cause === 'string')).toBe(true);
    const warm = await rows('substation=S01&level=none');
    expect(warm.length).toBeGreaterThan(0);
    expect(warm.every((h) => h.cause === 'room-warm' && h.fault === null)).toBe(true);
    const cold = all.filter((h) => h.level !== 'none');
    expect(cold.length + warm.length).toBe(all.length);
    expect((await fetch(`${base}/truth/households?level=hot`)).status).toBe(400);
    // The attribution itself is tested on hand-made cases in test/unit/sim-causes.test.ts.
    const both = await post({ type: 'supply-stop', substation: 'S01', building: 'S01-B1' });
    expect(both.status).toBe(400);
    expect(await both.text()).toMatch(/exactly one of building or substation/);
  });
});

describe('residents', () => {
  const started: Simulator[] = [];
  afterAll(async () => {
    for (const sim of started) await sim.stop();
  });

  /** A simulator at 3600× whose every resident calls at once (rates of 1 per hour). */
  async function phoning(target: string): Promise<ResidentsComponent> {
    const patch = simulation(0, { speed: 3600, complaints: { coldPerHour: 1, warmPerHour: 1 } });
    let residents: ResidentsComponent | undefined;
    const sim = new Simulator(await testConfig({ substations: 2, patch }), silentLogger(), {
      parts: (s) => {
        // Retries in milliseconds: an unreachable target is counted per attempt.
        const delivery = { firstBackoffMs: 5, maxBackoffMs: 20 };
        residents = new ResidentsComponent(s, createSink(target, 'resident-token'), delivery);
        return [residents];
      },
    });
    await sim.start();
    started.push(sim);
    return residents!;
  }

  it('append complaints to a file as JSON lines', async () => {
    const file = join(dir, 'calls', 'complaints.jsonl');
    const residents = await phoning(`file:${file}`);
    await eventually(() => residents.counts.delivered > 100, { what: 'complaints in the file' });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ household: expect.any(String), category: expect.any(String) });
    expect(Date.parse(first.reportedAt as string)).toBeGreaterThan(Date.parse(START));
  });

  it('count a missing endpoint (404) and an unreachable one, and keep going', async () => {
    // A port held for the test that drops every connection unanswered. A closed "free"
    // port could be bound meanwhile by a server of a test running beside this one, which
    // might keep each call waiting for its whole timeout.
    const refuser = createServer((socket) => socket.destroy());
    await new Promise<void>((listening) => refuser.listen(0, '127.0.0.1', listening));
    const port = (refuser.address() as AddressInfo).port;
    const missing = await phoning(`http://127.0.0.1:${port}/api/complaints`);
    try {
      await eventually(() => missing.counts.unreachable > 10, { what: 'unreachable counts' });
    } finally {
      refuser.close();
    }
    // A live HTTP server without the route: the ground-truth endpoint of another simulator.
    const truthPort = await freePort();
    const host = new Simulator(
      await testConfig({ substations: 1, patch: simulation(truthPort) }),
      silentLogger(),
    );
    await host.start();
    started.push(host);
    const notFound = await phoning(`http://127.0.0.1:${truthPort}/api/complaints`);
    await eventually(() => notFound.counts['not-found'] > 10, { what: '404 counts' });
    expect(notFound.counts.delivered).toBe(0);
  });
});

describe('heatnet simulate --scenario', () => {
  const env = { ...process.env, ...TEST_TOKENS, HEATNET_LOG_LEVEL: 'info' };
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  async function files(scenario: string, truthPort = 0) {
    const config = join(dir, `sim-${truthPort}.yaml`);
    writeFileSync(config, await testConfigYaml({ substations: 2, patch: simulation(truthPort) }));
    const file = join(dir, `scenario-${truthPort}.yaml`);
    writeFileSync(file, scenario);
    return { config, file };
  }

  it('refuses a bad scenario with every error by path and exits 2', async () => {
    const { config, file } = await files(
      [
        'faults:',
        '  - { type: strainer-clog, substation: S01 }',
        '  - { type: pump-trip }',
        '  - { type: leak, substation: S99 }',
      ].join('\n'),
    );
    const run = spawnSync(
      process.execPath,
      ['bin/heatnet.js', 'simulate', '--config', config, '--scenario', file],
      { env, encoding: 'utf8', timeout: 30_000 },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${file}: 2 error(s)`);
    expect(run.stderr).toMatch(/:3: faults\[1\]\.pump: is required/);
    expect(run.stderr).toMatch(/:4: faults\[2\]\.substation: unknown substation "S99"/);
  });

  it('starts with a good scenario, its faults injected, and stops on SIGTERM', async () => {
    const port = await freePort();
    const scenario = 'faults:\n  - { type: strainer-clog, substation: S01, id: scn-clog }\n';
    const { config, file } = await files(scenario, port);
    const args = ['bin/heatnet.js', 'simulate', '--config', config, '--scenario', file];
    const proc = spawn(process.execPath, [...args, '--speed', '60'], { env });
    child = proc;
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    proc.stderr.on('data', (d) => {
      out += d;
    });
    await eventually(() => out.includes('simulated network running'), {
      timeoutMs: 20_000,
      what: `the simulator to run; output so far:\n${out}`,
    });
    const faults = await json<{ faults: { id: string; active: boolean }[] }>(
      await fetch(`http://127.0.0.1:${port}/faults`),
    );
    expect(faults.faults).toEqual([expect.objectContaining({ id: 'scn-clog', active: true })]);
    const exit = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 40_000);
});
