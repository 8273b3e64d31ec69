import type { MqttSubscription } from '../../config/schema.ts';

/**
 * What an MQTT field may hold: its JSON path, a plausible [min, max] and the values
 * that mean "no value". The Modbus side declares the same per register field
 * (`range`, `sentinels`); MQTT sensors have no register type to tell a sentinel by,
 * so ranges carry most of the weight and every field gets one (issue 15, defect 2).
 */
export interface FieldRule {
  field: string;
  path: string;
  range: readonly [number, number];
  sentinels: readonly number[];
}

/** The "no value" codes sensors and gateways send in JSON (Modbus int16 leftovers, -999). */
export const USUAL_SENTINELS: readonly number[] = [-32768, 32767, 65535, -9999, -999];

/**
 * Built-in ranges when a subscription declares none, by measurement and field name
 * (DESIGN §4.2 names carry their unit). Wide enough for any real network, narrow
 * enough that one broken sensor cannot dominate a mean: a lived-in room is never
 * below -30 °C or above 60 °C; outdoor air stays within ±60 °C; water in a district
 * heating network stays between 0 and 150 °C; flows and powers are not negative.
 */
const BY_MEASUREMENT: Record<string, Record<string, readonly [number, number]>> = {
  room: { temp_c: [-30, 60] },
  weather: { outdoor_temp_c: [-60, 60] },
};

/** By the end of the field name (its unit); the first that matches wins. */
const BY_SUFFIX: readonly (readonly [string, readonly [number, number]])[] = [
  ['outdoor_temp_c', [-60, 60]],
  ['supply_temp_c', [0, 150]],
  ['return_temp_c', [0, 150]],
  ['temp_c', [-60, 150]],
  ['_m3h', [0, 10_000]],
  ['_kw', [0, 1_000_000]],
  ['_gj', [0, 1e12]],
  ['_pct', [0, 100]],
  ['_hz', [0, 400]],
  ['_mpa', [-0.1, 10]],
];

/**
 * Anything else is at least bounded in magnitude: a thousand such values summed stay
 * far from overflowing a double, so no mean downstream can become Infinity.
 */
export const GENERIC_RANGE: readonly [number, number] = [-1e9, 1e9];

export function defaultRange(measurement: string, field: string): readonly [number, number] {
  const known = BY_MEASUREMENT[measurement]?.[field];
  if (known) return known;
  for (const [suffix, range] of BY_SUFFIX) if (field.endsWith(suffix)) return range;
  return GENERIC_RANGE;
}

/** A subscription's fields as rules: declared range and sentinels, else the defaults. */
export function fieldRules(sub: Pick<MqttSubscription, 'measurement' | 'fields'>): FieldRule[] {
  return Object.entries(sub.fields).map(([field, spec]) => {
    const declared = typeof spec === 'string' ? { path: spec } : spec;
    const sentinels = declared.sentinels ?? true;
    return {
      field,
      path: declared.path,
      range: declared.range ?? defaultRange(sub.measurement, field),
      sentinels: sentinels === true ? USUAL_SENTINELS : sentinels === false ? [] : sentinels,
    };
  });
}
