import type { HistoryField } from '../live/events-contract.ts';

/** One history request, validated: a substation's field over [fromMs, toMs) by step. */
export interface HistoryQuery {
  substation: string;
  field: HistoryField;
  fromMs: number;
  toMs: number;
  stepMs: number;
}

export interface HistorySeries {
  /** The step the points are at: the one asked for, or coarser when the source keeps no finer. */
  stepMs: number;
  source: 'embedded' | 'influx-v1' | 'influx-v2';
  /** `[step start (epoch ms), mean]`, oldest first; steps without data are left out. */
  points: [number, number][];
}

/** Where `GET /api/substations/:id/history` reads from: the embedded store or InfluxDB. */
export interface HistorySource {
  readonly kind: HistorySeries['source'];
  query(q: HistoryQuery): Promise<HistorySeries>;
}

/** Buckets (sums and counts) folded into means per step, steps aligned to the epoch. */
export function foldBuckets(
  buckets: readonly { bucketMs: number; sum: number; samples: number }[],
  stepMs: number,
): [number, number][] {
  const points: [number, number][] = [];
  let [start, sum, samples] = [Number.NaN, 0, 0];
  for (const b of buckets) {
    const at = b.bucketMs - (b.bucketMs % stepMs);
    if (at !== start) {
      if (samples > 0) points.push([start, sum / samples]);
      [start, sum, samples] = [at, 0, 0];
    }
    sum += b.sum;
    samples += b.samples;
  }
  if (samples > 0) points.push([start, sum / samples]);
  return points;
}
