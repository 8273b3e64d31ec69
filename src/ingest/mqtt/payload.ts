import type { MqttSubscription } from '../../config/schema.ts';

export type PayloadResult =
  | { ok: true; fields: Record<string, number>; time: number | undefined }
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
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Epoch seconds, epoch milliseconds or an ISO-8601 string → ms, or undefined when it is
 * not a time at all or lies outside 2000 … 2262. How far ahead of the service clock a
 * time may be is the ingest pipeline's one rule (`ingest.maxAheadS`), not the payload's.
 */
export function parseTime(value: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Below 1e11 a number is seconds (1e11 s is the year 5138; 1e11 ms is 1973).
    ms = value < 1e11 ? value * 1000 : value;
  } else if (typeof value === 'string' && ISO_8601.test(value.trim())) {
    ms = Date.parse(value);
  }
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  return ms >= MIN_TIME_MS && ms <= MAX_STORABLE_MS ? ms : undefined;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A JSON value as a measurement: a finite number, or a decimal string ("21.5", as
 * many sensors send). Anything else — booleans, "NaN", "0x15" — is a reason to
 * reject. Fields are always numbers, written as floats, so none ever flips type.
 */
function toNumber(v: unknown): number | string {
  if (typeof v === 'number') return Number.isFinite(v) ? v : 'not a finite number';
  if (typeof v === 'string') {
    const n = DECIMAL.test(v.trim()) ? Number(v) : Number.NaN;
    return Number.isFinite(n) ? n : `"${v.slice(0, 20)}" is not a number`;
  }
  return `${typeof v === 'boolean' ? 'a boolean' : 'not a number'} where a number is expected`;
}

/**
 * Maps a JSON payload to fields by the subscription's field paths. Values must be
 * finite numbers (decimal strings are converted). A payload giving none of the
 * fields, or not JSON at all, is rejected with the reason.
 */
export function mapPayload(sub: MqttSubscription, payload: Buffer): PayloadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (doc === null || typeof doc !== 'object') return { ok: false, reason: 'not a JSON object' };
  const fields: Record<string, number> = {};
  for (const [field, path] of Object.entries(sub.fields)) {
    const raw = at(doc, path);
    if (raw === undefined || raw === null) continue;
    const value = toNumber(raw);
    if (typeof value === 'string') return { ok: false, reason: `${path}: ${value}` };
    fields[field] = value;
  }
  if (Object.keys(fields).length === 0) {
    return { ok: false, reason: 'none of the mapped fields present' };
  }
  let time: number | undefined;
  if (sub.time) {
    time = parseTime(at(doc, sub.time));
    if (time === undefined) {
      return { ok: false, reason: `${sub.time}: missing, unreadable or implausible time` };
    }
  }
  return { ok: true, fields, time };
}
