import { type FileHandle, mkdir, open, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import * as files from './spool-files.ts';
import { encodeRecord, readRecord } from './spool-format.ts';

export interface SpoolOptions {
  /** `<dataDir>/spool`. */
  dir: string;
  /** Cap on the segment files' total size; beyond it the oldest segment is deleted. */
  maxBytes: number;
  /** A new segment starts once the current one reaches this size (default maxBytes/16). */
  segmentBytes?: number;
  /** fdatasync each record (default true): a confirmed append survives a power cut, not only
   * a crash (QoS 1 acks rest on it). Cheap: a record is a batch, spooled only in outages. */
  syncEachRecord?: boolean;
}

export interface SpoolStats {
  segments: number;
  bytes: number;
  /** Lines spooled and not yet delivered. */
  lines: number;
  /** Lines deleted with the oldest segment to stay under the cap. */
  droppedLines: number;
  /** Lines in records found torn or corrupt (a crash mid-write), never delivered. */
  corruptLines: number;
  /** When the oldest undelivered record was spooled (ms since the epoch). */
  oldestAt: number | null;
}

/** One record handed out by peek(): ack() it once delivered, release() it if not. */
export interface SpoolRecord {
  readonly seq: number;
  readonly lines: string[];
  readonly next: number;
}

/**
 * A bounded FIFO of batches on disk: append-only segment files under `dir`, one batch per
 * checksummed record (spool-format.ts). Appends, reads and deletions run one at a time and
 * a reader never goes past the last complete record, so the segment being written can be
 * read too (no fsync per probe of a dead database). A segment is deleted once all its
 * records are delivered, and a new process never appends to an old segment, so a record
 * torn by a crash can only be the last one of its file.
 *
 * Delivery is at least once: read progress within a segment is saved only at close(), so
 * after a crash that segment is sent again from its start. That is harmless because every
 * line carries its timestamp (DESIGN §4.2): a resent point overwrites itself.
 */
export class Spool {
  private segments: files.Segment[] = [];
  private active: FileHandle | undefined;
  private reader: { seq: number; fh: FileHandle; offset: number } | undefined;
  private inFlight: SpoolRecord | undefined;
  /** The in-flight record's segment was deleted for the cap while it was being sent. */
  private orphaned = false;
  private nextSeq = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly segmentBytes: number;
  private readonly counts = { droppedLines: 0, corruptLines: 0 };
  readonly dir: string;
  readonly maxBytes: number;

  constructor(
    private readonly options: SpoolOptions,
    private readonly log: Logger,
  ) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes = options.segmentBytes ?? files.segmentBytesFor(options.maxBytes);
  }

  /** Takes the directory and finds the segments a previous run left, oldest first. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await files.lockSpool(this.dir, this.log);
    const names = await readdir(this.dir);
    const seqs = names.flatMap((n) => files.SEGMENT_FILE.exec(n)?.[1] ?? []).map(Number);
    const cursor = await files.takeCursor(this.dir);
    for (const seq of seqs.sort((a, b) => a - b)) {
      await this.adopt(seq, cursor?.seq === seq ? cursor.offset : 0);
    }
    this.nextSeq = (seqs.at(-1) ?? 0) + 1;
    const plain = names.filter((n) => n.endsWith('.lp') && !files.SEGMENT_FILE.test(n));
    if (plain.length > 0)
      this.log.warn({ plain }, 'spool has .lp files: load them with replay-spool');
    const s = this.stats();
    if (s.segments > 0) this.log.info(s, 'spool from an earlier run: replaying it first');
  }

  isEmpty(): boolean {
    return this.segments.length === 0;
  }

  stats(): SpoolStats {
    return {
      segments: this.segments.length,
      bytes: this.totalBytes(),
      lines: this.segments.reduce((n, s) => n + s.lines, 0),
      ...this.counts,
      oldestAt: this.segments[0]?.firstAt ?? null,
    };
  }

  /** Appends one batch as a record; resolves once written. Returns lines dropped for the cap. */
  append(lines: readonly string[]): Promise<number> {
    return this.exclusive(async () => {
      if (this.closed) throw new Error('spool is closed');
      if (lines.length === 0) return 0;
      const at = Date.now();
      const record = encodeRecord(lines, at);
      const segment = await this.writableSegment();
      try {
        await this.active!.appendFile(record);
        if (this.options.syncEachRecord !== false) await this.active!.datasync();
      } catch (err) {
        await this.abandonActive(segment);
        throw err;
      }
      segment.bytes += record.length;
      segment.lines += lines.length;
      segment.firstAt ??= at;
      return this.enforceCap();
    });
  }

  /** The oldest undelivered record, or undefined when the spool is empty. */
  peek(): Promise<SpoolRecord | undefined> {
    return this.exclusive(async () => {
      for (let head = this.segments[0]; head; head = this.segments[0]) {
        const reader = await this.readerFor(head);
        const read = await readRecord(reader.fh, reader.offset, head.bytes);
        if (read?.kind === 'record') {
          head.firstAt = read.at;
          this.orphaned = false;
          this.inFlight = { seq: head.seq, lines: read.lines, next: read.next };
          return this.inFlight;
        }
        if (read?.kind === 'bad') {
          this.log.warn({ file: head.path, offset: reader.offset, reason: read.reason }, 'skipped');
          if (read.next !== undefined) {
            reader.offset = read.next;
            continue;
          }
        }
        await this.removeHead();
      }
      return undefined;
    });
  }

  /** The record was delivered: move past it, deleting its segment when done. */
  ack(record: SpoolRecord): Promise<void> {
    return this.exclusive(async () => {
      this.inFlight = undefined;
      const head = this.segments[0];
      const reader = this.reader;
      const orphaned = this.orphaned;
      this.orphaned = false;
      if (orphaned || head?.seq !== record.seq || reader?.seq !== record.seq) return;
      reader.offset = record.next;
      head.lines -= record.lines.length;
      if (record.next >= head.bytes) await this.removeHead();
    });
  }

  /** The record was not delivered; the next peek() returns it again (unless it was dropped). */
  release(record: SpoolRecord): void {
    if (this.inFlight !== record) return;
    this.inFlight = undefined;
    if (this.orphaned) this.counts.droppedLines += record.lines.length;
    this.orphaned = false;
  }

  /** Seals (fsyncs) the segment being written and lets the directory go. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      const last = this.segments.at(-1);
      if (last && !last.sealed) await this.sealActive(last);
      // Progress in the oldest segment: the reader's, or where this run was told to start.
      const head = this.segments[0];
      const offset = this.reader?.seq === head?.seq ? this.reader?.offset : head?.start;
      if (head && offset) await files.saveCursor(this.dir, head.seq, offset);
      await this.reader?.fh.close();
      this.reader = undefined;
      await files.unlockSpool(this.dir);
    });
  }

  /** Runs file operations one at a time: appends, reads and deletions share the segments. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private totalBytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  private async adopt(seq: number, from: number): Promise<void> {
    const path = join(this.dir, files.segmentName(seq));
    const scan = await files.scanSegment(path, from, this.log);
    if (scan.bytes === 0 || scan.start === scan.bytes) await unlink(path);
    else this.segments.push({ seq, path, ...scan, sealed: true });
  }

  private async writableSegment(): Promise<files.Segment> {
    const last = this.segments.at(-1);
    if (last && !last.sealed && last.bytes < this.segmentBytes) return last;
    if (last && !last.sealed) await this.sealActive(last);
    const seq = this.nextSeq++;
    const path = join(this.dir, files.segmentName(seq));
    this.active = await open(path, 'ax');
    const segment: files.Segment = {
      seq,
      path,
      bytes: 0,
      start: 0,
      lines: 0,
      firstAt: null,
      sealed: false,
    };
    this.segments.push(segment);
    return segment;
  }

  private async sealActive(segment: files.Segment): Promise<void> {
    const fh = this.active;
    this.active = undefined;
    segment.sealed = true;
    if (!fh) return;
    await fh.sync();
    await fh.close();
  }

  /**
   * A failed append (disk full) may have left part of a record: cut it off and seal the
   * segment, so the damage cannot sit between two good records.
   */
  private async abandonActive(segment: files.Segment): Promise<void> {
    await this.active?.truncate(segment.bytes).catch(() => undefined);
    await this.sealActive(segment).catch(() => undefined);
    if (segment.bytes > 0) return;
    this.segments = this.segments.filter((s) => s !== segment);
    await unlink(segment.path).catch(() => undefined);
  }

  private async readerFor(
    head: files.Segment,
  ): Promise<{ seq: number; fh: FileHandle; offset: number }> {
    if (this.reader?.seq === head.seq) return this.reader;
    await this.reader?.fh.close();
    this.reader = { seq: head.seq, fh: await open(head.path, 'r'), offset: head.start };
    return this.reader;
  }

  private async removeHead(): Promise<void> {
    const head = this.segments[0];
    if (!head) return;
    if (!head.sealed) await this.sealActive(head);
    this.segments.shift();
    if (this.reader?.seq === head.seq) {
      await this.reader.fh.close();
      this.reader = undefined;
    }
    await unlink(head.path).catch(() => undefined);
    if (head.lines > 0) {
      this.counts.corruptLines += head.lines;
      this.log.error({ file: head.path, lines: head.lines }, 'spooled lines lost to a torn record');
    }
  }

  /** Deletes the oldest segments while over the cap; never the one being written. */
  private async enforceCap(): Promise<number> {
    let dropped = 0;
    while (this.totalBytes() > this.maxBytes && this.segments.length > 1) {
      const head = this.segments[0]!;
      let lost = head.lines;
      if (this.inFlight?.seq === head.seq) {
        // Still being sent: counted only if that send fails (release()).
        lost -= this.inFlight.lines.length;
        this.orphaned = true;
      }
      head.lines = 0;
      await this.removeHead();
      dropped += lost;
    }
    this.counts.droppedLines += dropped;
    return dropped;
  }
}
