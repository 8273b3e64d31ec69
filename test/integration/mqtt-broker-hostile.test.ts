import { readFileSync } from 'node:fs';
import type { Aedes } from 'aedes';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HeatnetApp } from '../../src/app.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Household } from '../../src/domain/topology.ts';
import type { EmbeddedBroker } from '../../src/ingest/mqtt/broker.ts';
import { eventually, type RawConfig, testConfig } from '../support/config.ts';
import { freePort } from '../support/ports.ts';

/**
 * Issue 15, defect 3, over the wire: no MQTT client may knock heatnet's ingest connection
 * off its embedded broker (aedes). Before the fix one QoS 1 publish to
 * `heatnet/building//S01` closed heatnet's persistent session within 100 ms ("no such
 * packet"), and the broker accepted anyone without credentials.
 */

const SENSORS = { username: 'test-sensors', password: 'test-mqtt-password-0005' };
const HOSTILE_S = 20;
const HOSTILE_EVERY_MS = 500;

describe('the embedded broker against hostile clients (issue 15, defect 3)', () => {
  let app: HeatnetApp;
  let url: string;
  const clients: MqttClient[] = [];
  const connect = async (options: IClientOptions) => {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
    clients.push(client);
    return client;
  };
  const broker = () => app.broker as EmbeddedBroker;
  const refused = () => broker().health().refused;

  beforeAll(async () => {
    const port = await freePort();
    url = `mqtt://127.0.0.1:${port}`;
    const demo = parse(readFileSync('config/demo.yaml', 'utf8')) as RawConfig;
    const config = await testConfig({
      substations: 2,
      patch: (raw) => {
        raw.ingest.modbus.devices = [];
        raw.ingest.mqtt = {
          url: 'embedded',
          embeddedPort: port,
          embedded: SENSORS,
          subscriptions: demo.ingest.mqtt.subscriptions,
        };
      },
    });
    app = new HeatnetApp(config, { log: silentLogger() });
    await app.start();
    await eventually(() => app.mqtt.health().subscribed, { what: 'heatnet subscribed' });
  });

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    await app?.stop();
  });

  it('refuses an anonymous client, and a wrong password, when a credential is configured', async () => {
    const before = refused().connects['bad-credentials'];
    await expect(connect({ clientId: 'anonymous' })).rejects.toThrow(/bad user ?name or password/i);
    await expect(connect({ ...SENSORS, password: 'guess' })).rejects.toThrow(/bad user/i);
    expect(refused().connects['bad-credentials']).toBe(before + 2);
  });

  it("refuses a client that claims heatnet's own client id, and heatnet stays connected", async () => {
    const reconnects = app.mqtt.health().reconnects;
    await expect(connect({ ...SENSORS, clientId: 'heatnet' })).rejects.toThrow(/identifier/i);
    expect(refused().connects['client-id-reserved']).toBe(1);
    expect(app.mqtt.health()).toMatchObject({ connected: true, reconnects });
  });

  it('refuses malformed topics (control characters, over-long, $-reserved) before any session', async () => {
    const cases = [
      ['heatnet/room/S01/B\u0007/H1', 'control-char'],
      [`heatnet/${'x'.repeat(300)}`, 'too-long'],
      ['$SYS/heatnet', 'reserved'],
    ] as const;
    for (const [topic, reason] of cases) {
      const before = refused().publishes[reason];
      const client = await connect(SENSORS);
      // aedes closes a publisher whose PUBLISH it refuses (MQTT-3.3.5-2: no way to tell it).
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.publish(topic, '{}', { qos: 1 });
      await closed;
      expect(refused().publishes[reason], reason).toBe(before + 1);
    }
    expect(app.mqtt.health().connected).toBe(true);
  });

  // Budget: 20 s of hostile publishing is the repro itself; with setup it needs ~22 s here
  // under load, so 70 s (3×) before the test times out.
  it(`stays connected through ${HOSTILE_S} s of empty-level QoS 1 publishes every ${HOSTILE_EVERY_MS} ms; QoS 0 rooms all arrive`, async () => {
    const { reconnects } = app.mqtt.health();
    const hostile = await connect({ ...SENSORS, clientId: 'hostile', reconnectPeriod: 100 });
    const sensors = await connect({ ...SENSORS, clientId: 'rooms' });
    const rooms = app.topology.substations.flatMap((s) => s.buildings.flatMap((b) => b.households));
    const sent: { household: Household; ts: number }[] = [];
    let connectedSamples = 0;
    let samples = 0;
    const watch = setInterval(() => {
      samples++;
      if (app.mqtt.health().connected) connectedSamples++;
    }, 20);
    const nowS = Math.floor(Date.now() / 1000);
    for (let i = 0; i < (HOSTILE_S * 1000) / HOSTILE_EVERY_MS; i++) {
      hostile.publish('heatnet/building//S01', '{"supply_temp_c":70}', { qos: 1 });
      const household = rooms[i % rooms.length]!;
      const ts = nowS - 600 + i;
      sensors.publish(
        `heatnet/room/${household.substation}/${household.building}/${household.id}`,
        JSON.stringify({ temp_c: 20 + (i % 5) / 10, ts }),
        { qos: 0 },
      );
      sent.push({ household, ts });
      await new Promise((r) => setTimeout(r, HOSTILE_EVERY_MS));
    }
    clearInterval(watch);
    const share = connectedSamples / samples;
    console.info(
      `heatnet connected ${(share * 100).toFixed(1)} % of ${samples} samples; ` +
        `${refused().publishes['empty-level']} empty-level publishes refused`,
    );
    expect(share).toBe(1);
    expect(app.mqtt.health().reconnects).toBe(reconnects);
    // Most attempts reached the broker (the hostile client is closed at each and returns).
    expect(refused().publishes['empty-level']).toBeGreaterThanOrEqual(20);
    const roomTime = (h: Household) =>
      app.state.find('room', 'household', h.id)[0]?.fields.get('temp_c')?.time ?? 0;
    const latest = new Map(sent.map((s) => [s.household.id, s]));
    await eventually(
      () => [...latest.values()].every((s) => roomTime(s.household) === s.ts * 1000),
      { what: 'every QoS 0 room reading in live state' },
    );
    const room = app.mqtt.health().subscriptions.find((s) => s.topic.startsWith('heatnet/room'));
    expect(room?.messages).toBe(sent.length);
  }, 70_000);

  it('shows the refusals in /api/health and /metrics', async () => {
    const api = await app.http();
    const health = (await api.inject({ url: '/api/health' })).json();
    expect(health.ingest.mqtt.embeddedBroker.refused.publishes['empty-level']).toBeGreaterThan(0);
    expect(health.ingest.mqtt.embeddedBroker.refused.connects['bad-credentials']).toBe(2);
    const metrics = (await api.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(
      /heatnet_mqtt_broker_refused_total\{kind="publishes",reason="empty-level"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /heatnet_mqtt_broker_refused_total\{kind="connects",reason="bad-credentials"\} 2/,
    );
  });

  it('keeps a persistent session whose QoS 1 delivery aedes did not queue (behind the gate)', async () => {
    // The server-side publish API skips authorizePublish: the one way left to route an
    // empty-level message, i.e. to make aedes' router and session queue disagree.
    const aedes = (broker() as unknown as { broker: Aedes }).broker;
    const { reconnects } = app.mqtt.health();
    const { acked } = app.mqtt.health();
    await new Promise<void>((resolve, reject) =>
      aedes.publish(
        {
          cmd: 'publish',
          topic: 'heatnet/building//S01',
          payload: Buffer.from('{}'),
          qos: 1,
          retain: false,
          dup: false,
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    // heatnet received it (its template takes no empty level: nothing stored) and acked it.
    await eventually(() => app.mqtt.health().acked > acked, { what: 'its PUBACK' });
    await eventually(() => broker().health().untrackedDeliveries === 1, {
      what: 'the late queueing',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(app.mqtt.health()).toMatchObject({ connected: true, reconnects });
  });
});
