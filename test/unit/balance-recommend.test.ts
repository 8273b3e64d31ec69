import fc from 'fast-check';
import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { recommendPump } from '../../src/balance/recommend.ts';
import type { BalanceConfig } from '../../src/config/schema.ts';
import { BalanceSchema } from '../../src/config/schema-balance.ts';
import { pumpSignals } from './balance-fixtures.ts';

/** Defaults: gain 0.8, deadband 0.05. n' = n·(1 + 0.8·(1/x − 1)). */
const cfg = (Value.Default(BalanceSchema, {}) as BalanceConfig).recommend;

const pump = pumpSignals;

describe('recommendPump', () => {
  it('uses the default gain 0.8 and deadband 0.05', () => {
    expect(cfg).toEqual({ gain: 0.8, deadband: 0.05 });
  });

  it('applies the affinity law with the gain', () => {
    // 40·(1 + 0.8·(1/0.9 − 1)) = 40·(1 + 0.8·0.111111) = 40·1.088889 = 43.5556 → 43.6
    const r = recommendPump(pump(), 0.9, 'underheating', cfg)!;
    expect(r).toMatchObject({
      pump: 'S01-P1',
      action: 'raise',
      currentHz: 40,
      targetHz: 43.6,
      limitedBy: null,
    });
    // expected flow ratio 0.9 · 43.6/40 = 0.981
    expect(r.expectedFlowRatio).toBeCloseTo(0.981, 12);
    expect(r.reason).toContain('43.6');

    // 40·(1 + 0.8·(1.25 − 1)) = 40·1.2 = 48 exactly
    expect(recommendPump(pump(), 0.8, 'normal', cfg)!.targetHz).toBe(48);
  });

  it('gain 1 is the plain affinity law', () => {
    // 40 / 0.9 = 44.444 → 44.4
    expect(recommendPump(pump(), 0.9, 'normal', { ...cfg, gain: 1 })!.targetHz).toBe(44.4);
  });

  it('lowers a pump with too much flow', () => {
    // 40·(1 + 0.8·(1/1.25 − 1)) = 40·(1 − 0.16) = 33.6
    const r = recommendPump(pump(), 1.25, 'overheating', cfg)!;
    expect(r.action).toBe('lower');
    expect(r.targetHz).toBe(33.6);
    expect(r.limitedBy).toBeNull();
    // 1.25 · 33.6/40 = 1.05
    expect(r.expectedFlowRatio).toBeCloseTo(1.05, 12);
  });

  it('recommends nothing within the deadband', () => {
    expect(recommendPump(pump(), 1, 'normal', cfg)).toBeNull();
    expect(recommendPump(pump(), 0.96, 'normal', cfg)).toBeNull();
    expect(recommendPump(pump(), 1.04, 'normal', cfg)).toBeNull();
    // just outside: 40·(1 + 0.8·(1/0.94 − 1)) = 40·1.051064 = 42.0426 → 42
    expect(recommendPump(pump(), 0.94, 'normal', cfg)!.targetHz).toBe(42);
    // a wider deadband swallows it
    expect(recommendPump(pump(), 0.94, 'normal', { ...cfg, deadband: 0.1 })).toBeNull();
  });

  it('limits the step to maxStepHz', () => {
    // 40·1.2 = 48, 8 Hz > 5 Hz → 45
    const up = recommendPump(pump({ maxStepHz: 5 }), 0.8, 'underheating', cfg)!;
    expect(up).toMatchObject({ action: 'raise', targetHz: 45, limitedBy: 'maxStep' });
    expect(up.expectedFlowRatio).toBeCloseTo(0.8 * (45 / 40), 12); // 0.9
    // 40·(1 + 0.8·(1/1.5 − 1)) = 40·0.733333 = 29.333, 10.67 Hz > 5 Hz → 35
    const down = recommendPump(pump({ maxStepHz: 5 }), 1.5, 'overheating', cfg)!;
    expect(down).toMatchObject({ action: 'lower', targetHz: 35, limitedBy: 'maxStep' });
  });

  it('limits to maxHz', () => {
    // 46·1.2 = 55.2 (step 9.2 ≤ 10) > 50 → 50
    const r = recommendPump(pump({ hz: 46, setpointHz: 46 }), 0.8, 'underheating', cfg)!;
    expect(r).toMatchObject({ action: 'raise', currentHz: 46, targetHz: 50, limitedBy: 'maxHz' });
    // 0.8 · 50/46 = 0.869565
    expect(r.expectedFlowRatio).toBeCloseTo(0.8695652173913043, 12);
    // step-limited first (48 + 5 = 53), then still above 50: maxHz wins
    const both = recommendPump(pump({ hz: 48, setpointHz: 48, maxStepHz: 5 }), 0.8, 'normal', cfg)!;
    expect(both).toMatchObject({ targetHz: 50, limitedBy: 'maxHz' });
  });

  it('limits to minHz', () => {
    // 30·(1 + 0.8·(1/1.3 − 1)) = 30·0.815385 = 24.46 < 25 → 25
    const r = recommendPump(pump({ hz: 30, setpointHz: 30 }), 1.3, 'overheating', cfg)!;
    expect(r).toMatchObject({ action: 'lower', currentHz: 30, targetHz: 25, limitedBy: 'minHz' });
    // 1.3 · 25/30 = 1.083333
    expect(r.expectedFlowRatio).toBeCloseTo(1.0833333333333333, 12);
  });

  it('holds a pump already at its maximum that is still short', () => {
    const r = recommendPump(pump({ hz: 50, setpointHz: 50 }), 0.7, 'underheating', cfg)!;
    expect(r).toMatchObject({ action: 'hold', currentHz: 50, targetHz: 50, limitedBy: 'maxHz' });
    expect(r.expectedFlowRatio).toBeCloseTo(0.7, 12);
    expect(r.reason).toContain('maximum');
  });

  it('holds a pump already at its minimum with too much flow', () => {
    const r = recommendPump(pump({ hz: 25, setpointHz: 25 }), 1.4, 'overheating', cfg)!;
    expect(r).toMatchObject({ action: 'hold', currentHz: 25, targetHz: 25, limitedBy: 'minHz' });
    expect(r.reason).toContain('minimum');
  });

  it('does not raise flow to stations whose rooms overheat', () => {
    expect(recommendPump(pump(), 0.7, 'overheating', cfg)).toBeNull();
    expect(recommendPump(pump(), 0.7, 'normal', cfg)!.action).toBe('raise');
  });

  it('does not lower flow to stations whose rooms are cold', () => {
    expect(recommendPump(pump(), 1.3, 'underheating', cfg)).toBeNull();
    expect(recommendPump(pump(), 1.3, 'normal', cfg)!.action).toBe('lower');
  });

  it('starts from the setpoint, not from the measured speed', () => {
    const r = recommendPump(pump({ hz: 35, setpointHz: 40 }), 0.9, 'normal', cfg)!;
    expect(r.currentHz).toBe(40);
    expect(r.targetHz).toBe(43.6);
    // without a setpoint: 35·1.088889 = 38.111 → 38.1
    const fromHz = recommendPump(pump({ hz: 35, setpointHz: null }), 0.9, 'normal', cfg)!;
    expect(fromHz.currentHz).toBe(35);
    expect(fromHz.targetHz).toBe(38.1);
  });

  it('recommends nothing without a speed or a positive flow ratio', () => {
    expect(recommendPump(pump({ hz: null, setpointHz: null }), 0.8, 'normal', cfg)).toBeNull();
    expect(recommendPump(pump({ hz: 0, setpointHz: 0 }), 0.8, 'normal', cfg)).toBeNull();
    expect(recommendPump(pump(), 0, 'normal', cfg)).toBeNull();
    expect(recommendPump(pump(), -0.5, 'normal', cfg)).toBeNull();
  });

  it('targets are in tenths of a hertz within the pump range, expected ratio = x·target/current', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 25, max: 50, noNaN: true }),
        fc.double({ min: 0.3, max: 2.5, noNaN: true }),
        fc.double({ min: 0.5, max: 10, noNaN: true }),
        (hz, x, step) => {
          const r = recommendPump(pump({ hz, setpointHz: hz, maxStepHz: step }), x, 'normal', cfg);
          if (Math.abs(x - 1) <= cfg.deadband) {
            expect(r).toBeNull();
            return;
          }
          expect(r).not.toBeNull();
          const tenths = r!.targetHz * 10;
          expect(Math.abs(tenths - Math.round(tenths))).toBeLessThan(1e-9);
          expect(r!.targetHz).toBeGreaterThanOrEqual(25);
          expect(r!.targetHz).toBeLessThanOrEqual(50);
          // never more than one (rounded) step away
          expect(Math.abs(r!.targetHz - hz)).toBeLessThanOrEqual(step + 0.05 + 1e-9);
          expect(r!.expectedFlowRatio).toBeCloseTo((x * r!.targetHz) / hz, 12);
          // the direction always follows the need (or holds)
          if (r!.action === 'raise') expect(x).toBeLessThan(1);
          if (r!.action === 'lower') expect(x).toBeGreaterThan(1);
        },
      ),
    );
  });

  it('holds a pump set outside its range instead of "correcting" it the wrong way', () => {
    // Too much flow, but the setpoint (20) is under minHz (25): clamping would raise it.
    const low = recommendPump(pump({ setpointHz: 20 }), 1.3, 'overheating', cfg)!;
    expect(low).toMatchObject({ action: 'hold', targetHz: 20, limitedBy: 'minHz' });
    expect(low.reason).toMatch(/outside its 25–50 Hz range/);
    const high = recommendPump(pump({ setpointHz: 52 }), 0.7, 'underheating', cfg)!;
    expect(high).toMatchObject({ action: 'hold', targetHz: 52, limitedBy: 'maxHz' });
  });

  it('never steps past maxStep or maxHz through rounding', () => {
    // 40.07 + 5 = 45.07 → 45.1 would be a 5.03 Hz step: pulled back to 45.0.
    const step = recommendPump(pump({ setpointHz: 40.07, maxStepHz: 5 }), 0.7, 'normal', cfg)!;
    expect(step.targetHz).toBe(45);
    expect(step.limitedBy).toBe('maxStep');
    // A 49.96 Hz maximum is kept exactly, not rounded up to 50.
    const max = recommendPump(pump({ setpointHz: 47, maxHz: 49.96 }), 0.7, 'normal', cfg)!;
    expect(max.targetHz).toBe(49.96);
    expect(max.limitedBy).toBe('maxHz');
  });

  it('treats a flow ratio of exactly 1 ± deadband as inside the deadband', () => {
    expect(recommendPump(pump(), 0.95, 'normal', cfg)).toBeNull();
    expect(recommendPump(pump(), 1.05, 'normal', cfg)).toBeNull();
  });
});
