import type { Config } from '../../src/config/schema.ts';
import { type HeatingCurve, heatingCurve } from '../../src/domain/heating-curve.ts';
import { Topology } from '../../src/domain/topology.ts';
import { FaultBook } from '../faults.ts';
import { createRng } from '../rng.ts';
import { designNetwork, type SubstationDesign } from './design.ts';
import { Households } from './households.ts';
import {
  type HydraulicBranch,
  type HydraulicState,
  type HydraulicSubstation,
  solveHydraulics,
} from './hydraulics.ts';
import { capacityRate, counterFlowEffectiveness, lag, radiator } from './physics.ts';
import { PumpDrive } from './pump.ts';
import { SupplyHistory } from './supply-history.ts';
import { Weather } from './weather.ts';

/** Building thermal time constant (heavy Chinese residential blocks: about a day). */
const BUILDING_TAU_S = 16 * 3600;
/** Water velocity in the mains, for the transport delay of supply temperature. */
const MAIN_VELOCITY_M_S = 1.0;
/** Heat loss of the supply main, K per km. */
const MAIN_LOSS_K_PER_KM = 0.15;
/** Resistance factor of a substation whose supply is stopped (valves shut): flow ≈ 0. */
const STOPPED_RESISTANCE_FACTOR = 1e6;
/** Leak-free make-up water of a substation, m³/h. */
export const BASE_MAKEUP_M3H = 0.05;

export interface SubstationState {
  primaryFlowM3h: number;
  availableKpa: number;
  primarySupplyC: number;
  primaryReturnC: number;
  secondarySupplyC: number;
  secondaryReturnC: number;
  secondaryFlowM3h: number;
  heatKw: number;
  energyGj: number;
  makeupM3h: number;
  buildings: Map<string, BuildingState>;
}

export interface BuildingState {
  indoorC: number;
  flowM3h: number;
  supplyC: number;
  returnC: number;
  heatKw: number;
}

/**
 * The simulated network: hydraulics, heat transfer, buildings and households,
 * stepped in fixed simulated time steps. Pure of I/O and of the wall clock: time is
 * what `advanceTo` is given, so tests can run days in milliseconds and the same
 * seed gives the same state at the same simulated time.
 */
export class NetworkModel {
  readonly topology: Topology;
  readonly faults: FaultBook;
  readonly weather: Weather;
  readonly households: Households;
  readonly designs: Map<string, SubstationDesign>;
  readonly pumps = new Map<string, PumpDrive>();
  readonly substations = new Map<string, SubstationState>();
  private readonly branches: HydraulicBranch[];
  private readonly hydraulicParams = new Map<string, HydraulicSubstation>();
  private readonly curve: HeatingCurve;
  private readonly supplyHistory: SupplyHistory;
  private readonly stepMs: number;
  private hydraulics: HydraulicState | undefined;
  private sourceDp = new Map<string, number>();
  /** The dispatcher's offset to the plant's heating curve, K. */
  supplyOffsetC = 0;
  timeMs: number;

  constructor(
    readonly config: Config,
    startMs: number,
  ) {
    const sim = config.simulation;
    this.timeMs = startMs;
    this.stepMs = sim.stepS * 1000;
    this.topology = new Topology(config.network);
    this.faults = new FaultBook(startMs);
    for (const spec of sim.faults) this.faults.add(spec, startMs);
    this.weather = new Weather(sim.weather, sim.seed, undefined, startMs);
    const design = designNetwork(config, this.topology);
    this.designs = design.substations;
    this.branches = design.branches;
    for (const b of this.branches) for (const h of b.substations) this.hydraulicParams.set(h.id, h);
    const d = config.network.design;
    this.curve = {
      supplyNomC: d.primary.supplyC,
      returnNomC: d.primary.returnC,
      indoorNomC: d.indoorC,
      outdoorNomC: d.outdoorC,
    };
    for (const s of config.network.sources)
      this.sourceDp.set(s.id, s.differentialPressureMpa * 1000);
    for (const s of this.topology.substations) {
      for (const p of s.pumps) this.pumps.set(p.id, new PumpDrive(p, sim.pumpStartHz));
    }
    this.households = new Households(this.topology, createRng(sim.seed));
    this.supplyHistory = new SupplyHistory(this.plantSupplyC(startMs));
    this.initialise();
  }

  /** Steps the model in fixed steps up to `timeMs` (never backwards). */
  advanceTo(timeMs: number): void {
    while (this.timeMs + this.stepMs <= timeMs) this.step(this.stepMs / 1000);
  }

  outdoorC(timeMs = this.timeMs): number {
    return this.weather.outdoorC(timeMs);
  }

  /** Plant supply temperature by the primary heating curve (plus a dispatcher's offset). */
  plantSupplyC(timeMs = this.timeMs): number {
    return heatingCurve(this.curve, this.outdoorC(timeMs)).supplyC + this.supplyOffsetC;
  }

  setSourceDifferentialPressure(source: string, kpa: number): void {
    this.sourceDp.set(source, kpa);
  }

  setSupplyOffset(kelvin: number): void {
    this.supplyOffsetC = kelvin;
  }

  /** Head a substation's pump adds at `speedHz` and `flowM3h`, by its curve (kPa). */
  pumpHeadKpa(substation: string, speedHz: number, flowM3h: number): number {
    const h = this.hydraulicParams.get(substation);
    if (!h) return 0;
    const head = h.pumpHeadKpa * (speedHz / h.ratedHz) ** 2 - h.pumpResistance * flowM3h ** 2;
    return Math.max(0, head);
  }

  hydraulicState(): HydraulicState {
    return this.hydraulics ?? this.solve();
  }

  /** One step of `dtS` seconds: pumps ramp, hydraulics settle, heat flows, rooms drift. */
  step(dtS: number): void {
    this.timeMs += dtS * 1000;
    for (const [id, pump] of this.pumps)
      pump.step(
        dtS,
        this.faults.of('pump-trip', this.timeMs).find((f) => f.spec.pump === id),
      );
    this.supplyHistory.record(this.timeMs, this.plantSupplyC());
    this.solve();
    const outdoor = this.outdoorC();
    for (const [id, state] of this.substations) this.stepSubstation(id, state, outdoor, dtS);
    this.households.step(dtS, this.timeMs, this.faults, {
      outdoorC: outdoor,
      buildingC: (id) => this.buildingIndoorC(id),
    });
  }

  /** Indoor temperature of a building (NaN for an unknown one). */
  buildingIndoorC(building: string): number {
    const substation = this.topology.building(building)?.substation ?? '';
    return this.substations.get(substation)?.buildings.get(building)?.indoorC ?? Number.NaN;
  }

  private initialise(): void {
    const outdoor = this.outdoorC();
    this.solve();
    for (const [id, design] of this.designs) {
      const buildings = new Map<string, BuildingState>();
      for (const b of design.buildings) {
        buildings.set(b.building.id, {
          indoorC: this.config.network.design.indoorC,
          flowM3h: 0,
          supplyC: 0,
          returnC: 0,
          heatKw: 0,
        });
      }
      const state: SubstationState = {
        primaryFlowM3h: 0,
        availableKpa: 0,
        primarySupplyC: this.plantSupplyC(),
        primaryReturnC: 0,
        secondarySupplyC: 50,
        secondaryReturnC: 40,
        secondaryFlowM3h: design.secondaryFlowM3h,
        heatKw: 0,
        energyGj: 1000 + (design.designKw * 7 * 24 * 3600) / 1e6,
        makeupM3h: BASE_MAKEUP_M3H,
        buildings,
      };
      this.substations.set(id, state);
      // Start near the thermal steady state of the current settings, not at a flat 20 °C.
      for (let i = 0; i < 6; i++) this.stepSubstation(id, state, outdoor, BUILDING_TAU_S);
    }
  }

  private solve(): HydraulicState {
    // Inputs fixed for this solve, looked up once: the solver asks for them hundreds of times.
    const speed = new Map<string, number>();
    for (const s of this.topology.substations) {
      speed.set(s.id, Math.max(0, ...s.pumps.map((p) => this.pumps.get(p.id)?.hz ?? 0)));
    }
    const clog = new Map<string, number>();
    for (const f of this.faults.of('strainer-clog', this.timeMs)) {
      clog.set(f.spec.substation, (clog.get(f.spec.substation) ?? 1) * (f.spec.factor ?? 8));
    }
    for (const { spec } of this.faults.of('supply-stop', this.timeMs))
      if (spec.substation !== undefined) clog.set(spec.substation, STOPPED_RESISTANCE_FACTOR);
    this.hydraulics = solveHydraulics(
      this.branches,
      {
        speedHz: (id) => speed.get(id) ?? 0,
        resistanceFactor: (id) => clog.get(id) ?? 1,
        sourceDpKpa: (source) => this.sourceDp.get(source) ?? 0,
      },
      this.hydraulics,
    );
    return this.hydraulics;
  }

  private stepSubstation(id: string, state: SubstationState, outdoorC: number, dtS: number): void {
    const design = this.designs.get(id)!;
    const sub = design.substation;
    const hyd = this.hydraulics!;
    state.primaryFlowM3h = hyd.flowM3h.get(id) ?? 0;
    state.availableKpa = hyd.availableKpa.get(id) ?? 0;
    const delayMs = (sub.distanceM / MAIN_VELOCITY_M_S) * 1000;
    state.primarySupplyC =
      this.supplyHistory.at(this.timeMs - delayMs) - (MAIN_LOSS_K_PER_KM * sub.distanceM) / 1000;
    const fouling = this.faults.of('hx-fouling', this.timeMs).find((f) => f.spec.substation === id);
    // A stopped supply passes no heat at all, not the trickle the huge resistance still lets by.
    const ua = this.faults.supplyStopped(this.timeMs, { substation: id })
      ? 0
      : design.hxUaKwPerK * (1 - (fouling?.spec.severity ?? 0));
    const leak = this.faults.of('leak', this.timeMs).filter((f) => f.spec.substation === id);
    state.makeupM3h = BASE_MAKEUP_M3H + leak.reduce((sum, f) => sum + (f.spec.m3h ?? 1.5), 0);
    this.transferHeat(design, state, ua);
    for (const b of design.buildings) {
      const bs = state.buildings.get(b.building.id)!;
      const equilibrium = outdoorC + (bs.heatKw + b.gainsKw) / b.uaKwPerK;
      bs.indoorC = lag(bs.indoorC, equilibrium, dtS, BUILDING_TAU_S);
    }
    state.energyGj += (state.heatKw * dtS) / 1e6;
  }

  /**
   * Quasi-static heat transfer (water settles in minutes, rooms in hours): exchanger
   * by ε-NTU, radiators by their 1.3 exponent, secondary return as the flow-weighted
   * mix of the buildings' returns, iterated to agreement.
   */
  private transferHeat(design: SubstationDesign, state: SubstationState, uaKwPerK: number): void {
    const d = this.config.network.design;
    const excess = (d.secondary.supplyC + d.secondary.returnC) / 2 - d.indoorC;
    const cP = capacityRate(state.primaryFlowM3h);
    const shares = design.buildings.map(
      (b) => b.flowShare * this.faults.branchFactor(this.timeMs, b.building.id),
    );
    // A clogged branch lowers the loop's total flow a little and its own share a lot.
    const loopFlow = design.secondaryFlowM3h * (0.7 + 0.3 * shares.reduce((a, b) => a + b, 0));
    const shareSum = shares.reduce((a, b) => a + b, 0) || 1;
    state.secondaryFlowM3h = loopFlow;
    const cS = capacityRate(loopFlow);
    let returnC = state.secondaryReturnC;
    let heat = 0;
    // Fixed for this call: the exchanger's effectiveness and each building's state and flow.
    const eps = counterFlowEffectiveness(uaKwPerK, cP, cS);
    const buildings = design.buildings.map((b, k) => {
      const bs = state.buildings.get(b.building.id)!;
      bs.flowM3h = (loopFlow * shares[k]!) / shareSum;
      return { b, bs };
    });
    for (let i = 0; i < 12; i++) {
      heat = Math.max(0, eps * Math.min(cP, cS) * (state.primarySupplyC - returnC));
      const supplyC = returnC + (cS > 0 ? heat / cS : 0);
      let mixed = 0;
      for (const { b, bs } of buildings) {
        // The last return is only a guess that speeds the solver; it never changes its answer.
        const r = radiator(supplyC, bs.flowM3h, bs.indoorC, b.designKw, excess, 1.3, bs.returnC);
        bs.supplyC = supplyC;
        bs.returnC = r.returnC;
        bs.heatKw = r.heatKw;
        mixed += bs.flowM3h * r.returnC;
      }
      const next = loopFlow > 0 ? mixed / loopFlow : returnC;
      state.secondarySupplyC = supplyC;
      if (Math.abs(next - returnC) < 1e-4) {
        returnC = next;
        break;
      }
      returnC = 0.5 * returnC + 0.5 * next;
    }
    state.secondaryReturnC = returnC;
    state.heatKw = heat;
    state.primaryReturnC = cP > 0 ? state.primarySupplyC - heat / cP : returnC;
  }
}
