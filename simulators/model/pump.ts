import type { Pump } from '../../src/domain/topology.ts';
import type { ActiveFault } from '../faults.ts';

/** VFD acceleration/deceleration ramp, Hz per second. */
const RAMP_HZ_PER_S = 1;
/** Fault code a tripped drive shows when the scenario names none (overcurrent, IEC style). */
const DEFAULT_TRIP_CODE = 0x2310;

/**
 * A substation pump's variable-frequency drive: it ramps toward its setpoint, trips
 * (coasting to 0 Hz with a fault code) while a pump-trip fault is active, and runs
 * again once the fault clears.
 */
export class PumpDrive {
  setpointHz: number;
  hz: number;
  faultCode = 0;
  runSeconds: number;

  constructor(
    readonly pump: Pump,
    startHz: number,
  ) {
    this.setpointHz = Math.min(pump.maxHz, Math.max(pump.minHz, startHz));
    this.hz = this.setpointHz;
    // Some history on the hour counter, different per pump.
    this.runSeconds = 3600 * (8000 + ((pump.id.length * 997) % 3000));
  }

  get running(): boolean {
    return this.hz > 0 && this.faultCode === 0;
  }

  setSetpoint(hz: number): void {
    this.setpointHz = hz;
  }

  step(dtS: number, trip: ActiveFault | undefined): void {
    if (trip && trip.spec.type === 'pump-trip') {
      this.faultCode = trip.spec.code ?? DEFAULT_TRIP_CODE;
      this.hz = 0;
      return;
    }
    this.faultCode = 0;
    const target = this.setpointHz;
    const step = Math.min(Math.abs(target - this.hz), RAMP_HZ_PER_S * dtS);
    this.hz += Math.sign(target - this.hz) * step;
    if (this.hz > 0) this.runSeconds += dtS;
  }
}
