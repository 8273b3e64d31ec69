import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeatnetApp } from '../../src/app.ts';
import { eventually } from '../support/config.ts';
import { type MosquittoHandle, startMosquitto } from '../support/mosquitto.ts';
import { freshTarget } from '../support/store.ts';
import {
  auth,
  deskApp,
  deskConfig,
  evaluationAt,
  FakeDiagnoser,
  pumpFinding,
} from './complaints-harness.ts';

/**
 * The retained incident topic over a real broker (Debian's mosquitto, DESIGN §4.4):
 * `heatnet/incidents/{substation}` carries the substation's open incidents for whoever
 * subscribes later, and is cleared (empty retained payload) once none is open.
 */
describe('incidents on heatnet/incidents/{substation}', () => {
  let broker: MosquittoHandle;
  let app: HeatnetApp;
  let subscriber: MqttClient | undefined;
  const diagnoser = new FakeDiagnoser();

  beforeAll(async () => {
    broker = await startMosquitto();
    const target = await freshTarget('sqlite');
    const config = await deskConfig(target, (raw) => {
      raw.ingest.mqtt = { url: broker.url, clientId: 'heatnet-incidents-test', subscriptions: [] };
    });
    app = await deskApp(config, diagnoser);
    await eventually(() => app.mqtt.health().connected, { what: 'heatnet connected to mosquitto' });
  });

  afterAll(async () => {
    await subscriber?.endAsync();
    await app?.stop();
    await broker?.destroy();
  });

  it('retains the open incident for late subscribers and clears it when it is invalid', async () => {
    const s = app.config.network.substations[0]!.id;
    diagnoser.found = [pumpFinding(s)];
    const t0 = Date.UTC(2030, 0, 10, 6);
    for (let i = 0; i < app.config.service.incidents.confirmAfter; i++) {
      await app.desk.onBalance(evaluationAt(t0 + i * 300_000));
    }
    const http = await app.http();
    const listed = (
      await http.inject({ method: 'GET', url: '/api/incidents', headers: auth.service })
    ).json();
    expect(listed.count).toBe(1);
    const id: string = listed.incidents[0].id;

    // Subscribed after the incident opened: the broker hands over the retained state.
    const messages: { topic: string; payload: string; retain: boolean }[] = [];
    subscriber = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    subscriber.on('message', (topic, payload, packet) => {
      messages.push({ topic, payload: payload.toString(), retain: packet.retain });
    });
    await subscriber.subscribeAsync('heatnet/incidents/#', { qos: 1 });
    const retained = await eventually(() => messages.find((m) => m.retain), {
      what: 'retained incident',
    });
    expect(retained.topic).toBe(`heatnet/incidents/${s}`);
    expect(JSON.parse(retained.payload)).toMatchObject({
      substation: s,
      incidents: [{ id, state: 'suspected', origin: 'data', level: 'substation' }],
    });

    const patched = await http.inject({
      method: 'PATCH',
      url: `/api/incidents/${id}`,
      headers: auth.dispatcher,
      payload: { to: 'invalid', reason: 'the pump was stopped for planned maintenance' },
    });
    expect(patched.statusCode).toBe(200);
    const cleared = await eventually(() => messages.find((m) => m.payload === ''), {
      what: 'the cleared topic',
    });
    expect(cleared.topic).toBe(`heatnet/incidents/${s}`);
  });
});
