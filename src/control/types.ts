/**
 * The guarded control path's vocabulary (issue 5, DESIGN §4.3): what an attempt to
 * change a pump's frequency is, how it ended, and the errors it answers with.
 */

/** Who asked: a person through the API, or the auto-balancer. */
export type ControlSource = 'api' | 'auto';

/**
 * How an attempt ended. `pending` is written before the device is touched and
 * replaced when the attempt ends; one still pending when the store opens belongs to a
 * process that died mid-write and becomes `interrupted` (the device may have acted).
 */
export type AuditResult =
  | 'pending'
  | 'confirmed'
  | 'unconfirmed'
  | 'failed'
  | 'refused'
  | 'interrupted';

/** Whether a confirmed change moved its substation's deviation toward the curve. */
export type EffectVerdict = 'pending' | 'improved' | 'worsened' | 'no-change' | 'unknown';

export interface AuditEffect {
  verdict: EffectVerdict;
  deviationBeforeC: number | null;
  deviationAfterC: number | null;
  judgedAt: string | null;
}

/** One row of the audit log: every attempt, refused ones included. */
export interface AuditEntry {
  id: number;
  at: string;
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
  /** Why it was refused or failed (a ControlErrorCode), null when confirmed. */
  code: string | null;
  error: string | null;
  completedAt: string | null;
  /** Effect on the substation's deviation; null for attempts that changed nothing. */
  effect: AuditEffect | null;
}

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
  at: string;
  reason: string;
}

export type ControlErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'PUMP_NOT_FOUND'
  | 'NOT_CONTROLLABLE'
  | 'PUMP_BUSY'
  | 'TOO_FREQUENT'
  | 'SETPOINT_MOVED'
  | 'OUT_OF_RANGE'
  | 'STEP_TOO_LARGE'
  | 'DEVICE_UNHEALTHY'
  | 'WRITE_FAILED'
  | 'NOT_CONFIRMED'
  | 'AUDIT_FAILED';

/**
 * A refusal or failure of the control path. Its message is written for the
 * dispatcher (it names the limit that was hit), so the API shows it even for 5xx
 * statuses; `auditId` points at the audit row that recorded the attempt.
 */
export class ControlError extends Error {
  constructor(
    readonly code: ControlErrorCode,
    message: string,
    readonly context: { field?: string; auditId?: number } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ControlError';
  }
}

/** A guardrail's answer when a request must not go to the device. */
export interface Refusal {
  code: ControlErrorCode;
  message: string;
  field: string;
}
