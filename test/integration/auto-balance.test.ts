import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groundTruth, type NetworkTruth } from '../../simulators/model/truth.ts';
import type { Simulator } from '../../simulators/simulator.ts';
import type { HeatnetApp } from '../../src/app.ts';
import { simulatedDemo } from '../support/simulated-demo.ts';

/**
 * Auto-balancing in the running service over the real wire (issue 5): the demo network
 * at 600× (ten simulated minutes per second), the engine fed over Modbus and MQTT, and
 * the auto-balancer writing VFD setpoints through the guarded, audited control path.
 * Eight simulated hours; the hydraulics answer at once, the rooms take hours.
 */
const SIM_HOURS = 8;

function flowSpread(t: NetworkTruth): number {
  const ratios = t.substations.map((s) => s.flowRatio);
  return Math.max(...ratios) - Math.min(...ratios);
}

describe('auto-balancing the simulated network', () => {
  let sim: Simulator;
  let app: HeatnetApp;
  let before: NetworkTruth;

  beforeAll(async () => {
    ({ sim, app } = await simulatedDemo({
      speed: 600,
      publish: { roomIntervalS: 1800, buildingIntervalS: 600, weatherIntervalS: 600 },
      balance: {
        schedule: { intervalS: 900 },
        windowMin: 60,
        staleAfterMin: 60,
        auto: { enabled: true, schedule: { intervalS: 1800 } },
      },
      control: { minIntervalS: 1200 },
    }));
    before = groundTruth(sim.model);
    await app.start();
    await sim.start();
    await new Promise((r) => setTimeout(r, (SIM_HOURS * 3_600_000) / 600));
    // Issue 9: 3× what it needs under load (53 s measured with a CPU hog beside it, 48 s of it
    // the simulated hours at speed 600).
  }, 160_000);

  afterAll(async () => {
    await sim?.stop();
    await app?.stop();
  });

  it('narrows the flow imbalance and warms the far end through audited, bounded changes', async () => {
    sim.advance();
    const after = groundTruth(sim.model);
    const http = await app.http();
    const audit = (await http.inject({ url: '/api/control/audit?limit=1000' })).json() as {
      entries: {
        source: string;
        result: string;
        beforeHz: number;
        requestedHz: number;
        actor: string;
      }[];
    };
    const auto = audit.entries.filter((e) => e.source === 'auto');
    const confirmed = auto.filter((e) => e.result === 'confirmed');
    const far = (t: NetworkTruth) =>
      t.substations.filter((s) => s.id === 'S11' || s.id === 'S22').map((s) => s.indoorMeanC);
    console.info(
      `auto-balancing ${SIM_HOURS} h: flow-ratio spread ${flowSpread(before).toFixed(2)} → ${flowSpread(after).toFixed(2)}, ` +
        `indoor spread ${before.indoorSpreadC.toFixed(2)} → ${after.indoorSpreadC.toFixed(2)} K, cold share ` +
        `${(100 * before.coldShare).toFixed(1)} → ${(100 * after.coldShare).toFixed(1)} %, ${confirmed.length} confirmed changes of ${auto.length} attempts`,
    );
    expect(confirmed.length).toBeGreaterThan(20);
    for (const e of confirmed) {
      expect(e.actor).toBe('auto-balancer');
      expect(Math.abs(e.requestedHz - e.beforeHz)).toBeLessThanOrEqual(5 + 1e-9);
    }
    expect(flowSpread(after)).toBeLessThan(flowSpread(before) / 2);
    expect(after.coldShare).toBeLessThan(before.coldShare);
    expect(Math.min(...far(after))).toBeGreaterThan(Math.min(...far(before)));
    expect(Math.max(...after.substations.map((s) => s.indoorMeanC))).toBeLessThanOrEqual(24);
  });
});
