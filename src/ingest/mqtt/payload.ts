import type { MqttSubscription } from '../../config/schema.ts';
import type { FieldValue } from '../reading.ts';

export type PayloadResult =
  | { ok: true; fields: Record<string, FieldValue>; time: number | undefined }
  | { ok: false; reason: string };

function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Earliest accepted time (2000-01-01): anything older is a device without a clock. */
const MIN_TIME_MS = Date.UTC(2000, 0, 1);
/** Latest time InfluxDB can store (int64 nanoseconds run out in April 2262). */
const MAX_STORABLE_MS = 9_223_372_036_854;
/** Tolerated clock skew of a device running ahead of ours. */
const MAX_AHEAD_MS = 24 * 3600_000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Epoch seconds, epoch milliseconds or an ISO-8601 string → ms, or undefined when
 * it is not a time at all or lies outside 2000 … now + 1 day (… 2262 without `now`).
 */
export function parseTime(value: unknown, now?: number): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Below 1e11 a number is seconds (1e11 s is the year 5138; 1e11 ms is 1973).
    ms = value < 1e11 ? value * 1000 : value;
  } else if (typeof value === 'string' && ISO_8601.test(value.trim())) {
    ms = Date.parse(value);
  }
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  const latest = now === undefined ? MAX_STORABLE_MS : now + MAX_AHEAD_MS;
  return ms >= MIN_TIME_MS && ms <= latest ? ms : undefined;
}

/** The kind each field first arrived as; a field never flips kind afterwards. */
export type FieldKinds = Map<string, 'number' | 'boolean'>;

export interface MapOptions {
  /** Receive time, for bounding payload times. */
  now?: number;
  kinds?: FieldKinds;
}

/** A JSON value as a field value: finite numbers, numeric strings, booleans. */
function toFieldValue(v: unknown): number | boolean | string {
  if (typeof v === 'number') return Number.isFinite(v) ? v : 'not a finite number';
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    // Many sensors send numbers as strings ("21.5"); anything else is not a reading.
    const n = v.trim() === '' ? Number.NaN : Number(v);
    return Number.isFinite(n) ? n : `"${v.slice(0, 20)}" is not a number`;
  }
  return 'not a number or boolean';
}

/**
 * Maps a JSON payload to fields by the subscription's field paths. Numbers must be
 * finite (numeric strings are converted); booleans pass; a field keeps the kind it
 * first had, so it never flips type in InfluxDB. A payload giving none of the
 * fields, or not JSON at all, is rejected with the reason.
 */
export function mapPayload(
  sub: MqttSubscription,
  payload: Buffer,
  options: MapOptions = {},
): PayloadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (doc === null || typeof doc !== 'object') return { ok: false, reason: 'not a JSON object' };
  const fields: Record<string, FieldValue> = {};
  for (const [field, path] of Object.entries(sub.fields)) {
    const raw = at(doc, path);
    if (raw === undefined || raw === null) continue;
    const value = toFieldValue(raw);
    if (typeof value === 'string') return { ok: false, reason: `${path}: ${value}` };
    const kind = typeof value === 'number' ? 'number' : 'boolean';
    const known = options.kinds?.get(field);
    if (known && known !== kind)
      return { ok: false, reason: `${path}: ${kind}, but was a ${known}` };
    fields[field] = value;
  }
  if (Object.keys(fields).length === 0)
    return { ok: false, reason: 'none of the mapped fields present' };
  let time: number | undefined;
  if (sub.time) {
    time = parseTime(at(doc, sub.time), options.now);
    if (time === undefined)
      return { ok: false, reason: `${sub.time}: missing, unreadable or implausible time` };
  }
  for (const [field, value] of Object.entries(fields)) {
    if (!options.kinds?.has(field))
      options.kinds?.set(field, typeof value === 'number' ? 'number' : 'boolean');
  }
  return { ok: true, fields, time };
}
