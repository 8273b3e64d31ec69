import { LEVELS } from '../../src/diagnosis/schemas.ts';

/** Confusion matrices of diagnosed against true level, and accuracy per confidence band. */

export interface Tally {
  /** true level → diagnosed level → calls */
  matrix: Map<string, Map<string, number>>;
  /** confidence band → [right, total] */
  bands: Map<string, [number, number]>;
}

const BANDS = [0.5, 0.7, 0.85];

export const newTally = (): Tally => ({ matrix: new Map(), bands: new Map() });

function band(c: number): string {
  const i = BANDS.findIndex((b) => c < b);
  const lo = i <= 0 ? (i === 0 ? 0 : BANDS.at(-1)!) : BANDS[i - 1]!;
  const hi = i < 0 ? 1 : BANDS[i]!;
  return `${lo.toFixed(2)}–${hi.toFixed(2)}`;
}

export function count(t: Tally, truth: string, got: string, confidence: number): void {
  const row = t.matrix.get(truth) ?? new Map<string, number>();
  row.set(got, (row.get(got) ?? 0) + 1);
  t.matrix.set(truth, row);
  const b = band(confidence);
  const [right, total] = t.bands.get(b) ?? [0, 0];
  t.bands.set(b, [right + (truth === got ? 1 : 0), total + 1]);
}

export function mergeTally(into: Tally, from: Tally): void {
  for (const [truth, row] of from.matrix)
    for (const [got, n] of row) {
      const r = into.matrix.get(truth) ?? new Map<string, number>();
      r.set(got, (r.get(got) ?? 0) + n);
      into.matrix.set(truth, r);
    }
  for (const [b, [right, total]] of from.bands) {
    const [r0, t0] = into.bands.get(b) ?? [0, 0];
    into.bands.set(b, [r0 + right, t0 + total]);
  }
}

export function accuracy(t: Tally): { right: number; total: number } {
  let right = 0;
  let total = 0;
  for (const [truth, row] of t.matrix)
    for (const [got, n] of row) {
      total += n;
      if (truth === got) right += n;
    }
  return { right, total };
}

export function formatTally(title: string, t: Tally): string {
  const cols = LEVELS.filter((l) => [...t.matrix.values()].some((r) => r.has(l)));
  const lines = [`${title}  (rows: true level, columns: diagnosed)`];
  lines.push(['true\\diag'.padEnd(11), ...cols.map((c) => c.slice(0, 10).padStart(10))].join(''));
  for (const truth of LEVELS) {
    const row = t.matrix.get(truth);
    if (!row) continue;
    lines.push(
      [truth.padEnd(11), ...cols.map((c) => String(row.get(c) ?? 0).padStart(10))].join(''),
    );
  }
  const { right, total } = accuracy(t);
  lines.push(
    `right level: ${right}/${total} = ${((100 * right) / Math.max(1, total)).toFixed(1)} %`,
  );
  const bands = [...t.bands.entries()].sort(([a], [b]) => a.localeCompare(b));
  lines.push(
    `confidence bands: ${bands.map(([b, [r, n]]) => `${b}: ${r}/${n} right (${((100 * r) / n).toFixed(0)} %)`).join('; ')}`,
  );
  return lines.join('\n');
}
