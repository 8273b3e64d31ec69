import type { InfluxConfig } from '../../config/schema.ts';
import { HeatnetError } from '../../core/errors.ts';
import { fieldSource } from '../../history/fields.ts';
import type { HistoryQuery, HistorySeries, HistorySource } from '../../history/source.ts';

const str = (s: string) => JSON.stringify(s);

/** The Flux query for one history request (exported for the tests). */
export function fluxQuery(q: HistoryQuery, bucket: string): string {
  const src = fieldSource(q.field);
  const from = new Date(q.fromMs - (q.fromMs % q.stepMs)).toISOString();
  const to = new Date(q.toMs).toISOString();
  const filters = [`r._measurement == ${str(src.measurement)}`, `r._field == ${str(src.field)}`];
  if (src.perSubstation) filters.push(`r.substation == ${str(q.substation)}`);
  return [
    `from(bucket: ${str(bucket)})`,
    `  |> range(start: time(v: ${str(from)}), stop: time(v: ${str(to)}))`,
    `  |> filter(fn: (r) => ${filters.join(' and ')})`,
    // One series: several pumps or rooms of the substation average together.
    '  |> group()',
    `  |> aggregateWindow(every: ${q.stepMs}ms, fn: mean, createEmpty: false, timeSrc: "_start")`,
    '  |> keep(columns: ["_time", "_value"])',
  ].join('\n');
}

/** Rows of an InfluxDB 2.x CSV answer (header row, no annotations) as points. */
export function parseFluxCsv(csv: string): [number, number][] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = lines.shift()?.split(',') ?? [];
  const [ti, vi] = [header.indexOf('_time'), header.indexOf('_value')];
  if (ti < 0 || vi < 0) return [];
  const points: [number, number][] = [];
  for (const line of lines) {
    const cells = line.split(',');
    // A repeated header starts each table of a multi-table answer.
    if (cells[ti] === '_time') continue;
    const [t, v] = [Date.parse(cells[ti] ?? ''), Number(cells[vi])];
    if (Number.isFinite(t) && cells[vi] !== '' && Number.isFinite(v)) points.push([t, v]);
  }
  return points.sort((a, b) => a[0] - b[0]);
}

/** History from InfluxDB 2.x: `POST /api/v2/query` with Flux, CSV back. */
export class InfluxV2History implements HistorySource {
  readonly kind = 'influx-v2';

  constructor(
    private readonly config: InfluxConfig,
    private readonly timeoutMs = 10_000,
  ) {}

  async query(q: HistoryQuery): Promise<HistorySeries> {
    const url = new URL('/api/v2/query', this.config.url);
    url.searchParams.set('org', this.config.org ?? '');
    const body = JSON.stringify({
      query: fluxQuery(q, this.config.bucket ?? 'heatnet'),
      type: 'flux',
      dialect: { header: true, annotations: [], delimiter: ',' },
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/csv',
    };
    if (this.config.token) headers['authorization'] = `Token ${this.config.token}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new HeatnetError('STORAGE_UNREACHABLE', `InfluxDB at ${url.origin}: ${String(err)}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new HeatnetError('STORAGE_REJECTED', `InfluxDB answered ${response.status}: ${text}`);
    }
    return { stepMs: q.stepMs, source: this.kind, points: parseFluxCsv(text) };
  }
}
