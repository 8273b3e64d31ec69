import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStoreDir, spoolDir } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { InfluxV1Transport } from '../../src/storage/influx/v1.ts';
import { replaySpool } from '../../src/storage/replay.ts';
import { encodeRecord } from '../../src/storage/spool-format.ts';
import type { LineTransport } from '../../src/storage/transport.ts';
import { capture } from '../support/capture.ts';
import { testConfig } from '../support/config.ts';
import { type InfluxdHandle, startInfluxd } from '../support/influxd.ts';

/**
 * replay-spool goes through the writer's delivery path (issue 9): a line InfluxDB 1.x
 * refuses for good (a field type conflict) is isolated from its batch, counted, reported
 * and kept in `rejected/`, while every other line loads; and a run the database stops
 * half-way (here: the real server shut down after three batches) resumes on the next
 * run from the batch after the last one taken, instead of from the start of the file.
 */

const DB = 'heatnet';
const BATCH = 10;
const T0 = Date.UTC(2026, 0, 10);

/** `n` points of one float field, a second apart. */
const points = (measurement: string, n: number, from: number) =>
  Array.from(
    { length: n },
    (_, i) => `${measurement},substation=S01 temp_c=${(40 + i / 10).toFixed(1)} ${from + i * 1000}`,
  );

const lpNames = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.lp')) : [];

/** Counts the requests and lines that reach InfluxDB; shuts it down after `stopAfter` requests. */
class CountingTransport implements LineTransport {
  readonly kind = 'influx-v1';
  readonly target: string;
  lines = 0;
  requests = 0;
  constructor(
    private readonly inner: LineTransport,
    private readonly stopAfter?: () => Promise<void>,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    this.target = inner.target;
  }
  async send(lines: readonly string[]): Promise<void> {
    if (this.requests === this.limit) await this.stopAfter?.();
    this.requests++;
    await this.inner.send(lines);
    this.lines += lines.length;
  }
}

async function count(influx: InfluxdHandle, measurement: string): Promise<number> {
  const series = await influx.query(`SELECT count(temp_c) FROM "${measurement}"`, DB);
  return Number(series[0]?.values[0]?.[1] ?? 0);
}

describe('replay-spool: refused lines and resuming, against InfluxDB 1.x', () => {
  let influx: InfluxdHandle;
  let config: Config;

  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.createDatabase(DB);
    const base = await testConfig({ substations: 1 });
    config = {
      ...base,
      storage: {
        ...base.storage,
        batchSize: BATCH,
        influx: { url: influx.url, version: 1, db: DB },
      },
    };
  }, 60_000);

  afterAll(async () => {
    await influx?.destroy();
  });

  it('isolates a refused line, keeps it in rejected/, and loads every other line', async () => {
    const local = localStoreDir(config, process.cwd());
    const spool = spoolDir(config, process.cwd());
    mkdirSync(local, { recursive: true });
    mkdirSync(spool, { recursive: true });
    // A plain file of six batches; the fourth batch holds a string where the field is a float.
    const plain = points('conflict', 60, T0);
    const bad = `conflict,substation=S01 temp_c="hot" ${T0 + 35_500}`;
    plain.splice(35, 0, bad);
    writeFileSync(join(local, '2026-01-10.lp'), `${plain.join('\n')}\n`);
    // A spool segment whose second record holds the same kind of line.
    const records = [points('segment', 10, T0), points('segment', 10, T0 + 10_000)];
    const badRecord = `segment,substation=S01 temp_c="cold" ${T0 + 10_500}`;
    records[1]!.splice(5, 0, badRecord);
    const segment = Buffer.concat(records.map((r) => encodeRecord(r, T0)));
    writeFileSync(join(spool, 'spool-000000000001.lp'), segment);

    const { out, text } = capture();
    const code = await replaySpool(config, { log: silentLogger(), out });
    const output = text();

    expect(code, output).toBe(1);
    expect(await count(influx, 'conflict')).toBe(60);
    expect(await count(influx, 'segment')).toBe(20);
    expect(output).toContain(`replay-spool: 80 lines from 2 file(s) → ${influx.url}`);
    expect(output).toMatch(/2 line\(s\) refused by the database, kept in /);
    expect(output).toMatch(/1 line\(s\) refused \(HTTP 400: .*field type conflict/);

    const kept = (dir: string, name: string) =>
      readFileSync(join(dir, 'rejected', name), 'utf8')
        .trim()
        .split('\n');
    const [why, line] = kept(local, '2026-01-10.lp');
    expect(why).toMatch(/^# refused .*field type conflict/);
    expect(line).toBe(bad);
    expect(kept(spool, 'spool-000000000001.lp')[1]).toBe(badRecord);
    // Both files are done: archived, nothing left to replay.
    expect(lpNames(local)).toEqual([]);
    expect(lpNames(join(local, 'replayed'))).toEqual(['2026-01-10.lp']);
    expect(lpNames(spool)).toEqual([]);

    const again = capture();
    expect(await replaySpool(config, { log: silentLogger(), out: again.out })).toBe(0);
    expect(again.text()).toMatch(/replay-spool: 0 lines from 0 file\(s\)/);
  }, 60_000);

  it('resumes after the batch the database last took when it stopped half-way', async () => {
    const from = join(config.storage.dataDir, 'resume');
    mkdirSync(from, { recursive: true });
    writeFileSync(join(from, 'late.lp'), `${points('resume', 60, T0).join('\n')}\n`);
    const real = new InfluxV1Transport({ url: influx.url, version: 1, db: DB });

    // The server goes away for real after three batches.
    const first = new CountingTransport(real, () => influx.stop(), 3);
    const stopped = capture();
    const code = await replaySpool(config, {
      from,
      log: silentLogger(),
      out: stopped.out,
      transport: first,
    });
    expect(code, stopped.text()).toBe(1);
    expect(stopped.text()).toMatch(/late\.lp: .*stopped; rerun to resume/);
    expect(first.lines).toBe(30);
    expect(lpNames(from)).toEqual(['late.lp']);

    await influx.restart();
    const second = new CountingTransport(real);
    const resumed = capture();
    expect(
      await replaySpool(config, { from, log: silentLogger(), out: resumed.out, transport: second }),
      resumed.text(),
    ).toBe(0);
    // Only the three batches not yet taken were sent, and every point is there once.
    expect(second.lines).toBe(30);
    expect(resumed.text()).toContain('replay-spool: 30 lines from 1 file(s)');
    expect(await count(influx, 'resume')).toBe(60);
    expect(lpNames(from)).toEqual([]);
    expect(readdirSync(from)).toEqual(['replayed']);
  }, 90_000);
});
