import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../simulators/simulator.ts';
import { HeatnetApp, localStoreDir, spoolDir } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { replaySpool } from '../../src/storage/replay.ts';
import { capture } from '../support/capture.ts';
import { eventually, testConfig } from '../support/config.ts';
import { expectedValues, FixedSource } from '../support/fixed-source.ts';
import { type InfluxdHandle, startInfluxd } from '../support/influxd.ts';
import { freePort } from '../support/ports.ts';

/**
 * The embedded default keeps every reading as line protocol under `<dataDir>/local/`, and a
 * service whose InfluxDB is down at shutdown spools its buffer to `<dataDir>/spool/`.
 * `replaySpool` loads both into a real InfluxDB 1.x later, moving each loaded file to
 * `replayed/`, and stops with the files in place when the database cannot take them.
 */

const DB = 'heatnet';

const lpNames = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.lp')) : [];

/** The lines of every .lp file directly in `dir`, comments and blank lines left out. */
const linesIn = (dir: string) =>
  lpNames(dir)
    .flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n'))
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));

/** Measurement of a line-protocol line (our names contain no escaped characters). */
const measurementOf = (line: string) => /^[^, ]+/.exec(line)?.[0] ?? '';

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** Runs the service until every device has `polls` good polls, then stops it. */
async function runService(config: Config, polls: number): Promise<void> {
  const app = new HeatnetApp(config, { log: silentLogger() });
  await app.start();
  try {
    await eventually(() => app.modbus.health().every((d) => d.polls - d.failures >= polls), {
      what: `${polls} good polls of every device`,
    });
  } finally {
    await app.stop();
  }
}

describe('replay-spool: local store and spool → InfluxDB 1.x', () => {
  let config: Config;
  let influx: InfluxdHandle;
  let simulator: Simulator;
  let withInflux: Config;
  let local: string;
  let spool: string;
  /** The lines as they were on disk before any replay. */
  let localLines: string[];
  let spoolLines: string[];
  let localFiles: string[];
  let spoolFiles: string[];
  const source = new FixedSource();

  beforeAll(async () => {
    config = await testConfig({ substations: 2 });
    expect(config.storage.influx).toBeUndefined();
    local = localStoreDir(config, process.cwd());
    spool = spoolDir(config, process.cwd());
    simulator = new Simulator(config, silentLogger(), { source });
    const [, influxd] = await Promise.all([simulator.start(), startInfluxd()]);
    influx = influxd;
    await influx.createDatabase(DB);

    // 1. The embedded default: every reading goes to <dataDir>/local/*.lp.
    await runService(config, 3);
    // 2. The same service pointed at an InfluxDB that is not there: its buffer is spooled to
    //    <dataDir>/spool/*.lp when it stops.
    const closed = await freePort();
    await runService(
      {
        ...config,
        storage: {
          ...config.storage,
          influx: { url: `http://127.0.0.1:${closed}`, version: 1, db: DB },
        },
      },
      2,
    );
    await simulator.stop();

    localFiles = lpNames(local);
    spoolFiles = lpNames(spool);
    localLines = linesIn(local);
    spoolLines = linesIn(spool);
    withInflux = {
      ...config,
      storage: { ...config.storage, influx: { url: influx.url, version: 1, db: DB } },
    };
  });

  afterAll(async () => {
    await simulator?.stop();
    await influx?.destroy();
  });

  it('has readings of every device in the local store and the spool', () => {
    expect(localFiles.length).toBeGreaterThan(0);
    expect(spoolFiles.length).toBeGreaterThan(0);
    const devices = config.ingest.modbus.devices.length;
    // Three good polls of every device, each a data line and a device_health line.
    expect(countBy(localLines, measurementOf).device_health).toBeGreaterThanOrEqual(3 * devices);
    expect(countBy(spoolLines, measurementOf).device_health).toBeGreaterThanOrEqual(2 * devices);
    expect(new Set(localLines.map(measurementOf))).toEqual(
      new Set(['substation', 'pump', 'device_health']),
    );
  });

  it('returns 2 and touches nothing when storage.influx is not configured', async () => {
    const { out, text } = capture();
    const code = await replaySpool(config, { log: silentLogger(), out });
    expect(code).toBe(2);
    expect(text()).toMatch(/storage\.influx/);
    expect(lpNames(local)).toEqual(localFiles);
    expect(lpNames(spool)).toEqual(spoolFiles);
  });

  it('returns 1 with a message and leaves the files in place when InfluxDB is unreachable', async () => {
    const closed = await freePort();
    const unreachable = {
      ...config,
      storage: {
        ...config.storage,
        influx: { url: `http://127.0.0.1:${closed}`, version: 1 as const, db: DB },
      },
    };
    const { out, text } = capture();
    const code = await replaySpool(unreachable, { log: silentLogger(), out });
    expect(code).toBe(1);
    expect(text()).toMatch(/replay-spool: .*\.lp: .*stopped; rerun to resume/);
    expect(lpNames(local)).toEqual(localFiles);
    expect(lpNames(spool)).toEqual(spoolFiles);
    expect(linesIn(local)).toEqual(localLines);
    expect(lpNames(join(local, 'replayed'))).toEqual([]);
  });

  // A network failure must name its cause (ECONNREFUSED) and the InfluxDB URL, not undici's bare
  // "fetch failed": the operator reads the same text in storage.lastError of /api/health.
  it('says why and where the write failed when InfluxDB is unreachable', async () => {
    const closed = await freePort();
    const url = `http://127.0.0.1:${closed}`;
    const unreachable = {
      ...config,
      storage: { ...config.storage, influx: { url, version: 1 as const, db: DB } },
    };
    const { out, text } = capture();
    expect(await replaySpool(unreachable, { log: silentLogger(), out })).toBe(1);
    expect(text()).toMatch(/ECONNREFUSED|connection refused/i);
    expect(text()).toContain(`127.0.0.1:${closed}`);
  });

  it('loads every line into InfluxDB and moves the files to replayed/', async () => {
    const { out, text } = capture();
    const code = await replaySpool(withInflux, { log: silentLogger(), out });
    expect(code, text()).toBe(0);

    // Every line is a point: counts per measurement match the files.
    const expected = countBy([...localLines, ...spoolLines], measurementOf);
    for (const [measurement, lines] of Object.entries(expected)) {
      const series = await influx.query(`SELECT * FROM "${measurement}"`, DB);
      expect(series[0]?.values.length ?? 0, measurement).toBe(lines);
    }

    // The files moved, unchanged.
    expect(lpNames(local)).toEqual([]);
    expect(lpNames(spool)).toEqual([]);
    expect(lpNames(join(local, 'replayed'))).toEqual(localFiles);
    expect(lpNames(join(spool, 'replayed'))).toEqual(spoolFiles);
    expect(linesIn(join(local, 'replayed'))).toEqual(localLines);
    expect(linesIn(join(spool, 'replayed'))).toEqual(spoolLines);

    // A progress bar that reaches 100 %, then the total.
    const total = localLines.length + spoolLines.length;
    const output = text();
    expect(output).toMatch(/\r\[#{30}\] 100\.0% \d+ lines/);
    expect(output).toContain(
      `replay-spool: ${total} lines from ${localFiles.length + spoolFiles.length} file(s) → ${influx.url}`,
    );
  });

  it('stores the values the devices held, at the times in the lines', async () => {
    for (const device of config.ingest.modbus.devices) {
      const [tag, id] =
        device.kind === 'pump' ? ['pump', device.pump] : ['substation', device.substation];
      const prefix = `${device.kind},`;
      const lines = [...localLines, ...spoolLines].filter(
        (l) => l.startsWith(prefix) && l.includes(`${tag}=${id}`),
      );
      expect(lines.length, device.id).toBeGreaterThanOrEqual(5);
      // First and last line of the device: the point at exactly that millisecond.
      for (const line of [lines[0]!, lines[lines.length - 1]!]) {
        const time = Number(line.slice(line.lastIndexOf(' ') + 1));
        const series = await influx.query(
          `SELECT * FROM "${device.kind}" WHERE "${tag}" = '${id}' AND time = ${time}ms`,
          DB,
        );
        expect(series[0]?.values, `${device.id} at ${time}`).toHaveLength(1);
        const row = Object.fromEntries(
          series[0]!.columns.map((c, i) => [c, series[0]!.values[0]![i]]),
        );
        expect(row.time).toBe(time);
        for (const [field, value] of Object.entries(expectedValues(device))) {
          expect(row[field], `${device.id}.${field}`).toEqual(value);
        }
      }
    }
  });

  it('finds nothing to do the second time and returns 0', async () => {
    const { out, text } = capture();
    const code = await replaySpool(withInflux, { log: silentLogger(), out });
    expect(code).toBe(0);
    expect(text()).toMatch(/replay-spool: 0 lines from 0 file\(s\)/);
    const series = await influx.query('SELECT count(*) FROM device_health', DB);
    expect(series[0]?.values[0]?.[1]).toBe(
      countBy([...localLines, ...spoolLines], measurementOf).device_health,
    );
  });

  // Files are named by UTC day, so the same name can be replayed twice in a day: the second
  // replay must not overwrite the archive of the first in replayed/.
  it('keeps earlier replayed files when a file of the same day is replayed again', async () => {
    const name = localFiles[0]!;
    const extra = `${localLines[0]!.slice(0, localLines[0]!.lastIndexOf(' '))} ${Date.now()}`;
    await appendFile(join(local, name), `${extra}\n`);
    const { out, text } = capture();
    expect(await replaySpool(withInflux, { log: silentLogger(), out })).toBe(0);
    expect(text()).toMatch(/replay-spool: 1 lines from 1 file\(s\)/);
    const archived = linesIn(join(local, 'replayed'));
    expect(archived).toEqual(expect.arrayContaining([...localLines, extra]));
  });
});
