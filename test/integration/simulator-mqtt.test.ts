import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MqttPublisher } from '../../simulators/mqtt-publisher.ts';
import { Simulator } from '../../simulators/simulator.ts';
import { HeatnetApp } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Household } from '../../src/domain/topology.ts';
import type { Series } from '../../src/state/live-state.ts';
import { eventually, type RawConfig, testConfig } from '../support/config.ts';
import { type MosquittoHandle, startMosquitto } from '../support/mosquitto.ts';

/**
 * The simulator's MQTT side end to end (issue 3, DESIGN §4.1): it publishes room
 * sensors, building meters and weather to a real mosquitto at simulated intervals with
 * simulated timestamps, and the real service, subscribed with the demo config's
 * subscriptions, ingests them. At speed 600 a 600 s room interval takes one real second.
 */

const SPEED = 600;
const ROOM_INTERVAL_S = 600;
const BUILDING_INTERVAL_S = 300;
const SHARE = 0.6;
/** Real ms for one room interval. */
const ROOM_CYCLE_MS = (ROOM_INTERVAL_S * 1000) / SPEED;
/**
 * The service refuses readings stamped more than `ingest.maxAheadS` (set to a day here)
 * ahead of its own clock, and the simulated clock runs 600× ahead of it: starting six
 * hours in the past leaves 36 real seconds before simulated time passes the wall clock,
 * and three minutes before it is refused.
 */
const START_AGO_MS = 6 * 3600_000;

describe('simulator MQTT publisher → real mosquitto → heatnet live state', () => {
  let broker: MosquittoHandle;
  let config: Config;
  let app: HeatnetApp;
  let simulator: Simulator;
  let publisher: MqttPublisher;
  let households: Household[];

  const room = (id: string): Series | undefined => app.state.find('room', 'household', id)[0];
  const roomTime = (id: string) => room(id)?.fields.get('temp_c')?.time ?? 0;
  const buildingState = (h: Household) =>
    simulator.model.substations.get(h.substation)?.buildings.get(h.building);
  const trueTempC = (h: Household) => {
    const indoor = buildingState(h)?.indoorC ?? Number.NaN;
    return simulator.model.households.temperatureC(h.id, indoor) ?? Number.NaN;
  };
  /** Waits until every household of `ids` has a room reading newer than `afterMs`. */
  const allReportedAfter = (ids: readonly string[], afterMs: number, what: string) =>
    eventually(() => ids.every((id) => roomTime(id) > afterMs), { timeoutMs: 10_000, what });

  beforeAll(async () => {
    broker = await startMosquitto();
    const demo = parse(readFileSync('config/demo.yaml', 'utf8')) as RawConfig;
    config = await testConfig({
      substations: 2,
      patch: (raw) => {
        raw.ingest.modbus.devices = [];
        raw.ingest.maxAheadS = 86_400;
        raw.ingest.mqtt = {
          url: broker.url,
          clientId: 'heatnet-sim-mqtt-test',
          // The demo's own subscriptions: what the simulator publishes must be what they ingest.
          subscriptions: demo.ingest.mqtt.subscriptions,
        };
        // Replaced whole: the demo's ground-truth port and complaints file are not for tests.
        raw.simulation = {
          seed: 7,
          speed: SPEED,
          start: new Date(Date.now() - START_AGO_MS).toISOString(),
          publish: {
            roomIntervalS: ROOM_INTERVAL_S,
            buildingIntervalS: BUILDING_INTERVAL_S,
            weatherIntervalS: BUILDING_INTERVAL_S,
            roomSensorShare: SHARE,
          },
        };
      },
    });
    app = new HeatnetApp(config, { log: silentLogger() });
    await app.start();
    await eventually(() => app.mqtt.health().connected, { what: 'heatnet to connect' });
    simulator = new Simulator(config, silentLogger());
    await simulator.start();
    const found = MqttPublisher.of(simulator);
    if (!found) throw new Error('the simulator has no MQTT publisher');
    publisher = found;
    households = app.topology.substations.flatMap((s) => s.buildings.flatMap((b) => b.households));
  });

  afterAll(async () => {
    await simulator?.stop();
    await app?.stop();
    await broker?.destroy();
  });

  it('publishes a seeded share of room sensors with simulated times, true values and zones', async () => {
    const sensors = new Set(publisher.roomSensors());
    expect(sensors.size / households.length).toBeGreaterThan(SHARE - 0.15);
    expect(sensors.size / households.length).toBeLessThan(SHARE + 0.15);
    await eventually(() => app.state.find('room', 'substation', households[0]!.substation), {
      what: 'the first room reading',
    });
    await eventually(() => [...sensors].every((id) => room(id)), {
      timeoutMs: 10_000,
      what: 'a reading from every room sensor',
    });
    const now = simulator.clock.now();
    const residuals: number[] = [];
    for (const h of households) {
      const series = room(h.id);
      if (!sensors.has(h.id)) {
        expect(series, `${h.id} has no sensor`).toBeUndefined();
        continue;
      }
      expect(series!.tags).toEqual({
        substation: h.substation,
        building: h.building,
        household: h.id,
        zone: h.zone,
      });
      const { value, time } = series!.fields.get('temp_c')!;
      // Simulated time: within an interval or two of the simulated clock, hours from the real one.
      expect(time).toBeLessThanOrEqual(now);
      expect(time).toBeGreaterThan(now - 2 * ROOM_INTERVAL_S * 1000);
      expect(Math.abs(time - Date.now())).toBeGreaterThan(3600_000);
      const tenths = Number(value) * 10;
      expect(Math.abs(tenths - Math.round(tenths)), 'rounded to 0.1').toBeLessThan(1e-9);
      residuals.push(Number(value) - trueTempC(h));
    }
    // Truth + noise of σ ≈ 0.1 K, rounded to 0.1 (the model moves little in one interval).
    const mean = residuals.reduce((a, b) => a + b, 0) / residuals.length;
    const sd = Math.sqrt(residuals.reduce((a, r) => a + (r - mean) ** 2, 0) / residuals.length);
    expect(Math.max(...residuals.map(Math.abs))).toBeLessThan(0.6);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(sd).toBeGreaterThan(0.05);
    expect(sd).toBeLessThan(0.2);
  });

  it('publishes every building meter and the weather station with simulated times', async () => {
    const buildings = app.topology.substations.flatMap((s) => s.buildings);
    await eventually(
      () => buildings.every((b) => app.state.find('building', 'building', b.id).length > 0),
      { timeoutMs: 10_000, what: 'a meter reading from every building' },
    );
    for (const b of buildings) {
      const series = app.state.find('building', 'building', b.id);
      expect(series).toHaveLength(1);
      expect(series[0]!.tags).toEqual({ substation: b.substation, building: b.id });
      const truth = simulator.model.substations.get(b.substation)!.buildings.get(b.id)!;
      const field = (name: string) => Number(series[0]!.fields.get(name)?.value);
      expect(field('supply_temp_c')).toBeCloseTo(truth.supplyC, 0);
      expect(field('return_temp_c')).toBeCloseTo(truth.returnC, 0);
      expect(Math.abs(field('flow_m3h') - truth.flowM3h)).toBeLessThan(0.05 * truth.flowM3h + 0.01);
      expect(Math.abs(field('heat_power_kw') - truth.heatKw)).toBeLessThan(0.05 * truth.heatKw + 1);
    }
    const weather = await eventually(() => app.state.find('weather', 'station', 'W1')[0], {
      what: 'a weather reading from station W1',
    });
    const sample = weather.fields.get('outdoor_temp_c')!;
    expect(Math.abs(sample.time - simulator.clock.now())).toBeLessThan(
      2 * BUILDING_INTERVAL_S * 1000,
    );
    // The weather is a function of time: the reading is the model's value at its timestamp.
    expect(Math.abs(Number(sample.value) - simulator.model.outdoorC(sample.time))).toBeLessThan(
      0.06,
    );
    const c = publisher.counters;
    expect(c.published.building).toBeGreaterThanOrEqual(buildings.length);
    expect(c.published.weather).toBeGreaterThanOrEqual(1);
    expect(c.connected).toBe(true);
  });

  it('silences the rooms of a building under a rooms-silent fault while others go on', async () => {
    const sensors = publisher.roomSensors();
    const byId = new Map(households.map((h) => [h.id, h]));
    const quiet = byId.get(sensors[0]!)!.building;
    const inQuiet = sensors.filter((id) => byId.get(id)?.building === quiet);
    const others = sensors.filter((id) => byId.get(id)?.building !== quiet);
    expect(inQuiet.length).toBeGreaterThan(0);
    const silencedBefore = publisher.counters.silenced;
    const faultAt = simulator.clock.now();
    const fault = simulator.model.faults.add({ type: 'rooms-silent', building: quiet }, faultAt);
    await allReportedAfter(others, faultAt, 'the other rooms to keep reporting');
    // Two full intervals: every quiet sensor's turn has come at least once.
    await new Promise((r) => setTimeout(r, 2 * ROOM_CYCLE_MS));
    for (const id of inQuiet) expect(roomTime(id), id).toBeLessThanOrEqual(faultAt);
    expect(publisher.counters.silenced - silencedBefore).toBeGreaterThanOrEqual(inQuiet.length);
    // Building meters are not room sensors: they go on.
    const meter = app.state.find('building', 'building', quiet)[0]!;
    expect(meter.updatedAt).toBeGreaterThan(faultAt);

    const clearedAt = simulator.clock.now();
    expect(simulator.model.faults.clear(fault.id, clearedAt)).toBe(true);
    await allReportedAfter(inQuiet, clearedAt, 'the silenced rooms to report again');
  });

  it('drops readings while the broker is down and resumes after it restarts', async () => {
    await broker.stop();
    await eventually(() => !publisher.counters.connected, {
      timeoutMs: 10_000,
      what: 'the publisher to notice the broker is gone',
    });
    const down = publisher.counters;
    await eventually(() => publisher.counters.dropped.room > down.dropped.room + 10, {
      what: 'room readings to be dropped (and counted) while the broker is down',
    });

    await broker.restart();
    const restartedAt = simulator.clock.now();
    await eventually(() => publisher.counters.connected && app.mqtt.health().connected, {
      timeoutMs: 15_000,
      what: 'publisher and service to reconnect by themselves',
    });
    expect(publisher.counters.connects).toBeGreaterThanOrEqual(2);
    const sensors = publisher.roomSensors();
    // The service resubscribes on reconnect; anything sent before its SUBACK is lost, as in the field.
    await eventually(() => sensors.filter((id) => roomTime(id) > restartedAt).length > 10, {
      timeoutMs: 15_000,
      what: 'room readings after the broker restart',
    });
    const weatherTime = () =>
      app.state.find('weather', 'station', 'W1')[0]?.fields.get('outdoor_temp_c')?.time ?? 0;
    await eventually(() => weatherTime() > restartedAt, { what: 'weather after the restart' });
    expect(publisher.counters.published.room).toBeGreaterThan(down.published.room);
  });
});
