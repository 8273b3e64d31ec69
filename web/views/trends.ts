import { effect, signal } from '@preact/signals';
import type { HistoryAnswer } from '../../src/live/events-contract.ts';
import { api } from '../api.ts';
import { balance, has, outdoorSeen, substations } from '../state.ts';

/**
 * Each station's series for the trends: the last 24 h from `GET /api/substations/:id/history`
 * (InfluxDB or the embedded store) when the service has it, then what the live stream
 * brings. Keys are the history route's field names. Bounded: the last 2,000 per series.
 */
const MAX_POINTS = 2000;
const series = new Map<string, { t: number[]; v: number[] }>();

function keep(station: string, field: string, at: number, value: number): void {
  const id = `${station}/${field}`;
  let s = series.get(id);
  if (!s) {
    s = { t: [], v: [] };
    series.set(id, s);
  }
  if (s.t.length > 0 && at <= s.t[s.t.length - 1]!) return;
  s.t.push(at);
  s.v.push(value);
  if (s.t.length > MAX_POINTS) {
    s.t.splice(0, s.t.length - MAX_POINTS);
    s.v.splice(0, s.v.length - MAX_POINTS);
  }
}

effect(() => {
  for (const s of substations.value) {
    for (const [field, r] of Object.entries(s.readings)) {
      if (typeof r.value === 'number') keep(s.id, field, Date.parse(r.time) / 1000, r.value);
    }
    for (const p of s.pumps) {
      const r = p.readings['frequency_hz'];
      if (r && typeof r.value === 'number')
        keep(s.id, `${p.id}:frequency_hz`, Date.parse(r.time) / 1000, r.value);
    }
  }
});

effect(() => {
  const b = balance.value;
  if (!b) return;
  const at = Date.parse(b.evaluatedAt) / 1000;
  for (const s of b.substations)
    if (s.indoorMeanC !== null) keep(s.id, 'room_mean_temp_c', at, s.indoorMeanC);
});

/** Bumped when history arrives, so the trends draw it. */
export const historyVersion = signal(0);
const asked = new Set<string>();

/** Puts stored history before what the page has seen (points at or after it are kept). */
function merge(station: string, field: string, points: [string, number][]): void {
  const id = `${station}/${field}`;
  const live = series.get(id) ?? { t: [], v: [] };
  const first = live.t[0] ?? Number.POSITIVE_INFINITY;
  const older = points
    .map(([at, v]) => [Date.parse(at) / 1000, v] as const)
    .filter(([t]) => t < first);
  series.set(id, {
    t: [...older.map(([t]) => t), ...live.t],
    v: [...older.map(([, v]) => v), ...live.v],
  });
}

async function history(station: string, field: string): Promise<HistoryAnswer> {
  const path = `/api/substations/${encodeURIComponent(station)}/history?field=${field}`;
  return api<HistoryAnswer>(path);
}

/** The last 24 h of these fields, once per page and station. */
export async function loadHistory(station: string, fields: string[]): Promise<void> {
  if (!has('history')) return;
  const wanted = fields.filter((f) => !asked.has(`${station}/${f}`));
  for (const f of wanted) asked.add(`${station}/${f}`);
  await Promise.all(
    wanted.map(async (f) => {
      try {
        merge(station, f, (await history(station, f)).points);
      } catch {
        asked.delete(`${station}/${f}`); // asked again next time the page opens
      }
    }),
  );
  historyVersion.value += 1;
}

/** The outdoor temperature's last 24 h for the headline (the weather is the network's). */
export async function loadOutdoorDay(station: string | undefined): Promise<void> {
  if (!station || !has('history')) return;
  const answer = await history(station, 'outdoor_temp_c').catch(() => null);
  if (!answer) return;
  const stored = answer.points.map(([at, c]) => ({ at: Date.parse(at), c }));
  const since = stored.length ? stored[stored.length - 1]!.at : 0;
  outdoorSeen.value = [...stored, ...outdoorSeen.value.filter((s) => s.at > since)];
}

export function seen(station: string, field: string): { t: number[]; v: number[] } {
  return series.get(`${station}/${field}`) ?? { t: [], v: [] };
}
