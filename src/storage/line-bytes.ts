import type { Reading } from '../core/reading.ts';
import { isSeriesTags, SeriesRecord } from '../core/series-tags.ts';
import { escapeKey, fieldValue, prefixOf } from './line-protocol.ts';

/**
 * Line protocol written straight into bytes, for the writer's buffer and the request body
 * (issue 14): building each line as a string, joining a batch of them and encoding the
 * result cost about a fifth of the ingest path's busy time, and left a string per line for
 * the garbage collector. The bytes are exactly `toLine(r)` in UTF-8 and a newline.
 */

/** A block of encoded lines: the bytes and where each line ends (after its newline). */
export class Slab {
  readonly bytes: Buffer;
  readonly ends: number[] = [];
  used = 0;

  constructor(size: number) {
    this.bytes = Buffer.allocUnsafeSlow(size);
  }

  get room(): number {
    return this.bytes.length - this.used;
  }

  /** Where line `i` starts. */
  startOf(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }
}

/**
 * Series prefixes as bytes, kept on the readings' shared tags, as line-protocol.ts keeps
 * them as text: the sort and the escaping once per series, not per reading. The bytes and
 * the measurement they were made for sit in two slots of the tags' row, not in a record
 * object: under a paced burst every series' records are cold, and each object between
 * the tags and the bytes was one more cache miss per reading (issue 14).
 */
const prefixes = new SeriesRecord<Buffer>();
const prefixMeasurements = new SeriesRecord<string>();
/** Escaped field keys with their `=`, by key (fields are few and fixed per source). */
const keys = new Map<string, Buffer>();
const MAX_KEYS = 10_000;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const COMMA = 0x2c;

/** The series' prefix as bytes, kept for shared tags; as text for a one-off tags object. */
function prefixBytes(r: Reading): Buffer | string {
  const cached = prefixes.get(r.tags);
  if (cached !== undefined && prefixMeasurements.get(r.tags) === r.measurement) return cached;
  const text = prefixOf(r);
  // A one-off reading's prefix goes into the slab as text: a Buffer each would be
  // garbage carved from Node's shared pool, which the cached prefixes keep alive.
  if (!isSeriesTags(r.tags)) return text;
  const bytes = Buffer.from(text);
  prefixes.set(r.tags, bytes);
  prefixMeasurements.set(r.tags, r.measurement);
  return bytes;
}

/** The last key asked for: a source's readings repeat their one field. */
let lastKey = '';
let lastKeyBytes: Buffer = Buffer.alloc(0);

function keyBytes(k: string): Buffer {
  if (k === lastKey) return lastKeyBytes;
  let bytes = keys.get(k);
  if (!bytes) {
    bytes = Buffer.from(`${escapeKey(k)}=`);
    // A source sending ever new field names must not grow this without end.
    if (keys.size < MAX_KEYS) keys.set(k, bytes);
  }
  lastKey = k;
  lastKeyBytes = bytes;
  return bytes;
}

/**
 * Runs up to this long are copied byte by byte, where TypedArray#set's call costs more than
 * the copy; longer ones by TypedArray#set (Buffer#copy's argument checks cost more still).
 */
const SHORT_COPY = 16;

/** Copies `src` into `buf` at `at`; where it ends. */
function put(buf: Buffer, at: number, src: Buffer): number {
  const n = src.length;
  if (n > SHORT_COPY) buf.set(src, at);
  else for (let i = 0; i < n; i++) buf[at + i] = src[i]!;
  return at + n;
}

/** Where lines are written: a slab with at least `bytes` of room. */
export interface SlabSink {
  slabFor(bytes: number): Slab;
}

/**
 * Bytes enough for the fields and time of a line: UTF-8 takes at most 3 bytes per UTF-16
 * unit, and escaping at most doubles a name or a string; a number takes at most 25 characters.
 */
function fieldsBound(r: Reading): number {
  let n = 24;
  for (const k in r.fields) {
    const v = r.fields[k];
    n += 6 * k.length + 2 + (typeof v === 'string' ? 6 * v.length + 3 : 26);
  }
  return n;
}

/**
 * Writes the reading's line into a slab of `sink` and records its end; returns that slab,
 * or undefined (nothing written) when no field has a writable value.
 */
export function writeLine(r: Reading, sink: SlabSink): Slab | undefined {
  const prefix = prefixBytes(r);
  const text = typeof prefix === 'string';
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  const slab = sink.slabFor((text ? 3 * prefix.length : prefix.length) + fieldsBound(r));
  const buf = slab.bytes;
  let at = slab.used;
  at = text ? at + buf.write(prefix, at) : put(buf, at, prefix);
  let separator = SPACE;
  for (const k in r.fields) {
    const end = writeField(buf, at + 1, keyBytes(k), r.fields[k]!, r.intFields?.has(k) ?? false);
    if (end < 0) continue;
    buf[at] = separator;
    separator = COMMA;
    at = end;
  }
  if (separator === SPACE) return undefined;
  buf[at++] = SPACE;
  at = writeTime(buf, at, Math.round(r.time));
  buf[at++] = NEWLINE;
  slab.used = at;
  slab.ends.push(at);
  return slab;
}

/** `key=value` at `at`; where it ends, or -1 (nothing kept) when the value cannot be written. */
function writeField(
  buf: Buffer,
  at: number,
  key: Buffer,
  value: number | boolean | string,
  integer: boolean,
): number {
  const from = put(buf, at, key);
  if (typeof value === 'number' && !integer) {
    const end = writeDecimal(buf, from, value);
    if (end >= 0) return end;
  }
  const encoded = fieldValue(value, integer);
  return encoded === undefined ? -1 : from + buf.write(encoded, from);
}

/** Decimal places tried by writeDecimal: sensors send a few; others take String(). */
const MAX_PLACES = 6;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;

/**
 * A number as `String(v)` spells it, written in place (issue 14: a string per reading for
 * its temperature), for a value below 1e9 in size with at most six decimal places; -1 for
 * any other (the caller falls back to the string). With as few places as give back `v`
 * exactly, the digits are the shortest that round-trip, which is what String() writes;
 * below 1e9 one ulp is under half of 10^-6, so at each place count only one candidate
 * can round-trip and it is the one Math.round finds.
 */
export function writeDecimal(buf: Buffer, at: number, v: number): number {
  const size = Math.abs(v);
  if (!(size < 1e9)) return -1; // also NaN and the infinities
  let scale = 1;
  for (let places = 0; places <= MAX_PLACES; places++, scale *= 10) {
    const m = Math.round(size * scale);
    if (m / scale !== size) continue;
    if (v < 0) buf[at++] = MINUS; // -0 is not below 0: String(-0) is "0" too
    const fraction = m % scale;
    // Below 1e9 and below 1e6: both parts are int32, written without a double's division.
    at = writeSmall(buf, at, (m - fraction) / scale);
    if (places === 0) return at;
    buf[at] = DOT;
    const end = at + 1 + places;
    writeDigits(buf, end, fraction, places);
    return end;
  }
  return -1;
}

/** Decimal digits of a timestamp, without making a string of it. */
function writeTime(buf: Buffer, at: number, t: number): number {
  if (!Number.isSafeInteger(t) || t < 0) return at + buf.write(String(t), at, 'latin1');
  if (t < EIGHT_DIGITS) return writeSmall(buf, at, t);
  // Two int32 halves (a millisecond time has 13 digits): integer division by a constant
  // is a multiplication, where a double's digit each took a division and a floor.
  let high = Math.floor(t / EIGHT_DIGITS);
  let low = t - high * EIGHT_DIGITS;
  // The quotient may round up to the next integer near 2^53.
  if (low < 0) {
    high--;
    low += EIGHT_DIGITS;
  }
  const end = writeSmall(buf, at, high) + 8;
  writeDigits(buf, end, low, 8);
  return end;
}

const EIGHT_DIGITS = 100_000_000;

/** A non-negative integer below 2^31 in decimal at `at`; where it ends. */
function writeSmall(buf: Buffer, at: number, n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
  writeDigits(buf, at + digits, n, digits);
  return at + digits;
}

/** The last `digits` decimal digits of `n` (below 2^31), zero-padded, ending before `end`. */
function writeDigits(buf: Buffer, end: number, n: number, digits: number): void {
  let x = n | 0;
  for (let i = end - 1; i >= end - digits; i--) {
    const rest = (x / 10) | 0;
    buf[i] = ZERO + x - rest * 10;
    x = rest;
  }
}

/** Writes a line already made (text pushed into the buffer): one line, without its newline. */
export function writeText(line: string, sink: SlabSink): Slab {
  const slab = sink.slabFor(3 * line.length + 1);
  const at = slab.used + slab.bytes.write(line, slab.used);
  slab.bytes[at] = NEWLINE;
  slab.used = at + 1;
  slab.ends.push(slab.used);
  return slab;
}
