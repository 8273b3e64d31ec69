import type { AlertRecord } from './model.ts';

/**
 * Inhibition and incident grouping by topology (issue 12 item 3). A dark substation (its
 * PLC down, or every device) explains what is seen behind it: its devices', buildings',
 * zones' and rooms' alerts are inhibited by it, so the 300 room sensors behind a dark PLC
 * page nobody. An open incident explains the alerts at its place: they carry its id and
 * go out in its group.
 */

/** Rules about what is seen at a place: a wider outage explains them. */
const SEEN = new Set([
  'device-down',
  'mqtt-stale',
  'balance-anomaly',
  'far-end-underheating',
  'cold-share',
  'control-write-failed',
  'auto-balance-paused',
  'heat-stopped',
]);

export interface OpenIncident {
  id: string;
  substation: string;
  building: string | null;
  level: string;
}

export interface Explanation {
  inhibitedBy: string | null;
  incidentId: string | null;
}

/** For every open alert, what explains it now (keys: alert ids). */
export function explain(
  open: readonly AlertRecord[],
  incidents: readonly OpenIncident[],
): Map<string, Explanation> {
  const dark = new Map<string, string>();
  for (const a of open) {
    if (a.rule === 'substation-dark' && a.state !== 'resolved')
      dark.set(a.labels['substation']!, a.id);
  }
  const bySubstation = new Map<string, OpenIncident[]>();
  for (const i of incidents) {
    const list = bySubstation.get(i.substation) ?? [];
    list.push(i);
    bySubstation.set(i.substation, list);
  }
  const out = new Map<string, Explanation>();
  for (const a of open) {
    const s = a.labels['substation'];
    const seen = SEEN.has(a.rule) && s !== undefined;
    const inhibitedBy = seen ? (dark.get(s) ?? null) : null;
    const own = a.rule.startsWith('incident-') || a.rule.startsWith('sla-') ? a.incidentId : null;
    const incident =
      own ?? (seen ? incidentAt(bySubstation.get(s) ?? [], a.labels['building']) : null);
    out.set(a.id, { inhibitedBy, incidentId: incident });
  }
  return out;
}

/** A substation-wide incident explains everything there; a building's, that building. */
function incidentAt(list: readonly OpenIncident[], building: string | undefined): string | null {
  for (const i of list) {
    if (i.level === 'substation' || i.level === 'network') return i.id;
    if (i.building && i.building === building) return i.id;
  }
  return null;
}
