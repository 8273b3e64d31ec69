import { open, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { readHeader } from './spool-format.ts';

/** Segment files sort by name in the order they were written. */
export const SEGMENT_FILE = /^spool-(\d{12})\.lp$/;
export const segmentName = (seq: number) => `spool-${String(seq).padStart(12, '0')}.lp`;

/** Sixteen segments to the cap, so drop-oldest gives up a sixteenth at a time. */
export const segmentBytesFor = (maxBytes: number) =>
  Math.min(64 * 1024 * 1024, Math.max(64 * 1024, Math.floor(maxBytes / 16)));

/** The pid in `<dir>/LOCK` if that process is alive (a running heatnet owns the spool). */
export async function spoolLockHolder(dir: string): Promise<number | undefined> {
  const text = await readFile(join(dir, 'LOCK'), 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive but someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/**
 * Marks the spool as this process's, so `heatnet replay-spool` leaves it alone while the
 * service runs. A lock left by a crashed process names a dead pid and is simply taken;
 * a live holder is logged loudly rather than refused, because a recycled pid after a
 * reboot must never keep the service from starting.
 */
export async function lockSpool(dir: string, log: Logger): Promise<void> {
  const holder = await spoolLockHolder(dir);
  if (holder !== undefined && holder !== process.pid) {
    log.error({ pid: holder, dir }, 'another live process holds this spool; taking it over');
  }
  await writeFile(join(dir, 'LOCK'), `${process.pid}\n`);
}

export async function unlockSpool(dir: string): Promise<void> {
  if ((await spoolLockHolder(dir)) !== process.pid) return;
  await unlink(join(dir, 'LOCK')).catch(() => undefined);
}

/**
 * Read progress in the oldest segment, saved at a clean shutdown so the next start goes on
 * from there. Taken (deleted) when read: after a crash there is none and the segment is
 * sent again from its start — at least once, never less.
 */
export async function saveCursor(dir: string, seq: number, offset: number): Promise<void> {
  await writeFile(join(dir, 'CURSOR'), `${seq} ${offset}\n`);
}

export async function takeCursor(dir: string): Promise<{ seq: number; offset: number } | null> {
  const file = join(dir, 'CURSOR');
  const text = await readFile(file, 'utf8').catch(() => '');
  await unlink(file).catch(() => undefined);
  const [seq, offset] = text.trim().split(' ').map(Number);
  return Number.isInteger(seq) && Number.isInteger(offset) ? { seq: seq!, offset: offset! } : null;
}

/** A segment file as the spool tracks it. */
export interface Segment {
  seq: number;
  path: string;
  bytes: number;
  /** Offset of the first undelivered record when the segment was adopted. */
  start: number;
  /** Lines not yet delivered. */
  lines: number;
  firstAt: number | null;
  /** Closed and fsync'd: nothing is appended to it any more. */
  sealed: boolean;
}

export interface SegmentScan {
  bytes: number;
  /** Where reading starts: the cursor's offset if it falls on a record, else 0. */
  start: number;
  lines: number;
  firstAt: number | null;
}

/**
 * Sizes up a segment left by an earlier run from its record headers alone (checksums are
 * checked when records are read), so a restart with a full spool starts in milliseconds.
 * Records before `from` (delivered before a clean shutdown) are not counted.
 */
export async function scanSegment(path: string, from: number, log: Logger): Promise<SegmentScan> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const records: { offset: number; lines: number; at: number }[] = [];
    let offset = 0;
    while (offset < size) {
      const header = await readHeader(fh, offset, size);
      if (typeof header === 'string') {
        log.warn({ file: path, offset, reason: header }, 'torn spool record ignored');
        break;
      }
      records.push({ offset, lines: header.lines, at: header.at });
      offset += header.headerBytes + header.bytes;
    }
    const onRecord = from === offset || records.some((r) => r.offset === from);
    const start = onRecord ? from : 0;
    const left = records.filter((r) => r.offset >= start);
    const lines = left.reduce((n, r) => n + r.lines, 0);
    return { bytes: size, start, lines, firstAt: left[0]?.at ?? null };
  } finally {
    await fh.close();
  }
}
