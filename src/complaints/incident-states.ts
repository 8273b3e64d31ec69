import { HeatnetError } from '../core/errors.ts';
import type { IncidentState } from './types.ts';

/**
 * Which state an incident may move to (issue 10 §3): suspected → confirmed → restoring
 * (with an ETA) → restored → closed, or invalid from suspected/confirmed. A crew may fix
 * a fault without announcing `restoring` first, and a fault the data show again after
 * `restored` is confirmed again rather than opened twice.
 */
export const TRANSITIONS: Readonly<Record<IncidentState, readonly IncidentState[]>> = {
  suspected: ['confirmed', 'restoring', 'restored', 'invalid'],
  confirmed: ['restoring', 'restored', 'invalid'],
  restoring: ['restoring', 'restored'],
  restored: ['closed', 'confirmed'],
  closed: [],
  invalid: [],
};

export interface TransitionRequest {
  from: IncidentState;
  to: IncidentState;
  /** Required for `restoring` (and the only reason to "move" restoring → restoring: a new ETA). */
  etaAt?: number | undefined;
  /** Required for `invalid`: why it was not a fault. */
  reason?: string | undefined;
}

/** Throws CONFLICT (409) naming the allowed states, or BAD_REQUEST for a missing ETA/reason. */
export function checkTransition({ from, to, etaAt, reason }: TransitionRequest): void {
  const allowed = TRANSITIONS[from];
  if (!allowed.includes(to)) {
    const next = allowed.length > 0 ? allowed.join(', ') : 'none (it is final)';
    throw new HeatnetError(
      'CONFLICT',
      `an incident ${from} cannot become ${to}; allowed: ${next}`,
      {
        field: 'to',
        allowed,
      },
    );
  }
  if (to === 'restoring' && etaAt === undefined) {
    throw new HeatnetError('BAD_REQUEST', 'restoring needs etaAt: when heat is expected back', {
      field: 'etaAt',
    });
  }
  if (to === 'invalid' && !reason?.trim()) {
    throw new HeatnetError('BAD_REQUEST', 'invalid needs a reason: why it was not a fault', {
      field: 'reason',
    });
  }
}
