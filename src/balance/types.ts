/**
 * What the balancing engine reads and what it answers (DESIGN §4.3 `GET /api/balance`).
 * The engine is pure: everything it knows arrives in a `BalanceInput`, time included.
 */

export type Position = 'near' | 'middle' | 'far';
export type BalanceStatus = 'overheating' | 'underheating' | 'normal' | 'no-data';
export type BalanceFlag = 'near-end-overheating' | 'far-end-underheating';

/** What a station's status was decided from. */
export type StatusBasis = 'rooms' | 'hydraulic' | 'none';

/** Likely causes of a station that breaks the network's gradient. */
export type AnomalyCause =
  | 'pump-stopped'
  | 'pump-fault'
  | 'flow-restriction'
  | 'heat-exchanger'
  | 'leak'
  | 'building-side'
  | 'excess-flow'
  | 'unknown';

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
  /** Area-weighted mean of the reporting households' window means. */
  meanC: number | null;
  /** Share of reporting households whose window mean is below standards.indoor.minC. */
  coldShare: number | null;
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

export interface Recommendation {
  pump: string;
  action: 'raise' | 'lower' | 'hold';
  currentHz: number;
  targetHz: number;
  /** Flow ratio expected after the change (affinity law Q ∝ n). */
  expectedFlowRatio: number;
  /** The pump is at its limit and cannot do what the station needs. */
  limitedBy: 'maxHz' | 'minHz' | 'maxStep' | null;
  reason: string;
}

export interface Anomaly {
  cause: AnomalyCause;
  evidence: string[];
}

export interface SubstationBalance {
  id: string;
  branch: string;
  distanceM: number;
  position: Position;
  status: BalanceStatus;
  /** The status the station's own signals give now, before persistence. */
  rawStatus: BalanceStatus;
  basis: StatusBasis;
  flag: BalanceFlag | null;
  anomaly: Anomaly | null;
  /** Mean secondary temperature minus the heating curve's mean, K. */
  deviationC: number | null;
  referenceSupplyC: number | null;
  referenceReturnC: number | null;
  flowRatio: number | null;
  /** Indoor temperature the secondary water temperatures lead to at steady state. */
  equilibriumIndoorC: number | null;
  indoorMeanC: number | null;
  coldShare: number | null;
  roomsReporting: number;
  /** Specific heat use over design at today's degree-days (1 = as designed). */
  heatIndex: number | null;
  recommendation: Recommendation | null;
}

export interface NetworkAdvice {
  action: 'raise-plant-differential-pressure' | 'raise-supply-temperature';
  substations: string[];
  reason: string;
}

export interface BalanceResult {
  evaluatedAt: string;
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
