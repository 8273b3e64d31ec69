import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Simulator } from '../../simulators/simulator.ts';
import { HeatnetApp } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { type RawConfig, testConfig } from './config.ts';
import { freePort } from './ports.ts';

/** The publishers' credential of the embedded broker in these tests (the simulator presents it). */
export const DEMO_MQTT_PUBLISHER = {
  username: 'test-sensors',
  password: 'test-mqtt-password-0004',
};

export interface SimulatedDemo {
  config: Config;
  sim: Simulator;
  app: HeatnetApp;
  brokerPort: number;
}

/**
 * The whole demo network on a fast simulated clock, under steady −5 °C weather,
 * with the service sharing the simulator's clock (as `heatnet demo --speed N`): PLCs
 * and VFDs over Modbus TCP, rooms, meters and weather over MQTT through the embedded
 * broker on a free port. `balance` and `control` are the sections to test with.
 * Built, not started.
 */
/**
 * The whole demo network at 60×, rooms and meters every 5 simulated minutes, evaluated
 * every 2 simulated minutes over 15-minute windows: room-based judgements within about
 * 20 s of real time, as the balance tests over the wire need.
 */
export const BALANCE_AT_60X = {
  speed: 60,
  publish: { roomIntervalS: 300, buildingIntervalS: 300, weatherIntervalS: 120 },
  balance: { schedule: { intervalS: 120 }, windowMin: 15, staleAfterMin: 10 },
};

export async function simulatedDemo(options: {
  speed: number;
  publish: RawConfig;
  balance: RawConfig;
  control?: RawConfig;
  /** Further YAML-shaped changes, applied last (the console tests add tokens). */
  patch?: (raw: RawConfig) => void;
}): Promise<SimulatedDemo> {
  const brokerPort = await freePort();
  const demo = parse(readFileSync('config/demo.yaml', 'utf8')) as RawConfig;
  const config = await testConfig({
    substations: 22,
    intervalMs: 1000,
    patch: (raw) => {
      raw.ingest.mqtt = {
        url: 'embedded',
        embeddedPort: brokerPort,
        embedded: DEMO_MQTT_PUBLISHER,
        subscriptions: demo.ingest.mqtt.subscriptions,
      };
      raw.simulation = {
        ...raw.simulation,
        speed: options.speed,
        start: '2026-01-12T00:00:00Z',
        weather: { meanC: -5, dailyAmplitudeC: 0, frontAmplitudeC: 0 },
        publish: options.publish,
      };
      raw.balance = options.balance;
      if (options.control) raw.control = options.control;
      options.patch?.(raw);
    },
  });
  const sim = new Simulator(config, silentLogger());
  const app = new HeatnetApp(config, {
    log: silentLogger(),
    now: () => sim.clock.now(),
    clockRate: sim.clock.speed,
  });
  return { config, sim, app, brokerPort };
}
