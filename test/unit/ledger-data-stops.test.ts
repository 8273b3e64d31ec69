import { describe, expect, it } from 'vitest';
import {
  classify,
  EMPTY_WATCH,
  type FlowPhase,
  onIncidentEnded,
  onIncidentOpened,
  onSample,
  type PlaceWatch,
  type StopChange,
  type StopRules,
} from '../../src/service/ledger-data-stops.ts';

/* Heat stops from a meter's samples and from incidents (issue 11 item 3), as a pure machine. */

const MIN = 60_000;
const T0 = Date.parse('2026-01-10T00:00:00Z');
const RULES: StopRules = { offShare: 0.05, onShare: 0.15, minOffMs: 30 * MIN, minOnMs: 20 * MIN };
const DESIGN = { flowM3h: 100, heatKw: 1000 };

let ids = 0;
const newId = () => `HS-${++ids}`;

/** Feeds flows (m³/h) one every 10 min from `start`; returns the final watch and every change. */
function run(flows: number[], start = T0, w: PlaceWatch = EMPTY_WATCH) {
  const changes: StopChange[] = [];
  let watch = w;
  flows.forEach((flow, i) => {
    const phase = classify({ flowM3h: flow, heatKw: null }, DESIGN, RULES);
    const step = onSample(watch, phase, start + i * 10 * MIN, RULES, newId);
    watch = step.watch;
    changes.push(...step.changes);
  });
  return { watch, changes, kinds: changes.map((c) => c.kind) };
}

describe('classify', () => {
  it('says off when flow or heat is near zero, on when all are clearly up, else nothing', () => {
    const c = (flowM3h: number | null, heatKw: number | null): FlowPhase | null =>
      classify({ flowM3h, heatKw }, DESIGN, RULES);
    expect(c(4, null)).toBe('off');
    expect(c(80, 10)).toBe('off'); // heat near zero even though water circulates
    expect(c(80, 500)).toBe('on');
    expect(c(10, null)).toBeNull(); // the hysteresis band
    expect(c(null, null)).toBeNull();
  });
});

describe('stops from data', () => {
  it('ignores a short dip and noise inside the band', () => {
    const { kinds, watch } = run([80, 2, 3, 80, 10, 12, 9, 11, 80]);
    expect(kinds).toEqual(['open', 'discard']); // a 20-min dip never counted
    expect(watch.stop).toBeNull();
  });

  it('counts a stop from its first off sample once it lasted the minimum, ends it after the minimum on', () => {
    //            0   1  2  3  4  5   6   7   8   9
    const flows = [80, 1, 2, 10, 1, 0, 90, 12, 95, 90];
    const { changes, watch } = run(flows);
    expect(changes.map((c) => c.kind)).toEqual(['open', 'confirm', 'close']);
    expect(changes[0]!.stop.fromMs).toBe(T0 + 10 * MIN);
    expect(changes[0]!.stop.confirmed).toBe(false);
    expect(changes[1]!.stop.confirmed).toBe(true);
    // 12 m³/h is inside the band: heat came back at sample 6 and stayed back 20 min.
    expect(changes[2]).toMatchObject({ kind: 'close', untilMs: T0 + 60 * MIN });
    expect(watch.stop).toBeNull();
  });

  it('does not end a stop on a brief return of flow', () => {
    const { kinds } = run([0, 0, 0, 0, 80, 0, 0, 80, 90, 90]);
    expect(kinds).toEqual(['open', 'confirm', 'close']);
  });

  it('resumes a stop after a restart when the data still show it stopped', () => {
    const before = run([0, 0, 0, 0]);
    // The restart forgets the phase; the stop itself comes back from the store.
    const restored: PlaceWatch = { ...before.watch, phase: null, phaseSinceMs: 0 };
    const after = run([0, 0, 90, 90, 90], T0 + 600 * MIN, restored);
    expect(after.kinds).toEqual(['close']);
    expect(after.changes[0]).toMatchObject({ untilMs: T0 + 620 * MIN });
    expect(after.changes[0]!.stop.id).toBe(before.changes[0]!.stop.id);
    expect(after.changes[0]!.stop.fromMs).toBe(T0);
  });

  it('confirms a candidate across a restart from its first off sample', () => {
    const before = run([0, 0]); // 10 min: still a candidate
    expect(before.watch.stop?.confirmed).toBe(false);
    const restored: PlaceWatch = { ...before.watch, phase: null, phaseSinceMs: 0 };
    const after = run([0, 0], T0 + 40 * MIN, restored);
    expect(after.kinds).toEqual(['confirm']);
    expect(after.watch.stop?.fromMs).toBe(T0);
  });
});

describe('stops from incidents', () => {
  it('opens at once and ends when restored', () => {
    const opened = onIncidentOpened(EMPTY_WATCH, 'I-1', T0, newId);
    expect(opened.changes[0]).toMatchObject({
      kind: 'open',
      stop: { source: 'incident', incidentId: 'I-1' },
    });
    const ended = onIncidentEnded(opened.watch, 'I-1', T0 + 80 * MIN, false);
    expect(ended.changes[0]).toMatchObject({ kind: 'close', untilMs: T0 + 80 * MIN });
  });

  it('discards a stop that only an invalid incident made', () => {
    const opened = onIncidentOpened(EMPTY_WATCH, 'I-1', T0, newId);
    expect(onIncidentEnded(opened.watch, 'I-1', T0 + MIN, true).changes[0]?.kind).toBe('discard');
  });

  it('joins a data stop, confirming a candidate, and stays open while the data say off', () => {
    const data = run([0]);
    const joined = onIncidentOpened(data.watch, 'I-2', T0 + 5 * MIN, newId);
    expect(joined.changes[0]).toMatchObject({
      kind: 'confirm',
      stop: { source: 'data', incidentId: 'I-2', fromMs: T0 },
    });
    const restored = onIncidentEnded(joined.watch, 'I-2', T0 + 9 * MIN, false);
    expect(restored.changes).toEqual([]);
    expect(restored.watch.stop).not.toBeNull();
  });

  it('ends at the data resumption even while the incident stays open', () => {
    const opened = onIncidentOpened(run([0]).watch, 'I-3', T0 + MIN, newId);
    const after = run([0, 0, 90, 90, 90], T0 + 10 * MIN, opened.watch);
    expect(after.kinds).toEqual(['close']);
    expect(after.changes[0]).toMatchObject({ untilMs: T0 + 30 * MIN });
    // The incident was consumed: its late restoration changes nothing.
    expect(onIncidentEnded(after.watch, 'I-3', T0 + 90 * MIN, false).changes).toEqual([]);
  });
});
