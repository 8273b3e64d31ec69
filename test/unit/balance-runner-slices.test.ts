import { describe, expect, it } from 'vitest';
import type { BalanceResult } from '../../src/balance/types.ts';
import { BalanceService } from '../../src/balance-runner/service.ts';
import type { Config } from '../../src/config/schema.ts';
import { noAlerts } from '../../src/core/alerts.ts';
import { EventBus } from '../../src/core/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import {
  END_TURN,
  runInSlices,
  runToEnd,
  SlicesAbandoned,
  type Steps,
  turnTaker,
} from '../../src/core/slices.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { HeatnetEvents } from '../../src/events.ts';
import { EngineHarness, HOUR, steadyDemoConfig } from '../support/balance-harness.ts';

/** Issue 10 (performance): the scheduled evaluation runs in slices, with the same outcome. */

function* counting(n: number, log: string[]): Steps<number> {
  for (let i = 0; i < n; i++) {
    log.push(`step ${i}`);
    yield;
  }
  return n;
}

describe('turnTaker', () => {
  it('lets queued work run inside a loop of awaited calls once a slice is used', async () => {
    const log: string[] = [];
    const turn = turnTaker(0);
    setImmediate(() => log.push('other work'));
    for (let i = 0; i < 3; i++) {
      await Promise.resolve(); // what an embedded-store query resolves with: a microtask
      log.push(`step ${i}`);
      await turn();
    }
    expect(log.indexOf('other work')).toBe(1);
  });

  it('does not yield while the slice lasts', async () => {
    const log: string[] = [];
    const turn = turnTaker(60_000);
    setImmediate(() => log.push('other work'));
    for (let i = 0; i < 3; i++) {
      log.push(`step ${i}`);
      await turn();
    }
    expect(log).toEqual(['step 0', 'step 1', 'step 2']);
  });
});

describe('runInSlices', () => {
  it('runs the same steps as runToEnd and hands the loop back between slices', async () => {
    const direct: string[] = [];
    expect(runToEnd(counting(3, direct))).toBe(3);
    const sliced: string[] = [];
    const run = runInSlices(counting(3, sliced), { sliceMs: 0 });
    setImmediate(() => sliced.push('other work'));
    expect(await run).toBe(3);
    expect(sliced.filter((s) => s !== 'other work')).toEqual(direct);
    // Something queued on the loop ran before the last step, not after the whole job.
    expect(sliced.indexOf('other work')).toBeLessThan(sliced.length - 1);
  });

  it('completes without yielding when the work fits in one slice', async () => {
    const log: string[] = [];
    const run = runInSlices(counting(3, log), { sliceMs: 60_000 });
    expect(log).toHaveLength(3); // all steps ran synchronously, before the first await
    expect(await run).toBe(3);
  });

  it('hands the loop back after a step that ends its turn, however long the slice', async () => {
    const log: string[] = [];
    function* sends(): Steps<number> {
      log.push('send 1');
      yield END_TURN;
      log.push('send 2');
      yield;
      log.push('send 3');
      return 3;
    }
    setImmediate(() => log.push('other work')); // queued before the run's own turn
    const run = runInSlices(sends(), { sliceMs: 60_000 });
    expect(log).toEqual(['send 1']);
    expect(await run).toBe(3);
    expect(log).toEqual(['send 1', 'other work', 'send 2', 'send 3']);
    expect(runToEnd(sends())).toBe(3);
  });

  it('gives up between slices once abandoned, running no further step', async () => {
    const log: string[] = [];
    let stop = false;
    const run = runInSlices(counting(5, log), { sliceMs: 0, abandoned: () => stop });
    stop = true;
    await expect(run).rejects.toBeInstanceOf(SlicesAbandoned);
    expect(log).toEqual(['step 0']);
  });
});

interface Recorded {
  service: BalanceService;
  published: [string, string][];
  written: Reading[];
  order: string[];
}

/** A balance service over the harness's windows and state, recording every effect in order. */
function recordedService(config: Config, harness: EngineHarness, at: number): Recorded {
  const published: [string, string][] = [];
  const written: Reading[] = [];
  const order: string[] = [];
  const bus = new EventBus<HeatnetEvents>(silentLogger());
  bus.on('balance.evaluated', 'test', (r) => void order.push(`evaluated ${r.evaluatedAt}`));
  const alerts = {
    ...noAlerts,
    raise: (a: { source: string }) => void order.push(`raise ${a.source}`),
  };
  const service = new BalanceService(
    config,
    {
      config,
      topology: new Topology(config.network),
      windows: harness.windows,
      state: harness.state,
      devices: () => config.ingest.modbus.devices.map((d) => ({ id: d.id, state: 'up' })),
    },
    bus,
    {
      write: (r) => {
        written.push(...r);
        order.push('write');
      },
      publish: (t, p) => {
        published.push([t, p]);
        order.push('publish');
      },
      alerts,
    },
    silentLogger(),
    () => at,
  );
  return { service, published, written, order };
}

describe('BalanceService.evaluateInSlices', () => {
  it('gives the result, effects and order of evaluate(), letting other work run between slices', async () => {
    const config = steadyDemoConfig(-8);
    const t0 = Date.UTC(2026, 0, 12, 6);
    const harness = new EngineHarness(config, t0);
    harness.run(t0, t0 + 2 * HOUR);
    const at = t0 + 2 * HOUR;
    const direct = recordedService(config, harness, at);
    const sliced = recordedService(config, harness, at);
    sliced.service.sliceMs = 0;
    const results: BalanceResult[] = [];
    for (const k of [0, 1]) {
      results.push(direct.service.evaluate(at + k * 60_000));
      const run = sliced.service.evaluateInSlices(at + k * 60_000);
      let turns = 0;
      const count = () => {
        turns++;
        if (turns < 10_000) setImmediate(count);
      };
      setImmediate(count);
      expect(await run).toEqual(results[k]);
      expect(turns).toBeGreaterThan(config.network.substations.length);
    }
    expect(results[1]!.substations.length).toBe(config.network.substations.length);
    expect(sliced.published).toEqual(direct.published);
    expect(sliced.written).toEqual(direct.written);
    expect(sliced.order).toEqual(direct.order);
    expect(sliced.service.latest()).toEqual(direct.service.latest());
  });

  it('stops a sliced evaluation in flight: stop() waits for it and nothing is sent after', async () => {
    const config = steadyDemoConfig(-8);
    const t0 = Date.UTC(2026, 0, 12, 6);
    const harness = new EngineHarness(config, t0);
    harness.run(t0, t0 + HOUR);
    const rec = recordedService(config, harness, t0 + HOUR);
    rec.service.sliceMs = 0;
    const run = rec.service.evaluateInSlices();
    await rec.service.stop();
    await expect(run).rejects.toBeInstanceOf(SlicesAbandoned);
    expect(rec.order.filter((e) => e.startsWith('evaluated'))).toEqual([]);
  });
});
