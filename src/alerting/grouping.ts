import type { EscalationChain } from '../config/schema-alerts.ts';
import { targetStep } from './escalation.ts';
import type { AlertLabels, AlertRecord, NotificationReason } from './model.ts';

/**
 * Notification groups (issue 12 item 3), Alertmanager's timers with heatnet's lifecycle:
 * a new group waits `wait` for its storm to gather, a changed group is re-sent after
 * `interval`, an unchanged one after `repeat`; an unacknowledged one is reminded every
 * `remind` and escalated along its chain. The state is what the store keeps per group.
 */
export interface GroupState {
  key: string;
  route: number;
  labels: AlertLabels;
  firstAt: number;
  /** Messages sent so far: the next one's number makes its idempotency key. */
  seq: number;
  lastSentAt: number | null;
  /** The alerts the last message carried as open. */
  sentIds: string[];
  step: number;
}

export interface GroupTimers {
  waitMs: number;
  intervalMs: number;
  repeatMs: number;
  remindMs: number;
}

/** Which labels make the group: an incident's alerts go together, whatever their rule. */
export function groupLabelsOf(alert: AlertRecord, by: readonly string[]): AlertLabels {
  if (alert.incidentId) return { incident: alert.incidentId };
  const out: AlertLabels = {};
  for (const k of by) {
    const v = k === 'alertname' ? alert.rule : alert.labels[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function groupKeyOf(route: number, labels: AlertLabels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return `${route}/{${parts.join(',')}}`;
}

export interface GroupPlan {
  /** null: nothing to send, but the state changed (its alerts were acknowledged). */
  reason: NotificationReason | null;
  /** The step whose people the message reaches. */
  step: number;
  next: GroupState;
}

const sameSet = (a: readonly string[], b: ReadonlySet<string>) =>
  a.length === b.size && a.every((id) => b.has(id));

/**
 * What to send for one group now, if anything. `members`: its open alerts that may
 * notify (not silenced, not inhibited); acknowledged ones count as members but neither
 * remind nor escalate.
 */
export function planGroup(
  state: GroupState,
  members: readonly AlertRecord[],
  chain: EscalationChain,
  timers: GroupTimers,
  now: number,
): GroupPlan | null {
  const unacked = members.filter((a) => a.state === 'firing');
  const target = targetStep(chain, unacked, now);
  // Everyone acknowledged: the chain starts over for whatever comes next.
  if (unacked.length === 0 && state.step > 0) {
    return { reason: null, step: 0, next: { ...state, step: 0 } };
  }
  const ids = new Set(members.map((a) => a.id));
  const sent = (reason: NotificationReason, step: number): GroupPlan => ({
    reason,
    step,
    next: { ...state, seq: state.seq + 1, lastSentAt: now, sentIds: [...ids], step },
  });
  if (state.lastSentAt === null) {
    if (members.length === 0 || now - state.firstAt < timers.waitMs) return null;
    return sent('firing', Math.max(state.step, target));
  }
  const since = now - state.lastSentAt;
  if (!sameSet(state.sentIds, ids) && since >= timers.intervalMs) {
    return sent(members.length > 0 ? 'firing' : 'resolved', Math.max(state.step, target));
  }
  if (unacked.length > 0 && target > state.step) return sent('escalated', target);
  if (unacked.length > 0 && since >= timers.remindMs) return sent('unacknowledged', target);
  if (members.length > 0 && since >= timers.repeatMs) return sent('repeat', target);
  return null;
}

/** The group holds nothing any more and has said so: it may be forgotten. */
export function groupDone(state: GroupState, members: readonly AlertRecord[]): boolean {
  return members.length === 0 && state.sentIds.length === 0;
}
