import Type, { type Static } from 'typebox';
import { Nullable, Words } from '../core/words.ts';
import { LocalTextSchema } from '../diagnosis/schemas.ts';

/**
 * The alert model of issue 12 (DESIGN §4.1, §4.3, §4.8) as schemas: the lifecycle
 * (src/alerting, pure), the runtime (src/alerts), the outbox and channels
 * (src/alerts/outbox*, src/alerts/channels) and the console all speak these words.
 * Times are epoch ms here; the API's views format them in ISO.
 */

/** Alertmanager's and the company's four grades, most urgent first. */
export const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export const SeveritySchema = Words(
  SEVERITIES,
  'How urgent: critical pages at once, warning waits',
);
export type Severity = Static<typeof SeveritySchema>;

/** An alert's lifecycle; silenced and inhibited are flags beside it, not states. */
export const ALERT_STATES = ['firing', 'acknowledged', 'resolved'] as const;
export const AlertStateSchema = Words(ALERT_STATES, 'Where the alert is in its lifecycle');
export type AlertState = Static<typeof AlertStateSchema>;

/**
 * Labels identify an alert with its rule (`alertname`) and place; Alertmanager's
 * webhook receivers see them unchanged. `severity` and `alertname` are always there;
 * place labels (`substation`, `building`, `zone`, `device`, `branch`, `district`) when known.
 */
export const AlertLabelsSchema = Type.Record(Type.String(), Type.String());
export type AlertLabels = Static<typeof AlertLabelsSchema>;

/** One entry of an alert's notification log: which channel, when, what came back. */
export const NotificationLogEntrySchema = Type.Object({
  notification: Type.String({ description: 'The outbox key (idempotency key) of the message' }),
  channel: Type.String(),
  at: Type.Number({ description: 'When it was sent or last tried (epoch ms)' }),
  result: Words(['pending', 'sent', 'failed', 'gave-up'] as const, 'What the channel answered'),
  receipt: Nullable(Type.String({ description: 'The channel’s receipt id or its error' })),
});
export type NotificationLogEntry = Static<typeof NotificationLogEntrySchema>;

/** An alert as the store keeps it and the API serves it (times in epoch ms). */
export const AlertRecordSchema = Type.Object({
  id: Type.String({ description: 'A-YYMMDD-XXXXXX' }),
  /** The dedup key: rule + place. One open alert per fingerprint at a time. */
  fingerprint: Type.String(),
  rule: Type.String({ description: 'The rule that raised it (the `alertname` label)' }),
  severity: SeveritySchema,
  labels: AlertLabelsSchema,
  summary: LocalTextSchema,
  description: LocalTextSchema,
  state: AlertStateSchema,
  silenced: Type.Boolean({ description: 'A silence matches it: no notifications' }),
  inhibited: Type.Boolean({
    description: 'A wider alert explains it (e.g. its substation is dark)',
  }),
  inhibitedBy: Nullable(Type.String({ description: 'The id of the alert that inhibits it' })),
  incidentId: Nullable(Type.String({ description: 'The incident that explains it, if any' })),
  group: Type.String({ description: 'The notification group key it is batched in' }),
  startsAt: Type.Number(),
  endsAt: Nullable(Type.Number()),
  acknowledgedBy: Nullable(Type.String()),
  acknowledgedAt: Nullable(Type.Number()),
  assignee: Nullable(Type.String()),
  escalationStep: Type.Integer({ minimum: 0, description: '0 = first responders' }),
  notifications: Type.Array(NotificationLogEntrySchema),
});
export type AlertRecord = Static<typeof AlertRecordSchema>;

/** Why a message goes out: the first page, a reminder, an escalation, a silence expiring … */
export const NOTIFICATION_REASONS = [
  'firing',
  'resolved',
  'repeat',
  'unacknowledged',
  'escalated',
  'silence-expired',
  'channel-failing',
] as const;
export type NotificationReason = (typeof NOTIFICATION_REASONS)[number];

/** One alert inside a notification, in the shape Alertmanager's webhook payload carries. */
export interface NotifiedAlert {
  id: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: AlertLabels;
  summary: { en: string; zh: string };
  description: { en: string; zh: string };
  startsAt: number;
  endsAt: number | null;
}

/** Someone a channel can reach in person (SMS, e-mail, a robot's @mention). */
export interface Recipient {
  person: string;
  name: string;
  phone?: string;
  email?: string;
}

/**
 * One message to one channel, as the runtime hands it to the outbox. `key` is its
 * idempotency key (same key → same message, sent at most once, even across restarts).
 * A group's storm is ONE notification listing `total` alerts, with a sample in `alerts`.
 */
export interface Notification {
  key: string;
  channel: string;
  reason: NotificationReason;
  status: 'firing' | 'resolved';
  groupKey: string;
  /** The route's or team's name: Alertmanager's `receiver`. */
  receiver: string;
  groupLabels: AlertLabels;
  commonLabels: AlertLabels;
  alerts: NotifiedAlert[];
  /** How many alerts the group holds (may exceed `alerts.length`), by severity. */
  total: number;
  counts: Partial<Record<Severity, number>>;
  /** People to reach (on call, escalation step); channels that speak to groups may @mention them. */
  recipients: Recipient[];
  createdAt: number;
}

/** Where the runtime puts notifications; written durably before `enqueue` resolves. */
export interface NotificationOutbox {
  enqueue(notifications: readonly Notification[]): Promise<void>;
  /** The log of every message that carried this alert, oldest first. */
  logFor(alertId: string): Promise<NotificationLogEntry[]>;
}
