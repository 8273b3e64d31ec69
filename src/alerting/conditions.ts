import type { AlertLabels, Severity } from './model.ts';
import type { RuleId } from './rule-words.ts';

/** Text a person reads, in both languages. */
export interface Words2 {
  en: string;
  zh: string;
}

/**
 * A condition a rule watches, as the evaluator observed it at `at`: true (the device is
 * down) or false (it answers again). `place` labels are the alert's identity with its
 * rule; `severity` overrides the rule's (a component raising `critical`).
 */
export interface Condition {
  rule: RuleId;
  place: AlertLabels;
  active: boolean;
  at: number;
  /** What the reporter said; the rule's text (texts.ts) is made from it only when it fires. */
  detail: string;
  /** Replaces the rule's text (an incident's own summary, a resumed alert's). */
  text?: { summary: Words2; description: Words2 };
  severity?: Severity;
  /** The incident that explains it, when the condition is the incident itself. */
  incidentId?: string;
}

/** The dedup key: rule + place, labels in a stable order (Alertmanager's fingerprint idea). */
export function fingerprintOf(rule: string, place: AlertLabels): string {
  // Once per condition per evaluation (5,000 substations): no arrays beyond the keys.
  const keys = Object.keys(place);
  if (keys.length > 1) keys.sort();
  let fp = rule;
  for (const k of keys) fp += `|${k}=${place[k]}`;
  return fp;
}

/** What a rule's condition is doing over time: the `for` delay and the hold-down. */
export interface Tracker {
  active: boolean;
  /** When the condition became true (or false, while it is false). */
  since: number;
  /** An alert is open for this fingerprint. */
  firing: boolean;
}

export interface Timing {
  forSec: number;
  holdDownSec: number;
}

/** The tracker after an observation; a repeat of the same truth keeps its `since`. */
export function observe(t: Tracker | undefined, active: boolean, at: number): Tracker {
  if (!t) return { active, since: at, firing: false };
  if (t.active === active) return t;
  return { ...t, active, since: at };
}

/**
 * What the tracker asks for at `now`: fire once the condition held for `forSec`;
 * resolve once it stayed clear for `holdDownSec` (so a flapping device stays one alert
 * instead of a page per flap, alertmanager #3048); `drop` a tracker with nothing left.
 */
export function decide(
  t: Tracker,
  timing: Timing,
  now: number,
): 'fire' | 'resolve' | 'drop' | null {
  if (t.active && !t.firing && now - t.since >= timing.forSec * 1000) return 'fire';
  if (!t.active && t.firing && now - t.since >= timing.holdDownSec * 1000) return 'resolve';
  if (!t.active && !t.firing) return 'drop';
  return null;
}

/** When `decide` may next answer something new (for the timer), or null. */
export function nextDecisionAt(t: Tracker, timing: Timing): number | null {
  if (t.active && !t.firing) return t.since + timing.forSec * 1000;
  if (!t.active && t.firing) return t.since + timing.holdDownSec * 1000;
  return null;
}
