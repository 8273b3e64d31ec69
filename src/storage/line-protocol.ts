import type { Reading } from '../core/reading.ts';
import { SeriesRecord } from '../core/series-tags.ts';

/**
 * InfluxDB line protocol with millisecond timestamps (the coarsest precision that
 * keeps poll timestamps distinct). Escaping per the line protocol reference:
 * measurement , and space; tag keys/values and field keys , = and space;
 * string field values " and \.
 */
// A newline ends a line and cannot be escaped in names: it becomes a space.
const escapeMeasurement = (s: string) =>
  s.replace(/[\r\n]/g, ' ').replace(/[, \\]/g, (c) => `\\${c}`);
const NEEDS_ESCAPE = /[,= \\\r\n]/;
export const escapeKey = (s: string) =>
  NEEDS_ESCAPE.test(s) ? s.replace(/[\r\n]/g, ' ').replace(/[,= \\]/g, (c) => `\\${c}`) : s;

/** InfluxDB integers are int64; a value beyond it cannot be stored as one. */
const INT64_LIMIT = 2 ** 63;
const escapeString = (s: string) => s.replace(/["\\]/g, (c) => `\\${c}`);

export function fieldValue(value: number | boolean | string, integer: boolean): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    if (integer) {
      // Out of int64 range the field would flip type or be refused: leave it out.
      if (!Number.isInteger(value) || value >= INT64_LIMIT || value < -INT64_LIMIT)
        return undefined;
      return `${value}i`;
    }
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // Newlines would end the line; InfluxDB 1.x cannot store them unescaped either.
  return `"${escapeString(value.replace(/\n/g, ' '))}"`;
}

/**
 * Series prefixes (measurement and sorted, escaped tags) kept on the readings' shared tags
 * (core/series-tags.ts): sources reuse one tags object per series (the MQTT router per
 * topic, Modbus per device), so the sort and the escaping are paid once per series, not
 * per reading (issue 14). The prefix goes with the tags when nobody holds them any more.
 */
const prefixes = new SeriesRecord<{ measurement: string; prefix: string }>();

function seriesPrefix(r: Reading): string {
  const cached = prefixes.get(r.tags);
  if (cached?.measurement === r.measurement) return cached.prefix;
  const prefix = prefixOf(r);
  // Shared tags only (frozen): a caller could otherwise change the object behind the cache's back.
  prefixes.set(r.tags, { measurement: r.measurement, prefix });
  return prefix;
}

/** Measurement and sorted, escaped tags, made afresh (callers cache it their own way). */
export function prefixOf(r: Reading): string {
  let prefix = escapeMeasurement(r.measurement);
  for (const k of Object.keys(r.tags).sort()) {
    const v = r.tags[k];
    if (v === undefined || v === '') continue; // empty tag values are invalid in line protocol
    prefix += `,${escapeKey(k)}=${escapeKey(v)}`;
  }
  return prefix;
}

/** One line, or undefined when no field has a writable value. */
export function toLine(r: Reading): string | undefined {
  const line = seriesPrefix(r);
  let fields = '';
  for (const k in r.fields) {
    const v = r.fields[k]!;
    const encoded = fieldValue(v, r.intFields?.has(k) ?? false);
    if (encoded === undefined) continue;
    fields += `${fields === '' ? '' : ','}${escapeKey(k)}=${encoded}`;
  }
  if (fields === '') return undefined;
  return `${line} ${fields} ${Math.round(r.time)}`;
}

/** The lines of the readings that have a writable field. */
export function toLines(readings: readonly Reading[]): string[] {
  const lines: string[] = [];
  for (const r of readings) {
    const line = toLine(r);
    if (line !== undefined) lines.push(line);
  }
  return lines;
}
