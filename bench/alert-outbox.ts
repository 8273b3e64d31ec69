/**
 * The alert outbox under a storm: N notifications enqueued at once (one per device, the
 * worst case: no grouping upstream) to a WeCom robot limited to 20 messages a minute, and
 * to a webhook without limit, on SQLite. Reports the enqueue time, how many messages each
 * channel sent and how long until every alert was carried, and the process RSS.
 *
 *   npx tsx bench/alert-outbox.ts [--notifications 2000] [--engine sqlite]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildOutbox } from '../src/alerts/outbox-build.ts';
import { silentLogger } from '../src/core/logger.ts';
import { Store } from '../src/store/store.ts';
import {
  channelConfig,
  notification,
  notifiedAlert,
  RecordingSink,
  startWebhookReceiver,
} from '../test/support/alert-receivers.ts';
import { startWecom } from '../test/support/alert-services.ts';
import { sleep } from './measure.ts';

const { values } = parseArgs({ options: { notifications: { type: 'string', default: '2000' } } });
const count = Number(values.notifications);

const store = new Store(
  { engine: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'heatnet-bench-')), 'h.sqlite') },
  silentLogger(),
);
await store.start();
const robot = await startWecom('bench');
const hook = await startWebhookReceiver();
const parts = buildOutbox({
  channels: [
    channelConfig({ id: 'robot', type: 'wecom', url: `${robot.url}/?key=bench` }),
    channelConfig({ id: 'hook', type: 'webhook', url: hook.url }),
  ],
  timeZone: 'Asia/Shanghai',
  store,
  alerts: new RecordingSink(),
  now: Date.now,
  log: silentLogger(),
  pollMs: 200,
});
await parts.dispatcher.start();

const storm = (channel: string) =>
  Array.from({ length: count }, (_, i) =>
    notification(channel, {
      alerts: [
        notifiedAlert({ labels: { alertname: 'DeviceDown', severity: 'major', device: `D${i}` } }),
      ],
      groupLabels: { device: `D${i}` },
    }),
  );
const started = performance.now();
await parts.outbox.enqueue([...storm('robot'), ...storm('hook')]);
const enqueuedMs = performance.now() - started;

const carried = new Map<string, number>();
while (performance.now() - started < 120_000) {
  const channels = parts.health().channels;
  for (const c of channels)
    if (c.queued === 0 && c.sent > 0 && !carried.has(c.id))
      carried.set(c.id, performance.now() - started);
  if (carried.size === channels.length) break;
  await sleep(50);
}
const rssMb = process.memoryUsage().rss / 1024 / 1024;
const report = parts.health().channels.map((c) => ({
  channel: c.id,
  messages: c.sent,
  merged: c.merged,
  allCarriedAfterS: ((carried.get(c.id) ?? Number.NaN) / 1000).toFixed(2),
}));
console.log(
  JSON.stringify(
    {
      notifications: count,
      enqueuedMs: Math.round(enqueuedMs),
      rssMb: Math.round(rssMb),
      channels: report,
    },
    null,
    2,
  ),
);
console.log(
  `robot messages received: ${robot.accepted.length}, webhook messages received: ${hook.accepted.length}`,
);
await parts.dispatcher.stop();
await store.stop();
await robot.close();
await hook.close();
