import { scaleNetwork } from '../../bench/support/scale-network.ts';
import type { NotificationOutbox } from '../../src/alerting/model.ts';
import { type AlertParts, buildAlerts } from '../../src/alerts/build.ts';
import type { Config } from '../../src/config/schema.ts';
import { EventBus } from '../../src/core/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { HeatnetEvents } from '../../src/events.ts';
import type { StoreTarget } from '../../src/store/engine.ts';
import { Store } from '../../src/store/store.ts';
import { type RawConfig, testConfig } from '../support/config.ts';

/*
 * The alerts runtime on a real store with a fake clock, its bus driven by hand as the
 * ingestors, the balance runner and the desk drive it in the service.
 */

export const MIN = 60_000;
// 2026-12-10 10:00 in Shanghai: in the heating season.
export const T0 = Date.parse('2026-12-10T02:00:00Z');

/** People, teams per branch, a rotation, the standard chain and one catch-all route. */
export function alertsSection(channels: RawConfig[], extra: RawConfig = {}): RawConfig {
  return {
    channels,
    people: [
      { id: 'wang', name: '王工', phone: '+8613900000001', email: 'wang@example.com' },
      { id: 'li', name: '李工', phone: '+8613900000002' },
      { id: 'zhao', name: '赵班长', phone: '+8613900000003' },
      { id: 'chen', name: '陈调度', phone: '+8613900000004' },
    ],
    teams: [
      {
        id: 'north-crew',
        name: '北线班组',
        branches: ['north', 'b1', 'b3'],
        lead: 'zhao',
        schedule: 'north-rota',
      },
      {
        id: 'east-crew',
        name: '东线班组',
        branches: ['east', 'b2', 'b4'],
        lead: 'zhao',
        schedule: 'north-rota',
      },
    ],
    schedules: [
      {
        id: 'north-rota',
        people: ['wang', 'li'],
        shiftHours: 12,
        handoverAt: '08:00',
        anchor: '2026-11-01',
      },
    ],
    escalation: { dutyDispatcher: 'chen' },
    routes: [{ match: {}, channels: channels.map((c) => c.id), receiver: 'ops' }],
    ...extra,
  };
}

/** A network of `substations` scale stations with `perStation` devices each (a PLC first). */
export function stormPatch(substations: number, perStation: number) {
  return (raw: RawConfig) => {
    raw.network.substations = scaleNetwork({ substations, buildings: 1, branches: 4 });
    // A PLC, the pump's drive and further field units (meters, RTUs) behind each station.
    raw.ingest.modbus.devices = raw.network.substations.flatMap((s: RawConfig, n: number) =>
      Array.from({ length: perStation }, (_, i) => ({
        id: `${s.id}-d${i}`,
        substation: s.id,
        kind: i === 1 ? 'pump' : 'substation',
        ...(i === 1 ? { pump: `${s.id}-P1`, map: 'vfd-generic' } : { map: 'substation-plc-v1' }),
        url: `tcp://127.0.0.1:${20000 + n}`,
        unitId: i + 1,
      })),
    );
  };
}

export async function alertConfig(
  alerts: RawConfig,
  patch?: (raw: RawConfig) => void,
): Promise<Config> {
  return testConfig({
    patch: (raw) => {
      patch?.(raw);
      raw.alerts = alerts;
    },
  });
}

export interface AlertSession {
  store: Store;
  bus: EventBus<HeatnetEvents>;
  parts: AlertParts;
  clock: { now: number };
  /** Moves the clock and runs one tick. */
  advance(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function alertSession(
  config: Config,
  target: StoreTarget,
  outbox: NotificationOutbox,
  clock = { now: T0 },
): Promise<AlertSession> {
  const store = new Store(target, silentLogger());
  await store.start();
  const bus = new EventBus<HeatnetEvents>(silentLogger());
  const parts = buildAlerts({
    config,
    topology: new Topology(config.network),
    bus,
    store,
    outbox,
    now: () => clock.now,
    // Timers far apart: the tests tick by hand.
    clockRate: 0.001,
    log: silentLogger(),
  });
  for (const c of parts.components) await c.start();
  return {
    store,
    bus,
    parts,
    clock,
    advance: async (ms) => {
      clock.now += ms;
      await parts.runtime.tick();
    },
    stop: async () => {
      for (const c of [...parts.components].reverse()) await c.stop();
      await store.stop();
    },
  };
}

/** Every device of the config goes down (or up) at `at`, as the Modbus ingestor reports. */
export function devicesGo(
  s: AlertSession,
  config: Config,
  state: 'up' | 'down',
  filter = (_id: string) => true,
) {
  for (const d of config.ingest.modbus.devices) {
    if (!filter(d.id)) continue;
    s.bus.emit('device.state', {
      device: d.id,
      substation: d.substation,
      state,
      reason: state === 'down' ? 'timeout' : null,
      at: s.clock.now,
    });
  }
}

/** Lets queued bus work run (the runtime queues every event). */
export async function settle(s: AlertSession): Promise<void> {
  await s.parts.runtime.run(async () => undefined);
}
