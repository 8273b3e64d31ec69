import { existsSync, readdirSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStoreDir, spoolDir } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { replaySpool } from '../../src/storage/replay.ts';
import { Spool } from '../../src/storage/spool.ts';
import { encodeRecord } from '../../src/storage/spool-format.ts';
import { capture } from '../support/capture.ts';
import { testConfig } from '../support/config.ts';
import { type InfluxdHandle, startInfluxd } from '../support/influxd.ts';

/**
 * `heatnet replay-spool` with the disk spool's segment files next to the local store's
 * plain .lp files: intact records are loaded, a torn one is skipped and named, plain files
 * still load line by line, and a spool that a running heatnet holds is left to it.
 */

const DB = 'heatnet';
const T0 = Date.UTC(2024, 2, 1);
const lines = (m: string, from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => `${m},s=a v=${from + k} ${T0 + from + k}`);

const count = async (influx: InfluxdHandle, m: string) =>
  (await influx.query(`SELECT count(v) FROM ${m}`, DB))[0]?.values[0]?.[1] ?? 0;

describe('replay-spool with spool segments', () => {
  let influx: InfluxdHandle;
  let config: Config;
  let spool: string;
  let local: string;

  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.createDatabase(DB);
    const base = await testConfig({ substations: 1 });
    config = {
      ...base,
      storage: { ...base.storage, influx: { url: influx.url, version: 1, db: DB } },
    };
    spool = spoolDir(config, process.cwd());
    local = localStoreDir(config, process.cwd());
    // Three records, then the start of a fourth cut off by a crash.
    const s = new Spool({ dir: spool, maxBytes: 1 << 30 }, silentLogger());
    await s.open();
    for (let b = 0; b < 3; b++) await s.append(lines('seg', b * 100, b * 100 + 100));
    await s.close();
    const [segment] = readdirSync(spool).filter((n) => n.endsWith('.lp'));
    const torn = encodeRecord(lines('seg', 300, 400), Date.now());
    await appendFile(join(spool, segment!), torn.subarray(0, torn.length - 20));
    // A plain file an earlier version left in the spool, and the local store.
    await writeFile(join(spool, '2024-03-01.lp'), `${lines('legacy', 0, 50).join('\n')}\n`);
    await mkdir(local, { recursive: true });
    await writeFile(join(local, '2024-03-01.lp'), `${lines('local', 0, 70).join('\n')}\n`);
  });

  afterAll(() => influx?.destroy());

  it('leaves a spool alone while a running heatnet holds it', async () => {
    await writeFile(join(spool, 'LOCK'), `${process.pid}\n`);
    const { out, text } = capture();
    expect(await replaySpool(config, { log: silentLogger(), out })).toBe(0);
    expect(text()).toContain(`${spool} belongs to a running heatnet (pid ${process.pid})`);
    expect(readdirSync(spool).filter((n) => n.endsWith('.lp'))).toHaveLength(2);
    expect(await count(influx, 'seg')).toBe(0);
    expect(await count(influx, 'local')).toBe(70);
  });

  it('loads intact records, skips the torn one and says so, and loads plain files', async () => {
    await writeFile(join(spool, 'LOCK'), '999999999\n'); // left by a process that died
    const { out, text } = capture();
    expect(await replaySpool(config, { log: silentLogger(), out })).toBe(0);
    expect(text()).toMatch(/spool-0+1\.lp at byte \d+: record cut short — record skipped/);
    expect(text()).toContain('replay-spool: 350 lines from 2 file(s)');
    expect(await count(influx, 'seg')).toBe(300);
    expect(await count(influx, 'legacy')).toBe(50);
    const last = await influx.query(`SELECT v FROM seg WHERE time = ${T0 + 299}ms`, DB);
    expect(last[0]?.values).toEqual([[T0 + 299, 299]]);
    expect(readdirSync(spool).filter((n) => n.endsWith('.lp'))).toEqual([]);
    expect(existsSync(join(spool, 'replayed'))).toBe(true);
  });
});
