import type { BalanceConfig } from '../config/schema.ts';
import type { BalanceStatus, PumpSignals, Recommendation } from './types.ts';

/**
 * A pump frequency that brings the station's flow to what it needs, by the affinity
 * law (Q ∝ n): n' = n·(1 + gain·(1/x − 1)). The gain below 1 damps the step, since
 * near the plant part of the flow is driven by the network's own pressure and far out
 * the pump works against it — the law is exact for neither. Clamped to the pump's
 * range and maximum step; a station whose rooms disagree with its flow (cold rooms
 * with ample flow) is left alone, because more or less water would not help them.
 */
export function recommendPump(
  pump: PumpSignals,
  flowRatio: number,
  status: BalanceStatus,
  cfg: BalanceConfig['recommend'],
): Recommendation | null {
  const current = pump.setpointHz ?? pump.hz;
  if (current === null || current <= 0 || flowRatio <= 0) return null;
  // The epsilon keeps a ratio of exactly 1 ± deadband inside it despite float error.
  if (Math.abs(flowRatio - 1) <= cfg.deadband + 1e-9) return null;
  const wantsMore = flowRatio < 1;
  if (wantsMore && status === 'overheating') return null;
  if (!wantsMore && status === 'underheating') return null;
  const ideal = current * (1 + cfg.gain * (1 / flowRatio - 1));
  let limitedBy: Recommendation['limitedBy'] = null;
  let step = ideal - current;
  if (Math.abs(step) > pump.maxStepHz) {
    step = Math.sign(step) * pump.maxStepHz;
    limitedBy = 'maxStep';
  }
  // Setpoints in tenths of a hertz; a step the rounding stretched past maxStep is
  // pulled back by one tenth toward the current setting.
  let target = Math.round((current + step) * 10) / 10;
  if (Math.abs(target - current) > pump.maxStepHz + 1e-9) {
    target = Math.round((target - Math.sign(step) * 0.1) * 10) / 10;
  }
  if (target > pump.maxHz) {
    target = pump.maxHz;
    limitedBy = 'maxHz';
  } else if (target < pump.minHz) {
    target = pump.minHz;
    limitedBy = 'minHz';
  }
  // A pump set outside its range would be "corrected" the wrong way by the clamp
  // (lower flow asked, but raised to its minimum): hold it and say so instead.
  const wrongWay = wantsMore ? target < current : target > current;
  if (wrongWay) target = current;
  const expectedFlowRatio = flowRatio * (target / current);
  const action = target > current + 0.05 ? 'raise' : target < current - 0.05 ? 'lower' : 'hold';
  const pct = (v: number) => `${Math.round(v * 100)} %`;
  const reason = wrongWay
    ? `flow ${pct(flowRatio)} of required but ${pump.id} is set to ${current} Hz, outside its ${pump.minHz}–${pump.maxHz} Hz range`
    : action === 'hold'
      ? `flow ${pct(flowRatio)} of required but ${pump.id} is already at its ${
          wantsMore ? 'maximum' : 'minimum'
        } ${current} Hz`
      : `flow ${pct(flowRatio)} of required: ${action} ${pump.id} ${current} → ${target} Hz, expected ${pct(
          expectedFlowRatio,
        )}`;
  return {
    pump: pump.id,
    action: wrongWay ? 'hold' : action,
    currentHz: current,
    targetHz: target,
    expectedFlowRatio,
    limitedBy,
    reason,
  };
}
