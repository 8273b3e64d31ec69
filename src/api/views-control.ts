import type { AutoBalanceStatus } from '../control/auto-balancer.ts';
import type { AuditEntry } from '../control/types.ts';
import type { AuditEntryView, AutoStatusView } from './schemas-control.ts';
import { iso, isoOrNull } from './views.ts';

/** The control path's answers as the API shows them: times as ISO strings. */

export function auditEntryView({ series, ...e }: AuditEntry): AuditEntryView {
  return {
    ...e,
    at: iso(e.at),
    completedAt: isoOrNull(e.completedAt),
    effect: e.effect && { ...e.effect, judgedAt: isoOrNull(e.effect.judgedAt) },
    ...(series ? { series: { ...series, lastAt: isoOrNull(series.lastAt) } } : {}),
  };
}

export function autoStatusView(s: AutoBalanceStatus): AutoStatusView {
  return {
    ...s,
    switchedBy: s.switchedBy && { ...s.switchedBy, at: iso(s.switchedBy.at) },
    paused: s.paused.map((p) => ({ ...p, since: iso(p.since) })),
    lastRoundAt: isoOrNull(s.lastRoundAt),
  };
}
