/**
 * One timestamped observation of several fields of one series, the unit that flows
 * from the ingestors to the live state and to storage. `time` is taken at read time
 * on the ingest side (ms since the epoch), so a retried write is idempotent.
 */
export type FieldValue = number | boolean | string;

export interface Reading {
  measurement: string;
  /** Tag values; keys are sorted when written, so order here does not matter. */
  tags: Readonly<Record<string, string>>;
  fields: Readonly<Record<string, FieldValue>>;
  /** Fields written as InfluxDB integers; fixed per source so a field never flips type. */
  intFields?: ReadonlySet<string>;
  time: number;
}

/** A stable key of a series: measurement plus its tags in sorted order. */
export function seriesKey(measurement: string, tags: Readonly<Record<string, string>>): string {
  const keys = Object.keys(tags).sort();
  let key = measurement;
  for (const k of keys) key += `,${k}=${tags[k]}`;
  return key;
}
