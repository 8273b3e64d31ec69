import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { type AnomalyContext, detectAnomaly } from '../../src/balance/anomaly.ts';
import { type NetworkDesign, referenceAt } from '../../src/balance/reference.ts';
import type {
  BalanceStatus,
  Position,
  PumpSignals,
  SubstationInput,
  SubstationSignals,
} from '../../src/balance/types.ts';
import type { BalanceConfig } from '../../src/config/schema.ts';
import { BalanceSchema } from '../../src/config/schema-balance.ts';
import { NetworkDesignSchema } from '../../src/config/schema-network.ts';
import { pumpSignals } from './balance-fixtures.ts';

/**
 * Defaults: deviationC 2 K, flowRatioLow 0.85, flowRatioHigh 1.15, makeupM3h 0.5.
 * Reference at −5 °C (see balance-reference.test.ts): primary supply 91.439983,
 * secondary supply 51.932113 → design exchanger approach 39.507870 K; the
 * heat-exchanger verdict needs an approach above 39.507870 + 2·2 = 43.507870 K.
 */
const thresholds = (Value.Default(BalanceSchema, {}) as BalanceConfig).thresholds;
const design = Value.Default(NetworkDesignSchema, {}) as NetworkDesign;
const reference = referenceAt(design, -5);

const pump = (over: Partial<PumpSignals> = {}) => pumpSignals({ maxStepHz: 5, ...over });

const signals = (over: Partial<SubstationSignals> = {}): SubstationSignals => ({
  // Water exactly on the curve, exchanger at its design approach.
  primarySupplyC: 91.4,
  primaryReturnC: 53.6,
  primaryFlowM3h: 10,
  primaryDpMpa: 0.05,
  secondarySupplyC: 51.9,
  secondaryReturnC: 40.6,
  heatPowerKw: 300,
  makeupM3h: 0.1,
  ...over,
});

const input = (
  sig: Partial<SubstationSignals> = {},
  pumps: PumpSignals[] = [pump()],
): SubstationInput => ({
  id: 'S01',
  source: 'P1',
  branch: 'north',
  distanceM: 300,
  heatedAreaM2: 10_000,
  designFlowM3h: 10,
  signals: signals(sig),
  pumps,
  rooms: { households: 40, reporting: 20, meanC: 20, coldShare: 0 },
  settling: false,
});

const ctx = (
  position: Position,
  status: BalanceStatus,
  deviationC: number | null,
  flowRatio: number | null,
  sub: SubstationInput = input(),
): AnomalyContext => ({
  input: sub,
  position,
  status,
  deviationC,
  flowRatio,
  reference,
  thresholds,
});

describe('detectAnomaly: cold near the plant', () => {
  it('low flow → flow-restriction, with the flow, the pump speed and the available pressure', () => {
    const a = detectAnomaly(ctx('near', 'underheating', -6, 0.6));
    expect(a).toEqual({
      cause: 'flow-restriction',
      evidence: [
        'near end short of flow (flow ratio 0.60, deviation -6.0 K, status underheating)',
        'flow only 60 % of required near the plant',
        'pump running at 40.0 Hz',
        // 0.05 MPa = 50 kPa
        '50 kPa available at the station',
      ],
    });
  });

  it('low flow is a restriction even while the status is still normal', () => {
    // flow 0.8 < 0.85 makes the station cold by itself
    const a = detectAnomaly(ctx('near', 'normal', 0, 0.8));
    expect(a?.cause).toBe('flow-restriction');
  });

  it('flow-restriction evidence leaves out what is unknown', () => {
    const sub = input({ primaryDpMpa: null }, [pump({ hz: null, setpointHz: null })]);
    const a = detectAnomaly(ctx('near', 'underheating', -6, 0.6, sub));
    expect(a).toEqual({
      cause: 'flow-restriction',
      evidence: [
        'near end short of flow (flow ratio 0.60, deviation -6.0 K, status underheating)',
        'flow only 60 % of required near the plant',
      ],
    });
  });

  it('adequate flow and a large exchanger approach → heat-exchanger', () => {
    // approach 91.4 − 45 = 46.4 K > 43.51 K
    const sub = input({ secondarySupplyC: 45, secondaryReturnC: 35 });
    const a = detectAnomaly(ctx('near', 'underheating', -6, 1.0, sub));
    expect(a).toEqual({
      cause: 'heat-exchanger',
      evidence: [
        'near end running cold (flow ratio 1.00, deviation -6.0 K, status underheating)',
        // designApproach 91.439983 − 51.932113 = 39.507870 → "39.5"
        'exchanger approach 46.4 K against 39.5 K by design, flow adequate',
      ],
    });
  });

  it('an approach just inside the margin is no exchanger fault', () => {
    // approach 91.4 − 48 = 43.4 K ≤ 43.51 K; deviation −5 K is itself cold → unknown
    const sub = input({ secondarySupplyC: 48, secondaryReturnC: 34 });
    expect(detectAnomaly(ctx('near', 'underheating', -5, 1.0, sub))?.cause).toBe('unknown');
  });

  it('cold rooms with water on the curve → building-side', () => {
    const a = detectAnomaly(ctx('near', 'underheating', -0.5, 1.0));
    expect(a).toEqual({
      cause: 'building-side',
      evidence: [
        'near end running cold (flow ratio 1.00, deviation -0.5 K, status underheating)',
        'flow and secondary temperatures as required: look inside the buildings',
      ],
    });
  });

  it('cold water without a cause on the water side → unknown', () => {
    // deviation −3 K is beyond −2 K (cold), flow fine, approach 39.5 K
    expect(detectAnomaly(ctx('near', 'normal', -3, 1.0))?.cause).toBe('unknown');
  });
});

describe('detectAnomaly: hot at the far end', () => {
  it('high flow → excess-flow', () => {
    const a = detectAnomaly(ctx('far', 'overheating', 4, 1.3));
    expect(a).toEqual({
      cause: 'excess-flow',
      evidence: [
        'far end running with excess flow (flow ratio 1.30, deviation 4.0 K, status overheating)',
        'flow 130 % of required at the far end',
      ],
    });
  });

  it('hot with normal flow → unknown', () => {
    expect(detectAnomaly(ctx('far', 'overheating', 4, 1.0))?.cause).toBe('unknown');
    // hot by deviation alone (> 2 K), status still normal
    expect(detectAnomaly(ctx('far', 'normal', 2.5, 1.0))?.cause).toBe('unknown');
  });
});

describe('detectAnomaly: faults anywhere', () => {
  const positions: Position[] = ['near', 'middle', 'far'];

  it('a pump fault code → pump-fault', () => {
    for (const p of positions) {
      const sub = input({}, [pump({ faultCode: 17 })]);
      expect(detectAnomaly(ctx(p, 'normal', 0, 1, sub))).toEqual({
        cause: 'pump-fault',
        evidence: ['S01-P1 fault code 17'],
      });
    }
  });

  it('lists only the faulted pumps; fault code 0 or unknown is no fault', () => {
    const sub = input({}, [
      pump({ id: 'A', faultCode: 0 }),
      pump({ id: 'B', faultCode: 5 }),
      pump({ id: 'C', faultCode: null }),
    ]);
    expect(detectAnomaly(ctx('middle', 'normal', 0, 1, sub))).toEqual({
      cause: 'pump-fault',
      evidence: ['B fault code 5'],
    });
    const healthy = input({}, [pump({ faultCode: 0 }), pump({ id: 'X', faultCode: null })]);
    expect(detectAnomaly(ctx('middle', 'normal', 0, 1, healthy))).toBeNull();
  });

  it('every pump stopped → pump-stopped', () => {
    for (const p of positions) {
      const sub = input({}, [pump({ id: 'A', running: false }), pump({ id: 'B', running: false })]);
      expect(detectAnomaly(ctx(p, 'normal', 0, 1, sub))).toEqual({
        cause: 'pump-stopped',
        evidence: ['A not running', 'B not running'],
      });
    }
  });

  it('a stand-by pump or an unknown running state is not a stop', () => {
    const standby = input({}, [
      pump({ id: 'A', running: true }),
      pump({ id: 'B', running: false }),
    ]);
    expect(detectAnomaly(ctx('middle', 'normal', 0, 1, standby))).toBeNull();
    const unknown = input({}, [pump({ running: null })]);
    expect(detectAnomaly(ctx('middle', 'normal', 0, 1, unknown))).toBeNull();
    const none = input({}, []);
    expect(detectAnomaly(ctx('middle', 'normal', 0, 1, none))).toBeNull();
  });

  it('make-up water above the threshold → leak', () => {
    for (const p of positions) {
      const sub = input({ makeupM3h: 0.8 });
      expect(detectAnomaly(ctx(p, 'normal', 0, 1, sub))).toEqual({
        cause: 'leak',
        evidence: ['make-up water 0.80 m³/h above 0.5 m³/h'],
      });
    }
    expect(detectAnomaly(ctx('middle', 'normal', 0, 1, input({ makeupM3h: 0.5 })))).toBeNull();
    expect(detectAnomaly(ctx('middle', 'normal', 0, 1, input({ makeupM3h: null })))).toBeNull();
  });

  it('a fault beats a stop, a stop beats a leak, and both beat a near-end cold cause', () => {
    const all = input({ makeupM3h: 2 }, [pump({ running: false, faultCode: 3 })]);
    expect(detectAnomaly(ctx('near', 'underheating', -6, 0.5, all))?.cause).toBe('pump-fault');
    const stopAndLeak = input({ makeupM3h: 2 }, [pump({ running: false })]);
    expect(detectAnomaly(ctx('near', 'underheating', -6, 0.5, stopAndLeak))?.cause).toBe(
      'pump-stopped',
    );
    const leak = input({ makeupM3h: 2 });
    expect(detectAnomaly(ctx('near', 'underheating', -6, 0.5, leak))?.cause).toBe('leak');
  });
});

describe('detectAnomaly: stations that follow the gradient', () => {
  it('middle stations are never gradient anomalies', () => {
    expect(detectAnomaly(ctx('middle', 'underheating', -6, 0.6))).toBeNull();
    expect(detectAnomaly(ctx('middle', 'overheating', 5, 1.4))).toBeNull();
    expect(detectAnomaly(ctx('middle', 'normal', 0, 1))).toBeNull();
  });

  it('hot near the plant and cold at the far end are the gradient, not anomalies', () => {
    expect(detectAnomaly(ctx('near', 'overheating', 5, 1.3))).toBeNull();
    expect(detectAnomaly(ctx('far', 'underheating', -5, 0.7))).toBeNull();
  });

  it('normal stations at either end are not anomalies', () => {
    expect(detectAnomaly(ctx('near', 'normal', 1, 1.1))).toBeNull();
    expect(detectAnomaly(ctx('far', 'normal', -1, 0.9))).toBeNull();
    expect(detectAnomaly(ctx('far', 'normal', null, null))).toBeNull();
  });
});

describe('detectAnomaly: no contradictory verdicts', () => {
  it('a far station underheating with high flow is not called hot', () => {
    // Flow above required at the far end is still excess flow (worth a look), but the
    // evidence must not claim the station runs hot.
    const a = detectAnomaly(ctx('far', 'underheating', -3, 1.2));
    expect(a?.cause).toBe('excess-flow');
    expect(a?.evidence[0]).toMatch(/^far end running with excess flow/);
  });

  it('a near station overheating with a small deficit in temperature is not an anomaly', () => {
    expect(detectAnomaly(ctx('near', 'overheating', -2.5, 1.0))).toBeNull();
  });

  it('a near station starved of flow is an anomaly even while its rooms are still warm', () => {
    const a = detectAnomaly(ctx('near', 'overheating', 1, 0.5));
    expect(a?.cause).toBe('flow-restriction');
    expect(a?.evidence[0]).toMatch(/^near end short of flow/);
  });
});
