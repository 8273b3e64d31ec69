import type { InfluxConfig } from '../../config/schema.ts';
import { HeatnetError } from '../../core/errors.ts';
import { fieldSource } from '../../history/fields.ts';
import type { HistoryQuery, HistorySeries, HistorySource } from '../../history/source.ts';

/** InfluxQL's quoting: identifiers in double quotes, strings in single quotes. */
const ident = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The InfluxQL statement for one history request (exported for the tests). */
export function influxQl(q: HistoryQuery, rp?: string): string {
  const src = fieldSource(q.field);
  const from = q.fromMs - (q.fromMs % q.stepMs);
  const measurement = rp ? `${ident(rp)}.${ident(src.measurement)}` : ident(src.measurement);
  const where = [`time >= ${from}ms`, `time < ${q.toMs}ms`];
  if (src.perSubstation) where.unshift(`${ident('substation')} = ${literal(q.substation)}`);
  return (
    `SELECT mean(${ident(src.field)}) FROM ${measurement} WHERE ${where.join(' AND ')} ` +
    `GROUP BY time(${q.stepMs}ms) fill(none)`
  );
}

interface V1Answer {
  results?: { error?: string; series?: { values?: [number, number | null][] }[] }[];
  error?: string;
}

/** History from InfluxDB 1.x: `GET /query` with InfluxQL, times in epoch ms. */
export class InfluxV1History implements HistorySource {
  readonly kind = 'influx-v1';

  constructor(
    private readonly config: InfluxConfig,
    private readonly timeoutMs = 10_000,
  ) {}

  async query(q: HistoryQuery): Promise<HistorySeries> {
    const url = new URL('/query', this.config.url);
    url.searchParams.set('db', this.config.db ?? 'heatnet');
    url.searchParams.set('epoch', 'ms');
    url.searchParams.set('q', influxQl(q, this.config.rp));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.username) {
      const basic = `${this.config.username}:${this.config.password ?? ''}`;
      headers['authorization'] = `Basic ${Buffer.from(basic).toString('base64')}`;
    }
    const answer = await fetchJson(url, headers, this.timeoutMs);
    const result = answer.results?.[0];
    const error = answer.error ?? result?.error;
    if (error) throw new HeatnetError('STORAGE_REJECTED', `InfluxDB refused the query: ${error}`);
    const points: [number, number][] = [];
    for (const [t, v] of result?.series?.[0]?.values ?? []) {
      if (typeof v === 'number') points.push([t, v]);
    }
    return { stepMs: q.stepMs, source: this.kind, points };
  }
}

async function fetchJson(url: URL, headers: Record<string, string>, timeoutMs: number) {
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new HeatnetError('STORAGE_UNREACHABLE', `InfluxDB at ${url.origin}: ${String(err)}`);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new HeatnetError('STORAGE_REJECTED', `InfluxDB answered ${response.status}: ${text}`);
  }
  return JSON.parse(text) as V1Answer;
}
