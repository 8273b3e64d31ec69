import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { localStoreDir, spoolDir, storageTransport } from '../app.ts';
import type { Config } from '../config/schema.ts';
import { errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { type DeliveryReport, deliver } from './delivery.ts';
import {
  archive,
  type Batch,
  batchesOf,
  keepRefused,
  loadedBefore,
  lpFiles,
  readProgress,
  saveProgress,
} from './replay-files.ts';
import { spoolLockHolder } from './spool-files.ts';
import type { LineTransport } from './transport.ts';

export interface ReplayOptions {
  /** A directory of .lp files; default: the local store and the spool of `storage.dataDir`. */
  from?: string | undefined;
  log: Logger;
  out: NodeJS.WritableStream;
  baseDir?: string;
  /** Where the lines go; default: the configured InfluxDB. */
  transport?: LineTransport;
}

/** One run's tally and where it writes. */
interface Run {
  transport: LineTransport;
  out: NodeJS.WritableStream;
  batchLines: number;
  totalBytes: number;
  doneBytes: number;
  written: number;
  refused: number;
  /** The files refused lines were kept in. */
  rejectFiles: Set<string>;
}

/**
 * Loads stored line protocol (the embedded default's local store, or lines spooled
 * while InfluxDB was down) into the configured InfluxDB, oldest file first, in batches,
 * through the writer's delivery path: lines the database refuses for good (400/422) are
 * isolated by halving the batch, counted and kept in `rejected/`, and the rest loads.
 * A database that cannot take anything now (down, 5xx, credentials) stops the run; each
 * batch taken is recorded beside its file, so a rerun goes on from the next one. A fully
 * loaded file moves to `replayed/`. Resent lines are harmless: points carry their
 * timestamps. Exit code 0 when everything loaded, 1 when the run stopped or lines were
 * refused (they are in the rejected files), 2 when there is no InfluxDB to load into.
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
  const run: Run = {
    transport: options.transport ?? storageTransport(config, baseDir),
    out: options.out,
    batchLines: config.storage.batchSize,
    totalBytes: (await Promise.all(files.map((f) => stat(f)))).reduce((n, s) => n + s.size, 0),
    doneBytes: 0,
    written: 0,
    refused: 0,
    rejectFiles: new Set(),
  };
  for (const file of files) {
    if (!(await replayFile(file, run))) return 1;
    await archive(file);
  }
  summarise(run, files.length);
  return run.refused > 0 ? 1 : 0;
}

/** Loads one file from where an earlier run stopped; false if the database stopped it. */
async function replayFile(file: string, run: Run): Promise<boolean> {
  const progress = await readProgress(file);
  const position: { batches: number; bytes: number } = { batches: 0, bytes: 0 };
  const onBadRecord = (reason: string, offset: number) =>
    run.out.write(`\nreplay-spool: ${file} at byte ${offset}: ${reason} — record skipped\n`);
  try {
    for await (const batch of batchesOf(file, run.batchLines, onBadRecord)) {
      position.batches++;
      position.bytes += batch.bytes;
      if (!loadedBefore(progress, position.batches, position.bytes)) {
        await sendBatch(file, batch, run);
        await saveProgress(file, position);
      }
      run.doneBytes += batch.bytes;
      progressBar(run);
    }
    return true;
  } catch (err) {
    run.out.write(`\nreplay-spool: ${file}: ${errorMessage(err)} — stopped; rerun to resume\n`);
    return false;
  }
}

/** The writer's delivery: throws when the database takes nothing now, isolates bad lines. */
async function sendBatch(file: string, batch: Batch, run: Run): Promise<void> {
  const report: DeliveryReport = {
    requests: 0,
    written: 0,
    rejected: 0,
    firstRejected: undefined,
    refusedLines: [],
  };
  await deliver(run.transport, batch.lines, report);
  run.written += report.written;
  if (report.rejected === 0) return;
  const why = report.firstRejected?.reason ?? 'refused';
  const kept = await keepRefused(file, report.refusedLines ?? [], why);
  run.refused += report.rejected;
  run.rejectFiles.add(kept);
  run.out.write(
    `\nreplay-spool: ${file}: ${report.rejected} line(s) refused (${why}) — kept in ${kept}\n`,
  );
}

function summarise(run: Run, files: number): void {
  run.out.write(
    `\nreplay-spool: ${run.written} lines from ${files} file(s) → ${run.transport.target}\n`,
  );
  if (run.refused === 0) return;
  const kept = [...run.rejectFiles].join(', ');
  run.out.write(
    `replay-spool: ${run.refused} line(s) refused by the database, kept in ${kept}; ` +
      'fix them and load them with `heatnet replay-spool --from <that dir>`\n',
  );
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

function progressBar(run: Run): void {
  const share = run.totalBytes === 0 ? 1 : run.doneBytes / run.totalBytes;
  const width = 30;
  const filled = Math.round(share * width);
  run.out.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(1)}% ${run.written} lines`,
  );
}
