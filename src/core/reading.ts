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

/**
 * A key of a series: measurement plus its tags in the order the source lists them.
 * Sources build tags in a fixed order, so sorting here (on every reading, the hot
 * path) would buy nothing.
 */
export function seriesKey(measurement: string, tags: Readonly<Record<string, string>>): string {
  // Joined, not appended to: `+=` leaves a tree of partial strings behind a key that is
  // kept (three times the bytes of the flat string, at 250,000 series).
  const parts = [measurement];
  for (const k in tags) parts.push(`${k}=${tags[k]}`);
  return parts.join(',');
}
