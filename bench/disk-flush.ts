/**
 * What a flush to stable storage costs on this machine's disk, with nothing of heatnet
 * running (issue 10): every `--every-ms` a 4 KB write in place, then fdatasync — the shape of
 * the store's flush of its log after a complaint's commit. A durable answer can be no faster
 * than this disk's flushes, so run it before the intake bench to know the machine: on a
 * virtual disk, stalls of 100–200 ms come from the host however idle the guest is.
 *   npx tsx bench/disk-flush.ts [--seconds 120] [--every-ms 20] [--dir DIR]
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SLOW_FLUSH_MS } from '../src/store/wal-sync.ts';
import { sleep } from './measure.ts';
import { summary } from './support/intake-timing.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    'every-ms': { type: 'string', default: '20' },
    // The disk to probe (default: the temp dir, where the benches keep their data).
    dir: { type: 'string' },
  },
});

const PAGE = 4096;
/** Pages rewritten in turn, as a log reused in place after each checkpoint. */
const PAGES = 16;

const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'heatnet-disk-flush-'));
const fd = openSync(join(dir, 'probe'), 'w+');
const page = Buffer.alloc(PAGE);
for (let i = 0; i < PAGES; i++) writeSync(fd, page, 0, PAGE, i * PAGE);
fdatasyncSync(fd);

const started = Date.now();
const ms: number[] = [];
const slow: { at: string; ms: number }[] = [];
for (let i = 0; Date.now() - started < Number(values.seconds) * 1000; i++) {
  page.writeUInt32LE(i, 0);
  writeSync(fd, page, 0, PAGE, (i % PAGES) * PAGE);
  const t = performance.now();
  fdatasyncSync(fd);
  const took = performance.now() - t;
  ms.push(took);
  if (took > SLOW_FLUSH_MS) slow.push({ at: new Date().toISOString(), ms: Math.round(took) });
  await sleep(Number(values['every-ms']));
}
closeSync(fd);
rmSync(dir, { recursive: true, force: true });

const sorted = [...ms].sort((a, b) => a - b);
const over = (limit: number) => ms.filter((m) => m > limit).length;
console.log(
  JSON.stringify(
    {
      date: new Date(started).toISOString(),
      dir: values.dir ?? tmpdir(),
      flushes: summary(ms),
      p90: Math.round((sorted[Math.floor(sorted.length * 0.9)] ?? 0) * 100) / 100,
      [`over${SLOW_FLUSH_MS}ms`]: over(SLOW_FLUSH_MS),
      over50ms: over(50),
      slow,
    },
    null,
    2,
  ),
);
