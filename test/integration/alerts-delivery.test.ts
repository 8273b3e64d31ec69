import { afterEach, describe, expect, it } from 'vitest';
import { type Receiver, startWebhookReceiver } from '../support/alert-receivers.ts';
import { eventually } from '../support/config.ts';
import { freshTarget } from '../support/store.ts';
import {
  type AlertSession,
  alertConfig,
  alertSession,
  alertsSection,
  devicesGo,
  MIN,
  realOutbox,
  settle,
  stormPatch,
} from './alerts-harness.ts';

/*
 * End to end through the real durable outbox and a real HTTP webhook receiver on a free
 * port (issue 12 item 6): the storm of 2,000 devices going dark arrives as a handful of
 * Alertmanager v4 payloads that say how many alerts and where.
 */

const open: AlertSession[] = [];
const receivers: Receiver[] = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.stop();
  for (const r of receivers.splice(0)) await r.close();
});

describe('alert delivery', () => {
  it('delivers the 2,000-device storm as a handful of webhook messages', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const hook = { id: 'ops-hook', type: 'webhook', url: `${receiver.url}/hook` };
    const config = await alertConfig(alertsSection([hook]), stormPatch(200, 10));
    const s = await alertSession(config, await freshTarget('sqlite'), realOutbox(config));
    open.push(s);
    devicesGo(s, config, 'down');
    await settle(s);
    for (let t = 0; t < 3; t++) await s.advance(MIN);
    await eventually(() => receiver.accepted.length >= 4, { what: 'four webhook messages' });
    const bodies = receiver.accepted.map((r) => JSON.parse(r.body));
    expect(bodies.length).toBeLessThanOrEqual(4);
    for (const b of bodies) {
      expect(b).toMatchObject({ version: '4', status: 'firing' });
      expect(b.groupLabels.alertname).toBe('substation-dark');
    }
    const listed = new Set(
      bodies.flatMap((b) => b.alerts.map((a: { fingerprint: string }) => a.fingerprint)),
    );
    expect(listed.size).toBeGreaterThan(0);
  });
});
