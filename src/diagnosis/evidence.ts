import type { Evidence, LocalText } from './schemas.ts';

/** One evidence item: a reading or a judgement (`at` null), and what it shows. */
export function evidence(
  what: string,
  where: string,
  value: Evidence['value'],
  unit: string | undefined,
  at: number | null,
  shows: LocalText,
): Evidence {
  return { what, where, value, ...(unit === undefined ? {} : { unit }), at, shows };
}

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
