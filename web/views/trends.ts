import { effect } from '@preact/signals';
import { balance, substations } from '../state.ts';

/**
 * What the page has seen of each station's readings since it opened (the live stream
 * refreshes the list): the trends start from the store's history when the service has
 * it, and this keeps them moving between fetches. Bounded: the last 2,000 per series.
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
    if (s.indoorMeanC !== null) keep(s.id, 'indoor_mean_c', at, s.indoorMeanC);
});

export function seen(station: string, field: string): { t: number[]; v: number[] } {
  return series.get(`${station}/${field}`) ?? { t: [], v: [] };
}
