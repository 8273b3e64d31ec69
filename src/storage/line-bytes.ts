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
 * them as text: the sort and the escaping once per series, not per reading.
 */
const prefixes = new SeriesRecord<{ measurement: string; bytes: Buffer }>();
/** Escaped field keys with their `=`, by key (fields are few and fixed per source). */
const keys = new Map<string, Buffer>();
const MAX_KEYS = 10_000;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const COMMA = 0x2c;

/** The series' prefix as bytes, kept for shared tags; as text for a one-off tags object. */
function prefixBytes(r: Reading): Buffer | string {
  const cached = prefixes.get(r.tags);
  if (cached?.measurement === r.measurement) return cached.bytes;
  const text = prefixOf(r);
  // A one-off reading's prefix goes into the slab as text: a Buffer each would be
  // garbage carved from Node's shared pool, which the cached prefixes keep alive.
  if (!isSeriesTags(r.tags)) return text;
  const bytes = Buffer.from(text);
  prefixes.set(r.tags, { measurement: r.measurement, bytes });
  return bytes;
}

function keyBytes(k: string): Buffer {
  let bytes = keys.get(k);
  if (!bytes) {
    bytes = Buffer.from(`${escapeKey(k)}=`);
    // A source sending ever new field names must not grow this without end.
    if (keys.size < MAX_KEYS) keys.set(k, bytes);
  }
  return bytes;
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
  if (text) at += buf.write(prefix, at);
  else {
    // TypedArray#set, not Buffer#copy: the latter's argument checks cost more than the copy.
    buf.set(prefix, at);
    at += prefix.length;
  }
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
  buf.set(key, at);
  const from = at + key.length;
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
    at = writeTime(buf, at, (m - fraction) / scale);
    if (places === 0) return at;
    buf[at] = DOT;
    const end = at + 1 + places;
    let rest = fraction;
    for (let i = end - 1; i > at; i--) {
      const next = Math.floor(rest / 10);
      buf[i] = ZERO + (rest - next * 10);
      rest = next;
    }
    return end;
  }
  return -1;
}

/** Decimal digits of a timestamp, without making a string of it. */
function writeTime(buf: Buffer, at: number, t: number): number {
  if (!Number.isSafeInteger(t) || t < 0) return at + buf.write(String(t), at, 'latin1');
  let digits = 1;
  for (let x = t; x >= 10; x = Math.floor(x / 10)) digits++;
  const end = at + digits;
  for (let i = end - 1; i >= at; i--) {
    const rest = Math.floor(t / 10);
    buf[i] = 0x30 + (t - rest * 10);
    t = rest;
  }
  return end;
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
