import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeatnetApp } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Household } from '../../src/domain/topology.ts';
import type { SubscriptionHealth } from '../../src/ingest/mqtt/ingestor.ts';
import type { Series } from '../../src/state/live-state.ts';
import { eventually, testConfig } from '../support/config.ts';
import { type InfluxdHandle, startInfluxd } from '../support/influxd.ts';
import { type MosquittoHandle, startMosquitto } from '../support/mosquitto.ts';

/**
 * MQTT ingest over a real broker (Debian's mosquitto): sensors publish room and weather
 * readings on the DESIGN §4.1 topics, heatnet subscribes as an ordinary client, enriches
 * room readings from the topology, and writes them to a real InfluxDB 1.x. Bad payloads are
 * counted per subscription and never stop ingestion; a broker outage shows in /api/health and
 * heals by itself.
 */

const ROOM_TOPIC = 'heatnet/room/{substation}/{building}/{household}';
const WEATHER_TOPIC = 'heatnet/weather/{station}';
const DB = 'heatnet';

interface SentRoom {
  household: Household;
  tempC: number;
  timeMs: number;
}

describe('real mosquitto → MQTT ingestor → live state, InfluxDB and health', () => {
  let broker: MosquittoHandle;
  let influx: InfluxdHandle;
  let config: Config;
  let app: HeatnetApp;
  let publisher: MqttClient;
  /** Every good room message published, for the storage check. */
  const sentRooms: SentRoom[] = [];
  /** Payload times: whole epoch seconds, 10 s apart from an hour ago, each point its own. */
  let nextS = Math.floor(Date.now() / 1000) - 3600;
  const nextTs = () => {
    nextS += 10;
    return nextS;
  };

  const roomTopic = (h: Household) => `heatnet/room/${h.substation}/${h.building}/${h.id}`;
  const publish = (topic: string, payload: string | object) =>
    publisher.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), {
      qos: 1,
    });
  const publishRoom = async (h: Household, tempC: number | string) => {
    const ts = nextTs();
    await publish(roomTopic(h), { temp_c: tempC, ts });
    sentRooms.push({ household: h, tempC: Number(tempC), timeMs: ts * 1000 });
    return ts * 1000;
  };
  const roomSeries = (h: Household): Series | undefined =>
    app.state.find('room', 'household', h.id)[0];
  /** Waits until the room series of `h` holds a sample with exactly this time. */
  const arrived = (h: Household, timeMs: number) =>
    eventually(() => roomSeries(h)?.fields.get('temp_c')?.time === timeMs, {
      timeoutMs: 10_000,
      what: `room reading of ${h.id} at ${new Date(timeMs).toISOString()}`,
    });
  const subHealth = (topic: string): SubscriptionHealth => {
    const found = app.mqtt.health().subscriptions.find((s) => s.topic === topic);
    if (!found) throw new Error(`no subscription ${topic} in health`);
    return { ...found };
  };
  const getHealth = async () => {
    const res = await (await app.http()).inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    return res.json() as {
      status: string;
      problems: string[];
      ingest: {
        mqtt: {
          connected: boolean;
          reconnects: number;
          broker: string;
          subscriptions: SubscriptionHealth[];
        };
      };
    };
  };

  /** Households with different zones, in two substations. */
  let households: Household[];
  let low: Household;
  let high: Household;
  let other: Household;

  beforeAll(async () => {
    [broker, influx] = await Promise.all([startMosquitto(), startInfluxd()]);
    await influx.createDatabase(DB);
    const url = broker.url;
    config = await testConfig({
      substations: 2,
      influx: { url: influx.url, version: 1, db: DB },
      patch: (raw) => {
        raw.ingest.modbus.devices = [];
        raw.ingest.mqtt = {
          url,
          clientId: 'heatnet-test',
          subscriptions: [
            {
              topic: ROOM_TOPIC,
              measurement: 'room',
              format: 'json',
              fields: { temp_c: 'temp_c' },
              time: 'ts',
            },
            {
              topic: WEATHER_TOPIC,
              measurement: 'weather',
              format: 'json',
              fields: { outdoor_temp_c: 'outdoor_temp_c' },
              time: 'ts',
            },
          ],
        };
      },
    });
    app = new HeatnetApp(config, { log: silentLogger() });
    await app.start();
    households = app.topology.substations.flatMap((s) => s.buildings.flatMap((b) => b.households));
    const [s1, s2] = app.topology.substations;
    if (!s1 || !s2) throw new Error('the test config needs two substations');
    // A building with more than one zone (S01-B1 of the demo has only "low").
    const zoned = s1.buildings.find((b) => b.zones.length > 1);
    const lowest = zoned?.households.find((h) => h.zone === 'low');
    const highest = zoned?.households.findLast((h) => h.zone === 'high');
    const elsewhere = s2.buildings[0]?.households[0];
    if (!lowest || !highest || !elsewhere) throw new Error('the test config lacks households');
    [low, high, other] = [lowest, highest, elsewhere];
    publisher = await mqtt.connectAsync(broker.url, { clientId: 'heatnet-test-publisher' });
    // "connected" comes before the SUBACK: probe until a message really gets through.
    await eventually(
      async () => {
        await publish('heatnet/weather/probe', { outdoor_temp_c: 0, ts: Date.now() / 1000 });
        return app.state.find('weather', 'station', 'probe').length > 0;
      },
      { timeoutMs: 15_000, intervalMs: 300, what: 'heatnet to be subscribed' },
    );
  });

  afterAll(async () => {
    await publisher?.endAsync(true);
    await app?.stop();
    await broker?.destroy();
    await influx?.destroy();
  });

  it('subscribes with the real household ids of the topology', () => {
    expect(households.length).toBeGreaterThan(10);
    expect(low.id).toMatch(/^S\d\d-B\d+-\d{4}$/);
    expect(new Set([low.zone, high.zone]).size).toBe(2);
    expect(other.substation).not.toBe(low.substation);
  });

  it('puts room readings into the live state with topic tags, zone and payload time', async () => {
    const t1 = await publishRoom(low, 21.5);
    const t2 = await publishRoom(high, '19.75'); // numbers as strings are common
    const t3 = await publishRoom(other, 22); // an integral value stays a float field
    await arrived(low, t1);
    await arrived(high, t2);
    await arrived(other, t3);
    for (const [h, value, time] of [
      [low, 21.5, t1],
      [high, 19.75, t2],
      [other, 22, t3],
    ] as const) {
      const series = app.state.find('room', 'household', h.id);
      expect(series, h.id).toHaveLength(1);
      expect(series[0]!.tags).toEqual({
        substation: h.substation,
        building: h.building,
        household: h.id,
        zone: h.zone,
      });
      expect(series[0]!.fields.get('temp_c')).toEqual({ value, time });
    }
    // The zone index works too: the reading is findable by zone.
    expect(
      app.state.find('room', 'zone', high.zone).some((s) => s.tags.household === high.id),
    ).toBe(true);
    expect(subHealth(ROOM_TOPIC).messages).toBe(3);
    expect(subHealth(ROOM_TOPIC).malformed).toBe(0);
  });

  it('puts weather readings into the live state tagged with the station', async () => {
    const ts = nextTs();
    await publish('heatnet/weather/WS-north', { outdoor_temp_c: -7.25, ts });
    const series = await eventually(() => app.state.find('weather', 'station', 'WS-north')[0], {
      timeoutMs: 10_000,
      what: 'the weather reading',
    });
    expect(series.tags).toEqual({ station: 'WS-north' });
    expect(series.fields.get('outdoor_temp_c')).toEqual({ value: -7.25, time: ts * 1000 });
  });

  it('counts malformed payloads per subscription and keeps ingesting', async () => {
    const roomBefore = subHealth(ROOM_TOPIC);
    const weatherBefore = subHealth(WEATHER_TOPIC);
    const ts = nextTs();
    const bad: (string | object)[] = [
      'not json {',
      { ts }, // the mapped field is missing
      { temp_c: 'NaN', ts },
      { temp_c: 99, ts: 0 }, // 1970: a sensor without a clock
      { temp_c: 99, ts: Math.floor(Date.now() / 1000) + 3 * 86_400 }, // days in the future
      { temp_c: 99 }, // no time at all
      { temp_c: 99, ts: 'yesterday' },
    ];
    for (const payload of bad) await publish(roomTopic(low), payload);
    await publish('heatnet/weather/WS-north', '<xml/>');
    await publish('heatnet/weather/WS-north', { outdoor_temp_c: null, ts });
    // Messages of one publisher arrive in order: once this one is in, all bad ones were seen.
    const good = await publishRoom(low, 20.25);
    await arrived(low, good);
    const room = subHealth(ROOM_TOPIC);
    const weather = await eventually(
      () => {
        const w = subHealth(WEATHER_TOPIC);
        return w.malformed - weatherBefore.malformed >= 2 ? w : undefined;
      },
      { timeoutMs: 5_000, what: 'the weather subscription to count its bad payloads' },
    );
    expect(room.malformed - roomBefore.malformed).toBe(bad.length);
    expect(room.messages - roomBefore.messages).toBe(1);
    expect(room.lastError).toMatch(/ts/);
    expect(weather.malformed - weatherBefore.malformed).toBe(2);
    expect(weather.messages).toBe(weatherBefore.messages);
    // None of the bad values leaked into the state.
    expect(roomSeries(low)?.fields.get('temp_c')).toEqual({ value: 20.25, time: good });
    expect(
      app.state.find('weather', 'station', 'WS-north')[0]?.fields.get('outdoor_temp_c')?.value,
    ).toBe(-7.25);
    // The same counts in /api/health.
    const health = await getHealth();
    const byTopic = Object.fromEntries(
      health.ingest.mqtt.subscriptions.map((s) => [s.topic, s] as const),
    );
    expect(byTopic[ROOM_TOPIC]).toMatchObject({
      malformed: room.malformed,
      messages: room.messages,
    });
    expect(byTopic[WEATHER_TOPIC]).toMatchObject({ malformed: weather.malformed });
    expect(health.ingest.mqtt.connected).toBe(true);
    expect(health.ingest.mqtt.broker).toBe('external');
  });

  it('ignores messages on topics with the wrong number of levels', async () => {
    const roomBefore = subHealth(ROOM_TOPIC);
    const weatherBefore = subHealth(WEATHER_TOPIC);
    const seriesBefore = app.state.seriesCount;
    const ts = nextTs();
    await publish(`heatnet/room/${low.substation}/${low.building}`, { temp_c: 30, ts });
    await publish(`${roomTopic(low)}/extra`, { temp_c: 31, ts });
    await publish(`heatnet/room/${low.substation}/${low.building}/`, { temp_c: 32, ts });
    await publish('heatnet/weather', { outdoor_temp_c: 5, ts });
    await publish('heatnet/weather/WS-north/extra', { outdoor_temp_c: 6, ts });
    const good = await publishRoom(low, 20.5);
    await arrived(low, good);
    expect(subHealth(ROOM_TOPIC).messages - roomBefore.messages).toBe(1);
    expect(subHealth(ROOM_TOPIC).malformed).toBe(roomBefore.malformed);
    expect(subHealth(WEATHER_TOPIC)).toEqual(weatherBefore);
    expect(app.state.seriesCount).toBe(seriesBefore);
    expect(roomSeries(low)?.fields.get('temp_c')?.value).toBe(20.5);
  });

  it('writes room and weather readings to InfluxDB with exact values, tags and times', async () => {
    await app.writer.flush();
    const series = await influx.query('SELECT * FROM room', DB);
    expect(series).toHaveLength(1);
    const { columns, values } = series[0]!;
    const rows = values.map((v) => Object.fromEntries(columns.map((c, i) => [c, v[i]])));
    const expected = sentRooms.map((s) => ({
      time: s.timeMs,
      substation: s.household.substation,
      building: s.household.building,
      household: s.household.id,
      zone: s.household.zone,
      temp_c: s.tempC,
    }));
    const order = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      Number(a.time) - Number(b.time);
    expect(rows.sort(order)).toEqual(expected.sort(order));
    const kinds = await influx.query('SHOW FIELD KEYS FROM room', DB);
    expect(kinds[0]?.values).toEqual([['temp_c', 'float']]);
    const weather = await influx.query(`SELECT * FROM weather WHERE station = 'WS-north'`, DB);
    expect(weather[0]?.values).toHaveLength(1);
    const row = Object.fromEntries(
      weather[0]!.columns.map((c, i) => [c, weather[0]!.values[0]![i]]),
    );
    expect(row).toMatchObject({ station: 'WS-north', outdoor_temp_c: -7.25 });
    expect(app.writer.health()).toMatchObject({ state: 'ok', rejectedLines: 0, droppedLines: 0 });
  });

  it('reports a broker outage in /api/health and resumes ingestion when it is back', async () => {
    expect((await getHealth()).status).toBe('ok');
    await publisher.endAsync(true);
    await broker.stop();
    await eventually(() => !app.mqtt.health().connected, {
      timeoutMs: 10_000,
      what: 'heatnet to notice the broker is gone',
    });
    const down = await getHealth();
    expect(down.status).toBe('degraded');
    expect(down.ingest.mqtt.connected).toBe(false);
    expect(down.problems.join('\n')).toMatch(/MQTT/);
    expect(down.problems.join('\n')).toContain(broker.url);

    await broker.restart();
    await eventually(() => app.mqtt.health().connected, {
      timeoutMs: 15_000,
      what: 'heatnet to reconnect by itself',
    });
    publisher = await mqtt.connectAsync(broker.url, { clientId: 'heatnet-test-publisher' });
    // Subscriptions are renewed after the reconnect (the restarted broker kept nothing).
    let last = 0;
    await eventually(
      async () => {
        last = await publishRoom(other, 23.5);
        return roomSeries(other)?.fields.get('temp_c')?.time === last;
      },
      { timeoutMs: 15_000, intervalMs: 500, what: 'a room reading after the broker restart' },
    );
    const up = await getHealth();
    expect(up.status).toBe('ok');
    expect(up.problems).toEqual([]);
    expect(up.ingest.mqtt.reconnects).toBeGreaterThan(0);
    expect(roomSeries(other)?.fields.get('temp_c')).toEqual({ value: 23.5, time: last });
  });

  // One broken sensor must not decide a field's type for everyone: a boolean temp_c sent first
  // after start is rejected and counted as malformed, and the other households' numeric
  // readings keep being stored.
  it('does not let one sensor sending a boolean first block every numeric reading', async () => {
    const { influx: _unused, ...localStorage } = config.storage;
    const fresh = new HeatnetApp(
      {
        ...config,
        storage: localStorage,
        ingest: { ...config.ingest, mqtt: { ...config.ingest.mqtt, clientId: 'heatnet-test-2' } },
      },
      { log: silentLogger() },
    );
    await fresh.start();
    try {
      await eventually(
        async () => {
          await publish('heatnet/weather/probe-2', { outdoor_temp_c: 0, ts: nextTs() });
          return fresh.state.find('weather', 'station', 'probe-2').length > 0;
        },
        { timeoutMs: 15_000, intervalMs: 300, what: 'the second service to be subscribed' },
      );
      const ts = nextTs();
      await publish(roomTopic(low), { temp_c: true, ts }); // a broken sensor, first after start
      await publish(roomTopic(high), { temp_c: 21.5, ts });
      const room = () => fresh.mqtt.health().subscriptions.find((s) => s.topic === ROOM_TOPIC);
      await eventually(() => (room()?.messages ?? 0) + (room()?.malformed ?? 0) >= 2, {
        timeoutMs: 10_000,
        what: 'both room messages to be handled',
      });
      const temp = fresh.state.find('room', 'household', high.id)[0]?.fields.get('temp_c');
      expect(temp).toEqual({ value: 21.5, time: ts * 1000 });
      expect(room()?.malformed).toBe(1);
    } finally {
      await fresh.stop();
    }
  });
});
