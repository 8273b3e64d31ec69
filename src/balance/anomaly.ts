import type { BalanceConfig } from '../config/schema.ts';
import type { Reference } from './reference.ts';
import type { Anomaly, BalanceStatus, Position, SubstationInput } from './types.ts';

export interface AnomalyContext {
  input: SubstationInput;
  position: Position;
  status: BalanceStatus;
  deviationC: number | null;
  flowRatio: number | null;
  reference: Reference | null;
  thresholds: BalanceConfig['thresholds'];
}

const fmt = (v: number, digits = 1) => v.toFixed(digits);

/**
 * A station that breaks the network's gradient — cold near the plant, hot at the far
 * end — or that shows a fault signal anywhere, with its likely cause read from the
 * signals a dispatcher would check: pump state, flow against available pressure,
 * exchanger approach, make-up water, and whether the water side is fine while rooms
 * are cold. Such a station is a job for the service crew, not for the pumps.
 */
export function detectAnomaly(ctx: AnomalyContext): Anomaly | null {
  const direct = faultSignal(ctx);
  if (direct) return direct;
  const t = ctx.thresholds;
  const { deviationC: dev, flowRatio: x, status } = ctx;
  // Flow far from required contradicts a station's place on its own: near the plant
  // there is pressure to spare, at the far end there is none. Temperatures and the
  // status count unless the status says the opposite (rooms still warm after a clog
  // are the lag of a building, not evidence against the clog).
  const starved = x !== null && x < t.flowRatioLow;
  const flooded = x !== null && x > t.flowRatioHigh;
  const cold =
    starved ||
    status === 'underheating' ||
    (status !== 'overheating' && dev !== null && dev < -t.deviationC);
  const hot =
    flooded ||
    status === 'overheating' ||
    (status !== 'underheating' && dev !== null && dev > t.deviationC);
  if (ctx.position === 'near' && cold) return coldCause(ctx);
  if (ctx.position === 'far' && hot) {
    const evidence = [`far end running ${flooded ? 'with excess flow' : 'hot'} (${describe(ctx)})`];
    if (flooded) {
      evidence.push(`flow ${fmt((x ?? 0) * 100, 0)} % of required at the far end`);
      return { cause: 'excess-flow', evidence };
    }
    return { cause: 'unknown', evidence };
  }
  return null;
}

/** Faults that are anomalies wherever the station sits. */
function faultSignal(ctx: AnomalyContext): Anomaly | null {
  const { pumps, signals } = ctx.input;
  const faulted = pumps.filter((p) => p.faultCode !== null && p.faultCode > 0);
  if (faulted.length > 0) {
    const list = faulted.map((p) => `${p.id} fault code ${p.faultCode}`);
    return { cause: 'pump-fault', evidence: list };
  }
  if (pumps.length > 0 && pumps.every((p) => p.running === false)) {
    return { cause: 'pump-stopped', evidence: pumps.map((p) => `${p.id} not running`) };
  }
  if (signals.makeupM3h !== null && signals.makeupM3h > ctx.thresholds.makeupM3h) {
    return {
      cause: 'leak',
      evidence: [
        `make-up water ${fmt(signals.makeupM3h, 2)} m³/h above ${ctx.thresholds.makeupM3h} m³/h`,
      ],
    };
  }
  return null;
}

function coldCause(ctx: AnomalyContext): Anomaly {
  const { signals } = ctx.input;
  const x = ctx.flowRatio;
  const starved = x !== null && x < ctx.thresholds.flowRatioLow;
  const evidence = [`near end ${starved ? 'short of flow' : 'running cold'} (${describe(ctx)})`];
  if (starved) {
    evidence.push(`flow only ${fmt(x * 100, 0)} % of required near the plant`);
    const running = ctx.input.pumps.filter((p) => p.hz !== null && p.hz > 0);
    if (running.length > 0) {
      evidence.push(`pump running at ${running.map((p) => `${fmt(p.hz ?? 0)} Hz`).join(', ')}`);
    }
    if (signals.primaryDpMpa !== null) {
      evidence.push(`${fmt(signals.primaryDpMpa * 1000, 0)} kPa available at the station`);
    }
    return { cause: 'flow-restriction', evidence };
  }
  const ref = ctx.reference;
  if (ref && signals.primarySupplyC !== null && signals.secondarySupplyC !== null) {
    const approach = signals.primarySupplyC - signals.secondarySupplyC;
    const designApproach = ref.primarySupplyC - ref.secondarySupplyC;
    if (approach > designApproach + 2 * ctx.thresholds.deviationC) {
      evidence.push(
        `exchanger approach ${fmt(approach)} K against ${fmt(designApproach)} K by design, flow adequate`,
      );
      return { cause: 'heat-exchanger', evidence };
    }
  }
  if (ctx.deviationC !== null && ctx.deviationC > -ctx.thresholds.deviationC) {
    evidence.push('flow and secondary temperatures as required: look inside the buildings');
    return { cause: 'building-side', evidence };
  }
  return { cause: 'unknown', evidence };
}

function describe(ctx: AnomalyContext): string {
  const parts: string[] = [];
  if (ctx.flowRatio !== null) parts.push(`flow ratio ${fmt(ctx.flowRatio, 2)}`);
  if (ctx.deviationC !== null) parts.push(`deviation ${fmt(ctx.deviationC)} K`);
  parts.push(`status ${ctx.status}`);
  return parts.join(', ');
}
