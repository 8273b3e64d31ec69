/**
 * What the balancing engine reads and what it answers (DESIGN §4.3 `GET /api/balance`).
 * The engine is pure: everything it knows arrives in a `BalanceInput`, time included.
 * What it answers per station is derived from the schemas the API serves (schemas.ts).
 */

import type { Static } from 'typebox';
import type {
  AnomalyCauseSchema,
  AnomalySchema,
  BalanceFlagSchema,
  BalanceStatusSchema,
  NetworkAdviceSchema,
  PositionSchema,
  RecommendationSchema,
  StatusBasisSchema,
  SubstationBalanceSchema,
} from './schemas.ts';

export type Position = Static<typeof PositionSchema>;
export type BalanceStatus = Static<typeof BalanceStatusSchema>;
export type BalanceFlag = Static<typeof BalanceFlagSchema>;
/** What a station's status was decided from. */
export type StatusBasis = Static<typeof StatusBasisSchema>;
/** Likely causes of a station that breaks the network's gradient. */
export type AnomalyCause = Static<typeof AnomalyCauseSchema>;

/** Window means of one substation's PLC fields; null = missing or stale. */
export interface SubstationSignals {
  primarySupplyC: number | null;
  primaryReturnC: number | null;
  primaryFlowM3h: number | null;
  primaryDpMpa: number | null;
  secondarySupplyC: number | null;
  secondaryReturnC: number | null;
  heatPowerKw: number | null;
  makeupM3h: number | null;
}

export interface PumpSignals {
  id: string;
  minHz: number;
  maxHz: number;
  maxStepHz: number;
  ratedHz: number;
  /** Latest actual speed; null = unknown. */
  hz: number | null;
  setpointHz: number | null;
  running: boolean | null;
  faultCode: number | null;
  /** The VFD answers its polls (device up). */
  healthy: boolean;
}

export interface RoomSignals {
  households: number;
  /** Households whose sensor reported within the window. */
  reporting: number;
  /** Area-weighted mean of the reporting households' window means, outliers left out. */
  meanC: number | null;
  /** Share of reporting households whose window mean is below standards.indoor.minC. */
  coldShare: number | null;
  /** Reporting households left out of meanC and coldShare as outliers (robust.ts). */
  outliers?: number;
  /** Households whose sensor reads far from its zone neighbours for the whole window. */
  suspect?: string[];
}

export interface SubstationInput {
  id: string;
  source: string;
  branch: string;
  distanceM: number;
  heatedAreaM2: number;
  /** Design primary flow, m³/h (configured, or from area × design load / design ΔT). */
  designFlowM3h: number;
  signals: SubstationSignals;
  pumps: PumpSignals[];
  rooms: RoomSignals;
  /**
   * A pump setpoint changed less than `balance.settleMin` ago: the water side has
   * not settled at the new setting, so no further recommendation yet.
   */
  settling: boolean;
}

export interface BalanceInput {
  at: number;
  /** Window mean of the weather stations; null = no fresh weather. */
  outdoorC: number | null;
  substations: SubstationInput[];
}

export type Recommendation = Static<typeof RecommendationSchema>;
export type Anomaly = Static<typeof AnomalySchema>;
/** One station's evaluation; the fields are described in its schema (schemas.ts). */
export type SubstationBalance = Static<typeof SubstationBalanceSchema>;
export type NetworkAdvice = Static<typeof NetworkAdviceSchema>;

export interface BalanceResult {
  /** Epoch ms (BalanceInput.at); views and payloads format it. */
  evaluatedAt: number;
  outdoorTempC: number | null;
  gradient: { slopeCPerKm: number | null; r2: number | null; stations: number };
  counts: Record<BalanceStatus, number>;
  substations: SubstationBalance[];
  network: NetworkAdvice[];
}

/** What one evaluation carries over to the next (hysteresis and persistence). */
export interface StationMemory {
  status: BalanceStatus;
  candidate: BalanceStatus;
  streak: number;
}
export type BalanceMemory = ReadonlyMap<string, StationMemory>;
