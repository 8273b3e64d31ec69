import { createHash } from 'node:crypto';
import type { AlertLabels, Notification, Recipient, Severity } from '../alerting/model.ts';
import { NOTIFICATION_REASONS } from '../alerting/model.ts';

/**
 * Several queued notifications of one channel as one batch message (a rate limit's way
 * to hold without dropping): every alert is carried, counts add up, recipients are
 * joined, labels keep what all parts share. The batch's key is derived from its parts'
 * keys, so the same parts always make the same batch.
 */
export function mergeNotifications(parts: readonly Notification[], now: number): Notification {
  const first = parts[0]!;
  const keys = parts.map((p) => p.key).sort();
  const digest = createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 24);
  const counts: Partial<Record<Severity, number>> = {};
  for (const p of parts) {
    for (const [s, n] of Object.entries(p.counts) as [Severity, number][]) {
      counts[s] = (counts[s] ?? 0) + n;
    }
  }
  const firing = parts.some((p) => p.status === 'firing');
  return {
    key: `batch:${first.channel}:${digest}`,
    channel: first.channel,
    reason: mostUrgentReason(parts),
    status: firing ? 'firing' : 'resolved',
    groupKey: parts.length === 1 ? first.groupKey : `batch:${digest}`,
    receiver: [...new Set(parts.map((p) => p.receiver))].join(','),
    groupLabels: shared(parts.map((p) => p.groupLabels)),
    commonLabels: shared(parts.map((p) => p.commonLabels)),
    alerts: uniqueAlerts(parts),
    total: parts.reduce((sum, p) => sum + p.total, 0),
    counts,
    recipients: uniqueRecipients(parts.flatMap((p) => p.recipients)),
    createdAt: Math.min(now, ...parts.map((p) => p.createdAt)),
  };
}

/** A batch pages like its most pressing part: an escalation outranks a reminder. */
function mostUrgentReason(parts: readonly Notification[]): Notification['reason'] {
  const order: readonly Notification['reason'][] = [
    'escalated',
    'firing',
    'unacknowledged',
    'silence-expired',
    'channel-failing',
    'repeat',
    'resolved',
  ];
  const present = new Set(parts.map((p) => p.reason));
  return order.find((r) => present.has(r)) ?? NOTIFICATION_REASONS[0];
}

function shared(all: readonly AlertLabels[]): AlertLabels {
  const [first, ...rest] = all;
  if (!first) return {};
  return Object.fromEntries(
    Object.entries(first).filter(([k, v]) => rest.every((labels) => labels[k] === v)),
  );
}

/** An alert in several parts (firing, then resolved) appears once, as its latest state. */
function uniqueAlerts(parts: readonly Notification[]): Notification['alerts'] {
  const byId = new Map<string, Notification['alerts'][number]>();
  for (const p of parts) for (const a of p.alerts) byId.set(a.id, a);
  return [...byId.values()];
}

function uniqueRecipients(all: readonly Recipient[]): Recipient[] {
  const byPerson = new Map<string, Recipient>();
  for (const r of all) if (!byPerson.has(r.person)) byPerson.set(r.person, r);
  return [...byPerson.values()];
}
