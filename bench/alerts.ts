/**
 * Alerts at scale (issue 12): rule evaluation for 10,000 devices and 5,000 substations per
 * cycle, and a storm of 2,000 devices going dark notified through the real runtime on a
 * real store (SQLite) with the service's defaults: how long (service clock) until every
 * group has its message, how many messages per channel, and the wall time and RSS.
 *
 *   npx tsx bench/alerts.ts [--cycles 20] [--storm-substations 200] [--per-station 10]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deviceCondition } from '../src/alerting/signals.ts';
import { balanceConditions } from '../src/alerting/signals-service.ts';
import { RuleEvaluator } from '../src/alerts/evaluator.ts';
import type { BalanceResult } from '../src/balance/types.ts';
import {
  alertConfig,
  alertSession,
  alertsSection,
  devicesGo,
  settle,
  stormPatch,
  T0,
} from '../test/integration/alerts-harness.ts';
import { MemoryOutbox } from '../test/support/memory-outbox.ts';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '20' },
    'storm-substations': { type: 'string', default: '200' },
    'per-station': { type: 'string', default: '10' },
  },
});

const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20);

/** A balance result for `n` substations: every 50th anomalous, every 40th far and cold. */
function balanceOf(n: number, at: number): BalanceResult {
  const substations = Array.from({ length: n }, (_, i) => ({
    id: `T${String(i + 1).padStart(5, '0')}`,
    branch: `b${(i % 4) + 1}`,
    anomaly: i % 50 === 7 ? { cause: 'pump-stopped', evidence: ['pump not running'] } : null,
    flag: i % 40 === 3 ? 'far-end-underheating' : null,
    coldShare: i % 40 === 3 ? 0.2 : 0.01,
  }));
  return { evaluatedAt: at, substations } as unknown as BalanceResult;
}

async function evaluation(cycles: number) {
  const config = await alertConfig(
    alertsSection([{ id: 'ops-hook', type: 'webhook', url: 'http://127.0.0.1:9/hook' }]),
  );
  const evaluator = new RuleEvaluator(config.alerts.rules);
  const times: number[] = [];
  for (let c = 0; c < cycles; c++) {
    const at = T0 + c * 10_000;
    const started = performance.now();
    for (let d = 0; d < 10_000; d++) {
      const down = d % 100 === 0;
      evaluator.observe(
        deviceCondition({
          device: `D${d}`,
          substation: `T${d % 5000}`,
          state: down ? 'down' : 'up',
          reason: null,
          at,
        }),
        at,
      );
    }
    for (const cond of balanceConditions(balanceOf(5000, at), 0.97)) evaluator.observe(cond, at);
    evaluator.tick(at);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `evaluation: 10,000 devices + 5,000 substations, ${cycles} cycles: median ${median.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms, trackers ${evaluator.size}`,
  );
}

async function storm(substations: number, perStation: number) {
  const config = await alertConfig(
    alertsSection([
      { id: 'ops-hook', type: 'webhook', url: 'http://127.0.0.1:9/hook' },
      { id: 'east-crew', type: 'webhook', url: 'http://127.0.0.1:9/east' },
    ]),
    stormPatch(substations, perStation),
  );
  const outbox = new MemoryOutbox();
  const s = await alertSession(
    config,
    {
      engine: 'sqlite' as const,
      path: join(mkdtempSync(join(tmpdir(), 'heatnet-bench-')), 'a.sqlite'),
    },
    outbox,
  );
  const tickMs = config.alerts.tickSec * 1000;
  const wall = performance.now();
  devicesGo(s, config, 'down');
  await settle(s);
  let notifiedAfter = Number.NaN;
  for (let t = tickMs; t <= 300_000; t += tickMs) {
    await s.advance(tickMs);
    const total = outbox.on('ops-hook').reduce((n, m) => n + m.total, 0);
    if (Number.isNaN(notifiedAfter) && total >= substations) notifiedAfter = t;
  }
  const wallMs = performance.now() - wall;
  const open = s.parts.book.openAlerts();
  console.log(
    `storm: ${substations * perStation} devices in ${substations} substations dark at once: ` +
      `${open.length} alerts (${open.filter((a) => a.inhibited).length} inhibited), every dark substation notified ${notifiedAfter / 1000} s (service clock) after, ` +
      `messages per channel in 5 min: ops-hook ${outbox.on('ops-hook').length}, east-crew ${outbox.on('east-crew').length}; ` +
      `wall ${Math.round(wallMs)} ms for 5 min of ticks; RSS ${rss()} MB`,
  );
  await s.stop();
}

await evaluation(Number(values.cycles));
await storm(Number(values['storm-substations']), Number(values['per-station']));
console.log(`RSS at the end: ${rss()} MB`);
process.exit(0);
