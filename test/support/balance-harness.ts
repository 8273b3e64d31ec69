import { readFileSync } from 'node:fs';
import { NetworkModel } from '../../simulators/model/network-model.ts';
import { ModelSource } from '../../simulators/model-source.ts';
import { sensorNoise } from '../../simulators/mqtt-schedule.ts';
import { type EngineSettings, evaluateBalance } from '../../src/balance/evaluate.ts';
import type { BalanceResult, StationMemory } from '../../src/balance/types.ts';
import { gatherInputs } from '../../src/balance-runner/inputs.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Reading } from '../../src/core/reading.ts';
import { Topology } from '../../src/domain/topology.ts';
import { BalanceWindows } from '../../src/state/balance-windows.ts';
import { LiveState } from '../../src/state/live-state.ts';
import { TEST_TOKENS } from './config.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The demo network under steady weather (no daily cycle, no fronts). */
export function steadyDemoConfig(outdoorC = -5, seed = 1): Config {
  const result = parseConfig(readFileSync('config/demo.yaml', 'utf8'), TEST_TOKENS, 'demo');
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const config = result.config;
  config.simulation.seed = seed;
  config.simulation.weather = {
    ...config.simulation.weather,
    meanC: outdoorC,
    dailyAmplitudeC: 0,
    frontAmplitudeC: 0,
  };
  return config;
}

/**
 * The engine against the simulator's model in one process, for days of simulated
 * time in seconds: the model's devices are sampled through the simulator's own
 * `ModelSource` (what its Modbus servers serve, noise included) and its households
 * like its MQTT publisher does, into the same windows and live state the service
 * uses. The wire is tested elsewhere; this is about what the engine concludes.
 */
export class EngineHarness {
  readonly model: NetworkModel;
  readonly windows: BalanceWindows;
  readonly state = new LiveState();
  private readonly source: ModelSource;
  private readonly topology: Topology;
  private memory = new Map<string, StationMemory>();
  private roomCycle = 0;

  constructor(
    readonly config: Config,
    startMs: number,
  ) {
    this.model = new NetworkModel(config, startMs);
    this.source = new ModelSource(this.model);
    this.topology = new Topology(config.network);
    this.windows = new BalanceWindows(
      config.balance.windowMin * 60_000,
      (id) => this.topology.household(id)?.areaM2,
    );
  }

  /** Advances the model to `at` and takes one round of every reading. */
  observe(at: number, withRooms = true): void {
    this.model.advanceTo(at);
    const readings = fieldReadings(this.config, this.source, this.model, at);
    if (withRooms) {
      this.roomCycle++;
      let i = 0;
      for (const [sid, s] of this.model.substations) {
        for (const [bid, bs] of s.buildings) {
          for (const h of this.topology.building(bid)!.households) {
            const t = this.model.households.temperatureC(h.id, bs.indoorC)!;
            const noisy = t + 0.1 * sensorNoise(1, i++, this.roomCycle);
            readings.push({
              measurement: 'room',
              tags: { substation: sid, building: bid, household: h.id },
              fields: { temp_c: Math.round(noisy * 10) / 10 },
              time: at,
            });
          }
        }
      }
    }
    this.state.apply(readings);
    this.windows.apply(readings);
  }

  evaluate(at: number): BalanceResult {
    const settings: EngineSettings = {
      balance: this.config.balance,
      indoor: this.config.standards.indoor,
      design: this.config.network.design,
    };
    const input = gatherInputs(
      {
        config: this.config,
        topology: this.topology,
        windows: this.windows,
        state: this.state,
        devices: () => this.config.ingest.modbus.devices.map((d) => ({ id: d.id, state: 'up' })),
      },
      at,
    );
    const { result, memory } = evaluateBalance(input, this.memory, settings);
    this.memory = memory;
    return result;
  }

  /** Observes every `stepMs` (rooms every `roomEveryMs`) and evaluates at the end. */
  run(from: number, to: number, stepMs = 5 * 60_000, roomEveryMs = 10 * 60_000): BalanceResult {
    for (let t = from + stepMs; t <= to; t += stepMs)
      this.observe(t, (t - from) % roomEveryMs === 0);
    return this.evaluate(to);
  }
}

/** One round of what the field sends at `at`: every PLC and drive as its Modbus server serves it, and the weather. */
export function fieldReadings(
  config: Config,
  source: ModelSource,
  model: NetworkModel,
  at: number,
): Reading[] {
  const readings: Reading[] = [];
  for (const d of config.ingest.modbus.devices) {
    const fields = source.sample(d);
    const tags: Record<string, string> =
      d.kind === 'pump'
        ? { substation: d.substation, pump: d.pump ?? d.id }
        : { substation: d.substation, source: 'P1' };
    readings.push({ measurement: d.kind, tags, fields, time: at });
  }
  readings.push({
    measurement: 'weather',
    tags: { station: 'W1' },
    fields: { outdoor_temp_c: model.outdoorC(at) },
    time: at,
  });
  return readings;
}

/**
 * Lets the test worker's event loop turn (timers, then vitest's RPC replies). Minutes of
 * synchronous simulation without one made vitest fail a green file with "Timeout calling
 * onTaskUpdate" once the file ran past 60 s on a loaded machine (issue 9).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
