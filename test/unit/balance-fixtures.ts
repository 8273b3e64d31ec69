import type { PumpSignals } from '../../src/balance/types.ts';

/** A healthy demo pump (25–50 Hz, max step 10 Hz) running at a 40 Hz setpoint. */
export const pumpSignals = (over: Partial<PumpSignals> = {}): PumpSignals => ({
  id: 'S01-P1',
  minHz: 25,
  maxHz: 50,
  maxStepHz: 10,
  ratedHz: 50,
  hz: 40,
  setpointHz: 40,
  running: true,
  faultCode: 0,
  healthy: true,
  ...over,
});
