import type { AuditEntry, AuditResult, ControlSource, EffectVerdict } from './types.ts';

/** The audit table (one row per attempt) and its mapping to `AuditEntry`. */

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS control_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  -- real wall-clock time of the attempt (at_ms is the service clock, which a
  -- simulated demo runs faster and restarts)
  wall_ms INTEGER,
  actor TEXT NOT NULL,
  role TEXT,
  source TEXT NOT NULL,
  pump TEXT NOT NULL,
  substation TEXT,
  device TEXT,
  reason TEXT,
  before_hz REAL,
  requested_hz REAL,
  readback_hz REAL,
  result TEXT NOT NULL,
  code TEXT,
  error TEXT,
  -- 1 when a write went to the drive and was not refused by it: the drive may have
  -- acted, so the minimum interval counts from this attempt. A pending attempt has 1
  -- until it ends, so an outcome that could not be recorded still counts.
  wrote INTEGER NOT NULL DEFAULT 0,
  completed_ms INTEGER,
  effect TEXT,
  deviation_before_c REAL,
  deviation_after_c REAL,
  effect_ms INTEGER
);
-- Dispatchers switching auto-balancing off and on again: the latest row stands,
-- also after a restart (automation must not come back on by itself).
CREATE TABLE IF NOT EXISTS auto_switch (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  wall_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS control_audit_at ON control_audit (at_ms);
CREATE INDEX IF NOT EXISTS control_audit_pump ON control_audit (pump, at_ms);
CREATE INDEX IF NOT EXISTS control_audit_substation ON control_audit (substation, at_ms);
PRAGMA user_version = 1;
`;

export interface Row {
  id: number;
  at_ms: number;
  actor: string;
  role: string | null;
  source: ControlSource;
  pump: string;
  substation: string | null;
  device: string | null;
  reason: string | null;
  before_hz: number | null;
  requested_hz: number | null;
  readback_hz: number | null;
  result: AuditResult;
  code: string | null;
  error: string | null;
  completed_ms: number | null;
  effect: EffectVerdict | null;
  deviation_before_c: number | null;
  deviation_after_c: number | null;
  effect_ms: number | null;
}

export function toEntry(r: Row): AuditEntry {
  return {
    id: r.id,
    at: r.at_ms,
    actor: r.actor,
    role: r.role,
    source: r.source,
    pump: r.pump,
    substation: r.substation,
    device: r.device,
    reason: r.reason,
    beforeHz: r.before_hz,
    requestedHz: r.requested_hz,
    readBackHz: r.readback_hz,
    result: r.result,
    code: r.code,
    error: r.error,
    completedAt: r.completed_ms,
    effect: r.effect
      ? {
          verdict: r.effect,
          deviationBeforeC: r.deviation_before_c,
          deviationAfterC: r.deviation_after_c,
          judgedAt: r.effect_ms,
        }
      : null,
  };
}
