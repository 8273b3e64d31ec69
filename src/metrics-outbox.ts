import type { OutboxHealth } from './alerts/outbox-health.ts';
import { type Family, family } from './metrics-family.ts';

const COUNTERS = [
  ['sent', 'sent', 'Alert messages a channel delivered'],
  ['failed', 'failed', 'Failed attempts to deliver an alert message'],
  ['retried', 'retried', 'Failed attempts scheduled to be tried again'],
  ['gaveUp', 'gave_up', 'Alert messages given up after the retry limit or a refusal'],
  ['merged', 'merged', 'Queued messages a rate limit merged into a batch message'],
] as const;

/** The alert outbox (issue 12): per channel counters, queue depth and age, failing state. */
export function outboxFamilies(outbox: () => OutboxHealth): Family[] {
  const channels = () => outbox().channels;
  return [
    ...COUNTERS.map(([field, name, help]) =>
      family('counter', `heatnet_alert_messages_${name}_total`, help, ['channel'], function* () {
        for (const c of channels()) yield [{ channel: c.id }, c[field]];
      }),
    ),
    family(
      'gauge',
      'heatnet_alert_messages_queued',
      'Alert messages waiting to be sent',
      ['channel'],
      function* () {
        for (const c of channels()) yield [{ channel: c.id }, c.queued];
      },
    ),
    family(
      'gauge',
      'heatnet_alert_channel_failing',
      '1 while a channel has failed `failingAfter` attempts in a row',
      ['channel'],
      function* () {
        for (const c of channels()) yield [{ channel: c.id }, c.state === 'failing' ? 1 : 0];
      },
    ),
    family(
      'gauge',
      'heatnet_alert_outbox_depth',
      'Alert messages not yet sent, all channels',
      [],
      function* () {
        yield [{}, outbox().queued];
      },
    ),
    family(
      'gauge',
      'heatnet_alert_outbox_oldest_seconds',
      'Age of the oldest alert message not yet sent (0 when none)',
      [],
      function* () {
        yield [{}, outbox().oldestQueuedS ?? 0];
      },
    ),
  ];
}
