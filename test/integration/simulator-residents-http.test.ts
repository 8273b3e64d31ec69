import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type DeliveryOptions, DeliveryQueue } from '../../simulators/complaint-queue.ts';
import { createSink } from '../../simulators/complaint-sinks.ts';
import type { Complaint } from '../../simulators/complaints.ts';
import { residentsToken } from '../../simulators/residents-component.ts';
import { Simulator } from '../../simulators/simulator.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { capture } from '../support/capture.ts';
import {
  eventually,
  type RawConfig,
  TEST_TOKENS,
  testConfig,
  testConfigYaml,
} from '../support/config.ts';

/**
 * Residents posting to heatnet (issue 10, item 4) against a small real HTTP server
 * standing in for `POST /api/complaints`: it answers 503, cuts connections, loses its
 * answers after committing, goes away and comes back. It commits a key once and answers
 * a repeated key with the first result, as heatnet does.
 */
type Answer = 'commit' | 'cut' | 'commit-then-cut' | number;

class FakeDesk {
  readonly committed: { key: string; body: Record<string, unknown>; auth?: string }[] = [];
  attempts = 0;
  /** Answers for the next attempts, in order; then `commit`, unless `refuse` says otherwise. */
  script: Answer[] = [];
  refuse: (body: Record<string, unknown>) => number | undefined = () => undefined;
  private server: Server | undefined;
  port = 0;

  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}/api/complaints`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  }

  keys(): string[] {
    return this.committed.map((c) => c.key);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    this.attempts++;
    const body = JSON.parse(text) as Record<string, unknown>;
    const key = String(req.headers['idempotency-key']);
    const answer = this.script.shift() ?? this.refuse(body) ?? 'commit';
    if (answer === 'cut') return void res.socket?.destroy();
    if (typeof answer === 'number') {
      res.writeHead(answer, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ statusCode: answer, message: `no (${answer})` }));
    }
    const first = this.committed.findIndex((c) => c.key === key);
    if (first < 0) this.committed.push({ key, body, auth: req.headers.authorization });
    if (answer === 'commit-then-cut') return void res.socket?.destroy();
    res.writeHead(first < 0 ? 201 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `C-${first < 0 ? this.committed.length : first + 1}` }));
  }
}

function calls(count: number, from = 0): Complaint[] {
  return Array.from({ length: count }, (_, i) => ({
    household: `H-${from + i}`,
    category: 'low-temperature',
    channel: 'hotline',
    reportedAt: new Date(Date.UTC(2026, 0, 10, 8, 0, from + i)).toISOString(),
    description: 'cold',
    key: `sim-1-H-${from + i}`,
  }));
}

const FAST: DeliveryOptions = { firstBackoffMs: 5, maxBackoffMs: 40 };
const desks: FakeDesk[] = [];
const queues: DeliveryQueue[] = [];

async function deskAndQueue(options = FAST) {
  const desk = new FakeDesk();
  desks.push(desk);
  const url = await desk.start();
  const log = capture();
  const queue = new DeliveryQueue(
    createSink(url, 'tok'),
    pino({ level: 'warn' }, log.out),
    options,
  );
  queues.push(queue);
  return { desk, queue, log };
}

afterEach(async () => {
  for (const q of queues.splice(0)) await q.stop();
  for (const d of desks.splice(0)) await d.stop();
});

describe('delivering calls to POST /api/complaints', () => {
  it('delivers every call once, in order, through 503s, 408/429, cut connections and lost answers', async () => {
    const { desk, queue } = await deskAndQueue();
    desk.script = [503, 503, 'cut', 'commit', 'commit-then-cut', 408, 429, 'commit-then-cut', 500];
    const sent = calls(30);
    for (const c of sent) queue.push(c);
    await eventually(() => queue.pending === 0, { what: 'the queue to drain' });
    expect(desk.keys()).toEqual(sent.map((c) => c.key));
    expect(queue.counts).toMatchObject({ delivered: 30, unavailable: 5, unreachable: 3 });
    expect(queue.counts.rejected + queue.counts.dropped).toBe(0);
    expect(desk.committed[0]).toMatchObject({ auth: 'Bearer tok', body: { household: 'H-0' } });
  });

  it('holds calls through a restart: the server goes away and comes back on its port', async () => {
    const { desk, queue } = await deskAndQueue();
    for (const c of calls(5)) queue.push(c);
    await eventually(() => desk.committed.length === 5, { what: 'the first five' });
    await desk.stop();
    for (const c of calls(10, 5)) queue.push(c);
    await eventually(() => queue.counts.unreachable >= 3, { what: 'failed attempts' });
    expect(queue.pending).toBe(10);
    await desk.start(desk.port);
    await eventually(() => queue.pending === 0, { what: 'the queue to drain after the restart' });
    expect(desk.keys()).toEqual(calls(15).map((c) => c.key));
    expect(queue.counts.delivered).toBe(15);
  });

  it('counts a refused call, logs each kind once with the message, and goes on', async () => {
    const { desk, queue, log } = await deskAndQueue();
    const bad = new Map([
      ['H-2', 400],
      ['H-4', 400],
      ['H-6', 422],
      ['H-8', 404],
    ]);
    desk.refuse = (body) => bad.get(body.household as string);
    const sent = calls(10);
    for (const c of sent) queue.push(c);
    await eventually(() => queue.pending === 0, { what: 'the queue to drain' });
    expect(desk.keys()).toEqual(sent.filter((c) => !bad.has(c.household)).map((c) => c.key));
    expect(queue.counts).toMatchObject({ delivered: 6, rejected: 3, 'not-found': 1 });
    // Refusals are not retried: one attempt each.
    expect(desk.attempts).toBe(10);
    const warnings = log
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(warnings.map((w) => w.status)).toEqual([400, 422, 404]);
    expect(warnings[0]).toMatchObject({ outcome: 'rejected', detail: 'HTTP 400: no (400)' });
  });

  it('keeps at most maxPending calls waiting and counts the ones it drops', async () => {
    const { desk, queue } = await deskAndQueue({ ...FAST, maxPending: 5 });
    await desk.stop();
    for (const c of calls(8)) queue.push(c);
    expect(queue.pending).toBe(5);
    expect(queue.counts.dropped).toBe(3);
    await desk.start(desk.port);
    await eventually(() => queue.pending === 0, { what: 'the queue to drain' });
    expect(desk.keys()).toEqual(calls(5).map((c) => c.key));
  });
});

describe('residents of a running simulator', () => {
  const started: Simulator[] = [];
  let child: ChildProcess | undefined;
  afterAll(async () => {
    for (const s of started) await s.stop();
    child?.kill('SIGKILL');
  });

  it('post with the config’s service token, their keys, channels and some addresses', async () => {
    const desk = new FakeDesk();
    desks.push(desk);
    const url = await desk.start();
    const patch = (raw: RawConfig) => {
      const complaints = { target: url, coldPerHour: 1, warmPerHour: 0.2 };
      raw.simulation = { ...raw.simulation, speed: 3600, complaints };
    };
    const config = await testConfig({ substations: 2, patch });
    expect(residentsToken(config)).toBe(TEST_TOKENS.HEATNET_SERVICE_TOKEN);
    const sim = new Simulator(config, silentLogger());
    started.push(sim);
    await sim.start();
    await eventually(() => desk.committed.length >= 40, { what: '40 calls', timeoutMs: 10_000 });
    const got = desk.committed;
    expect(new Set(got.map((c) => c.auth))).toEqual(
      new Set([`Bearer ${TEST_TOKENS.HEATNET_SERVICE_TOKEN}`]),
    );
    for (const c of got) expect(c.key).toMatch(/^sim-1-S\d\d-B\d-\d{4}-\d+$/);
    const byAddress = got.filter((c) => c.body.address);
    expect(byAddress.length).toBeGreaterThan(0);
    expect(byAddress.every((c) => c.body.household === undefined)).toBe(true);
    expect(new Set(got.map((c) => c.body.channel))).toContain('hotline');
  });

  it('resolves an env: token in the simulation section', async () => {
    const patch = (raw: RawConfig) => {
      raw.simulation.complaints = {
        target: 'http://127.0.0.1:9/x',
        token: 'env:HEATNET_ADMIN_TOKEN',
      };
    };
    expect(residentsToken(await testConfig({ patch }))).toBe(TEST_TOKENS.HEATNET_ADMIN_TOKEN);
  });

  it('`heatnet demo` posts with its demo service token when the environment sets none', async () => {
    const desk = new FakeDesk();
    desks.push(desk);
    const url = await desk.start();
    const dir = mkdtempSync(join(tmpdir(), 'heatnet-residents-'));
    const file = join(dir, 'demo.yaml');
    const patch = (raw: RawConfig) => {
      raw.simulation = {
        ...raw.simulation,
        speed: 600,
        complaints: { target: url, coldPerHour: 1, warmPerHour: 1 },
      };
    };
    writeFileSync(file, await testConfigYaml({ substations: 2, patch }));
    const env = { ...process.env };
    for (const name of Object.keys(TEST_TOKENS)) delete env[name];
    child = spawn(process.execPath, ['bin/heatnet.js', 'demo', '--config', file], { env });
    // Start-up of the whole demo (service and simulator) dominates: about 5 s here.
    await eventually(() => desk.committed.length > 0, { what: 'a call', timeoutMs: 45_000 });
    expect(desk.committed[0]!.auth).toBe('Bearer demo-service-token-change-me');
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }, 90_000);
});
