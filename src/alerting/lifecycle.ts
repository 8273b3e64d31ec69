import type { AlertRecord, AlertState } from './model.ts';

/**
 * What people do to an alert (issue 12 item 1): acknowledge it (stops escalation),
 * assign it, resolve it by hand. Each action is allowed from some states only; anything
 * else is refused with the states it would need.
 */
export const ACTIONS = {
  ack: ['firing'],
  assign: ['firing', 'acknowledged'],
  resolve: ['firing', 'acknowledged'],
} as const satisfies Record<string, readonly AlertState[]>;
export type AlertAction = keyof typeof ACTIONS;

export interface ActionInput {
  action: AlertAction;
  actor: string;
  at: number;
  assignee?: string;
}

export type ActionResult =
  | { ok: true; alert: AlertRecord }
  | { ok: false; allowed: readonly AlertState[] };

export function applyAction(alert: AlertRecord, input: ActionInput): ActionResult {
  const allowed: readonly AlertState[] = ACTIONS[input.action];
  if (!allowed.includes(alert.state)) return { ok: false, allowed };
  switch (input.action) {
    case 'ack':
      return {
        ok: true,
        alert: {
          ...alert,
          state: 'acknowledged',
          acknowledgedBy: input.actor,
          acknowledgedAt: input.at,
        },
      };
    case 'assign':
      return { ok: true, alert: { ...alert, assignee: input.assignee ?? input.actor } };
    case 'resolve':
      return { ok: true, alert: { ...alert, state: 'resolved', endsAt: input.at } };
  }
}

/** The condition is gone (after its hold-down): the alert ends, whoever held it. */
export function resolveByRule(alert: AlertRecord, at: number): AlertRecord {
  return { ...alert, state: 'resolved', endsAt: at };
}

/**
 * An acknowledgement is not forever (people forget, alertmanager #2896): an alert still
 * firing `ackTimeoutMs` after it was acknowledged fires again and is re-notified.
 */
export function ackExpired(alert: AlertRecord, ackTimeoutMs: number, now: number): boolean {
  return (
    alert.state === 'acknowledged' &&
    alert.acknowledgedAt !== null &&
    now - alert.acknowledgedAt >= ackTimeoutMs
  );
}
