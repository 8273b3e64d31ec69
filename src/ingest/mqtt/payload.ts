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

/** Epoch seconds, epoch milliseconds or an ISO-8601 string → ms; else undefined. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Below 1e11 a number is seconds (1e11 s is the year 5138; 1e11 ms is 1973).
    return value < 1e11 ? value * 1000 : value;
  }
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/**
 * Maps a JSON payload to fields by the subscription's field paths. Numbers must be
 * finite; booleans and strings pass. A payload giving none of the fields, or not
 * JSON at all, is rejected with the reason.
 */
export function mapPayload(sub: MqttSubscription, payload: Buffer): PayloadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (doc === null || typeof doc !== 'object') return { ok: false, reason: 'not a JSON object' };
  const fields: Record<string, FieldValue> = {};
  for (const [field, path] of Object.entries(sub.fields)) {
    const v = at(doc, path);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { ok: false, reason: `${path}: not a finite number` };
      fields[field] = v;
    } else if (typeof v === 'boolean' || typeof v === 'string') {
      fields[field] = v;
    } else if (v !== undefined && v !== null) {
      return { ok: false, reason: `${path}: not a number, boolean or string` };
    }
  }
  if (Object.keys(fields).length === 0)
    return { ok: false, reason: 'none of the mapped fields present' };
  let time: number | undefined;
  if (sub.time) {
    time = parseTime(at(doc, sub.time));
    if (time === undefined) return { ok: false, reason: `${sub.time}: missing or unreadable time` };
  }
  return { ok: true, fields, time };
}
