import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capacityRate, radiator } from '../../simulators/model/physics.ts';

/**
 * The radiator solver as it was before issue 9 made it faster: 40 plain halvings,
 * one power each. The fast one must give the same bits, or the simulator's
 * "same seed, same data" and every figure measured on it would drift.
 */
function referenceRadiator(
  supplyC: number,
  flowM3h: number,
  indoorC: number,
  designKw: number,
  designExcessK: number,
  n = 1.3,
): { returnC: number; heatKw: number } {
  const c = capacityRate(flowM3h);
  if (c <= 0 || supplyC <= indoorC || designKw <= 0)
    return { returnC: Math.max(indoorC, Math.min(supplyC, indoorC)), heatKw: 0 };
  const output = (ret: number) =>
    designKw * Math.max(0, ((supplyC + ret) / 2 - indoorC) / designExcessK) ** n;
  let lo = indoorC;
  let hi = supplyC;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (c * (supplyC - mid) > output(mid)) lo = mid;
    else hi = mid;
  }
  const returnC = (lo + hi) / 2;
  return { returnC, heatKw: c * (supplyC - returnC) };
}

const bits = (x: { returnC: number; heatKw: number }) =>
  Buffer.from(new Float64Array([x.returnC, x.heatKw]).buffer).toString('hex');

describe('radiator: the bracketed bisection is the plain one, bit for bit', () => {
  const caseArb = fc.record({
    supplyC: fc.double({ min: -10, max: 130, noNaN: true }),
    flowM3h: fc.oneof(fc.double({ min: 0, max: 200, noNaN: true }), fc.constant(0)),
    indoorC: fc.double({ min: -20, max: 40, noNaN: true }),
    designKw: fc.double({ min: 0, max: 5000, noNaN: true }),
    designExcessK: fc.double({ min: 5, max: 60, noNaN: true }),
  });
  // A good guess (the previous return), a poor one, none, or garbage: never a different answer.
  const guessArb = fc.oneof(
    fc.constant(undefined),
    fc.double(),
    fc.double({ min: -20, max: 130, noNaN: true }),
  );

  it('for any supply, flow, room, size and guess (fast-check)', () => {
    fc.assert(
      fc.property(caseArb, guessArb, (k, guess) => {
        const args = [k.supplyC, k.flowM3h, k.indoorC, k.designKw, k.designExcessK] as const;
        const expected = bits(referenceRadiator(...args));
        expect(bits(radiator(...args, 1.3, guess))).toBe(expected);
        // Guessed the answer itself, or a hair off it: the hardest brackets.
        const near = referenceRadiator(...args).returnC;
        expect(bits(radiator(...args, 1.3, near))).toBe(expected);
        expect(bits(radiator(...args, 1.3, near + 1e-9))).toBe(expected);
      }),
      { numRuns: 5_000 },
    );
  });

  it('on the demo network’s own operating points', () => {
    for (let supply = 35; supply <= 95; supply += 0.37)
      for (let flow = 0.5; flow <= 40; flow *= 1.3)
        for (const indoor of [12, 16.5, 18, 20, 23.7]) {
          const args = [supply, flow, indoor, 320, 42.5] as const;
          const expected = bits(referenceRadiator(...args));
          expect(bits(radiator(...args)), `${args}`).toBe(expected);
          const guess = referenceRadiator(...args).returnC + 0.05;
          expect(bits(radiator(...args, 1.3, guess)), `${args}`).toBe(expected);
        }
  });
});
