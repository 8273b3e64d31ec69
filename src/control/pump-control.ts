import type { Config } from '../config/schema.ts';
import type { AlertSink } from '../core/alerts.ts';
import { type ErrorCode, errorMessage, HeatnetError, isHeatnetError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Topology } from '../domain/topology.ts';
import { representable } from '../ingest/modbus/encode.ts';
import type { LiveState } from '../state/live-state.ts';
import type { AttemptEnd, AuditStore, NewAttempt } from './audit-store.ts';
import { DenialSeries, type DeniedAttempt } from './denials.ts';

export type { DeniedAttempt } from './denials.ts';

import type { EffectTracker } from './effect-tracker.ts';
import type { FieldIO } from './field-io.ts';
import {
  checkDevice,
  checkInterval,
  checkRange,
  checkStep,
  type DeviceStatus,
  fmt,
} from './guardrails.ts';
import { type ControlTarget, isRefusal, resolveTarget, vfdOf } from './target.ts';
import type { AuditEntry, FrequencyRequest, Refusal } from './types.ts';

export interface PumpControlDeps {
  config: Config;
  topology: Topology;
  /** Writes and read-backs on the drives (the Modbus adapter implements it). */
  fieldIO: FieldIO;
  /** The drives' health: a change goes only to a drive that answers. */
  devices: () => readonly DeviceStatus[];
  audit: AuditStore;
  now: () => number;
  log: Logger;
  /** Live state: the setpoint the drive last reported (else it is read from the drive). */
  state?: Pick<LiveState, 'latest'>;
  /** Service-clock seconds per real second (a simulated demo runs faster). */
  clockRate?: number;
  /** The real wall clock (the service clock `now` may be simulated). */
  wallNow?: () => number;
  /** Told of every confirmed change (the effect tracker). */
  effects?: Pick<EffectTracker, 'onConfirmed'>;
  /** Where a failed or unconfirmed write is raised, and cleared by the next good one. */
  alerts?: AlertSink;
}

/** The sink's code for a setpoint that did not reach the drive or could not be confirmed. */
export const WRITE_ALERT = 'control-write-failed';

/** Denials by one caller within this much real time share one audit row. */
const DENIAL_WINDOW_MS = 60_000;

/** A known setpoint older than this many poll intervals is read from the drive instead. */
const FRESH_POLLS = 3;
const EPS = 1e-9;

/**
 * The one way a pump's frequency changes (issue 5), for people and the auto-balancer
 * alike: guardrails (role, range, interval, device health, step), an audit row written
 * before the drive is touched, the write, a read-back from the drive, and a verdict —
 * confirmed or failed, never assumed. One change per pump at a time: a second request
 * while one is in flight is refused (PUMP_BUSY), so two cannot both pass the interval
 * check.
 */
export class PumpControl {
  private readonly busy = new Set<string>();
  private readonly denials: DenialSeries;
  private readonly readBacks = new Map<string, { hz: number; at: number }>();

  constructor(private readonly deps: PumpControlDeps) {
    this.denials = new DenialSeries(DENIAL_WINDOW_MS, deps.wallNow);
  }

  async setFrequency(req: FrequencyRequest): Promise<AuditEntry> {
    try {
      return await this.attempt(req);
    } catch (err) {
      // An audit failure before the write row exists (no auditId) stopped the attempt
      // before the drive was touched: say so, the dispatcher must not wonder.
      if (isHeatnetError(err, 'AUDIT_FAILED') && !err.context.auditId) {
        const message = `${err.message}: nothing was sent to ${req.pump}'s drive`;
        throw new HeatnetError('AUDIT_FAILED', message, {}, { cause: err });
      }
      throw err;
    }
  }

  private async attempt(req: FrequencyRequest): Promise<AuditEntry> {
    const attempt: NewAttempt = {
      at: this.deps.now(),
      actor: req.actor,
      role: req.role,
      source: req.source,
      pump: req.pump,
      substation: null,
      device: null,
      reason: req.reason,
      beforeHz: null,
      requestedHz: Number.isFinite(req.hz) ? req.hz : null,
    };
    // Defence in depth: the route enforces this too, but the rule belongs to the path.
    if (req.source === 'api' && req.role !== 'dispatcher') {
      const message = `role "${req.role ?? 'none'}" may not change pumps (needs dispatcher)`;
      throw await this.refuse(attempt, { code: 'FORBIDDEN', message, field: 'role' });
    }
    const target = resolveTarget(this.deps.config, this.deps.topology, req.pump);
    if (isRefusal(target)) throw await this.refuse(attempt, target);
    attempt.substation = target.pump.substation;
    attempt.device = target.device.id;
    // Judge the value the drive will hold (whole raw steps), not the one asked for:
    // 35.3 Hz on a 1 Hz register is a write of 35.
    const hz = representable(target.field, req.hz);
    if (this.busy.has(req.pump)) {
      const message = `another change of ${req.pump} is in progress; try again when it has ended`;
      throw await this.refuse(attempt, { code: 'PUMP_BUSY', message, field: 'id' });
    }
    this.busy.add(req.pump);
    try {
      return await this.guarded({ ...req, hz }, target, attempt);
    } finally {
      this.busy.delete(req.pump);
    }
  }

  /** When a change from `source` last reached this pump's drive (service clock), or null. */
  async lastChangeBy(pump: string, source: 'api' | 'auto'): Promise<number | null> {
    return (await this.deps.audit.lastChangeAt(pump, source))?.at ?? null;
  }

  /**
   * Audits an attempt refused before the control path (the routes call this, then
   * answer the error). A caller's refusals with one code share a row per window, which
   * counts each of them durably before it is answered (DenialSeries).
   */
  recordDenied(d: DeniedAttempt): Promise<AuditEntry> {
    const pump = this.deps.topology.pump(d.pump);
    const device = pump && vfdOf(this.deps.config, pump.id);
    const at = this.deps.now();
    const attempt: NewAttempt = {
      at,
      action: d.action ?? 'frequency',
      actor: d.actor,
      role: d.role,
      source: 'api',
      pump: d.pump,
      substation: pump?.substation ?? null,
      device: device?.id ?? null,
      reason: d.reason,
      beforeHz: null,
      requestedHz: d.hz,
    };
    const { audit } = this.deps;
    return this.denials.record(`${d.actor}\u0000${d.code}\u0000${attempt.action}`, d.pump, at, {
      insert: () => audit.refuse(attempt, d.code, d.message),
      count: (id, attempts, pumps, lastAt) => audit.countSeries(id, attempts, pumps, lastAt),
    });
  }

  private async guarded(req: FrequencyRequest, t: ControlTarget, attempt: NewAttempt) {
    const { control } = this.deps.config;
    const lastChange = await this.effectiveLastChange(req.pump, attempt.at);
    const health = this.deps.devices().find((h) => h.id === t.device.id);
    const refusal =
      checkRange(t.pump, t.field, req.hz) ??
      checkInterval(req.pump, lastChange, attempt.at, control.minIntervalS) ??
      checkDevice(req.pump, health);
    if (refusal) throw await this.refuse(attempt, refusal);
    attempt.beforeHz = await this.currentSetpoint(t, attempt);
    const moved =
      req.expectedCurrentHz !== undefined &&
      Math.abs(attempt.beforeHz - req.expectedCurrentHz) > control.readBackToleranceHz + EPS;
    if (moved) {
      const message =
        `${req.pump} is at ${fmt(attempt.beforeHz)} Hz, not the ${fmt(req.expectedCurrentHz ?? 0)} Hz ` +
        'this change was computed from: someone changed it meanwhile; nothing was written';
      throw await this.refuse(attempt, { code: 'SETPOINT_MOVED', message, field: 'hz' });
    }
    const step = checkStep(t.pump, req.hz, attempt.beforeHz);
    if (step) throw await this.refuse(attempt, step);
    const id = await this.deps.audit.begin(attempt);
    return this.writeAndConfirm(id, req, t);
  }

  /** Write, read back from the drive, compare; every outcome ends the audit row. */
  /**
   * The write and its verdict; a failed or unconfirmed one is raised through the alert
   * sink (issue 12: the duty staff must know a pump did not take its setpoint), and the
   * pump's next confirmed change clears it.
   */
  private async writeAndConfirm(id: number, req: FrequencyRequest, t: ControlTarget) {
    const source = `control:${req.pump}`;
    try {
      const entry = await this.writeAndReadBack(id, req, t);
      this.deps.alerts?.clear(source, WRITE_ALERT);
      return entry;
    } catch (err) {
      if (isHeatnetError(err, 'WRITE_FAILED') || isHeatnetError(err, 'NOT_CONFIRMED')) {
        this.deps.alerts?.raise({
          source,
          code: WRITE_ALERT,
          severity: 'critical',
          message: err.message,
        });
      }
      throw err;
    }
  }

  private async writeAndReadBack(id: number, req: FrequencyRequest, t: ControlTarget) {
    const { device, field } = t;
    const tolerance = this.deps.config.control.readBackToleranceHz;
    try {
      await this.deps.fieldIO.write(device.id, field.field, req.hz);
    } catch (err) {
      // An exception answer means the drive refused the request and did nothing; after
      // a timeout or a lost link it may have taken the value, so that counts as a change.
      const unsent = isHeatnetError(err, 'BAD_REQUEST'); // did not encode: never sent
      const refused = unsent || isHeatnetError(err, 'MODBUS_EXCEPTION');
      const note = unsent
        ? 'not sent'
        : refused
          ? 'the drive refused it'
          : 'the drive may have taken it';
      const error = `writing ${fmt(req.hz)} Hz to ${device.id} failed: ${errorMessage(err)} (${note})`;
      return await this.end(id, {
        result: 'failed',
        readBackHz: null,
        code: 'WRITE_FAILED',
        error,
        wrote: !refused,
      });
    }
    let readBack: number;
    try {
      readBack = Number(await this.deps.fieldIO.read(device.id, field.field));
    } catch (err) {
      const error = `wrote ${fmt(req.hz)} Hz to ${device.id} but the read-back failed: ${errorMessage(err)}`;
      return await this.end(id, {
        result: 'unconfirmed',
        readBackHz: null,
        code: 'NOT_CONFIRMED',
        error,
        wrote: true,
      });
    }
    this.readBacks.set(req.pump, { hz: readBack, at: this.deps.now() });
    if (Math.abs(readBack - req.hz) > tolerance + EPS) {
      const error =
        `${device.id} reads back ${fmt(readBack)} Hz after ${fmt(req.hz)} Hz was written ` +
        `(tolerance ±${tolerance} Hz): not confirmed`;
      return await this.end(id, {
        result: 'unconfirmed',
        readBackHz: readBack,
        code: 'NOT_CONFIRMED',
        error,
        wrote: true,
      });
    }
    const entry = await this.end(id, {
      result: 'confirmed',
      readBackHz: readBack,
      code: null,
      error: null,
      wrote: true,
    });
    this.deps.log.info(
      { audit: id, pump: req.pump, actor: req.actor, before: entry.beforeHz, hz: readBack },
      'pump frequency changed',
    );
    // Poll the drive now, so the live state and the engine see the new setpoint at
    // once rather than one poll interval later.
    this.deps.fieldIO.refresh?.(device.id).catch(() => undefined);
    if (!this.deps.effects) return entry;
    await this.deps.effects.onConfirmed(entry);
    // Read again: the tracker has added the deviation the verdict will start from. The
    // change is done and recorded; a failing re-read must not turn it into an error.
    try {
      return (await this.deps.audit.get(id)) ?? entry;
    } catch {
      return entry;
    }
  }

  /** Ends the audit row; a failed attempt then throws its error, pointing at the row. */
  private async end(id: number, end: Omit<AttemptEnd, 'completedAt'>): Promise<AuditEntry> {
    let entry: AuditEntry;
    try {
      entry = await this.deps.audit.finish(id, { ...end, completedAt: this.deps.now() });
    } catch (err) {
      throw new HeatnetError(
        'AUDIT_FAILED',
        `the outcome of audit entry ${id} could not be recorded (${end.result}${end.error ? `: ${end.error}` : ''})`,
        { auditId: id },
        { cause: err },
      );
    }
    if (end.code) {
      this.deps.log.warn({ audit: id, code: end.code, error: end.error }, 'pump change failed');
      throw new HeatnetError(end.code as ErrorCode, end.error ?? end.code, { auditId: id });
    }
    return entry;
  }

  /**
   * When the pump was last written, on the service clock. A change stamped in the
   * future means the service clock went back — a simulated demo restarted at its
   * configured start: then the wall-clock time since the change (scaled to the
   * service clock) decides, so the interval neither vanishes nor blocks for good.
   */
  private async effectiveLastChange(pump: string, now: number): Promise<number | null> {
    const last = await this.deps.audit.lastChangeAt(pump);
    if (!last || last.at <= now || last.wallAt === null) return last?.at ?? null;
    const wallElapsed = (this.deps.wallNow ?? Date.now)() - last.wallAt;
    return now - Math.max(0, wallElapsed) * (this.deps.clockRate ?? 1);
  }

  /** The setpoint the drive holds: known from a recent poll or read-back, else read now. */
  private async currentSetpoint(t: ControlTarget, attempt: NewAttempt): Promise<number> {
    const known = this.knownSetpoint(t, attempt.at);
    if (known !== undefined) return known;
    try {
      const hz = await this.deps.fieldIO.read(t.device.id, t.field.field);
      if (typeof hz !== 'number') throw new Error(`read ${String(hz)}`);
      this.readBacks.set(t.pump.id, { hz, at: this.deps.now() });
      return hz;
    } catch (err) {
      const message =
        `${t.pump.id}'s current setpoint could not be read from ${t.device.id} ` +
        `(${errorMessage(err)}); nothing was written`;
      throw await this.refuse(attempt, { code: 'DEVICE_UNHEALTHY', message, field: 'id' });
    }
  }

  private knownSetpoint(t: ControlTarget, now: number): number | undefined {
    const { defaults } = this.deps.config.ingest.modbus;
    const maxAgeMs = FRESH_POLLS * (t.device.intervalMs ?? defaults.intervalMs);
    const candidates = [this.readBacks.get(t.pump.id)];
    const polled = this.deps.state?.latest('pump', 'pump', t.pump.id).get(t.field.field);
    if (polled && typeof polled.value === 'number') {
      candidates.push({ hz: polled.value, at: polled.time });
    }
    let best: { hz: number; at: number } | undefined;
    for (const c of candidates) if (c && (!best || c.at > best.at)) best = c;
    return best && now - best.at <= maxAgeMs ? best.hz : undefined;
  }

  /** Records a refusal and returns its error (to be thrown). */
  private async refuse(attempt: NewAttempt, r: Refusal): Promise<HeatnetError> {
    const entry = await this.deps.audit.refuse(attempt, r.code, r.message);
    this.deps.log.info(
      { audit: entry.id, pump: attempt.pump, actor: attempt.actor, code: r.code },
      r.message,
    );
    return new HeatnetError(r.code, r.message, { field: r.field, auditId: entry.id });
  }
}
