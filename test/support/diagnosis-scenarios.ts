import { type Complaint, Residents } from '../../simulators/complaints.ts';
import type { FaultSpec } from '../../simulators/faults.ts';
import type { NetworkModel } from '../../simulators/model/network-model.ts';
import type { Config } from '../../src/config/schema.ts';
import { faultKey, type Level } from '../../src/diagnosis/schemas.ts';
import { yieldToEventLoop } from './balance-harness.ts';
import { DiagnosisHarness, type Observer } from './diagnosis-harness.ts';
import { count, mergeTally, newTally, type Tally } from './diagnosis-tally.ts';

export { accuracy, formatTally } from './diagnosis-tally.ts';

/**
 * Seeded fault scenarios scored against the simulator's ground truth: each resident's
 * low-temperature call is diagnosed by both observers and its level compared with the
 * true cause of that household's temperature; each injected substation, building or
 * zone fault is timed from injection to its first confirmed finding and to its first call.
 */

export interface TrueCause {
  level: Level;
  /** The fault that caused it, if one did. */
  fault: string | null;
}
export type CauseOracle = (model: NetworkModel) => ReadonlyMap<string, TrueCause>;

export interface ScenarioSpec {
  outdoorC: number;
  seed: number;
  /** Leave the pumps at their uniform start speed (the network gradient scenario). */
  uniformPumps?: boolean;
  faults: FaultSpec[];
  /** Warm households that call about the cold anyway. */
  phantoms: string[];
  hours: number;
}

export interface Detection {
  fault: string;
  key: string;
  foundAfterMin: number | null;
  firstCallAfterMin: number | null;
}

export interface Outcome {
  full: Tally;
  partial: Tally;
  detections: { full: Detection[]; partial: Detection[] };
  /** Per fault: its callers and the distinct fault keys (level:place) their diagnoses named (all sensors). */
  grouping: Map<string, { calls: number; keys: Set<string> }>;
}

const STEP_MS = 5 * 60_000;
const CALL_STEP_MS = 10 * 60_000;

/** The place a fault's incident would name (level:place), or null for household faults. */
export function faultPlace(model: NetworkModel, spec: FaultSpec): string | null {
  const s = spec as {
    type: string;
    substation?: string;
    building?: string;
    zone?: string;
    pump?: string;
  };
  if (s.type === 'pump-trip' && s.pump)
    return `substation:${model.topology.pump(s.pump)?.substation}`;
  if (s.type === 'zone-starved') return `zone:${s.building}/${s.zone}`;
  if (s.building && (s.type === 'branch-clog' || s.type === 'supply-stop'))
    return `building:${s.building}`;
  if (s.substation && s.type !== 'household-blockage') return `substation:${s.substation}`;
  return null;
}

function track(
  observer: Observer,
  h: DiagnosisHarness,
  at: number,
  streaks: Map<string, number>,
  found: Map<string, number>,
  confirmAfter: number,
): void {
  const now = new Set(observer.findings(at, h.neighbours).map(faultKey));
  for (const key of [...streaks.keys()]) if (!now.has(key)) streaks.delete(key);
  for (const key of now) {
    const n = (streaks.get(key) ?? 0) + 1;
    streaks.set(key, n);
    if (n >= confirmAfter && !found.has(key)) found.set(key, at);
  }
}

/** Settles the pumps (unless uniform) and fills the observers' windows for 2 h. */
function warmUp(config: Config, spec: ScenarioSpec): DiagnosisHarness {
  const h = new DiagnosisHarness(config, Date.parse('2026-01-10T00:00:00Z'));
  if (!spec.uniformPumps) h.presetPumps();
  const end = h.model.timeMs + 2 * 3_600_000;
  for (let t = h.model.timeMs + STEP_MS; t <= end; t += STEP_MS) {
    h.observe(t, t % CALL_STEP_MS === 0);
    h.evaluate(t);
  }
  return h;
}

interface Run {
  h: DiagnosisHarness;
  spec: ScenarioSpec;
  causes: CauseOracle;
  injectAt: number;
  residents: Residents;
  outcome: Outcome;
  found: { full: Map<string, number>; partial: Map<string, number> };
  firstCall: Map<string, number>;
}

/** Runs one scenario: settle, warm the windows for 2 h, inject, observe `hours`. */
export async function runScenario(
  config: Config,
  spec: ScenarioSpec,
  causes: CauseOracle,
): Promise<Outcome> {
  const h = warmUp(config, spec);
  const injectAt = h.model.timeMs;
  const faults = spec.faults.map((f) => ({ spec: f, id: h.model.faults.add(f, injectAt).id }));
  const run: Run = {
    h,
    spec,
    causes,
    injectAt,
    residents: new Residents(
      { minC: config.standards.indoor.minC, coldPerHour: 0.15, warmPerHour: 0.001 },
      spec.seed,
    ),
    outcome: {
      full: newTally(),
      partial: newTally(),
      detections: { full: [], partial: [] },
      grouping: new Map(),
    },
    found: { full: new Map(), partial: new Map() },
    firstCall: new Map(),
  };
  await observeFaults(run, config.service.incidents.confirmAfter);
  for (const f of faults) detections(run, f.spec, f.id);
  return run.outcome;
}

async function observeFaults(run: Run, confirmAfter: number): Promise<void> {
  const { h } = run;
  const streaks = { full: new Map<string, number>(), partial: new Map<string, number>() };
  const end = run.injectAt + run.spec.hours * 3_600_000;
  for (let t = run.injectAt + STEP_MS; t <= end; t += STEP_MS) {
    const callRound = t % CALL_STEP_MS === 0;
    h.observe(t, callRound);
    h.evaluate(t);
    track(h.full, h, t, streaks.full, run.found.full, confirmAfter);
    track(h.partial, h, t, streaks.partial, run.found.partial, confirmAfter);
    if (callRound) call(run, t);
    // Lets vitest's RPC through between simulated hours (balance-harness.ts).
    if (t % 3_600_000 === 0) await yieldToEventLoop();
  }
}

function detections(run: Run, spec: FaultSpec, id: string): void {
  const key = faultPlace(run.h.model, spec);
  if (!key) return;
  const first = run.firstCall.get(id);
  for (const which of ['full', 'partial'] as const) {
    const at = run.found[which].get(key);
    run.outcome.detections[which].push({
      fault: `${spec.type} ${key}`,
      key,
      foundAfterMin: at === undefined ? null : (at - run.injectAt) / 60_000,
      firstCallAfterMin: first === undefined ? null : (first - run.injectAt) / 60_000,
    });
  }
}

function group(outcome: Outcome, fault: string, key: string): void {
  const g = outcome.grouping.get(fault) ?? { calls: 0, keys: new Set<string>() };
  g.calls++;
  g.keys.add(key);
  outcome.grouping.set(fault, g);
}

function call(run: Run, t: number): void {
  const { h, spec } = run;
  const temps = h.truth();
  const calls: Pick<Complaint, 'household' | 'category'>[] = run.residents.decide(
    temps,
    t,
    CALL_STEP_MS / 3_600_000,
  );
  // Phantom callers: one every 90 minutes, only while their room is really warm.
  const slot = Math.floor((t - run.injectAt) / CALL_STEP_MS);
  const phantom = spec.phantoms[slot % 9 === 4 ? Math.floor(slot / 9) : -1];
  const minC = h.config.standards.indoor.minC;
  if (phantom && (temps.find((x) => x.id === phantom)?.tempC ?? 0) >= minC + 1) {
    calls.push({ household: phantom, category: 'low-temperature' });
  }
  if (calls.length === 0) return;
  const truth = run.causes(h.model);
  for (const c of calls) {
    if (c.category !== 'low-temperature' && c.category !== 'no-heat') continue;
    const cause = truth.get(c.household) ?? { level: 'none', fault: null };
    if (cause.fault && !run.firstCall.has(cause.fault)) run.firstCall.set(cause.fault, t);
    const full = h.full.diagnose(c.household, c.category, t, h.neighbours);
    const partial = h.partial.diagnose(c.household, c.category, t, h.neighbours);
    if (cause.fault) group(run.outcome, `${cause.fault} ${cause.level}`, faultKey(full));
    count(run.outcome.full, cause.level, full.level, full.confidence);
    count(run.outcome.partial, cause.level, partial.level, partial.confidence);
  }
}

/** Faults at every level, each on its own substation, with pumps preset near balance. */
export function faultScenario(outdoorC: number, seed: number): ScenarioSpec {
  return {
    outdoorC,
    seed,
    hours: 20,
    faults: [
      { type: 'household-blockage', household: 'S01-B2-0702' },
      { type: 'household-blockage', household: 'S16-B1-0301' },
      { type: 'air-lock', household: 'S12-B1-0502' },
      { type: 'air-lock', household: 'S17-B1-0401' },
      { type: 'branch-clog', building: 'S02-B4' },
      { type: 'strainer-clog', substation: 'S05' },
      { type: 'hx-fouling', substation: 'S06', severity: 0.8 },
      { type: 'pump-trip', pump: 'S07-P1' },
      { type: 'leak', substation: 'S08', m3h: 3 },
      { type: 'supply-stop', building: 'S09-B3' },
      { type: 'supply-stop', substation: 'S10' },
      { type: 'zone-starved', building: 'S03-B1', zone: 'high' },
      { type: 'zone-starved', building: 'S18-B1', zone: 'low' },
    ],
    phantoms: ['S13-B1-0302', 'S14-B1-0402', 'S15-B1-0502', 'S11-B1-0201'],
  };
}

/** No fault: pumps at their uniform start speed, so the far end runs short (the gradient). */
export const gradientScenario = (outdoorC: number, seed: number): ScenarioSpec => ({
  outdoorC,
  seed,
  hours: 12,
  uniformPumps: true,
  faults: [],
  phantoms: ['S01-B1-0201', 'S12-B1-0302'],
});

export interface Verification {
  full: Tally;
  partial: Tally;
  detections: Detection[];
  partialDetections: Detection[];
  /** "seed 1 pump-trip-6 substation: 41 calls → 1 fault key" */
  grouping: { line: string; calls: number; keys: number; level: string }[];
}

/** Both scenarios at one outdoor temperature for each seed, tallied together. */
export async function verifyAt(
  configOf: (outdoorC: number, seed: number) => Config,
  outdoorC: number,
  seeds: number[],
  causes: CauseOracle,
): Promise<Verification> {
  const out: Verification = {
    full: newTally(),
    partial: newTally(),
    detections: [],
    partialDetections: [],
    grouping: [],
  };
  for (const seed of seeds) {
    for (const spec of [faultScenario(outdoorC, seed), gradientScenario(outdoorC, seed)]) {
      const o = await runScenario(configOf(outdoorC, seed), spec, causes);
      mergeTally(out.full, o.full);
      mergeTally(out.partial, o.partial);
      out.detections.push(...o.detections.full);
      out.partialDetections.push(...o.detections.partial);
      for (const [fault, g] of o.grouping) {
        const line = `seed ${seed} ${fault}: ${g.calls} calls → ${g.keys.size} fault key(s) ${[...g.keys].join(', ')}`;
        out.grouping.push({ line, calls: g.calls, keys: g.keys.size, level: fault.split(' ')[1]! });
      }
    }
  }
  return out;
}

/** Share of faults whose confirmed finding came before the first call (or with no call at all). */
export function foundFirst(ds: readonly Detection[]): {
  first: number;
  total: number;
  lines: string[];
} {
  let first = 0;
  const lines = ds.map((d) => {
    const before =
      d.foundAfterMin !== null &&
      (d.firstCallAfterMin === null || d.foundAfterMin < d.firstCallAfterMin);
    if (before) first++;
    return `${d.fault}: finding after ${d.foundAfterMin ?? '—'} min, first call after ${d.firstCallAfterMin ?? '—'} min${before ? '  ✓ found first' : ''}`;
  });
  return { first, total: ds.length, lines };
}
