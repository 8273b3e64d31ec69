import { type FileHandle, open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/**
 * On-disk record format of the spool: one batch per record, a header line and then the
 * batch's lines, each ending in a newline:
 *
 *     # heatnet-spool v1 lines=5000 bytes=412345 crc=1c291ca3 at=1700000000000
 *     m,s=S01 v=1 1700000000000
 *     …
 *
 * The header is a line-protocol comment, so a segment stays a valid `.lp` file that any
 * loader (and `heatnet replay-spool`) understands. `bytes` and `crc` (CRC-32 of the lines)
 * tell a complete record from one torn by a crash mid-write: a record is only ever used
 * when its length and checksum match.
 */
export const RECORD_MAGIC = '# heatnet-spool v1 ';
const HEADER = /^# heatnet-spool v1 lines=(\d+) bytes=(\d+) crc=([0-9a-f]{8}) at=(\d+)$/;
/** Longer than any header we write; a longer "header" is garbage. */
const MAX_HEADER_BYTES = 160;

export interface RecordHeader {
  lines: number;
  bytes: number;
  crc: number;
  /** When the record was spooled (ms since the epoch). */
  at: number;
  /** Bytes of the header line including its newline. */
  headerBytes: number;
}

export type RecordRead =
  | { kind: 'record'; lines: string[]; at: number; next: number }
  /** Unusable bytes at `offset`; `next` is where the following record starts, if known. */
  | { kind: 'bad'; reason: string; next: number | undefined };

export function encodeRecord(lines: readonly string[], at: number): Buffer {
  const payload = Buffer.from(`${lines.join('\n')}\n`);
  const crc = crc32(payload).toString(16).padStart(8, '0');
  const header = `${RECORD_MAGIC}lines=${lines.length} bytes=${payload.length} crc=${crc} at=${at}\n`;
  return Buffer.concat([Buffer.from(header), payload]);
}

/** The header at `offset`, or why there is none (a torn or foreign tail). */
export async function readHeader(
  fh: FileHandle,
  offset: number,
  size: number,
): Promise<RecordHeader | string> {
  const want = Math.min(MAX_HEADER_BYTES, size - offset);
  const buf = Buffer.alloc(want);
  const { bytesRead } = await fh.read(buf, 0, want, offset);
  const end = buf.subarray(0, bytesRead).indexOf(0x0a);
  if (end < 0) return 'incomplete header';
  const match = HEADER.exec(buf.toString('utf8', 0, end));
  if (!match) return 'not a spool record header';
  const [, lines, bytes, crc, at] = match;
  const header = {
    lines: Number(lines),
    bytes: Number(bytes),
    crc: Number.parseInt(crc ?? '', 16),
    at: Number(at),
    headerBytes: end + 1,
  };
  if (offset + header.headerBytes + header.bytes > size) return 'record cut short';
  return header;
}

/** The record at `offset` of a file of `size` bytes, checked; undefined at the end. */
export async function readRecord(
  fh: FileHandle,
  offset: number,
  size: number,
): Promise<RecordRead | undefined> {
  if (offset >= size) return undefined;
  const header = await readHeader(fh, offset, size);
  if (typeof header === 'string') return { kind: 'bad', reason: header, next: undefined };
  const start = offset + header.headerBytes;
  const next = start + header.bytes;
  const payload = Buffer.alloc(header.bytes);
  const { bytesRead } = await fh.read(payload, 0, header.bytes, start);
  if (bytesRead !== header.bytes) return { kind: 'bad', reason: 'record cut short', next };
  if (crc32(payload) !== header.crc) return { kind: 'bad', reason: 'checksum mismatch', next };
  const lines = payload.toString('utf8', 0, payload.length - 1).split('\n');
  if (lines.length !== header.lines) return { kind: 'bad', reason: 'line count mismatch', next };
  return { kind: 'record', lines, at: header.at, next };
}

/** Whether `file` starts with a spool record header (rather than plain line protocol). */
export async function isSpoolSegment(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(RECORD_MAGIC.length);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return bytesRead === buf.length && buf.toString('utf8') === RECORD_MAGIC;
  } finally {
    await fh.close();
  }
}

/**
 * Every intact record of a segment file, oldest first, as `{ lines, bytes }` (bytes of the
 * file consumed, for progress). A bad record is reported through `onBad` and skipped; a
 * torn tail ends the file.
 */
export async function* segmentRecords(
  file: string,
  onBad: (reason: string, offset: number) => void,
): AsyncGenerator<{ lines: string[]; bytes: number }> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    let offset = 0;
    for (;;) {
      const read = await readRecord(fh, offset, size);
      if (read === undefined) return;
      const next = read.next ?? size;
      if (read.kind === 'bad') onBad(read.reason, offset);
      yield { lines: read.kind === 'record' ? read.lines : [], bytes: next - offset };
      offset = next;
    }
  } finally {
    await fh.close();
  }
}
