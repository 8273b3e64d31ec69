/**
 * The scale network of the service-desk benchmark (issue 10) and its live data, without
 * devices: buildings as in scripts/generate-scale-config.ts (25 floors × 2 flats in three
 * zones, each with a heat meter), by default one per substation, so 5,000 substations
 * carry 250,000 households.
 * Readings are made here and handed to the app's ingest pipeline, as the MQTT and
 * Modbus adapters hand theirs, so state, windows and storage all see them.
 */
import { referenceAt } from '../../src/balance/reference.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Reading } from '../../src/core/reading.ts';
import { SharedTags } from '../../src/core/series-tags.ts';
import type { Building, Substation, Topology } from '../../src/domain/topology.ts';
import type { RawConfig } from '../../test/support/config.ts';

export interface ScaleShape {
  substations: number;
  /** Buildings per substation (25 floors × 2 flats each: 50 households). */
  buildings: number;
  branches: number;
}

/** Every `coldEvery`-th substation is cold: its pump has stopped, its rooms are at 15 °C. */
export const COLD_EVERY = 50;
export const isCold = (index: number) => index % COLD_EVERY === 7;
export const OUTDOOR_C = -12;

/** The network part of the raw config (YAML shape), to go into the demo's config. */
export function scaleNetwork(shape: ScaleShape): RawConfig[] {
  const perBranch = Math.ceil(shape.substations / shape.branches);
  return Array.from({ length: shape.substations }, (_, i) => {
    const id = `T${String(i + 1).padStart(5, '0')}`;
    const position = Math.floor(i / shape.branches);
    return {
      id,
      source: 'P1',
      branch: `b${(i % shape.branches) + 1}`,
      distanceM: Math.round(300 + (7700 * position) / Math.max(1, perBranch - 1)),
      pumps: [{ id: `${id}-P1`, minHz: 25, maxHz: 50, maxStepHz: 5 }],
      buildings: Array.from({ length: shape.buildings }, (_, b) => ({
        id: `${id}-B${b + 1}`,
        floors: 25,
        unitsPerFloor: 2,
        areaPerUnitM2: 90,
        zones: [
          { id: 'low', floors: [1, 8] },
          { id: 'middle', floors: [9, 17] },
          { id: 'high', floors: [18, 25] },
        ],
      })),
    };
  });
}

/** Deterministic noise in [-0.5, 0.5) so two runs see the same network. */
function noiseOf(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32 - 0.5;
  };
}

/** What one substation's instruments read at `time` (PLC, pump, building meters). */
export class ScaleReadings {
  private readonly noise = noiseOf(42);
  private readonly index = new Map<string, number>();
  /** Frozen tags shared per series, as the adapters give them (a Modbus device, a topic). */
  private readonly tagsBySeries = new SharedTags();

  constructor(
    private readonly config: Config,
    topology: Topology,
  ) {
    for (const [i, s] of topology.substations.entries()) this.index.set(s.id, i);
  }

  private tags(key: string, make: () => Record<string, string>): Readonly<Record<string, string>> {
    return this.tagsBySeries.of(key, make);
  }

  private cold(s: Substation): boolean {
    return isCold(this.index.get(s.id) ?? 0);
  }

  /** Flow ratio: 1.5 near the plant to 0.65 at the far end; a cold station 0.2. */
  private ratio(s: Substation): number {
    return this.cold(s) ? 0.2 : 1.5 - 0.85 * (s.distanceM / 8000);
  }

  weather(time: number): Reading {
    return {
      measurement: 'weather',
      tags: { station: 'W1' },
      fields: { outdoor_temp_c: OUTDOOR_C },
      time,
    };
  }

  plant(s: Substation, time: number, withPump: boolean): Reading[] {
    const ref = referenceAt(this.config.network.design, OUTDOOR_C);
    const x = this.ratio(s);
    const dev = (x - 1) * 11;
    const n = this.noise;
    const cold = this.cold(s);
    const out: Reading[] = [
      {
        measurement: 'substation',
        tags: this.tags(`plc ${s.id}`, () => ({ substation: s.id, source: s.source })),
        fields: {
          primary_supply_temp_c: ref.primarySupplyC + n(),
          primary_return_temp_c: ref.primaryReturnC + n(),
          primary_flow_m3h: 40 * x * (1 + n() / 10),
          primary_supply_pressure_mpa: 0.4,
          primary_return_pressure_mpa: 0.3,
          secondary_supply_temp_c: ref.secondarySupplyC + dev + n(),
          secondary_return_temp_c: ref.secondaryReturnC + dev + n(),
          heat_power_kw: 200 * x,
          makeup_water_m3h: 0.05,
          circulation_pump_running: !cold,
        },
        time,
      },
    ];
    if (withPump) out.push(this.pump(s, time, cold));
    return out;
  }

  private pump(s: Substation, time: number, cold: boolean): Reading {
    return {
      measurement: 'pump',
      tags: this.tags(`pump ${s.id}`, () => ({ substation: s.id, pump: `${s.id}-P1` })),
      fields: {
        frequency_hz: cold ? 0 : 40,
        frequency_setpoint_hz: 40,
        running: !cold,
        fault_code: cold ? 7 : 0,
      },
      time,
    };
  }

  meter(s: Substation, b: Building, time: number): Reading {
    const x = this.ratio(s);
    return {
      measurement: 'building',
      tags: this.tags(`meter ${b.id}`, () => ({ substation: s.id, building: b.id })),
      fields: {
        supply_temp_c: 55 + (x - 1) * 8 + this.noise(),
        return_temp_c: 42 + (x - 1) * 6 + this.noise(),
        flow_m3h: 8 * x,
        heat_power_kw: 40 * x,
      },
      time,
    };
  }

  /** Every room of a building, as the MQTT router tags them (zone added from the topology). */
  rooms(s: Substation, b: Building, time: number): Reading[] {
    const base = this.cold(s) ? 15 : 20 + (this.ratio(s) - 1) * 4;
    return b.households.map((h) => ({
      measurement: 'room',
      tags: this.tags(`room ${h.id}`, () => ({
        substation: s.id,
        building: b.id,
        zone: h.zone,
        household: h.id,
      })),
      fields: { temp_c: Math.round((base + this.noise() * 2) * 10) / 10 },
      time,
    }));
  }
}

/**
 * One second of live data at `time` for tick `tick`: each substation's PLC every 10 s,
 * pumps every 60 s, building meters every 60 s, rooms every 10 minutes, staggered so the
 * load is even over the seconds.
 */
export function liveTick(
  topology: Topology,
  readings: ScaleReadings,
  tick: number,
  time: number,
): Reading[] {
  const out: Reading[] = [readings.weather(time)];
  const stations = topology.substations;
  for (let i = tick % 10; i < stations.length; i += 10) {
    out.push(...readings.plant(stations[i]!, time, tick % 60 < 10));
  }
  for (let i = tick % 60; i < stations.length; i += 60) {
    for (const b of stations[i]!.buildings) out.push(readings.meter(stations[i]!, b, time));
  }
  for (let i = tick % 600; i < stations.length; i += 600) {
    for (const b of stations[i]!.buildings) out.push(...readings.rooms(stations[i]!, b, time));
  }
  return out;
}

/** 75 minutes of history before `now`, as the service would hold it (PLC every 30 s). */
export function fillHistory(
  topology: Topology,
  readings: ScaleReadings,
  now: number,
  apply: (batch: Reading[]) => void,
): void {
  const from = now - 75 * 60_000;
  for (let t = from; t <= now; t += 30_000) {
    const batch: Reading[] = [readings.weather(t)];
    const minute = (t - from) % 60_000 === 0;
    for (const s of topology.substations) {
      batch.push(...readings.plant(s, t, minute));
      if (minute) for (const b of s.buildings) batch.push(readings.meter(s, b, t));
    }
    apply(batch);
  }
  // Rooms every 10 minutes, staggered over the interval like real sensors.
  topology.substations.forEach((s, i) => {
    const batch: Reading[] = [];
    const offset = (i % 600) * 1000;
    for (let t = from + offset; t <= now; t += 600_000) {
      for (const b of s.buildings) batch.push(...readings.rooms(s, b, t));
    }
    apply(batch);
  });
}
