import type { SlaClockName, SlaStatus } from './sla-words.ts';
import type { TicketState } from './ticket-words.ts';

/**
 * SLA clock arithmetic (issue 11 §2), pure: a ticket's clocks are recomputed from its
 * history and the config every time, never stored, so nothing can drift and a restart
 * neither resets nor pauses a clock (the history carries service-clock times).
 */

/** One recorded state change (the ticket's first row has `to` = its first state). */
export interface StateChange {
  at: number;
  to: TicketState;
}

export interface ClockRules {
  /** Target minutes of every clock. */
  minutes: Readonly<Record<SlaClockName, number>>;
  regulatory: readonly SlaClockName[];
  pauseIn: readonly TicketState[];
  /** Shares of the target at which a warning goes out, e.g. [0.5, 0.8]. */
  warnAt: readonly number[];
}

export interface Pause {
  from: number;
  /** null = paused now. */
  until: number | null;
}

export interface SlaClock {
  name: SlaClockName;
  regulatory: boolean;
  targetMin: number;
  startAt: number | null;
  /** When the clock stopped (met or missed), or was voided by a cancellation. */
  stopAt: number | null;
  pauses: Pause[];
  /** When each warning share is reached; null = not reached and not (yet) knowable. */
  warnAt: (number | null)[];
  /** When the target is reached; null while paused or never started, or if stopped in time. */
  breachAt: number | null;
  status: SlaStatus;
}

/** When each clock starts and stops, as the first time the ticket entered one of the states. */
const SPANS: Readonly<
  Record<SlaClockName, { start: TicketState[] | 'created'; stop: TicketState[] }>
> = {
  'emergency-arrival': { start: 'created', stop: ['on-site', 'resolved'] },
  'no-heat-response': { start: 'created', stop: ['accepted', 'on-site', 'resolved'] },
  'general-fault-fix': { start: 'created', stop: ['resolved'] },
  'indoor-facility-fix': { start: 'created', stop: ['resolved'] },
  handling: { start: 'created', stop: ['resolved'] },
  report: { start: ['resolved'], stop: ['reported'] },
  'call-back': { start: ['reported'], stop: ['called-back'] },
};

const VOIDING: readonly TicketState[] = ['cancelled', 'duplicate'];

/** Every clock of a ticket at `now`. `history` is in time order, its first row the creation. */
export function slaClocks(
  names: readonly SlaClockName[],
  history: readonly StateChange[],
  rules: ClockRules,
  now: number,
): SlaClock[] {
  return names.map((name) => clockAt(name, history, rules, now));
}

function clockAt(
  name: SlaClockName,
  history: readonly StateChange[],
  rules: ClockRules,
  now: number,
): SlaClock {
  const span = SPANS[name];
  const regulatory = rules.regulatory.includes(name);
  const targetMs = rules.minutes[name] * 60_000;
  const startAt =
    span.start === 'created' ? (history[0]?.at ?? null) : firstAt(history, span.start, null);
  const stopAt = startAt === null ? null : firstAt(history, [...span.stop, ...VOIDING], startAt);
  const voided = stopAt !== null && VOIDING.includes(stateAt(history, stopAt));
  const pauses =
    startAt === null || regulatory ? [] : pausesOf(history, rules.pauseIn, startAt, stopAt);
  const base = { name, regulatory, targetMin: rules.minutes[name], startAt, stopAt, pauses };
  if (startAt === null) {
    return { ...base, warnAt: rules.warnAt.map(() => null), breachAt: null, status: 'pending' };
  }
  const reach = (ms: number) => instantOfRunning(startAt, stopAt, pauses, ms);
  const breachAt = reach(targetMs);
  const warnAt = rules.warnAt.map((share) => reach(Math.round(targetMs * share)));
  return { ...base, warnAt, breachAt, status: statusOf(stopAt, voided, breachAt, pauses, now) };
}

function statusOf(
  stopAt: number | null,
  voided: boolean,
  breachAt: number | null,
  pauses: Pause[],
  now: number,
): SlaStatus {
  if (stopAt !== null && stopAt <= now) {
    if (voided) return 'void';
    return breachAt !== null && breachAt < stopAt ? 'missed' : 'met';
  }
  if (breachAt !== null && breachAt <= now) return 'breached';
  return pauses.some((p) => p.until === null) ? 'paused' : 'running';
}

/** The first time (at or after `after`) the ticket entered one of `states`. */
function firstAt(
  history: readonly StateChange[],
  states: readonly TicketState[],
  after: number | null,
) {
  const hit = history.find((c) => states.includes(c.to) && (after === null || c.at >= after));
  return hit?.at ?? null;
}

function stateAt(history: readonly StateChange[], at: number): TicketState {
  let state = history[0]!.to;
  for (const c of history) if (c.at <= at) state = c.to;
  return state;
}

/** Spans spent in a pausing state between start and stop. */
export function pausesOf(
  history: readonly StateChange[],
  pauseIn: readonly TicketState[],
  startAt: number,
  stopAt: number | null,
): Pause[] {
  const pauses: Pause[] = [];
  let open: number | null = null;
  for (const c of history) {
    if (stopAt !== null && c.at >= stopAt) break;
    const pausing = pauseIn.includes(c.to);
    if (pausing && open === null) open = Math.max(c.at, startAt);
    else if (!pausing && open !== null) {
      if (c.at > startAt) pauses.push({ from: open, until: c.at });
      open = null;
    }
  }
  if (open !== null) pauses.push({ from: open, until: stopAt });
  return pauses.filter((p) => p.until === null || p.until > p.from);
}

/**
 * The instant at which the clock has run `ms` (pauses not counted), or null when it
 * stops or is paused first (a paused clock's breach is not knowable until it resumes).
 */
export function instantOfRunning(
  startAt: number,
  stopAt: number | null,
  pauses: readonly Pause[],
  ms: number,
): number | null {
  let cursor = startAt;
  let left = ms;
  for (const p of pauses) {
    if (p.from - cursor >= left) break;
    left -= p.from - cursor;
    if (p.until === null) return null;
    cursor = p.until;
  }
  const at = cursor + left;
  return stopAt !== null && stopAt < at ? null : at;
}

/** A warning or breach a clock has reached by `now`: the key says it once per ticket. */
export interface SlaSignal {
  clock: SlaClockName;
  kind: 'warning' | 'breach';
  /** The share of the target (1 for a breach). */
  share: number;
  at: number;
  key: string;
}

/** Every warning and breach reached by `now`, oldest first. */
export function reachedSignals(
  clocks: readonly SlaClock[],
  shares: readonly number[],
  now: number,
): SlaSignal[] {
  const out: SlaSignal[] = [];
  for (const c of clocks) {
    c.warnAt.forEach((at, i) => {
      const share = shares[i]!;
      if (at !== null && at <= now) {
        out.push({
          clock: c.name,
          kind: 'warning',
          share,
          at,
          key: `${c.name}:warn:${Math.round(share * 100)}`,
        });
      }
    });
    if (c.breachAt !== null && c.breachAt <= now) {
      out.push({
        clock: c.name,
        kind: 'breach',
        share: 1,
        at: c.breachAt,
        key: `${c.name}:breach`,
      });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * The first warning or breach instant after `after`, or null when none is knowable (every
 * clock stopped, paused or not started): until then the ticket's history alone cannot
 * bring a new signal, so nothing needs to look at its clocks.
 */
export function nextSignalAt(clocks: readonly SlaClock[], after: number): number | null {
  let next: number | null = null;
  for (const c of clocks) {
    for (const at of [...c.warnAt, c.breachAt]) {
      if (at !== null && at > after && (next === null || at < next)) next = at;
    }
  }
  return next;
}
