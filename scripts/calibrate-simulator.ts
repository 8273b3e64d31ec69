/**
 * Prints what the simulated demo network does under uniform pump settings: flow
 * ratio, secondary supply and indoor mean per substation, near end first. Used to
 * calibrate the model and to record the figures (see README, Simulator).
 * With mode "balanced", every pump is first set by the affinity law (n ∝ Q) until
 * each substation gets its design flow, within the pumps' limits: the network can
 * be balanced, and this is what it looks like when it is.
 *   npx tsx scripts/calibrate-simulator.ts [config/demo.yaml] [days] [outdoorC] [uniform|balanced]
 */
import { NetworkModel } from '../simulators/model/network-model.ts';
import { groundTruth } from '../simulators/model/truth.ts';
import { loadConfigOrThrow } from '../src/config/load.ts';

const [file = 'config/demo.yaml', days = '3', outdoor, mode = 'uniform'] = process.argv.slice(2);
const env = {
  HEATNET_DISPATCH_TOKEN: 'x'.repeat(16),
  HEATNET_SERVICE_TOKEN: 'y'.repeat(16),
  HEATNET_ADMIN_TOKEN: 'z'.repeat(16),
};
const config = loadConfigOrThrow(file, { ...env, ...process.env });
if (outdoor !== undefined) {
  config.simulation.weather = {
    ...config.simulation.weather,
    meanC: Number(outdoor),
    dailyAmplitudeC: 0,
    frontAmplitudeC: 0,
  };
}
const start = Date.parse('2026-01-10T00:00:00Z');
const model = new NetworkModel(config, start);
if (mode === 'balanced') {
  for (let round = 0; round < 40; round++) {
    const flows = model.hydraulicState().flowM3h;
    for (const [id, design] of model.designs) {
      for (const p of design.substation.pumps) {
        const drive = model.pumps.get(p.id)!;
        const x = (flows.get(id) ?? 0) / design.primaryFlowM3h;
        const next = drive.setpointHz / Math.max(0.2, x) ** 0.5;
        drive.setSetpoint(Math.min(p.maxHz, Math.max(p.minHz, next)));
        drive.hz = drive.setpointHz;
      }
    }
    model.step(1);
  }
}
model.advanceTo(start + Number(days) * 86_400_000);
const truth = groundTruth(model);
console.log(
  `t=${new Date(model.timeMs).toISOString()} outdoor=${truth.outdoorTempC.toFixed(1)} °C plant supply=${truth.plantSupplyC.toFixed(1)} °C`,
);
console.log('id   branch  km    x     Δp kPa   Hz    T_ps  T_pr  T_ss  T_sr  indoor  cold%');
for (const s of truth.substations) {
  console.log(
    [
      s.id,
      s.branch.padEnd(6),
      (s.distanceM / 1000).toFixed(2),
      s.flowRatio.toFixed(2),
      s.availableKpa.toFixed(0).padStart(6),
      s.pumpHz.toFixed(1).padStart(5),
      s.primarySupplyC.toFixed(1),
      s.primaryReturnC.toFixed(1),
      s.secondarySupplyC.toFixed(1),
      s.secondaryReturnC.toFixed(1),
      s.indoorMeanC.toFixed(1).padStart(6),
      (s.coldShare * 100).toFixed(0).padStart(5),
    ].join('  '),
  );
}
console.log(
  `network: cold share ${(truth.coldShare * 100).toFixed(1)} %, indoor spread ${truth.indoorSpreadC.toFixed(1)} K`,
);
