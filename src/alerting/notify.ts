import type { AlertRoute } from '../config/schema-alerts.ts';
import type { GroupPlan, GroupState } from './grouping.ts';
import type {
  AlertLabels,
  AlertRecord,
  Notification,
  NotifiedAlert,
  Recipient,
  Severity,
} from './model.ts';
import { SEVERITIES } from './model.ts';

/**
 * One message per channel for a group's plan (issue 12 item 3): a storm is ONE message
 * that says how many alerts, of which severity, and lists a sample of them, most urgent
 * first. Its key — group and message number — is the idempotency key: the same message
 * after a restart has the same key, so the outbox sends it once.
 */
export interface NotifyInput {
  group: GroupState;
  plan: GroupPlan;
  route: AlertRoute;
  receiver: string;
  members: readonly AlertRecord[];
  /** Alerts the last message carried that have since ended. */
  ended: readonly AlertRecord[];
  recipients: Recipient[];
  sample: number;
  now: number;
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

function notified(a: AlertRecord, status: 'firing' | 'resolved'): NotifiedAlert {
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    status,
    labels: { ...a.labels, alertname: a.rule, severity: a.severity },
    summary: a.summary,
    description: a.description,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
  };
}

function commonLabels(alerts: readonly NotifiedAlert[]): AlertLabels {
  if (alerts.length === 0) return {};
  const [first, ...rest] = alerts;
  const out: AlertLabels = {};
  for (const [k, v] of Object.entries(first!.labels)) {
    if (rest.every((a) => a.labels[k] === v)) out[k] = v;
  }
  return out;
}

export function buildNotifications(input: NotifyInput): Notification[] {
  const { plan, group, members } = input;
  if (!plan.reason) return [];
  const open = [...members].sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) || a.startsAt - b.startsAt || a.id.localeCompare(b.id),
  );
  const listed = [
    ...open.map((a) => notified(a, 'firing')),
    ...input.ended.map((a) => notified(a, 'resolved')),
  ];
  const alerts = listed.slice(0, input.sample);
  const counts: Partial<Record<Severity, number>> = {};
  for (const a of members) counts[a.severity] = (counts[a.severity] ?? 0) + 1;
  const base = {
    reason: plan.reason,
    status: members.length > 0 ? ('firing' as const) : ('resolved' as const),
    groupKey: group.key,
    receiver: input.receiver,
    groupLabels: group.labels,
    commonLabels: commonLabels(listed),
    alerts,
    total: members.length,
    counts,
    recipients: input.recipients,
    createdAt: input.now,
  };
  return input.route.channels.map((channel) => ({
    ...base,
    key: `${group.key}#${plan.next.seq}@${channel}`,
    channel,
  }));
}
