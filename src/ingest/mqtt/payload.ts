import type { MqttSubscription } from '../../config/schema.ts';
import { type FlatPlan, readFlat } from './payload-flat.ts';
import { type FieldRule, fieldRules } from './plausible.ts';

/** Why a message was refused, counted per subscription (health, metrics). */
export const PAYLOAD_REJECTIONS = [
  'payload',
  'type',
  'not-finite',
  'sentinel',
  'range',
  'time',
] as const;
export type PayloadRejection = (typeof PAYLOAD_REJECTIONS)[number];

/** Every rejection kind at zero, for a new subscription's counts. */
export function noRejections(): Record<PayloadRejection, number> {
  return Object.fromEntries(PAYLOAD_REJECTIONS.map((k) => [k, 0])) as Record<
    PayloadRejection,
    number
  >;
}

export type PayloadResult =
  | { ok: true; fields: Record<string, number>; time: number | undefined }
  | { ok: false; kind: PayloadRejection; reason: string };

/** Own properties only: a path like `__proto__.x` or `constructor` finds nothing. */
function at(obj: unknown, path: string): unknown {
  // The usual case, a top-level key, without splitting the path per message.
  if (!path.includes('.')) {
    if (obj === null || typeof obj !== 'object' || !Object.hasOwn(obj, path)) return undefined;
    return (obj as Record<string, unknown>)[path];
  }
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
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
    // Below 1e11 a number is seconds (1e11 s is the year 5138; 1e11 ms is 1973). One
    // multiplication either way: a stream of ms times then leaves no unused path that
    // a first device sending seconds deoptimises the message path through (issue 14).
    ms = value * (value < 1e11 ? 1000 : 1);
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
function toNumber(v: unknown): number | { kind: PayloadRejection; reason: string } {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    n = DECIMAL.test(v.trim()) ? Number(v) : Number.NaN;
    if (Number.isNaN(n)) return { kind: 'type', reason: `${quote(v)} is not a number` };
  } else {
    const what = typeof v === 'boolean' ? 'a boolean' : 'not a number';
    return { kind: 'type', reason: `${what} where a number is expected` };
  }
  // 1e400 parses to Infinity; NaN cannot come out of JSON but a sum of them could.
  if (!Number.isFinite(n)) return { kind: 'not-finite', reason: 'not a finite number' };
  // -0 is 0 to a sensor; writing "-0" would only surprise a reader.
  return n === 0 ? 0 : n;
}

/** A short, printable excerpt of what a sensor sent, for the log and health. */
function quote(v: string): string {
  return JSON.stringify(v.slice(0, 20));
}

/** The field's value checked against its rule: a number, or why it is refused. */
function plausible(rule: FieldRule, raw: unknown) {
  const value = toNumber(raw);
  if (typeof value !== 'number') return { ...value, reason: `${rule.path}: ${value.reason}` };
  if (rule.sentinels.includes(value)) {
    return { kind: 'sentinel' as const, reason: `${rule.path}: ${value} means "no value"` };
  }
  const [min, max] = rule.range;
  if (value < min || value > max) {
    return { kind: 'range' as const, reason: `${rule.path}: ${value} outside [${min}, ${max}]` };
  }
  return value;
}

/**
 * Maps a JSON payload to fields by the subscription's field rules. Values must be
 * finite numbers (decimal strings are converted), no sentinel, within the field's
 * range; one bad field refuses the whole message, since its other fields came from
 * the same broken device. A payload giving none of the fields, or not JSON at all,
 * is refused too, each with its reason.
 */
export function mapPayload(
  sub: MqttSubscription,
  payload: Buffer,
  rules: readonly FieldRule[] = fieldRules(sub),
  /** `flatPlan` of the rules' paths then the time's: the usual payload without JSON.parse. */
  plan?: FlatPlan,
): PayloadResult {
  if (plan && readFlat(payload, plan)) return mapFlat(sub, rules, plan);
  return mapParsed(sub, payload, rules);
}

/** As mapPayload, for a payload at `[start, end)` of a socket read (no Buffer made for it). */
export function mapPayloadAt(
  sub: MqttSubscription,
  data: Buffer,
  start: number,
  end: number,
  rules: readonly FieldRule[],
  plan: FlatPlan | undefined,
): PayloadResult {
  if (plan && readFlat(data, plan, start, end)) return mapFlat(sub, rules, plan);
  return mapParsed(sub, data.subarray(start, end), rules);
}

/** mapPayload through JSON.parse: any payload. */
function mapParsed(
  sub: MqttSubscription,
  payload: Buffer,
  rules: readonly FieldRule[],
): PayloadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, kind: 'payload', reason: 'not JSON' };
  }
  if (doc === null || typeof doc !== 'object') {
    return { ok: false, kind: 'payload', reason: 'not a JSON object' };
  }
  const fields: Record<string, number> = {};
  let found = 0;
  for (const rule of rules) {
    const raw = at(doc, rule.path);
    if (raw === undefined || raw === null) continue;
    const value = plausible(rule, raw);
    if (typeof value !== 'number') return { ok: false, ...value };
    fields[rule.field] = value;
    found++;
  }
  return finish(sub, fields, found, sub.time ? at(doc, sub.time) : undefined);
}

/** mapPayload's rules over what readFlat read: the same checks, in the same order. */
function mapFlat(
  sub: MqttSubscription,
  rules: readonly FieldRule[],
  plan: FlatPlan,
): PayloadResult {
  const fields: Record<string, number> = {};
  let found = 0;
  for (let k = 0; k < rules.length; k++) {
    if (plan.seen[k] === 0) continue;
    const rule = rules[k]!;
    const value = plausible(rule, plan.values[k]);
    if (typeof value !== 'number') return { ok: false, ...value };
    fields[rule.field] = value;
    found++;
  }
  const t = rules.length;
  return finish(sub, fields, found, plan.seen[t] === 1 ? plan.values[t] : undefined);
}

/** What both ways end with: at least one field, and the time when the subscription has one. */
function finish(
  sub: MqttSubscription,
  fields: Record<string, number>,
  found: number,
  rawTime: unknown,
): PayloadResult {
  if (found === 0) {
    return { ok: false, kind: 'payload', reason: 'none of the mapped fields present' };
  }
  let time: number | undefined;
  if (sub.time) {
    time = parseTime(rawTime);
    if (time === undefined) {
      const reason = `${sub.time}: missing, unreadable or implausible time`;
      return { ok: false, kind: 'time', reason };
    }
  }
  return { ok: true, fields, time };
}
