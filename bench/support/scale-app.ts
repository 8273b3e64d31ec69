/**
 * The benches' service at scale: config/demo.yaml with the scale network (one building
 * per substation, every 50th cold), no devices, an embedded broker (or one of its own), a store in a temp
 * folder (or PostgreSQL), and 75 minutes of history held in state and windows — as a
 * running service holds it, not pushed through storage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { HeatnetApp } from '../../src/app.ts';
import { formatIssue } from '../../src/config/issues.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { RawConfig } from '../../test/support/config.ts';
import { TEST_TOKENS } from '../../test/support/config.ts';
import { fillHistory, ScaleReadings, scaleNetwork } from './scale-network.ts';

export interface ScaleAppOptions {
  substations: number;
  /** Balance schedule (seconds). */
  intervalS: number;
  /** Data folder (temp). */
  dir: string;
  postgres?: string | undefined;
  /** InfluxDB 1.x to store readings in (its URL, database created); else the local store. */
  influx?: { url: string; db: string } | undefined;
  /** An MQTT broker of its own (mqtt://…) instead of the embedded one. */
  mqttUrl?: string | undefined;
  /** store.sqliteFsync. */
  sqliteFsync?: 'commit' | 'grouped';
}

/** The config: demo.yaml with the scale network, no devices, a store in `dir`. */
export function scaleConfig(o: ScaleAppOptions): Config {
  const raw = structuredClone(parse(readFileSync('config/demo.yaml', 'utf8')) as RawConfig);
  raw.network.substations = scaleNetwork({
    substations: o.substations,
    buildings: 1,
    branches: 10,
  });
  raw.ingest.modbus.devices = [];
  raw.ingest.modbus.listeners = [];
  // The demo's teams answer for its branches, which the scale network does not have.
  raw.alerts = { ...raw.alerts, teams: [], schedules: [] };
  raw.ingest.mqtt = o.mqttUrl
    ? { ...raw.ingest.mqtt, url: o.mqttUrl }
    : { ...raw.ingest.mqtt, url: 'embedded', embeddedPort: 0 };
  raw.api = { ...raw.api, host: '127.0.0.1', port: 0 };
  raw.storage = { dataDir: join(o.dir, 'data') };
  // A network this size keeps its readings (and the console's trends) in InfluxDB; the
  // embedded history recorder runs only without it.
  if (o.influx) raw.storage.influx = { version: 1, url: o.influx.url, db: o.influx.db };
  raw.balance = { ...raw.balance, schedule: { intervalS: o.intervalS } };
  if (o.postgres) raw.store = { postgres: o.postgres };
  else if (o.sqliteFsync) raw.store = { sqliteFsync: o.sqliteFsync };
  raw.simulation = { ...raw.simulation, groundTruth: { port: 0 }, complaints: {} };
  const result = parseConfig(stringify(raw), { ...TEST_TOKENS }, 'bench');
  if (!result.ok) throw new Error(result.issues.slice(0, 5).map(formatIssue).join('\n'));
  return result.config;
}

/** The app (not started) with its history, and the readings source for live data. */
export function scaleApp(o: ScaleAppOptions): { app: HeatnetApp; readings: ScaleReadings } {
  const config = scaleConfig(o);
  const app = new HeatnetApp(config, { log: silentLogger() });
  const readings = new ScaleReadings(config, app.topology);
  fillHistory(app.topology, readings, Date.now(), (batch) => {
    app.state.apply(batch);
    app.windows.apply(batch);
  });
  return { app, readings };
}
