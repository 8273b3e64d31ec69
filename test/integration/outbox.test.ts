import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../src/alerting/model.ts';
import { buildOutbox, type OutboxParts } from '../../src/alerts/outbox-build.ts';
import { outboxProblems } from '../../src/alerts/outbox-health.ts';
import type { AlertChannelConfig } from '../../src/config/schema-alert-channels.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { Engine, StoreTarget } from '../../src/store/engine.ts';
import { Store } from '../../src/store/store.ts';
import {
  channelConfig,
  notification,
  notifiedAlert,
  type Receiver,
  RecordingSink,
  startWebhookReceiver,
} from '../support/alert-receivers.ts';
import { startWecom } from '../support/alert-services.ts';
import { eventually } from '../support/config.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';

/*
 * The durable outbox (issue 12 item 5) on both store engines: written before enqueue
 * resolves, one delivery per key, retries with backoff, giving up loudly, restarts that
 * neither lose nor repeat, and a rate limit that merges instead of dropping.
 */

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.stop();
});

/** Retries fast enough for a test: 20 ms doubling, no jitter to reason about. */
const FAST_RETRY = { maxAttempts: 4, initialS: 0.02, maxS: 0.1, factor: 2, jitter: 0 };

async function openStore(target: StoreTarget): Promise<Store> {
  const store = new Store(target, silentLogger());
  await store.start();
  open.push(store);
  return store;
}

interface Running extends OutboxParts {
  sink: RecordingSink;
  stop(): Promise<void>;
}

async function startOutbox(
  store: Store,
  channels: AlertChannelConfig[],
  over: { claimTimeoutMs?: number } = {},
): Promise<Running> {
  const sink = new RecordingSink();
  const parts = buildOutbox({
    channels,
    timeZone: 'Asia/Shanghai',
    store,
    alerts: sink,
    now: Date.now,
    log: silentLogger(),
    pollMs: 20,
    ...over,
  });
  for (const c of parts.components) await c.start();
  const running = {
    ...parts,
    sink,
    stop: async () => {
      for (const c of [...parts.components].reverse()) await c.stop();
    },
  };
  open.push(running);
  return running;
}

const webhook = (receiver: Receiver, over: Record<string, unknown> = {}) =>
  channelConfig({
    id: 'ops-hook',
    type: 'webhook',
    url: `${receiver.url}/hook`,
    retry: FAST_RETRY,
    ...over,
  });

const keysOf = (receiver: Receiver) =>
  receiver.accepted.map((r) => r.headers['idempotency-key'] as string);

describe.each(ENGINES)('alert outbox on %s', (engine: Engine) => {
  useEngine(engine);

  it('writes before enqueue resolves and sends each key once, even when enqueued twice', async () => {
    const receiver = await startWebhookReceiver();
    open.push({ stop: () => receiver.close() });
    const store = await openStore(await freshTarget(engine));
    const box = await startOutbox(store, [webhook(receiver)]);
    const n = notification('ops-hook');
    await box.outbox.enqueue([n]);
    const row = await store.db.selectFrom('alert_outbox').selectAll().execute();
    expect(row.map((r) => r.key)).toEqual([n.key]);
    await box.outbox.enqueue([n]);
    await eventually(async () => (await box.outbox.logFor(n.alerts[0]!.id))[0]?.result === 'sent');
    await box.outbox.enqueue([n]);
    await new Promise((r) => setTimeout(r, 150));
    expect(keysOf(receiver)).toEqual([n.key]);
    const log = await box.outbox.logFor(n.alerts[0]!.id);
    expect(log).toMatchObject([
      { notification: n.key, channel: 'ops-hook', result: 'sent', receipt: 'HTTP 200' },
    ]);
    // Depths are counted on the dispatcher's next pass: wait for it, never for a fixed time.
    await eventually(() => box.health().channels[0]!.queued === 0, { what: 'the queue counted' });
    expect(box.health().channels[0]).toMatchObject({
      id: 'ops-hook',
      state: 'ok',
      sent: 1,
      queued: 0,
    });
  });

  it('retries a receiver that fails twice with backoff and delivers once', async () => {
    const receiver = await startWebhookReceiver();
    open.push({ stop: () => receiver.close() });
    receiver.failNext(2, { status: 503, body: 'busy' });
    const store = await openStore(await freshTarget(engine));
    const box = await startOutbox(store, [webhook(receiver)]);
    const n = notification('ops-hook');
    await box.outbox.enqueue([n]);
    await eventually(() => receiver.accepted.length === 1);
    await eventually(async () => (await box.outbox.logFor(n.alerts[0]!.id))[0]?.result === 'sent');
    expect(receiver.requests.map((r) => r.headers['idempotency-key'])).toEqual([
      n.key,
      n.key,
      n.key,
    ]);
    expect(box.health().channels[0]).toMatchObject({ sent: 1, failed: 2, retried: 2, gaveUp: 0 });
  });

  it('gives up on a refused request at once, and after the attempt limit, and says so', async () => {
    const receiver = await startWebhookReceiver();
    open.push({ stop: () => receiver.close() });
    receiver.failNext(1, { status: 400, body: 'bad payload' });
    receiver.failNext(FAST_RETRY.maxAttempts, { status: 500, body: 'down' });
    const store = await openStore(await freshTarget(engine));
    const box = await startOutbox(store, [webhook(receiver, { failingAfter: 3 })]);
    const refused = notification('ops-hook');
    await box.outbox.enqueue([refused]);
    await eventually(
      async () => (await box.outbox.logFor(refused.alerts[0]!.id))[0]?.result === 'gave-up',
    );
    const failing = notification('ops-hook');
    await box.outbox.enqueue([failing]);
    await eventually(
      async () => (await box.outbox.logFor(failing.alerts[0]!.id))[0]?.result === 'gave-up',
    );
    expect(receiver.requests).toHaveLength(1 + FAST_RETRY.maxAttempts);
    const codes = box.sink.raised.map((a) => `${a.source} ${a.code}`);
    expect(codes).toContain('alerts.channel:ops-hook delivery-gave-up');
    expect(codes).toContain('alerts.channel:ops-hook channel-failing');
    expect(box.health().channels[0]).toMatchObject({ state: 'failing', gaveUp: 2, undelivered: 2 });
    expect(outboxProblems(box.health())).toEqual([
      expect.stringMatching(/^alert channel ops-hook failing: \d+ failed attempts in a row/),
      'alert channel ops-hook gave up on 2 messages since it last delivered',
    ]);
    // The depth is counted on the dispatcher's next pass, just after the row is marked.
    await eventually(() => box.health().queued === 0, { what: 'the outbox counted empty' });
    const metrics = await createMetrics(
      { modbus: () => [], outbox: box.health },
      { processMetrics: false },
    ).render();
    expect(metrics).toContain('heatnet_alert_messages_gave_up_total{channel="ops-hook"} 2');
    expect(metrics).toContain('heatnet_alert_channel_failing{channel="ops-hook"} 1');
    expect(metrics).toContain('heatnet_alert_outbox_depth 0');
    // The next success clears the channel's alerts.
    const later = notification('ops-hook');
    await box.outbox.enqueue([later]);
    await eventually(() => box.health().channels[0]!.state === 'ok');
    expect(box.sink.cleared).toContain('alerts.channel:ops-hook channel-failing');
  });

  it('keeps pending rows across a restart and never repeats a sent one', async () => {
    const receiver = await startWebhookReceiver();
    open.push({ stop: () => receiver.close() });
    const target = await freshTarget(engine);
    const store = await openStore(target);
    const first = await startOutbox(store, [webhook(receiver)]);
    const sent = notification('ops-hook');
    await first.outbox.enqueue([sent]);
    await eventually(() => receiver.accepted.length === 1);
    await eventually(
      async () => (await first.outbox.logFor(sent.alerts[0]!.id))[0]?.result === 'sent',
    );
    await receiver.close(); // the receiver goes away: the next messages stay pending
    const pending = [notification('ops-hook'), notification('ops-hook')];
    await first.outbox.enqueue(pending);
    await eventually(() => first.health().channels[0]!.failed >= 1);
    await first.stop();
    await store.stop();
    await receiver.start();
    const again = await openStore(target);
    const second = await startOutbox(again, [webhook(receiver)]);
    await eventually(() => receiver.accepted.length === 3, {
      what: 'the pending rows after the restart',
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(keysOf(receiver).sort()).toEqual([sent.key, ...pending.map((p) => p.key)].sort());
    await eventually(() => second.health().queued === 0, { what: 'the queue counted empty' });
  });

  it('sends a message claimed by a crashed process again, marked in doubt', async () => {
    const receiver = await startWebhookReceiver();
    open.push({ stop: () => receiver.close() });
    const target = await freshTarget(engine);
    const store = await openStore(target);
    const n = notification('ops-hook');
    // A dispatcher claimed it and died before recording the outcome.
    const { OutboxStore } = await import('../../src/alerts/outbox-store.ts');
    await new OutboxStore(() => store.db).insert([n], Date.now() - 60_000);
    await store.db
      .updateTable('alert_outbox')
      .set({
        state: 'sending',
        claimed_by: 'dead',
        claimed_at_ms: Date.now() - 50_000,
        attempts: 1,
      })
      .execute();
    const box = await startOutbox(store, [webhook(receiver)], { claimTimeoutMs: 30_000 });
    await eventually(async () => (await box.outbox.logFor(n.alerts[0]!.id))[0]?.result === 'sent');
    expect(keysOf(receiver)).toEqual([n.key]);
    const row = await store.db.selectFrom('alert_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row.attempts).toBe(2);
  });

  it('holds a burst beyond the rate limit and merges it into one message, dropping nothing', async () => {
    const receiver = await startWebhookReceiver();
    open.push({ stop: () => receiver.close() });
    const store = await openStore(await freshTarget(engine));
    const box = await startOutbox(store, [
      webhook(receiver, { rateLimit: { messages: 3, perS: 60 } }),
    ]);
    const burst: Notification[] = Array.from({ length: 12 }, (_, i) =>
      notification('ops-hook', {
        alerts: [
          notifiedAlert({
            labels: { alertname: 'DeviceDown', severity: 'major', substation: `S${10 + i}` },
          }),
        ],
        groupLabels: { substation: `S${10 + i}` },
      }),
    );
    await box.outbox.enqueue(burst);
    await eventually(() => receiver.accepted.length === 3);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.accepted).toHaveLength(3);
    const bodies = receiver.accepted.map(
      (r) => JSON.parse(r.body) as { alerts: unknown[]; truncatedAlerts: number },
    );
    const carried =
      bodies.flatMap((b) => b.alerts).length + bodies.reduce((s, b) => s + b.truncatedAlerts, 0);
    expect(carried).toBe(12);
    expect(bodies[2]!.alerts).toHaveLength(10);
    // Every alert's log names the message that carried it; the merged ones name the batch.
    const batchKey = receiver.accepted[2]!.headers['idempotency-key'] as string;
    expect(batchKey).toMatch(/^batch:ops-hook:/);
    expect(await box.outbox.logFor(burst[11]!.alerts[0]!.id)).toMatchObject([
      { notification: batchKey, result: 'sent' },
    ]);
    await eventually(() => box.health().channels[0]!.queued === 0, { what: 'the queue counted' });
    expect(box.health().channels[0]).toMatchObject({ sent: 3, merged: 10, queued: 0 });
  });

  it('keeps a WeCom robot under its 20 a minute in a storm: 20 messages, none refused', async () => {
    const robot = await startWecom('k');
    open.push({ stop: () => robot.close() });
    const store = await openStore(await freshTarget(engine));
    const url = `${robot.url}/cgi-bin/webhook/send?key=k`;
    const box = await startOutbox(store, [channelConfig({ id: 'east', type: 'wecom', url })]);
    const storm = Array.from({ length: 60 }, (_, i) =>
      notification('east', { groupLabels: { substation: `S${i}` }, recipients: [] }),
    );
    await box.outbox.enqueue(storm);
    await eventually(() => box.health().channels[0]!.sent === 20 && box.health().queued === 0);
    expect(robot.requests).toHaveLength(20);
    expect(robot.accepted).toHaveLength(20);
    const last = JSON.parse(robot.accepted[19]!.body).markdown.content as string;
    expect(last).toContain('（发送频率受限：41 条消息合并为一条）');
    expect(last).toContain('41 alerts');
  });

  it('refuses to tell a channel through itself that it is failing', async () => {
    const receiver = await startWebhookReceiver();
    open.push({ stop: () => receiver.close() });
    const store = await openStore(await freshTarget(engine));
    const box = await startOutbox(store, [webhook(receiver)]);
    const self = notification('ops-hook', {
      reason: 'channel-failing',
      alerts: [
        notifiedAlert({
          labels: { alertname: 'ChannelFailing', severity: 'critical', channel: 'ops-hook' },
        }),
      ],
    });
    await box.outbox.enqueue([self]);
    expect(await store.db.selectFrom('alert_outbox').selectAll().execute()).toEqual([]);
  });
});
