import { createReadStream, existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { isSpoolSegment, segmentRecords } from './spool-format.ts';

/** The files `replay-spool` reads and writes beside the line-protocol files it loads. */

export interface Batch {
  lines: string[];
  /** Bytes of the file this batch covers (comments, blank lines and torn records included). */
  bytes: number;
}

/** How far a file was loaded: its first `batches` batches, ending at byte `bytes`. */
export interface Progress {
  batches: number;
  bytes: number;
}

export async function lpFiles(dir: string): Promise<string[]> {
  try {
    const names = (await readdir(dir)).filter((n) => n.endsWith('.lp')).sort();
    return names.map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/**
 * A sidecar beside the file, rewritten after every batch the database took, so a rerun
 * after a stop goes on from the next batch instead of resending the whole file.
 */
const progressFile = (file: string) => `${file}.replaying`;

export async function readProgress(file: string): Promise<Progress | undefined> {
  const text = await readFile(progressFile(file), 'utf8').catch(() => '');
  const [batches, bytes] = text.trim().split(' ').map(Number);
  if (!Number.isInteger(batches) || !Number.isInteger(bytes)) return undefined;
  return { batches: batches!, bytes: bytes! };
}

export async function saveProgress(file: string, progress: Progress): Promise<void> {
  await writeFile(progressFile(file), `${progress.batches} ${progress.bytes}\n`);
}

/**
 * Whether batch `n` (1-based) ending at byte `end` was loaded by an earlier run. Files only
 * grow (the local store and the spool append), so the earlier batches are unchanged; the
 * last loaded one may have grown since, and is then sent again (harmless: points carry
 * their timestamps).
 */
export function loadedBefore(progress: Progress | undefined, n: number, end: number): boolean {
  if (!progress) return false;
  return n < progress.batches || (n === progress.batches && end === progress.bytes);
}

/**
 * Keeps lines the database refused for good in `<dir>/rejected/<name>`, each group after a
 * comment saying why, so a person can fix them and load them with `--from <dir>/rejected`.
 */
export async function keepRefused(
  file: string,
  lines: readonly string[],
  why: string,
): Promise<string> {
  const dir = join(dirname(file), 'rejected');
  await mkdir(dir, { recursive: true });
  const target = join(dir, basename(file));
  const reason = why.replace(/\s+/g, ' ');
  await appendFile(
    target,
    `# refused ${new Date().toISOString()}: ${reason}\n${lines.join('\n')}\n`,
  );
  return target;
}

/** Moves a replayed file to `replayed/`, never over an earlier archive of the same name. */
export async function archive(file: string): Promise<void> {
  const done = join(dirname(file), 'replayed');
  await mkdir(done, { recursive: true });
  const name = basename(file, '.lp');
  let target = join(done, `${name}.lp`);
  for (let n = 1; existsSync(target); n++) target = join(done, `${name}.${n}.lp`);
  await rename(file, target);
  await rm(progressFile(file), { force: true });
}

/** Batches of a file: spool segments record by record (torn records skipped), else lines. */
export async function* batchesOf(
  file: string,
  batchLines: number,
  onBadRecord: (reason: string, offset: number) => void,
): AsyncGenerator<Batch> {
  if (await isSpoolSegment(file)) yield* segmentRecords(file, onBadRecord);
  else yield* lineBatches(file, batchLines);
}

async function* lineBatches(file: string, batchLines: number): AsyncGenerator<Batch> {
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
    if (lines.length >= batchLines) {
      yield { lines, bytes };
      lines = [];
      bytes = 0;
    }
  }
  if (lines.length > 0 || bytes > 0) yield { lines, bytes };
}
