import fc from 'fast-check';
import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import {
  designFlowM3h,
  equilibriumIndoorC,
  heatIndex,
  KW_PER_M3H_K,
  type NetworkDesign,
  referenceAt,
} from '../../src/balance/reference.ts';
import { NetworkDesignSchema } from '../../src/config/schema-network.ts';

/**
 * The balancing engine's reference (heating curve, design flow, heat index and the
 * equilibrium indoor temperature) against values computed by hand from the Modelica
 * Buildings `SupplyReturnTemperatureReset` formulas:
 *
 *   q      = max(0, (T_in − T_out) / (T_in,nom − T_out,nom))
 *   T_sup  = T_in + ΔT_m·q^(1/m) + ½(T_sup,nom − T_ret,nom)·q
 *   T_ret  = T_in + ΔT_m·q^(1/m) − ½(T_sup,nom − T_ret,nom)·q
 *
 * Design: −13 / 20 °C, secondary 60/45 (ΔT_m = 52.5 − 20 = 32.5, half-span 7.5),
 * primary 110/60 (ΔT_m = 85 − 20 = 65, half-span 25), m = 1.3.
 */

// Schema defaults are exactly the design under test (−13/20, 110/60, 60/45, 45 W/m²).
const design: NetworkDesign = Value.Default(NetworkDesignSchema, {}) as NetworkDesign;

describe('design under test', () => {
  it('is the documented default design', () => {
    expect(design).toMatchObject({
      outdoorC: -13,
      indoorC: 20,
      primary: { supplyC: 110, returnC: 60 },
      secondary: { supplyC: 60, returnC: 45 },
      heatLoadWPerM2: 45,
    });
  });
});

describe('referenceAt (heating curve)', () => {
  it('gives the nominal temperatures at the design outdoor temperature (−13 °C)', () => {
    // q = (20 − (−13)) / 33 = 1 → q^(1/m) = 1
    // secondary: 20 + 32.5 ± 7.5 = 60 / 45; primary: 20 + 65 ± 25 = 110 / 60
    const r = referenceAt(design, -13);
    expect(r.load).toBe(1);
    expect(r.secondarySupplyC).toBeCloseTo(60, 10);
    expect(r.secondaryReturnC).toBeCloseTo(45, 10);
    expect(r.primarySupplyC).toBeCloseTo(110, 10);
    expect(r.primaryReturnC).toBeCloseTo(60, 10);
    expect(r.flowFactor).toBeCloseTo(1, 12);
  });

  it('matches the hand-computed curve at −5 °C', () => {
    // q = 25/33 = 0.757575…; ln q = −0.277632; /1.3 = −0.213563; q^(1/1.3) = 0.807703
    // secondary: 20 + 32.5·0.807703 = 46.250295; ± 7.5·0.757576 = ± 5.681818
    //   → 51.932113 / 40.568477
    // primary:   20 + 65·0.807703 = 72.500589; ± 25·0.757576 = ± 18.939394
    //   → 91.439983 / 53.561195
    const r = referenceAt(design, -5);
    expect(r.load).toBeCloseTo(25 / 33, 12);
    expect(r.secondarySupplyC).toBeCloseTo(51.9321128657541, 9);
    expect(r.secondaryReturnC).toBeCloseTo(40.56847650211774, 9);
    expect(r.primarySupplyC).toBeCloseTo(91.43998330726578, 9);
    expect(r.primaryReturnC).toBeCloseTo(53.5611954284779, 9);
  });

  it('matches the hand-computed curve at +5 °C', () => {
    // q = 15/33 = 0.454545…; ln q = −0.788457; /1.3 = −0.606506; q^(1/1.3) = 0.545253
    // secondary: 20 + 32.5·0.545253 = 37.720717; ± 7.5·0.454545 = ± 3.409091
    //   → 41.129808 / 34.311626
    // primary:   20 + 65·0.545253 = 55.441435; ± 25·0.454545 = ± 11.363636
    //   → 66.805071 / 44.077798
    const r = referenceAt(design, 5);
    expect(r.load).toBeCloseTo(15 / 33, 12);
    expect(r.secondarySupplyC).toBeCloseTo(41.1298082706774, 9);
    expect(r.secondaryReturnC).toBeCloseTo(34.31162645249559, 9);
    expect(r.primarySupplyC).toBeCloseTo(66.80507108680935, 9);
    expect(r.primaryReturnC).toBeCloseTo(44.07779835953663, 9);
  });

  it('clamps the load to 0 at and above the indoor temperature: all temperatures = 20 °C', () => {
    for (const outdoor of [20, 25, 35]) {
      // q = max(0, (20 − T_out)/33) = 0 → every temperature is T_in = 20
      const r = referenceAt(design, outdoor);
      expect(r.load).toBe(0);
      expect(r.secondarySupplyC).toBe(20);
      expect(r.secondaryReturnC).toBe(20);
      expect(r.primarySupplyC).toBe(20);
      expect(r.primaryReturnC).toBe(20);
      // No temperature drop → no flow requirement (guarded, not NaN/Infinity).
      expect(r.flowFactor).toBe(0);
    }
  });

  it('supply above return and both falling as it gets warmer', () => {
    const temps = [-25, -13, -5, 0, 5, 10, 15, 19];
    const refs = temps.map((t) => referenceAt(design, t));
    for (const r of refs) {
      expect(r.secondarySupplyC).toBeGreaterThan(r.secondaryReturnC);
      expect(r.primarySupplyC).toBeGreaterThan(r.primaryReturnC);
    }
    for (let i = 1; i < refs.length; i++) {
      expect(refs[i]!.secondarySupplyC).toBeLessThan(refs[i - 1]!.secondarySupplyC);
      expect(refs[i]!.primarySupplyC).toBeLessThan(refs[i - 1]!.primarySupplyC);
    }
  });

  it('flowFactor is 1 wherever heating is needed (load and drop both scale with q)', () => {
    // primary drop = 2·25·q = 50q; flowFactor = q·50 / 50q = 1
    fc.assert(
      fc.property(fc.double({ min: -35, max: 19.5, noNaN: true }), (outdoor) => {
        expect(referenceAt(design, outdoor).flowFactor).toBeCloseTo(1, 9);
      }),
    );
  });
});

describe('designFlowM3h', () => {
  it('uses ρ·c_p = 975 kg/m³ · 4.19 kJ/(kg·K) / 3600 s = 1.1347917 kW/(m³/h·K)', () => {
    // 975 · 4.19 = 4085.25; / 3600 = 1.134791666…
    expect(KW_PER_M3H_K).toBeCloseTo(1.1347916666666666, 12);
  });

  it('derives the design flow from the heated area', () => {
    // 10 000 m² · 45 W/m² = 450 kW; 1.1347917 · (110 − 60) = 56.739583 kW per m³/h
    // 450 / 56.739583 = 7.930971 m³/h
    expect(designFlowM3h(design, { heatedAreaM2: 10_000 })).toBeCloseTo(7.930971176794564, 9);
    // 6 523 m² → 293.535 kW / 56.739583 = 5.173372 m³/h
    expect(designFlowM3h(design, { heatedAreaM2: 6523 })).toBeCloseTo(5.1733724986230945, 9);
  });

  it('scales with the design temperature drop and load', () => {
    // primary 110/70: ΔT 40 → 450 / (1.1347917·40 = 45.391667) = 9.913714
    const narrow = { ...design, primary: { supplyC: 110, returnC: 70 } };
    expect(designFlowM3h(narrow, { heatedAreaM2: 10_000 })).toBeCloseTo(9.913713970993205, 9);
    // 60 W/m² → 600 kW / 56.739583 = 10.574628
    const heavy = { ...design, heatLoadWPerM2: 60 };
    expect(designFlowM3h(heavy, { heatedAreaM2: 10_000 })).toBeCloseTo(10.574628235726086, 9);
  });

  it('takes a configured design flow as is', () => {
    expect(designFlowM3h(design, { heatedAreaM2: 10_000, designFlowM3h: 12.5 })).toBe(12.5);
    // explicit undefined = not configured
    expect(designFlowM3h(design, { heatedAreaM2: 10_000, designFlowM3h: undefined })).toBeCloseTo(
      7.930971176794564,
      9,
    );
  });
});

describe('heatIndex', () => {
  it('is 1 at design conditions', () => {
    // 10 000 m² at 45 W/m² = 450 kW at −13 °C: 450 000/10 000/33 = 1.363636 W/(m²·K)
    // over the design 45/33 = 1.363636 → 1
    expect(heatIndex(design, 450, 10_000, -13)).toBeCloseTo(1, 12);
  });

  it('normalises by the indoor–outdoor difference (degree-days)', () => {
    // at −5 °C the design load is 450·25/33 = 340.909 kW → index 1
    expect(heatIndex(design, (450 * 25) / 33, 10_000, -5)).toBeCloseTo(1, 12);
    // 300 kW at −5 °C: 30 W/m² / 25 K = 1.2 over 1.363636 → 0.88
    expect(heatIndex(design, 300, 10_000, -5)).toBeCloseTo(0.88, 12);
    // 100 kW at 18 °C: 10 W/m² / 2 K = 5 over 1.363636 → 3.666667
    expect(heatIndex(design, 100, 10_000, 18)).toBeCloseTo(3.6666666666666665, 12);
  });

  it('is null when the outdoor temperature is within 1 K of indoors or above', () => {
    expect(heatIndex(design, 100, 10_000, 19)).toBeNull(); // 20 − 19 = 1 ≤ 1
    expect(heatIndex(design, 100, 10_000, 20)).toBeNull();
    expect(heatIndex(design, 100, 10_000, 25)).toBeNull();
  });

  it('is null without a power reading or a heated area', () => {
    expect(heatIndex(design, null, 10_000, -5)).toBeNull();
    expect(heatIndex(design, 300, 0, -5)).toBeNull();
  });
});

describe('equilibriumIndoorC', () => {
  /** Mean secondary temperature the heating curve asks for at this outdoor temperature. */
  const referenceMean = (outdoorC: number) => {
    const r = referenceAt(design, outdoorC);
    return (r.secondarySupplyC + r.secondaryReturnC) / 2;
  };

  it('is the design indoor temperature at the design point', () => {
    // mean 52.5 at −13 °C: (T−(−13))/33 = ((52.5−T)/32.5)^1.3 holds at T = 20
    expect(equilibriumIndoorC(design, 52.5, -13)).toBeCloseTo(20, 6);
  });

  it('is the design indoor temperature whenever the water follows the heating curve', () => {
    fc.assert(
      fc.property(fc.double({ min: -20, max: 10, noNaN: true }), (outdoor) => {
        const tin = equilibriumIndoorC(design, referenceMean(outdoor), outdoor);
        expect(tin).not.toBeNull();
        expect(Math.abs(tin! - 20)).toBeLessThanOrEqual(0.05);
      }),
    );
  });

  it('matches hand-solved steady states', () => {
    // Solve (T − T_out)/33 = ((T_m − T)/32.5)^1.3 (python3 bisection, 200 steps):
    // T_m = 30, T_out = 0 → 13.582274; T_m = 40, T_out = 0 → 18.863224
    expect(equilibriumIndoorC(design, 30, 0)).toBeCloseTo(13.58227381221932, 4);
    expect(equilibriumIndoorC(design, 40, 0)).toBeCloseTo(18.863224342031863, 4);
    // At −5 °C the curve's mean is 46.250295; 4 K above it → 22.222588, 4 K below → 17.797628
    expect(equilibriumIndoorC(design, 46.25029468393592 + 4, -5)).toBeCloseTo(
      22.222587812619842,
      4,
    );
    expect(equilibriumIndoorC(design, 46.25029468393592 - 4, -5)).toBeCloseTo(
      17.797628100083884,
      4,
    );
  });

  it('lies between the outdoor and the water temperature', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 15, noNaN: true }),
        fc.double({ min: 0.5, max: 90, noNaN: true }),
        (outdoor, above) => {
          const tin = equilibriumIndoorC(design, outdoor + above, outdoor)!;
          expect(tin).toBeGreaterThan(outdoor);
          expect(tin).toBeLessThan(outdoor + above);
        },
      ),
    );
  });

  it('rises with the secondary mean temperature', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -20, max: 10, noNaN: true }),
        fc.double({ min: 15, max: 80, noNaN: true }),
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        (outdoor, mean, step) => {
          const low = equilibriumIndoorC(design, mean, outdoor)!;
          const high = equilibriumIndoorC(design, mean + step, outdoor)!;
          expect(high).toBeGreaterThan(low);
        },
      ),
    );
  });

  it('is null when the water is not warmer than outdoors', () => {
    expect(equilibriumIndoorC(design, 5, 10)).toBeNull();
    expect(equilibriumIndoorC(design, 10, 10)).toBeNull();
    expect(equilibriumIndoorC(design, -10, -5)).toBeNull();
  });
});
