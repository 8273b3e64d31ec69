import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { InfluxV1Transport } from '../../src/storage/influx/v1.ts';
import { Spool } from '../../src/storage/spool.ts';
import { BatchingWriter } from '../../src/storage/writer.ts';
import { eventually } from '../support/config.ts';
import { type InfluxdHandle, startInfluxd } from '../support/influxd.ts';
import { freePort } from '../support/ports.ts';

/**
 * Issue 4's reliability bar against a real InfluxDB 1.x: a steady producer (2,000 points/s,
 * every point its own timestamp) writes through the real BatchingWriter, V1 transport and
 * disk spool while InfluxDB is stopped for two minutes (INFLUX_OUTAGE_S shortens it for
 * local iteration; CI runs the full outage). After it returns and the spool drains, every
 * point is there with its value. Then a process killed mid-outage (SIGKILL): a new writer
 * on the same spool delivers everything the dead one had acknowledged.
 */

const OUTAGE_S = Number(process.env.INFLUX_OUTAGE_S ?? 120);
const RATE = 2000;
const SERIES = 20;
const DB = 'heatnet';
const T0 = Date.UTC(2024, 0, 1);

const point = (measurement: string, i: number): Reading => ({
  measurement,
  tags: { series: `s${i % SERIES}` },
  fields: { v: i * 0.25, seq: i },
  intFields: new Set(['seq']),
  time: T0 + i,
});

/** accept()s readings at a steady rate; counts what storage acknowledged. */
class Producer {
  produced = 0;
  acked = 0;
  rejected = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly writer: BatchingWriter) {}

  start(): void {
    const start = Date.now();
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - start) * RATE) / 1000);
      const batch: Reading[] = [];
      while (this.produced < due) batch.push(point('load', this.produced++));
      const done = this.writer.accept(batch).then(
        () => {
          this.acked += batch.length;
        },
        () => {
          this.rejected += batch.length;
        },
      );
      this.pending.add(done);
      void done.finally(() => this.pending.delete(done));
    }, 50);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.pending);
  }
}

async function expectEveryPoint(influx: InfluxdHandle, measurement: string, count: number) {
  const counts = await influx.query(
    `SELECT count(v) FROM ${measurement} WHERE seq < ${count} GROUP BY "series"`,
    DB,
  );
  const bySeries = Object.fromEntries(counts.map((s) => [s.tags?.series, s.values[0]?.[1]]));
  const expected: Record<string, number> = {};
  for (let k = 0; k < SERIES; k++) expected[`s${k}`] = Math.ceil((count - k) / SERIES);
  expect(bySeries).toEqual(expected);
  const samples = [
    0,
    1,
    count - 1,
    ...Array.from({ length: 30 }, () => Math.floor(Math.random() * count)),
  ];
  for (const i of samples) {
    const rows = await influx.query(
      `SELECT v, seq FROM ${measurement} WHERE "series" = 's${i % SERIES}' AND time = ${T0 + i}ms`,
      DB,
    );
    expect(rows[0]?.values, `point ${i}`).toEqual([[T0 + i, i * 0.25, i]]);
  }
}

describe('InfluxDB 1.x outage under load', () => {
  let influx: InfluxdHandle;
  let dir: string;

  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.createDatabase(DB);
    dir = await mkdtemp(join(tmpdir(), 'heatnet-outage-'));
  });

  afterAll(async () => {
    await influx?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    `loses no point while InfluxDB is down for ${OUTAGE_S} s`,
    async () => {
      const log = silentLogger();
      const spool = new Spool({ dir: join(dir, 'spool'), maxBytes: 1 << 30 }, log);
      const writer = new BatchingWriter(
        new InfluxV1Transport({ url: influx.url, version: 1, db: DB }),
        { batchSize: 5000, flushIntervalMs: 1000, maxBufferedLines: 1_000_000, spool },
        log,
      );
      await writer.start();
      const producer = new Producer(writer);
      producer.start();
      await sleep(5000);
      const seen = await outage(influx, writer, producer);
      await writer.stop();
      console.info(
        `outage ${OUTAGE_S} s: ${producer.produced} points (${RATE}/s); at restart ` +
          `${seen.spooled.lines} lines, ${seen.spooled.bytes} bytes in ${seen.spooled.segments} ` +
          `segment(s) spooled; influxd answering ${seen.restartS.toFixed(1)} s after the restart ` +
          `began; after it, first write (the next retry) at ${seen.retryS.toFixed(1)} s, spool ` +
          `empty at ${seen.drainS.toFixed(1)} s, with the producer still running; ` +
          `peak memory backlog ${seen.peak} lines`,
      );
      expect(seen.spooled.lines).toBeGreaterThan(RATE * (OUTAGE_S - 15));
      expect(seen.peak).toBeLessThan(RATE * 15);
      expect(producer).toMatchObject({ acked: producer.produced, rejected: 0 });
      expect(writer.health()).toMatchObject({ droppedLines: 0, rejectedLines: 0 });
      expect(writer.health().spool).toMatchObject({ droppedLines: 0, corruptLines: 0 });
      await expectEveryPoint(influx, 'load', producer.produced);
    },
    // Issue 9: 3× what it needs under load (134 s measured with a CPU hog beside it and
    // the machine shared, i.e. the outage plus 14 s of work).
    3 * (OUTAGE_S + 15) * 1000,
  );

  it('delivers what a killed process had acknowledged, from its spool', async () => {
    const spoolDir = join(dir, 'crash-spool');
    const closed = await freePort();
    const child = await spawnWriter(`http://127.0.0.1:${closed}`, spoolDir);
    const acked = await killAfterAcks(child, 20_000);
    const spool = new Spool({ dir: spoolDir, maxBytes: 1 << 30 }, silentLogger());
    const writer = new BatchingWriter(
      new InfluxV1Transport({ url: influx.url, version: 1, db: DB }),
      { batchSize: 5000, flushIntervalMs: 200, maxBufferedLines: 1_000_000, spool },
      silentLogger(),
    );
    await writer.start();
    await eventually(() => writer.health().spool?.segments === 0, { what: 'the spool to drain' });
    await writer.stop();
    await expectEveryPoint(influx, 'crash', acked);
  }, 60_000);
});

/**
 * Stops InfluxDB for OUTAGE_S under load, restarts it, keeps producing for 5 s more and
 * waits for the spool to drain; what it saw on the way.
 */
async function outage(influx: InfluxdHandle, writer: BatchingWriter, producer: Producer) {
  let peak = 0;
  let restartedAt: number | undefined;
  let drainedAt: number | undefined;
  let writtenAtRestart = 0;
  let firstWriteAt: number | undefined;
  const watch = setInterval(() => {
    const h = writer.health();
    peak = Math.max(peak, h.backlogLines);
    if (restartedAt === undefined) return;
    if (firstWriteAt === undefined && h.writtenLines > writtenAtRestart) firstWriteAt = Date.now();
    if (drainedAt === undefined && h.spool?.lines === 0) drainedAt = Date.now();
  }, 50);
  try {
    await influx.stop();
    await sleep(OUTAGE_S * 1000);
    const spooled = writer.health().spool!;
    const restartBegan = Date.now();
    await influx.restart();
    writtenAtRestart = writer.health().writtenLines;
    restartedAt = Date.now();
    await sleep(5000);
    await producer.stop();
    const drained = () => writer.health().spool?.lines === 0 && writer.health().backlogLines === 0;
    await eventually(drained, { timeoutMs: 60_000, what: 'the spool to drain' });
    drainedAt ??= Date.now();
    const restartS = (restartedAt - restartBegan) / 1000;
    const retryS = ((firstWriteAt ?? drainedAt) - restartedAt) / 1000;
    return { spooled, peak, restartS, retryS, drainS: (drainedAt - restartedAt) / 1000 };
  } finally {
    clearInterval(watch);
  }
}

/**
 * A separate node process running the real writer and spool against an unreachable
 * InfluxDB; it prints `acked N` whenever storage has acknowledged points 0..N-1.
 */
async function spawnWriter(url: string, spoolDir: string): Promise<ChildProcess> {
  const src = (f: string) => new URL(`../../src/${f}`, import.meta.url).href;
  const script = join(spoolDir, '..', 'crash-writer.mts');
  await writeFile(
    script,
    `import { silentLogger } from '${src('core/logger.ts')}';
import { InfluxV1Transport } from '${src('storage/influx/v1.ts')}';
import { Spool } from '${src('storage/spool.ts')}';
import { BatchingWriter } from '${src('storage/writer.ts')}';
const spool = new Spool({ dir: ${JSON.stringify(spoolDir)}, maxBytes: 1 << 30 }, silentLogger());
const writer = new BatchingWriter(
  new InfluxV1Transport({ url: ${JSON.stringify(url)}, version: 1, db: 'heatnet' }),
  { batchSize: 5000, flushIntervalMs: 100, maxBufferedLines: 1_000_000, spool, spoolAfterMs: 0 },
  silentLogger(),
);
// The writer's timers are unref'd (a service has servers keeping it alive; this has not).
setInterval(() => {}, 1 << 30);
await writer.start();
const T0 = ${T0};
for (let i = 0; ; i += 1000) {
  const batch = Array.from({ length: 1000 }, (_, k) => ({
    measurement: 'crash',
    tags: { series: 's' + ((i + k) % ${SERIES}) },
    fields: { v: (i + k) * 0.25, seq: i + k },
    intFields: new Set(['seq']),
    time: T0 + i + k,
  }));
  await writer.accept(batch);
  process.stdout.write('acked ' + (i + 1000) + '\\n');
}
`,
  );
  return spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Kills the child with SIGKILL once it acknowledged `least` points; the last count it printed. */
async function killAfterAcks(child: ChildProcess, least: number): Promise<number> {
  let acked = 0;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const m of output.matchAll(/acked (\d+)\n/g)) acked = Math.max(acked, Number(m[1]));
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    await eventually(() => acked >= least, { timeoutMs: 30_000, what: `${least} acks` });
  } catch (err) {
    throw new Error(`${String(err)}; the child said: ${output.slice(-2000)}`);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
  return acked;
}
