import type { NetworkAdvice, SubstationBalance } from '../balance/types.ts';
import type { Config } from '../config/schema.ts';
import type { Topology } from '../domain/topology.ts';

/**
 * What diagnosis reads, as plain data behind lookups: the live context answers them from
 * the latest readings (src/complaints/context.ts), the verification harness from the
 * simulator. Lookups rather than copies because one complaint needs a few dozen rooms,
 * while the network-wide sweep walks every building once.
 */

export type DiagnosisSettings = Config['service']['diagnosis'];

/** A room sensor's latest reading. */
export interface RoomReading {
  household: string;
  /** The household's zone, as the MQTT router tags it; looked up in the topology when absent. */
  zone?: string;
  tempC: number;
  /** Epoch ms. */
  at: number;
}

/** A room reading's parts (see RoomReading), for views that visit every household. */
export type RoomVisitor = (
  household: string,
  zone: string | undefined,
  tempC: number,
  at: number,
) => void;

/** A building heat meter's latest reading (measurement `building`). */
export interface MeterReading {
  supplyC: number | null;
  returnC: number | null;
  flowM3h: number | null;
  heatKw: number | null;
  at: number;
}

/** A substation PLC's latest primary-side reading (measurement `substation`). */
export interface PlcReading {
  primaryFlowM3h: number | null;
  heatPowerKw: number | null;
  at: number;
}

export interface DiagnosisView {
  /** Service clock (epoch ms): staleness is judged against it. */
  at: number;
  topology: Topology;
  settings: DiagnosisSettings;
  /** standards.indoor.minC: below it a room is cold. */
  minC: number;
  /** standards.indoor.targetC: a building's shortfall is measured from it. */
  targetC: number;
  /** balance.thresholds.flowRatioLow: below it a station is short of flow. */
  flowRatioLow: number;
  /** The rooms of a building that have reported (any age; diagnosis judges staleness). */
  rooms(building: string): readonly RoomReading[];
  /** The same rooms, in the same order, handed over one by one without an object each. */
  eachRoom(building: string, visit: RoomVisitor): void;
  meter(building: string): MeterReading | undefined;
  plc(substation: string): PlcReading | undefined;
  /** The latest evaluation's view of a substation; undefined before the first one. */
  station(substation: string): SubstationBalance | undefined;
  /** When the latest evaluation ran (epoch ms); null before the first one. */
  evaluatedAt: number | null;
  network: readonly NetworkAdvice[];
}
