import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installAccess } from '../../src/api/access.ts';
import { Authenticator } from '../../src/api/auth.ts';
import { installErrorHandler } from '../../src/api/error-handler.ts';
import { metricsRoutes } from '../../src/api/routes/metrics.ts';
import { type DeviceHealth, newHealth } from '../../src/ingest/modbus/health.ts';
import type { MqttHealth } from '../../src/ingest/mqtt/ingestor.ts';
import { noRejections } from '../../src/ingest/mqtt/payload.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { StorageHealth } from '../../src/storage/writer.ts';

/** `GET /metrics`: heatnet's collectors, computed from component health at scrape time. */

function device(id: string, patch: Partial<DeviceHealth>): DeviceHealth {
  return { ...newHealth(id, 'S01', 'tcp://127.0.0.1:15001', 1), ...patch };
}

const up = device('S01-plc', {
  state: 'up',
  polls: 12,
  failures: 2,
  timeouts: 3,
  latencyMs: 42,
  lastSuccessAt: 1_700_000_000_000,
  exceptions: { '2': 4, '6': 1 },
  rejected: { sentinel: 5, range: 1 },
  reconnects: 2,
  busyRetries: 1,
  badRanges: 1,
});
const down = device('S01-P1-vfd', { state: 'down', polls: 9, failures: 9, timeouts: 9 });
const fresh = device('S02-plc', {});
const off = device('S03-plc', { state: 'disabled' });

// Only the fields the metrics read: the components' health objects may carry more.
const mqtt = {
  url: 'mqtt://127.0.0.1:1883',
  connected: true,
  reconnects: 3,
  lastError: null,
  subscriptions: [
    {
      topic: 'heatnet/room/{substation}/{building}/{household}',
      messages: 1000,
      malformed: 7,
      rejected: { ...noRejections(), range: 5, 'not-finite': 2 },
      lastMessageAt: 1_700_000_000_500,
      lastError: null,
    },
  ],
} as MqttHealth;

const storage = {
  kind: 'influx-v1',
  target: 'http://user:secret@db:8086',
  state: 'retrying',
  backlogLines: 120,
  writtenLines: 5000,
  rejectedLines: 2,
  droppedLines: 0,
  failedAttempts: 4,
  lastWriteAt: null,
  lastError: 'HTTP 503',
} as StorageHealth;

/** Samples of the text format as "name{labels}" → value. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

describe('createMetrics', () => {
  const devices = [up, down, fresh, off];
  const metrics = createMetrics({
    modbus: () => devices,
    mqtt: () => mqtt,
    storage: () => storage,
  });

  it('exports every device counter from health, labelled by device and substation', async () => {
    const m = parse(await metrics.render());
    const l = '{device="S01-plc",substation="S01"}';
    expect(m.get(`heatnet_modbus_device_up${l}`)).toBe(1);
    expect(m.get('heatnet_modbus_device_up{device="S01-P1-vfd",substation="S01"}')).toBe(0);
    expect(m.get(`heatnet_modbus_device_polls_total${l}`)).toBe(12);
    expect(m.get(`heatnet_modbus_device_failures_total${l}`)).toBe(2);
    expect(m.get(`heatnet_modbus_device_timeouts_total${l}`)).toBe(3);
    expect(m.get(`heatnet_modbus_device_latency_seconds${l}`)).toBe(0.042);
    expect(m.get(`heatnet_modbus_device_last_success_timestamp_seconds${l}`)).toBe(1_700_000_000);
    expect(m.get(`heatnet_modbus_device_reconnects_total${l}`)).toBe(2);
    expect(m.get(`heatnet_modbus_device_busy_retries_total${l}`)).toBe(1);
    expect(m.get(`heatnet_modbus_device_bad_ranges${l}`)).toBe(1);
    const el = (code: string) => `{device="S01-plc",substation="S01",code="${code}"}`;
    expect(m.get(`heatnet_modbus_device_exceptions_total${el('2')}`)).toBe(4);
    expect(m.get(`heatnet_modbus_device_exceptions_total${el('6')}`)).toBe(1);
    const rl = (reason: string) => `{device="S01-plc",substation="S01",reason="${reason}"}`;
    expect(m.get(`heatnet_modbus_device_rejected_values_total${rl('sentinel')}`)).toBe(5);
    expect(m.get(`heatnet_modbus_device_rejected_values_total${rl('range')}`)).toBe(1);
  });

  it('leaves out what is not known: no up before a first result, nothing for disabled devices', async () => {
    const text = await metrics.render();
    expect(text).not.toMatch(/heatnet_modbus_device_up\{device="S02-plc"/);
    expect(text).toMatch(/heatnet_modbus_device_polls_total\{device="S02-plc",[^}]*\} 0/);
    expect(text).not.toMatch(/S03-plc/);
    expect(text).not.toMatch(/latency_seconds\{device="S02-plc"/);
  });

  it('follows the health objects from one scrape to the next', async () => {
    up.polls = 13;
    devices.pop();
    const m = parse(await metrics.render());
    expect(m.get('heatnet_modbus_device_polls_total{device="S01-plc",substation="S01"}')).toBe(13);
  });

  it('exports MQTT and storage health, never the storage target (it may hold credentials)', async () => {
    const text = await metrics.render();
    const m = parse(text);
    expect(m.get('heatnet_mqtt_connected')).toBe(1);
    expect(m.get('heatnet_mqtt_reconnects_total')).toBe(3);
    const topic = '{topic="heatnet/room/{substation}/{building}/{household}"}';
    expect(m.get(`heatnet_mqtt_messages_total${topic}`)).toBe(1000);
    expect(m.get(`heatnet_mqtt_malformed_messages_total${topic}`)).toBe(7);
    const rejected = (reason: string) =>
      m.get(
        `heatnet_mqtt_rejected_messages_total{topic="heatnet/room/{substation}/{building}/{household}",reason="${reason}"}`,
      );
    expect([rejected('range'), rejected('not-finite'), rejected('sentinel')]).toEqual([5, 2, 0]);
    expect(m.get('heatnet_storage_state{kind="influx-v1",state="retrying"}')).toBe(1);
    expect(m.get('heatnet_storage_state{kind="influx-v1",state="ok"}')).toBe(0);
    expect(m.get('heatnet_storage_backlog_lines{kind="influx-v1"}')).toBe(120);
    expect(m.get('heatnet_storage_failed_attempts_total{kind="influx-v1"}')).toBe(4);
    expect(text).not.toMatch(/secret/);
    expect(text).not.toMatch(/heatnet_storage_last_write_timestamp_seconds\{/);
  });

  it('includes the Node process metrics and types every heatnet family', async () => {
    const text = await metrics.render();
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^# TYPE heatnet_modbus_device_polls_total counter$/m);
    expect(text).toMatch(/^# TYPE heatnet_modbus_device_up gauge$/m);
  });

  it('works with Modbus only', async () => {
    const only = createMetrics({ modbus: () => [up] }, { processMetrics: false });
    const text = await only.render();
    expect(text).toMatch(/heatnet_modbus_device_polls_total/);
    expect(text).not.toMatch(/heatnet_mqtt_|heatnet_storage_|process_/);
  });
});

describe('GET /metrics', () => {
  const TOKEN = 'viewer-token-0000000001';

  async function api(anonymousRead: boolean) {
    const auth = new Authenticator({
      host: '127.0.0.1',
      port: 0,
      anonymousRead,
      tokens: [{ name: 'prometheus', token: TOKEN, role: 'viewer' }],
    });
    const app = Fastify();
    app.decorateRequest('principal', null);
    installErrorHandler(app);
    installAccess(app, auth);
    await app.register(metricsRoutes, {
      metrics: createMetrics({ modbus: () => [up] }, { processMetrics: false }),
    });
    await app.ready();
    return app;
  }

  it('answers the text format with its content type', async () => {
    const res = await (await api(true)).inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toMatch(/^heatnet_modbus_device_up\{device="S01-plc",substation="S01"\} 1$/m);
  });

  it('follows the read rule: a token when reads are not anonymous', async () => {
    const closed = await api(false);
    expect((await closed.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const res = await closed.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
  });
});
