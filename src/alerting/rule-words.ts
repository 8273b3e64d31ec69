/**
 * The alert rules heatnet knows (issue 12 item 2), by the `alertname` they give their
 * alerts. The config (`alerts.rules`) tunes each; the evaluator (src/alerts) turns bus
 * events into their conditions. `component` catches any other condition a component
 * raises through the alert sink, with the severity it raised it with.
 */
export const RULE_IDS = [
  'device-down',
  'substation-dark',
  'storage-failing',
  'spool-filling',
  'mqtt-stale',
  'balance-anomaly',
  'far-end-underheating',
  'cold-share',
  'incident-opened',
  'incident-eta-missed',
  'sla-warning',
  'sla-breached',
  'heat-stopped',
  'control-write-failed',
  'auto-balance-paused',
  'component',
  'silence-expired',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** Who an escalation step reaches. */
export const ESCALATION_TARGETS = ['on-call', 'team-lead', 'duty-dispatcher'] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];
