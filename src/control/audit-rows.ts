import type { Selectable } from 'kysely';
import type { ControlAuditTable } from '../store/schema.ts';
import type {
  AuditAction,
  AuditEntry,
  AuditResult,
  ControlSource,
  EffectVerdict,
} from './types.ts';

/** An attempt as it starts: the entry's who/what/why, with its time in ms. */
export type NewAttempt = Pick<
  AuditEntry,
  | 'actor'
  | 'role'
  | 'source'
  | 'pump'
  | 'substation'
  | 'device'
  | 'reason'
  | 'beforeHz'
  | 'requestedHz'
> & { at: number; action?: AuditAction };

export interface AttemptEnd {
  result: Exclude<AuditResult, 'pending' | 'refused' | 'interrupted'>;
  readBackHz: number | null;
  code: string | null;
  error: string | null;
  wrote: boolean;
  completedAt: number;
}

export interface AuditFilter {
  pump?: string | undefined;
  substation?: string | undefined;
  /** ms since the epoch; entries at or after. */
  since?: number | undefined;
  limit?: number | undefined;
}

/** A confirmed change whose effect is still to be judged. */
export interface AwaitingEffect {
  id: number;
  substation: string | null;
  at: number;
  deviationBeforeC: number | null;
}

/** An audit row (the store's `control_audit` table) and its mapping to `AuditEntry`. */
export type Row = Selectable<ControlAuditTable>;

export function toEntry(r: Row): AuditEntry {
  return {
    id: r.id,
    at: r.at_ms,
    actor: r.actor,
    role: r.role,
    source: r.source as ControlSource,
    pump: r.pump,
    substation: r.substation,
    device: r.device,
    reason: r.reason,
    beforeHz: r.before_hz,
    requestedHz: r.requested_hz,
    readBackHz: r.readback_hz,
    result: r.result as AuditResult,
    code: r.code,
    error: r.error,
    completedAt: r.completed_ms,
    effect: r.effect
      ? {
          verdict: r.effect as EffectVerdict,
          deviationBeforeC: r.deviation_before_c,
          deviationAfterC: r.deviation_after_c,
          judgedAt: r.effect_ms,
        }
      : null,
    // Only where they say something, so an ordinary entry reads as it always has.
    ...(r.action !== 'frequency' ? { action: r.action as AuditAction } : {}),
    ...(r.attempts > 1 ? { series: seriesOf(r) } : {}),
  };
}

function seriesOf(r: Row): NonNullable<AuditEntry['series']> {
  let pumps: string[] = [r.pump];
  try {
    const parsed: unknown = JSON.parse(r.pumps ?? '[]');
    if (Array.isArray(parsed) && parsed.length > 0) pumps = parsed.map(String);
  } catch {
    // A row written by hand: the first pump stands.
  }
  return { attempts: r.attempts, pumps, lastAt: r.last_ms };
}
