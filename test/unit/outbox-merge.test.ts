import { describe, expect, it } from 'vitest';
import { mergeNotifications } from '../../src/alerts/outbox-merge.ts';
import { backoffMs, SendWindow } from '../../src/alerts/outbox-timing.ts';
import { notification, notifiedAlert } from '../support/alert-receivers.ts';

/** The outbox's pure parts: a rate limit's batch, backoff with jitter, the send window. */

describe('mergeNotifications', () => {
  it('carries every alert once, adds the counts, joins recipients, keeps shared labels', () => {
    const shared = notifiedAlert();
    const a = notification('east', { alerts: [shared], counts: { major: 1 }, total: 1 });
    const b = notification('east', {
      reason: 'escalated',
      alerts: [
        shared,
        notifiedAlert({ labels: { alertname: 'Leak', severity: 'critical', substation: 'S09' } }),
      ],
      counts: { critical: 1, major: 1 },
      total: 2,
      groupLabels: { substation: 'S09' },
      recipients: [{ person: 'li', name: '李工', phone: '13900000002' }],
    });
    const batch = mergeNotifications([a, b], Date.parse('2026-01-10T09:00:00Z'));
    expect(batch.alerts.map((x) => x.id)).toEqual([shared.id, b.alerts[1]!.id]);
    expect(batch).toMatchObject({
      channel: 'east',
      reason: 'escalated',
      status: 'firing',
      total: 3,
      counts: { major: 2, critical: 1 },
      groupLabels: {},
      createdAt: a.createdAt,
    });
    expect(batch.recipients.map((r) => r.person)).toEqual(['wang', 'li']);
    // The same parts always make the same batch (and so the same idempotency key).
    expect(mergeNotifications([b, a], 0).key).toBe(batch.key);
    expect(batch.key).toMatch(/^batch:east:[0-9a-f]{24}$/);
  });
});

describe('backoff and send window', () => {
  const policy = { maxAttempts: 10, initialS: 5, maxS: 60, factor: 2, jitter: 0.2 };

  it('doubles up to the cap and takes at most the jitter share off', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n, () => 0))).toEqual([
      5000, 10000, 20000, 40000, 60000,
    ]);
    expect(backoffMs(policy, 1, () => 1)).toBe(4000);
  });

  it('allows `messages` per window and says when the next slot opens', () => {
    const window = new SendWindow({ messages: 2, perS: 60 });
    window.seed([1_000]);
    expect(window.remaining(2_000)).toBe(1);
    window.record(2_000);
    expect(window.remaining(3_000)).toBe(0);
    expect(window.nextFree(3_000)).toBe(61_000);
    expect(window.remaining(61_000)).toBe(1);
    expect(new SendWindow(undefined).remaining(0)).toBe(Number.POSITIVE_INFINITY);
  });
});
