import type { Refusal } from './types.ts';

/**
 * The checks a frequency change must pass before it reaches a drive (issue 5). Pure:
 * each takes what it needs, time included, and answers a refusal (code, message for
 * the dispatcher naming the limit, offending field) or null. The control path runs
 * them in order and audits whichever refuses.
 */

export interface PumpLimits {
  id: string;
  minHz: number;
  maxHz: number;
  maxStepHz: number;
}

/** The VFD map's own limits of its setpoint field (`min`/`max` in the register map). */
export interface FieldLimits {
  min?: number | undefined;
  max?: number | undefined;
}

export interface DeviceStatus {
  id: string;
  state: string;
  lastError: string | null;
}

/** Floating-point slack: 45.3 − 40.3 is 5.000000000000004, which is a 5 Hz step. */
const EPS = 1e-9;

/** A number for a message: at most two decimals, no trailing zeros. */
export const fmt = (n: number): string => String(Math.round(n * 100) / 100);

/** hz within the pump's [minHz, maxHz] and within what the drive's map accepts. */
export function checkRange(pump: PumpLimits, field: FieldLimits, hz: number): Refusal | null {
  if (!Number.isFinite(hz)) {
    return { code: 'OUT_OF_RANGE', message: `hz must be a finite number`, field: 'hz' };
  }
  const driveMax = field.max !== undefined && field.max < pump.maxHz;
  const max = driveMax ? field.max! : pump.maxHz;
  if (hz > max + EPS) {
    const note = driveMax ? ' (the drive’s setpoint limit)' : '';
    return {
      code: 'OUT_OF_RANGE',
      message: `hz ${fmt(hz)} above ${pump.id}'s maximum ${fmt(max)} Hz${note}`,
      field: 'hz',
    };
  }
  const driveMin = field.min !== undefined && field.min > pump.minHz;
  const min = driveMin ? field.min! : pump.minHz;
  if (hz < min - EPS) {
    const note = driveMin ? ' (the drive’s setpoint limit)' : '';
    return {
      code: 'OUT_OF_RANGE',
      message: `hz ${fmt(hz)} below ${pump.id}'s minimum ${fmt(min)} Hz${note}`,
      field: 'hz',
    };
  }
  return null;
}

/** At most maxStepHz away from the setpoint the drive holds now. */
export function checkStep(pump: PumpLimits, hz: number, currentHz: number): Refusal | null {
  const step = Math.abs(hz - currentHz);
  if (step <= pump.maxStepHz + EPS) return null;
  return {
    code: 'STEP_TOO_LARGE',
    message:
      `${pump.id}: step ${fmt(step)} Hz exceeds maxStepHz ${fmt(pump.maxStepHz)} ` +
      `(current ${fmt(currentHz)} Hz)`,
    field: 'hz',
  };
}

/**
 * No change within minIntervalS of the last one: the network needs time to settle,
 * and two people (or a person and the auto-balancer) must not fight over a pump.
 */
export function checkInterval(
  pumpId: string,
  lastChangeAt: number | null,
  now: number,
  minIntervalS: number,
): Refusal | null {
  if (lastChangeAt === null) return null;
  const elapsedMs = now - lastChangeAt;
  if (elapsedMs >= minIntervalS * 1000) return null;
  const next = new Date(lastChangeAt + minIntervalS * 1000).toISOString();
  return {
    code: 'TOO_FREQUENT',
    message:
      `${pumpId} was changed ${Math.max(0, Math.floor(elapsedMs / 1000))} s ago; ` +
      `the minimum interval is ${minIntervalS} s (next change allowed at ${next})`,
    field: 'id',
  };
}

/** The drive answers its polls: never write blind to a device we cannot read back. */
export function checkDevice(pumpId: string, device: DeviceStatus | undefined): Refusal | null {
  if (device?.state === 'up') return null;
  const why = !device
    ? 'is not polled'
    : device.state === 'unknown'
      ? 'has not answered a poll yet'
      : `is ${device.state}${device.lastError ? ` (${device.lastError})` : ''}`;
  const drive = device ? `drive ${device.id}` : 'drive';
  return {
    code: 'DEVICE_UNHEALTHY',
    message: `${pumpId}'s ${drive} ${why}; nothing was written`,
    field: 'id',
  };
}
