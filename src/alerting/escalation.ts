import type { EscalationChain } from '../config/schema-alerts.ts';
import type { AlertRecord } from './model.ts';

/**
 * Escalation (issue 12 item 4): a chain of steps (on-call → team lead → duty dispatcher),
 * each `afterMin` after the oldest unacknowledged alert of a group fired. It stops at the
 * first acknowledgement: acknowledged alerts no longer count, so a group whose alerts are
 * all acknowledged goes back to step 0. Time passed in; nothing kept here.
 */
export function targetStep(
  chain: EscalationChain,
  unacknowledged: readonly AlertRecord[],
  now: number,
): number {
  if (unacknowledged.length === 0) return 0;
  let base = Number.POSITIVE_INFINITY;
  for (const a of unacknowledged) base = Math.min(base, a.startsAt);
  let step = 0;
  chain.steps.forEach((s, i) => {
    if (base + s.afterMin * 60_000 <= now) step = i;
  });
  return step;
}

/** When the next step of the chain falls due, or null at its end. */
export function nextStepAt(
  chain: EscalationChain,
  unacknowledged: readonly AlertRecord[],
  step: number,
): number | null {
  const next = chain.steps[step + 1];
  if (!next || unacknowledged.length === 0) return null;
  return Math.min(...unacknowledged.map((a) => a.startsAt)) + next.afterMin * 60_000;
}
