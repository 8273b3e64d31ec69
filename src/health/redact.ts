import type { HealthReport } from './schema.ts';

/** Keys whose values locate things on the host (a storage dir, a database URL). */
const LOCATING_KEYS = new Set(['target', 'dir', 'path', 'file']);

/** An absolute path inside a message: `/var/lib/heatnet/spool` (at least two segments). */
const ABSOLUTE_PATH = /(^|[\s'"(=,])\/(?:[\w.@-]+\/)+[\w.@-]*/g;

function redact(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ABSOLUTE_PATH, '$1<path>');
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!LOCATING_KEYS.has(key)) out[key] = redact(child);
  }
  return out;
}

/**
 * The health report as an anonymous reader sees it (issue 15): no filesystem paths or
 * storage targets — where the data lives is for authenticated roles. States, counts
 * and messages stay, with any absolute path in a message replaced by `<path>`.
 */
export function healthForAnonymous(report: HealthReport): HealthReport {
  return redact(report) as HealthReport;
}
