import { finiteResult } from '../balance/finite.ts';
import type { BalanceResult, SubstationBalance } from '../balance/types.ts';
import { pumpDrives } from '../config/pump-drives.ts';
import type { Config } from '../config/schema.ts';
import type { Substation, Topology } from '../domain/topology.ts';
import type { DeviceHealth } from '../ingest/modbus/health.ts';
import type { FieldSample, LiveState } from '../state/live-state.ts';
import type {
  BuildingView,
  DeviceStateView,
  Sample,
  SubstationDetail,
  SubstationSummary,
} from './schemas.ts';
import type { BalanceResultView } from './schemas-balance.ts';

/** What the substation views read; the composition root supplies it. */
export interface NetworkViewSource {
  config: Config;
  topology: Topology;
  state: LiveState;
  devices: () => readonly DeviceHealth[];
  now: () => number;
  /** Clock seconds per real second (a simulated clock runs faster); scales staleness. */
  clockRate: number;
  /** The balancing engine's latest evaluation, if any. */
  balance?: () => BalanceResult;
}

/** Epoch ms as the API shows times (DESIGN §3: ISO strings exist only in views). */
export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

function samples(fields: Map<string, FieldSample>, now: number): Record<string, Sample> {
  const out: Record<string, Sample> = {};
  for (const [field, s] of [...fields].sort(([a], [b]) => a.localeCompare(b))) {
    out[field] = {
      value: s.value,
      time: iso(s.time),
      ageS: Math.max(0, Math.round((now - s.time) / 100) / 10),
    };
  }
  return out;
}

function deviceView(h: DeviceHealth): DeviceStateView {
  return {
    id: h.id,
    state: h.state,
    lastSuccessAt: isoOrNull(h.lastSuccessAt),
    lastError: h.lastError,
  };
}

/** Devices by substation and pump, looked up once per request rather than per substation. */
export interface DeviceIndex {
  health: Map<string, DeviceHealth[]>;
  vfdOfPump: Map<string, string>;
  staleAfterMs: Map<string, number>;
  balance: Map<string, SubstationBalance>;
}

export function deviceIndex(src: NetworkViewSource): DeviceIndex {
  const { devices, defaults } = src.config.ingest.modbus;
  const health = new Map<string, DeviceHealth[]>();
  for (const h of src.devices()) health.set(h.substation, [...(health.get(h.substation) ?? []), h]);
  const vfdOfPump = new Map<string, string>();
  for (const [pump, d] of pumpDrives(src.config.ingest.modbus)) vfdOfPump.set(pump, d.id);
  const slowest = new Map<string, number>();
  for (const d of devices) {
    const interval = d.intervalMs ?? defaults.intervalMs;
    slowest.set(d.substation, Math.max(slowest.get(d.substation) ?? defaults.intervalMs, interval));
  }
  // Stale after three of the slowest poll intervals. Intervals are real time; on a
  // faster (simulated) clock they span more of it.
  const staleAfterMs = new Map<string, number>();
  for (const [id, ms] of slowest) staleAfterMs.set(id, 3 * ms * src.clockRate);
  const balance = new Map(src.balance?.().substations.map((b) => [b.id, b]));
  return { health, vfdOfPump, staleAfterMs, balance };
}

export function substationSummary(
  src: NetworkViewSource,
  s: Substation,
  index: DeviceIndex = deviceIndex(src),
): SubstationSummary {
  const now = src.now();
  const readings = src.state.latest('substation', 'substation', s.id);
  let updatedAt: number | null = null;
  for (const sample of readings.values()) updatedAt = Math.max(updatedAt ?? 0, sample.time);
  const health = index.health.get(s.id) ?? [];
  const staleAfter =
    index.staleAfterMs.get(s.id) ??
    3 * src.config.ingest.modbus.defaults.intervalMs * src.clockRate;
  return {
    id: s.id,
    name: s.name ?? null,
    source: s.source,
    branch: s.branch,
    distanceM: s.distanceM,
    heatedAreaM2: s.heatedAreaM2,
    buildings: s.buildings.length,
    households: s.buildings.reduce((n, b) => n + b.households.length, 0),
    updatedAt: isoOrNull(updatedAt),
    stale: updatedAt === null || now - updatedAt > staleAfter,
    readings: samples(readings, now),
    pumps: s.pumps.map((p) => {
      const vfd = index.vfdOfPump.get(p.id);
      const device = health.find((h) => h.id === vfd);
      return {
        id: p.id,
        minHz: p.minHz,
        maxHz: p.maxHz,
        readings: samples(src.state.latest('pump', 'pump', p.id), now),
        device: device ? deviceView(device) : null,
      };
    }),
    devices: health.map(deviceView),
    balance: balanceView(index.balance.get(s.id)),
  };
}

function balanceView(b: SubstationBalance | undefined): SubstationSummary['balance'] {
  if (!b)
    return {
      status: 'no-data',
      position: null,
      flag: null,
      anomaly: null,
      deviationC: null,
      flowRatio: null,
      recommendedHz: null,
    };
  return {
    status: b.status,
    position: b.position,
    flag: b.flag,
    anomaly: b.anomaly?.cause ?? null,
    deviationC: b.deviationC,
    flowRatio: b.flowRatio,
    recommendedHz: b.recommendation?.targetHz ?? null,
  };
}

/**
 * The latest evaluation as `GET /api/balance` shows it. A non-finite number nulls its
 * own field (the station names it in `invalidFields`) rather than failing the response:
 * the serializer would refuse the whole body.
 */
export function balanceResultView(r: BalanceResult): BalanceResultView {
  const clean = finiteResult(r);
  return { ...clean, evaluatedAt: iso(clean.evaluatedAt) };
}

export function substationDetail(src: NetworkViewSource, s: Substation): SubstationDetail {
  const buildingList: BuildingView[] = s.buildings.map((b) => ({
    id: b.id,
    floors: b.floors,
    households: b.households.length,
    areaM2: b.areaM2,
    zones: b.zones.map((z) => ({
      id: z.id,
      floors: z.floors,
      households: b.households.filter((h) => h.zone === z.id).length,
    })),
  }));
  return { ...substationSummary(src, s, deviceIndex(src)), buildingList };
}
