/**
 * The guarded control path's vocabulary (issue 5, DESIGN §4.3): what an attempt to
 * change a pump's frequency is and how it ended. Its refusals and failures are
 * HeatnetErrors (core/errors.ts) carrying the audit entry as `auditId`.
 */

import type { Static } from 'typebox';
import type { ErrorCode } from '../core/errors.ts';
import { Words } from '../core/words.ts';

/** Who asked: a person through the API, or the auto-balancer. */
export const ControlSourceSchema = Words(['api', 'auto'] as const, 'Who asked');
export type ControlSource = Static<typeof ControlSourceSchema>;

/**
 * How an attempt ended. `pending` is written before the device is touched and
 * replaced when the attempt ends; one still pending when the store opens belongs to a
 * process that died mid-write and becomes `interrupted` (the device may have acted).
 */
export const AuditResultSchema = Words([
  'pending',
  'confirmed',
  'unconfirmed',
  'failed',
  'refused',
  'interrupted',
] as const);
export type AuditResult = Static<typeof AuditResultSchema>;

/** Whether a confirmed change moved its substation's deviation toward the curve. */
export const EffectVerdictSchema = Words([
  'pending',
  'improved',
  'worsened',
  'no-change',
  'unknown',
] as const);
export type EffectVerdict = Static<typeof EffectVerdictSchema>;

/**
 * Auto-balancing as a whole: off = not configured; suspended = switched off by a
 * dispatcher; paused = nothing may be applied (network-wide pause); active otherwise.
 */
export const AutoStateSchema = Words(['off', 'suspended', 'active', 'paused'] as const);
export type AutoState = Static<typeof AutoStateSchema>;

export interface AuditEffect {
  verdict: EffectVerdict;
  deviationBeforeC: number | null;
  deviationAfterC: number | null;
  /** Epoch ms. */
  judgedAt: number | null;
}

/** One row of the audit log: every attempt, refused ones included. */
export interface AuditEntry {
  id: number;
  /** Epoch ms (the service clock), as every time in the domain; views format ISO. */
  at: number;
  actor: string;
  role: string | null;
  source: ControlSource;
  pump: string;
  substation: string | null;
  device: string | null;
  reason: string | null;
  beforeHz: number | null;
  requestedHz: number | null;
  readBackHz: number | null;
  result: AuditResult;
  /** Why it was refused or failed (an ErrorCode), null when confirmed. */
  code: string | null;
  error: string | null;
  completedAt: number | null;
  /** Effect on the substation's deviation; null for attempts that changed nothing. */
  effect: AuditEffect | null;
  /** Present on a switch of auto-balancing (`pump` is then empty). */
  action?: AuditAction;
  /**
   * Present on a row that records several refused attempts (issue 15): how many, every
   * pump they named, and when the last one came (epoch ms).
   */
  series?: { attempts: number; pumps: string[]; lastAt: number | null };
}

/** What an audited attempt tried to do. */
export const AuditActionSchema = Words(['frequency', 'auto-switch'] as const);
export type AuditAction = Static<typeof AuditActionSchema>;

export interface FrequencyRequest {
  pump: string;
  hz: number;
  reason: string;
  actor: string;
  role: string | null;
  source: ControlSource;
  /**
   * The setpoint the request was computed from (the auto-balancer's recommendation):
   * if the drive holds another one now — a dispatcher changed it meanwhile — the
   * request is refused rather than undoing that change.
   */
  expectedCurrentHz?: number;
}

/** A dispatcher's switch of auto-balancing, as recorded. */
export interface AutoSwitch {
  enabled: boolean;
  actor: string;
  /** Epoch ms. */
  at: number;
  reason: string;
}

/** A guardrail's answer when a request must not go to the device. */
export interface Refusal {
  code: ErrorCode;
  message: string;
  field: string;
}
