import type { Reading } from '../core/reading.ts';
import type { HistoryField } from '../live/events-contract.ts';

/**
 * The series the console's substation trends show (issue 13 item 4): supply and return
 * temperatures and pressures of 一网 (primary) and 二网 (secondary), flows, heat power, the
 * pump speed, the mean room temperature of the substation's households, and the outdoor
 * temperature for the heating curve. Each is a mean per time step.
 */
export const SUBSTATION_FIELDS = [
  'primary_supply_temp_c',
  'primary_return_temp_c',
  'primary_supply_pressure_mpa',
  'primary_return_pressure_mpa',
  'primary_flow_m3h',
  'secondary_supply_temp_c',
  'secondary_return_temp_c',
  'secondary_supply_pressure_mpa',
  'secondary_return_pressure_mpa',
  'secondary_flow_m3h',
  'heat_power_kw',
] as const;

export const HISTORY_FIELDS = [
  ...SUBSTATION_FIELDS,
  'pump_frequency_hz',
  'room_mean_temp_c',
  'outdoor_temp_c',
] as const satisfies readonly HistoryField[];

// Every field of the contract is kept (a field added there must be added here).
type Missing = Exclude<HistoryField, (typeof HISTORY_FIELDS)[number]>;
const _complete: Missing extends never ? true : false = true;

/** The site-wide series (not per substation) are kept under this substation key. */
export const SITE = '*';

/** Where a history field comes from in the InfluxDB schema (DESIGN §4.2). */
export interface FieldSource {
  measurement: 'substation' | 'pump' | 'room' | 'weather';
  field: string;
  /** False for the outdoor temperature: one per site, from the weather stations. */
  perSubstation: boolean;
}

export function fieldSource(field: HistoryField): FieldSource {
  switch (field) {
    case 'pump_frequency_hz':
      return { measurement: 'pump', field: 'frequency_hz', perSubstation: true };
    case 'room_mean_temp_c':
      return { measurement: 'room', field: 'temp_c', perSubstation: true };
    case 'outdoor_temp_c':
      return { measurement: 'weather', field: 'outdoor_temp_c', perSubstation: false };
    default:
      return { measurement: 'substation', field, perSubstation: true };
  }
}

const SUBSTATION_SET: ReadonlySet<string> = new Set(SUBSTATION_FIELDS);

/**
 * Calls `add(substation, field, value)` for each value of `r` the history keeps. On the
 * ingest path: no allocation beyond the loop, no lookups but one set per field.
 */
export function eachHistoryValue(
  r: Reading,
  add: (substation: string, field: HistoryField, value: number) => void,
): void {
  const fields = r.fields;
  switch (r.measurement) {
    case 'substation': {
      const id = r.tags['substation'];
      if (id === undefined) return;
      for (const f in fields) {
        const v = fields[f];
        if (typeof v === 'number' && Number.isFinite(v) && SUBSTATION_SET.has(f)) {
          add(id, f as HistoryField, v);
        }
      }
      return;
    }
    case 'pump':
      one(r.tags['substation'], 'pump_frequency_hz', fields['frequency_hz'], add);
      return;
    case 'room':
      one(r.tags['substation'], 'room_mean_temp_c', fields['temp_c'], add);
      return;
    case 'weather':
      one(SITE, 'outdoor_temp_c', fields['outdoor_temp_c'], add);
      return;
  }
}

function one(
  id: string | undefined,
  field: HistoryField,
  v: unknown,
  add: (substation: string, field: HistoryField, value: number) => void,
) {
  if (id !== undefined && typeof v === 'number' && Number.isFinite(v)) add(id, field, v);
}
