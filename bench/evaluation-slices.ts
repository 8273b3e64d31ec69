/**
 * How long a balance evaluation and the desk's findings sweep hold the event loop at a
 * time on 5,000 substations / 250,000 households (issue 10): run in one go (evaluate(),
 * findings(): what tests call) and in slices (what the schedule and the desk run).
 *   npx tsx bench/evaluation-slices.ts [--substations 5000] [--runs 3]
 *
 * The real HeatnetApp (store, embedded broker, storage) with the intake bench's network
 * and history. While each job runs, a setImmediate ping records every gap between turns
 * of the loop: the longest gap is what a request arriving meanwhile could wait. Beside
 * each gap's wall time, the CPU the process used in it (process.cpuUsage, all threads):
 * on a machine shared with other sessions the wall clock also counts time the process
 * was not scheduled at all, which the CPU figure leaves out.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SWEEP_SLICE_MS } from '../src/complaints/incident-watch.ts';
import { nextTurn, runInSlices } from '../src/core/slices.ts';
import { sleep } from './measure.ts';
import { summary, timeJobs } from './support/intake-timing.ts';
import { scaleApp } from './support/scale-app.ts';

const { values } = parseArgs({
  options: {
    substations: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
  },
});

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const round = (v: number) => Math.round(v * 10) / 10;

/** Runs `job` with the ping going; the loop's turns while it ran. */
async function measure(job: () => unknown) {
  const gaps: { wall: number; cpu: number }[] = [];
  let on = true;
  let last = performance.now();
  let lastCpu = cpuMs();
  const ping = () => {
    const [now, cpu] = [performance.now(), cpuMs()];
    gaps.push({ wall: now - last, cpu: cpu - lastCpu });
    [last, lastCpu] = [now, cpu];
    if (on) setImmediate(ping);
  };
  setImmediate(ping);
  await nextTurn();
  gaps.length = 0;
  const [t0, c0] = [performance.now(), cpuMs()];
  await job();
  const [wall, cpu] = [performance.now() - t0, cpuMs() - c0];
  await nextTurn();
  on = false;
  const longest = gaps.reduce((a, g) => (g.wall > a.wall ? g : a), { wall: 0, cpu: 0 });
  return {
    wallMs: round(wall),
    cpuMs: round(cpu),
    turns: gaps.length,
    gapWallMs: summary(gaps.map((g) => g.wall)),
    longestGap: { wallMs: round(longest.wall), cpuMs: round(longest.cpu) },
    maxGapCpuMs: round(Math.max(...gaps.map((g) => g.cpu))),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'heatnet-bench-slices-'));
  const { app } = scaleApp({ substations: Number(values.substations), intervalS: 3600, dir });
  const timing = timeJobs(app);
  await app.start();
  // The first scheduled evaluation (20 s after start) and its sweep, out of the way.
  while (timing.sweeps.length === 0) await sleep(200);
  await sleep(1000);
  const { balance, desk } = app;
  const rows: Record<string, unknown>[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    const at = Date.now();
    rows.push({ job: 'evaluation, in one go', ...(await measure(() => balance.evaluate(at))) });
    rows.push({
      job: 'evaluation, in slices',
      ...(await measure(() => balance.evaluateInSlices(at + 1000))),
    });
    rows.push({ job: 'sweep, in one go', ...(await measure(() => desk.diagnoser.findings(at))) });
    const steps = () => desk.diagnoser.findingSteps!(at);
    rows.push({
      job: 'sweep, in slices',
      ...(await measure(() => runInSlices(steps(), { sliceMs: SWEEP_SLICE_MS }))),
    });
  }
  console.log(
    JSON.stringify({ date: new Date().toISOString(), substations: values.substations, rows }),
  );
  await app.stop();
  process.exit(0);
}

await main();
