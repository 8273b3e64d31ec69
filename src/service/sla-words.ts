/**
 * The SLA clocks a work order can run (issue 11 §2; DESIGN §2, the company's promises),
 * written once: the config, the clock rules and the API use these words.
 */
export const SLA_CLOCKS = [
  'emergency-arrival',
  'no-heat-response',
  'general-fault-fix',
  'indoor-facility-fix',
  'handling',
  'report',
  'call-back',
] as const;
export type SlaClockName = (typeof SLA_CLOCKS)[number];

/** Where a clock stands at a moment. `missed` = stopped after its breach. */
export const SLA_STATUSES = [
  'pending',
  'running',
  'paused',
  'met',
  'missed',
  'breached',
  'void',
] as const;
export type SlaStatus = (typeof SLA_STATUSES)[number];
