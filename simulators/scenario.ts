import Type from 'typebox';
import Value from 'typebox/value';
import { LineCounter, parseDocument } from 'yaml';
import {
  type ConfigIssue,
  issueAt,
  type PathSegment,
  schemaIssues,
  UniqueIds,
} from '../src/config/issues.ts';
import { lineOf, readTextFile } from '../src/config/load.ts';
import type { Config } from '../src/config/schema.ts';
import { FaultSchema, type FaultSpec, SimulationSchema } from '../src/config/schema-simulation.ts';
import { Topology } from '../src/domain/topology.ts';
import { resolveWhen, targetProblem } from './faults.ts';

/**
 * Scenario files: the faults of a run (and optionally the weather), kept apart from
 * the network config so one network can be replayed under many scenarios:
 *
 *   weather: { meanC: -12, coldSnaps: [{ at: "+3d", until: "+5d", deltaC: -10 }] }
 *   faults:
 *     - { type: strainer-clog, substation: S01, at: "+2h" }
 *     - { type: pump-trip, pump: S13-P1, at: "+6h", until: "+8h" }
 */

export type WeatherOverrides = Partial<Config['simulation']['weather']>;

export interface Scenario {
  faults: FaultSpec[];
  weather: WeatherOverrides;
}

export type ScenarioResult =
  | { ok: true; scenario: Scenario }
  | { ok: false; issues: ConfigIssue[] };

const ScenarioSchema = Type.Object(
  {
    // Each fault is checked on its own below, against the one schema its type names.
    faults: Type.Optional(Type.Array(Type.Unknown())),
    // Partial drops the options, so unknown weather keys are refused again here.
    weather: Type.Optional(
      Type.Partial(SimulationSchema.properties.weather, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

/** Fault type → the union branch describing it. */
const BRANCHES = new Map(FaultSchema.anyOf.map((b) => [b.properties.type.const as string, b]));
const TYPE_LIST = [...BRANCHES.keys()].map((t) => JSON.stringify(t)).join(', ');
const REFERENCES = ['substation', 'pump', 'building', 'household', 'device'] as const;
type Reference = (typeof REFERENCES)[number];

/**
 * Checks one fault completely: shape, times and what it refers to. A fault naming a
 * substation that does not exist would otherwise be accepted and do nothing, and a
 * test or demo built on it would prove nothing.
 */
export class FaultChecker {
  private readonly topology: Topology;
  /** device id → the fields of its register map */
  private readonly deviceFields = new Map<string, Set<string>>();

  constructor(config: Config) {
    this.topology = new Topology(config.network);
    for (const d of config.ingest.modbus.devices) {
      const fields = config.ingest.modbus.maps[d.map] ?? [];
      this.deviceFields.set(d.id, new Set(fields.map((f) => f.field)));
    }
  }

  check(value: unknown, at: PathSegment[] = []): ConfigIssue[] {
    const shape = shapeIssues(value, at);
    if (!isRecord(value) || !BRANCHES.has(value.type as string)) return shape;
    // The other checks look only at string values, so they are safe on a malformed fault
    // and let the user see every problem of it at once.
    const reported = new Set(shape.map((i) => i.path));
    const more = [
      ...this.referenceIssues(value, at),
      ...this.targetIssues(value, at),
      ...timeIssues(value, at),
    ];
    return [...shape, ...more.filter((i) => !reported.has(i.path))];
  }

  private referenceIssues(spec: Record<string, unknown>, at: PathSegment[]): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const key of REFERENCES) {
      const id = spec[key];
      if (typeof id === 'string' && !this.exists(key, id)) {
        issues.push(issueAt([...at, key], `unknown ${key} "${id}"`));
      }
    }
    const fields = typeof spec.device === 'string' ? this.deviceFields.get(spec.device) : undefined;
    if (fields && typeof spec.field === 'string' && !fields.has(spec.field)) {
      issues.push(
        issueAt([...at, 'field'], `device "${spec.device}" has no field "${spec.field}"`),
      );
    }
    return issues;
  }

  /** Faults whose target is more than one reference: a supply stop's one-of, a zone the building has. */
  private targetIssues(spec: Record<string, unknown>, at: PathSegment[]): ConfigIssue[] {
    if (spec.type === 'supply-stop') {
      const problem = targetProblem(spec as FaultSpec);
      return problem ? [issueAt(at, problem)] : [];
    }
    if (spec.type !== 'zone-starved' || typeof spec.building !== 'string') return [];
    const building = this.topology.building(spec.building);
    if (!building || typeof spec.zone !== 'string') return [];
    if (building.zones.some((z) => z.id === spec.zone)) return [];
    return [issueAt([...at, 'zone'], `building "${spec.building}" has no zone "${spec.zone}"`)];
  }

  private exists(key: Reference, id: string): boolean {
    if (key === 'device') return this.deviceFields.has(id);
    return this.topology[key](id) !== undefined;
  }
}

/** Validates against the branch of the union the `type` names, so errors are about that fault only. */
function shapeIssues(value: unknown, at: PathSegment[]): ConfigIssue[] {
  if (!isRecord(value)) return [issueAt(at, 'must be an object')];
  const type = value.type;
  const branch = typeof type === 'string' ? BRANCHES.get(type) : undefined;
  if (!branch) {
    const message = type === undefined ? 'is required' : `must be one of ${TYPE_LIST}`;
    return [issueAt([...at, 'type'], message)];
  }
  return schemaIssues([...Value.Errors(branch, value)]).map((i) =>
    issueAt([...at, ...(i.segments ?? [])], i.message),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function timeIssues(spec: Record<string, unknown>, at: PathSegment[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of ['at', 'until'] as const) {
    const when = spec[key];
    if (typeof when !== 'string') continue;
    try {
      resolveWhen(when, 0, 0);
    } catch (err) {
      issues.push(issueAt([...at, key], (err as Error).message));
    }
  }
  return issues;
}

export function loadScenario(path: string, config: Config): ScenarioResult {
  const file = readTextFile(path);
  if ('issue' in file) return { ok: false, issues: [file.issue] };
  return parseScenario(file.text, config, path);
}

/** Every problem of a scenario at once, by path and line, as `check-config` does for configs. */
export function parseScenario(text: string, config: Config, fileName = 'scenario'): ScenarioResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => ({
      path: '',
      message: `YAML: ${e.message.split('\n')[0]}`,
      line: lineCounter.linePos(e.pos[0]).line,
      file: fileName,
    }));
    return { ok: false, issues };
  }
  const raw: unknown = doc.toJS() ?? {};
  const issues = schemaIssues([...Value.Errors(ScenarioSchema, raw)]);
  const faults = (raw as { faults?: unknown }).faults;
  if (Array.isArray(faults)) issues.push(...faultListIssues(faults, config));
  issues.push(...snapIssues(raw));
  if (issues.length === 0) {
    const { faults: list = [], weather = {} } = raw as Partial<Scenario>;
    return { ok: true, scenario: { faults: list, weather } };
  }
  for (const issue of issues) {
    issue.file = fileName;
    issue.line = lineOf(doc, lineCounter, issue.segments ?? []);
  }
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { ok: false, issues };
}

/** A cold snap's times, read as a fault's are (the schema only knows they are strings). */
function snapIssues(raw: unknown): ConfigIssue[] {
  const snaps = (raw as { weather?: { coldSnaps?: unknown } }).weather?.coldSnaps;
  if (!Array.isArray(snaps)) return [];
  return snaps.flatMap((snap, i) =>
    isRecord(snap) ? timeIssues(snap, ['weather', 'coldSnaps', i]) : [],
  );
}

function faultListIssues(faults: unknown[], config: Config): ConfigIssue[] {
  const checker = new FaultChecker(config);
  const issues: ConfigIssue[] = [];
  const ids = new UniqueIds('fault', issues);
  faults.forEach((fault, i) => {
    issues.push(...checker.check(fault, ['faults', i]));
    const id = (fault as { id?: unknown } | null)?.id;
    if (typeof id === 'string') ids.add(id, ['faults', i, 'id']);
  });
  return issues;
}

/** Scenario faults join the config's own before the Simulator is built (the model reads them once). */
export function applyScenario(config: Config, scenario: Scenario): void {
  config.simulation.faults.push(...scenario.faults);
  Object.assign(config.simulation.weather, scenario.weather);
}
