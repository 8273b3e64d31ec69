import {
  type Condition,
  decide,
  fingerprintOf,
  observe,
  type Tracker,
} from '../alerting/conditions.ts';
import type { RuleId } from '../alerting/rule-words.ts';
import type { RuleSettings } from '../config/schema-alerts.ts';

/** What the rules ask of the book after an observation or a tick. */
export interface Decision {
  kind: 'fire' | 'resolve';
  fingerprint: string;
  condition: Condition;
}

export interface Held {
  fingerprint: string;
  condition: Condition;
}

export interface Held {
  fingerprint: string;
  condition: Condition;
}

interface Watched {
  tracker: Tracker;
  condition: Condition;
}

/** Rules whose condition only an event ends: after a restart they are presumed to hold. */
const EVENT_ENDED = new Set<RuleId>([
  'incident-opened',
  'incident-eta-missed',
  'sla-warning',
  'sla-breached',
  'silence-expired',
]);

/**
 * The rules' trackers (the `for` delay and the hold-down per fingerprint), synchronous
 * and without I/O so a cycle over 10,000 devices and 5,000 substations stays cheap
 * (bench/alerts.ts). The runtime feeds conditions and applies the decisions.
 */
export class RuleEvaluator {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly rules: Readonly<Record<RuleId, RuleSettings>>) {}

  enabled(rule: RuleId): boolean {
    return this.rules[rule].enabled;
  }

  settings(rule: RuleId): RuleSettings {
    return this.rules[rule];
  }

  /**
   * An alert open in the store at start: its condition is presumed clear from `now` (the
   * reporter repeats it if it still holds; the hold-down covers the gap), except for
   * conditions only an event ends (an incident, an SLA clock), presumed to hold.
   */
  resume(condition: Condition, fingerprint: string, now: number): void {
    const active = EVENT_ENDED.has(condition.rule);
    this.watched.set(fingerprint, {
      tracker: { active, since: active ? condition.at : now, firing: true },
      condition,
    });
  }

  /** `fp` defaults to the condition's own; a resumed alert's is the one it was stored with. */
  observe(
    c: Condition,
    now: number,
    out: Decision[] = [],
    fp = fingerprintOf(c.rule, c.place),
  ): Decision[] {
    if (!this.rules[c.rule].enabled) return out;
    const was = this.watched.get(fp);
    const tracker = observe(was?.tracker, c.active, c.at);
    const condition = c.active || !was ? c : was.condition;
    this.judge(fp, { tracker, condition }, now, out);
    return out;
  }

  /** Time passed: fire what held long enough, resolve what stayed clear long enough. */
  tick(now: number): Decision[] {
    const out: Decision[] = [];
    for (const [fp, w] of this.watched) this.judge(fp, w, now, out);
    return out;
  }

  /** The book resolved or a person closed the alert: a condition still true fires anew after `for`. */
  closed(fingerprint: string, now: number): void {
    const w = this.watched.get(fingerprint);
    if (!w) return;
    if (!w.tracker.active) this.watched.delete(fingerprint);
    else w.tracker = { active: true, since: now, firing: false };
  }

  /** Fingerprints of active conditions matching a test (e.g. a ticket's SLA alerts). */
  activeWhere(test: (c: Condition) => boolean): Held[] {
    const out: Held[] = [];
    for (const [fingerprint, w] of this.watched) {
      if (w.tracker.active && test(w.condition)) out.push({ fingerprint, condition: w.condition });
    }
    return out;
  }

  get size(): number {
    return this.watched.size;
  }

  private judge(fp: string, w: Watched, now: number, out: Decision[]): void {
    const verdict = decide(w.tracker, this.rules[w.condition.rule], now);
    if (verdict === 'drop') {
      this.watched.delete(fp);
      return;
    }
    if (verdict === 'fire') {
      w.tracker = { ...w.tracker, firing: true };
      out.push({ kind: 'fire', fingerprint: fp, condition: w.condition });
    } else if (verdict === 'resolve') {
      w.tracker = { ...w.tracker, firing: false };
      out.push({ kind: 'resolve', fingerprint: fp, condition: w.condition });
    }
    this.watched.set(fp, w);
  }
}
