import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { localStoreDir, spoolDir, storageTransport } from '../app.ts';
import type { Config } from '../config/schema.ts';
import { errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { spoolLockHolder } from './spool-files.ts';
import { isSpoolSegment, segmentRecords } from './spool-format.ts';

export interface ReplayOptions {
  /** A directory of .lp files; default: the local store and the spool of `storage.dataDir`. */
  from?: string | undefined;
  log: Logger;
  out: NodeJS.WritableStream;
  baseDir?: string;
}

const BATCH_LINES = 5000;

async function lpFiles(dir: string): Promise<string[]> {
  try {
    const names = (await readdir(dir)).filter((n) => n.endsWith('.lp')).sort();
    return names.map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/**
 * Loads stored line protocol (the embedded default's local store, or lines spooled
 * while InfluxDB was down) into the configured InfluxDB, oldest file first, in
 * batches. A file fully sent moves to `replayed/`, so an interrupted replay resumes
 * with the files left; a resent batch is harmless (points carry their timestamps).
 */
export async function replaySpool(config: Config, options: ReplayOptions): Promise<number> {
  if (!config.storage.influx) {
    options.out.write('replay-spool: storage.influx is not configured — nothing to replay into\n');
    return 2;
  }
  const baseDir = options.baseDir ?? process.cwd();
  const dirs = options.from
    ? [options.from]
    : [localStoreDir(config, baseDir), spoolDir(config, baseDir)];
  const files = (await Promise.all(dirs.map((dir) => filesToReplay(dir, options.out)))).flat();
  const totalBytes = (await Promise.all(files.map((f) => stat(f)))).reduce((n, s) => n + s.size, 0);
  const transport = storageTransport(config, baseDir);
  let sentBytes = 0;
  let lines = 0;
  for (const file of files) {
    try {
      for await (const batch of batchesOf(file, options.out)) {
        if (batch.lines.length > 0) await transport.send(batch.lines);
        lines += batch.lines.length;
        sentBytes += batch.bytes;
        progress(options.out, sentBytes, totalBytes, lines);
      }
    } catch (err) {
      options.out.write(
        `\nreplay-spool: ${file}: ${errorMessage(err)} — stopped; rerun to resume\n`,
      );
      return 1;
    }
    await archive(file);
  }
  options.out.write(
    `\nreplay-spool: ${lines} lines from ${files.length} file(s) → ${transport.target}\n`,
  );
  return 0;
}

/** Moves a replayed file to `replayed/`, never over an earlier archive of the same name. */
async function archive(file: string): Promise<void> {
  const done = join(dirname(file), 'replayed');
  await mkdir(done, { recursive: true });
  const name = basename(file, '.lp');
  let target = join(done, `${name}.lp`);
  for (let n = 1; existsSync(target); n++) target = join(done, `${name}.${n}.lp`);
  await rename(file, target);
}

/**
 * The .lp files of `dir`, unless a running heatnet owns it: the service replays its own
 * spool, and moving segments away under it would lose what it appends next.
 */
async function filesToReplay(dir: string, out: NodeJS.WritableStream): Promise<string[]> {
  const holder = await spoolLockHolder(dir);
  if (holder === undefined) return lpFiles(dir);
  out.write(
    `replay-spool: ${dir} belongs to a running heatnet (pid ${holder}), which replays it ` +
      `itself — skipped (if no such process is heatnet, delete ${join(dir, 'LOCK')})\n`,
  );
  return [];
}

/** Batches of a file: spool segments record by record (torn records skipped), else lines. */
async function* batchesOf(
  file: string,
  out: NodeJS.WritableStream,
): AsyncGenerator<{ lines: string[]; bytes: number }> {
  if (!(await isSpoolSegment(file))) {
    yield* batches(file);
    return;
  }
  yield* segmentRecords(file, (reason, offset) =>
    out.write(`\nreplay-spool: ${file} at byte ${offset}: ${reason} — record skipped\n`),
  );
}

async function* batches(file: string): AsyncGenerator<{ lines: string[]; bytes: number }> {
  const reader = createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lines: string[] = [];
  let bytes = 0;
  for await (const line of reader) {
    bytes += Buffer.byteLength(line) + 1;
    if (line.trim() === '' || line.startsWith('#')) continue;
    lines.push(line);
    if (lines.length >= BATCH_LINES) {
      yield { lines, bytes };
      lines = [];
      bytes = 0;
    }
  }
  if (lines.length > 0 || bytes > 0) yield { lines, bytes };
}

function progress(out: NodeJS.WritableStream, sent: number, total: number, lines: number): void {
  const share = total === 0 ? 1 : sent / total;
  const width = 30;
  const filled = Math.round(share * width);
  out.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(1)}% ${lines} lines`,
  );
}
