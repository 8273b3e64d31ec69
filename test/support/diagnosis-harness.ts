import { NetworkModel } from '../../simulators/model/network-model.ts';
import { householdTruth } from '../../simulators/model/truth.ts';
import { ModelSource } from '../../simulators/model-source.ts';
import { sensorNoise } from '../../simulators/mqtt-schedule.ts';
import { createRng } from '../../simulators/rng.ts';
import { type EngineSettings, evaluateBalance } from '../../src/balance/evaluate.ts';
import type { BalanceResult, StationMemory } from '../../src/balance/types.ts';
import { gatherInputs } from '../../src/balance-runner/inputs.ts';
import { diagnosisView } from '../../src/complaints/context.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Reading } from '../../src/core/reading.ts';
import { diagnose } from '../../src/diagnosis/diagnose.ts';
import { findings } from '../../src/diagnosis/findings.ts';
import type { Diagnosis, Finding } from '../../src/diagnosis/schemas.ts';
import { stationNeighbours } from '../../src/diagnosis/station.ts';
import { Topology } from '../../src/domain/topology.ts';
import { BalanceWindows } from '../../src/state/balance-windows.ts';
import { LiveState } from '../../src/state/live-state.ts';
import { fieldReadings } from './balance-harness.ts';

/**
 * Diagnosis against the simulator's ground truth in one process (issue 10, verification):
 * the model's PLCs and drives sampled through the simulator's own ModelSource, building
 * meters and room sensors (with the zone tag the MQTT router adds) as its publisher sends
 * them, and the engine's evaluation every 5 minutes. One model run feeds two observers:
 * every household instrumented, and a seeded 30 % of them.
 */

const EMPTY_RESULT: BalanceResult = {
  evaluatedAt: 0,
  outdoorTempC: null,
  gradient: { slopeCPerKm: null, r2: null, stations: 0 },
  counts: { overheating: 0, underheating: 0, normal: 0, 'no-data': 0 },
  substations: [],
  network: [],
};

export class Observer {
  readonly state = new LiveState();
  readonly windows: BalanceWindows;
  result: BalanceResult = EMPTY_RESULT;
  private memory = new Map<string, StationMemory>();

  constructor(
    readonly name: string,
    private readonly config: Config,
    private readonly topology: Topology,
    /** Whether a household has a room sensor. */
    readonly instrumented: (household: string) => boolean,
  ) {
    this.windows = new BalanceWindows(
      config.balance.windowMin * 60_000,
      (id) => topology.household(id)?.areaM2,
    );
  }

  apply(readings: Reading[]): void {
    this.state.apply(readings);
    this.windows.apply(readings);
  }

  evaluate(at: number): void {
    const settings: EngineSettings = {
      balance: this.config.balance,
      indoor: this.config.standards.indoor,
      design: this.config.network.design,
    };
    const src = {
      config: this.config,
      topology: this.topology,
      windows: this.windows,
      state: this.state,
      devices: () =>
        this.config.ingest.modbus.devices.map((d) => ({ id: d.id, state: 'up' as const })),
    };
    const { result, memory } = evaluateBalance(gatherInputs(src, at), this.memory, settings);
    this.memory = memory;
    this.result = result;
  }

  private view(at: number) {
    return diagnosisView(
      {
        config: this.config,
        topology: this.topology,
        state: this.state,
        balance: () => this.result,
      },
      at,
    );
  }

  diagnose(
    household: string,
    category: 'low-temperature' | 'no-heat',
    at: number,
    neighbours: ReadonlyMap<string, readonly string[]>,
  ): Diagnosis {
    return diagnose(this.view(at), { household, category, at }, neighbours);
  }

  findings(at: number, neighbours: ReadonlyMap<string, readonly string[]>): Finding[] {
    return findings(this.view(at), neighbours);
  }
}

export class DiagnosisHarness {
  readonly model: NetworkModel;
  readonly topology: Topology;
  readonly neighbours: Map<string, string[]>;
  readonly full: Observer;
  readonly partial: Observer;
  private readonly source: ModelSource;
  private roomCycle = 0;

  constructor(
    readonly config: Config,
    startMs: number,
    coverage = 0.3,
  ) {
    this.model = new NetworkModel(config, startMs);
    this.source = new ModelSource(this.model);
    this.topology = new Topology(config.network);
    this.neighbours = stationNeighbours(this.topology);
    const rng = createRng(config.simulation.seed ^ 0x30c0);
    const sensors = new Set(
      this.model.households.list.filter(() => rng.next() < coverage).map((h) => h.id),
    );
    this.full = new Observer('all households', config, this.topology, () => true);
    this.partial = new Observer(
      `${Math.round(coverage * 100)} % of households`,
      config,
      this.topology,
      (id) => sensors.has(id),
    );
  }

  /**
   * Pumps set near balance (flow ratio ≈ 1 by the affinity law, a few rounds since the
   * stations share the mains) and the buildings settled at those settings, so the
   * network gradient does not mask the faults a scenario injects.
   */
  presetPumps(rounds = 8): void {
    for (let i = 0; i < rounds; i++) {
      for (const s of this.topology.substations) {
        const state = this.model.substations.get(s.id)!;
        const ratio = state.primaryFlowM3h / this.model.designs.get(s.id)!.primaryFlowM3h;
        for (const p of s.pumps) {
          const drive = this.model.pumps.get(p.id)!;
          const hz = drive.setpointHz * (1 + 0.8 * (1 / Math.max(ratio, 0.2) - 1));
          drive.setSetpoint(Math.min(p.maxHz, Math.max(p.minHz, Math.round(hz * 10) / 10)));
        }
      }
      this.model.step(16 * 3600);
    }
    for (let i = 0; i < 4; i++) this.model.step(16 * 3600);
  }

  /** Advances the model to `at` and takes one round of readings into both observers. */
  observe(at: number, withRooms: boolean): void {
    this.model.advanceTo(at);
    const common = fieldReadings(this.config, this.source, this.model, at);
    for (const [sid, s] of this.model.substations) {
      for (const [bid, b] of s.buildings) {
        common.push({
          measurement: 'building',
          tags: { substation: sid, building: bid },
          fields: {
            supply_temp_c: b.supplyC,
            return_temp_c: b.returnC,
            flow_m3h: b.flowM3h,
            heat_power_kw: b.heatKw,
          },
          time: at,
        });
      }
    }
    const rooms = withRooms ? this.rooms(at) : [];
    this.full.apply([...common, ...rooms]);
    this.partial.apply([
      ...common,
      ...rooms.filter((r) => this.partial.instrumented(r.tags.household!)),
    ]);
  }

  private rooms(at: number): Reading[] {
    this.roomCycle++;
    const out: Reading[] = [];
    let i = 0;
    for (const [sid, s] of this.model.substations) {
      for (const [bid, bs] of s.buildings) {
        for (const h of this.topology.building(bid)!.households) {
          const t = this.model.households.temperatureC(h.id, bs.indoorC)!;
          const noisy = t + 0.1 * sensorNoise(1, i++, this.roomCycle);
          out.push({
            measurement: 'room',
            tags: { substation: sid, building: bid, zone: h.zone, household: h.id },
            fields: { temp_c: Math.round(noisy * 10) / 10 },
            time: at,
          });
        }
      }
    }
    return out;
  }

  evaluate(at: number): void {
    this.full.evaluate(at);
    this.partial.evaluate(at);
  }

  truth() {
    return householdTruth(this.model);
  }
}
