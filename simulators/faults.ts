import type { FaultSpec } from '../src/config/schema-simulation.ts';

export type { FaultSpec };
export type FaultType = FaultSpec['type'];

/**
 * Faults the simulator can inject, from a scenario file, the config's
 * `simulation.faults` or at runtime over the ground-truth endpoint. Physical faults
 * change the model (a clogged strainer adds resistance, a fouled exchanger loses
 * UA …); wire faults change only what a device answers, as a broken sensor or a
 * sick PLC would.
 */

export interface ActiveFault {
  id: string;
  spec: FaultSpec;
  fromMs: number;
  untilMs: number;
}

const UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "+90m" → start + 90 min; an ISO time → that time; undefined → `fallback`. */
export function resolveWhen(when: string | undefined, startMs: number, fallback: number): number {
  if (when === undefined) return fallback;
  const rel = /^\+(\d+(?:\.\d+)?)([smhd])$/.exec(when.trim());
  if (rel) return startMs + Number(rel[1]) * UNITS_MS[rel[2]!]!;
  const abs = Date.parse(when);
  if (Number.isNaN(abs)) throw new Error(`"${when}": expected +N[smhd] or an ISO time`);
  return abs;
}

/**
 * What is wrong with a fault's target beyond its schema, or undefined: a supply stop
 * names exactly one of a building or a substation (the schema cannot say "one of").
 */
export function targetProblem(spec: FaultSpec): string | undefined {
  if (spec.type !== 'supply-stop') return undefined;
  const given = (spec.building === undefined ? 0 : 1) + (spec.substation === undefined ? 0 : 1);
  return given === 1 ? undefined : 'give exactly one of building or substation';
}

/** The faults of a run, and what they do at a given time. */
export class FaultBook {
  private readonly faults: ActiveFault[] = [];
  private counter = 0;
  /**
   * `of`'s answers at one time, until the time or the list changes: the model asks per
   * building and step (50,000 buildings at scale), and the answer is the same each time.
   */
  private memo = { nowMs: Number.NaN, byType: new Map<FaultType, readonly ActiveFault[]>() };

  constructor(private readonly startMs: number) {}

  add(spec: FaultSpec, nowMs = this.startMs): ActiveFault {
    const problem = targetProblem(spec);
    if (problem) throw new Error(`${spec.type}: ${problem}`);
    const fault: ActiveFault = {
      id: spec.id ?? `${spec.type}-${++this.counter}`,
      spec,
      fromMs: resolveWhen(spec.at, this.startMs, nowMs),
      untilMs: resolveWhen(spec.until, this.startMs, Number.POSITIVE_INFINITY),
    };
    this.faults.push(fault);
    this.memo.byType.clear();
    return fault;
  }

  /** Ends a fault now (it stays in the list as history). Returns false for an unknown id. */
  clear(id: string, nowMs: number): boolean {
    const fault = this.faults.find((f) => f.id === id && f.untilMs > nowMs);
    if (!fault) return false;
    fault.untilMs = nowMs;
    this.memo.byType.clear();
    return true;
  }

  active(nowMs: number): ActiveFault[] {
    return this.faults.filter((f) => f.fromMs <= nowMs && nowMs < f.untilMs);
  }

  all(): readonly ActiveFault[] {
    return this.faults;
  }

  /** Whether heat to a substation, or to a building, is stopped at `nowMs`. */
  supplyStopped(nowMs: number, where: { substation: string } | { building: string }): boolean {
    return this.of('supply-stop', nowMs).some((f) =>
      'building' in where
        ? f.spec.building === where.building
        : f.spec.substation === where.substation,
    );
  }

  /** Share of its design flow a building's branch keeps: 0 when its supply is stopped. */
  branchFactor(nowMs: number, building: string): number {
    if (this.supplyStopped(nowMs, { building })) return 0;
    return this.of('branch-clog', nowMs)
      .filter((f) => f.spec.building === building)
      .reduce((k, f) => k * (f.spec.factor ?? 0.3), 1);
  }

  /** Active faults of one type, narrowed (a shared answer: do not change it). */
  of<T extends FaultType>(
    type: T,
    nowMs: number,
  ): readonly (ActiveFault & { spec: Extract<FaultSpec, { type: T }> })[] {
    if (this.memo.nowMs !== nowMs) this.memo = { nowMs, byType: new Map() };
    let list = this.memo.byType.get(type);
    if (list === undefined) {
      list = this.active(nowMs).filter((f) => f.spec.type === type);
      this.memo.byType.set(type, list);
    }
    return list as readonly (ActiveFault & { spec: Extract<FaultSpec, { type: T }> })[];
  }
}
