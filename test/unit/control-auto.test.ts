import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SubstationBalance } from '../../src/balance/types.ts';
import type { Config } from '../../src/config/schema.ts';
import { AutoBalancer } from '../../src/control/auto-balancer.ts';
import type { FrequencyRequest } from '../../src/control/types.ts';
import { HeatnetError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { HeatnetEvents } from '../../src/events.ts';
import type { DeviceHealth } from '../../src/ingest/modbus/health.ts';
import { testConfig } from '../support/config.ts';
import { balanceResult, station as fixture, raise } from './control-fixtures.ts';

/*
 * The auto-balancer's orchestration (when it acts, when it pauses and says why) with a
 * fake control path; the real guarded path is exercised in test/integration/control.test.ts.
 */

const T0 = Date.parse('2025-01-10T08:00:00Z');
const S = 1000;

const station = (id: string, over: Partial<SubstationBalance> = {}) =>
  fixture(id, { recommendation: raise(`${id}-P1`), ...over });

describe('auto-balancer', () => {
  let config: Config;
  let ids: string[];
  let now: number;
  let calls: FrequencyRequest[];
  let alerts: { raised: HeatnetEvents['alert.raise'][]; cleared: HeatnetEvents['alert.clear'][] };
  let down: Set<string>;
  let refuse: HeatnetError | undefined;
  let manual: Map<string, number>;
  let auto: AutoBalancer;

  beforeAll(async () => {
    config = await testConfig({
      substations: 3,
      patch: (raw) => {
        raw.balance = {
          schedule: { intervalS: 300 },
          auto: { enabled: true, schedule: { intervalS: 60 }, actor: 'robot' },
        };
      },
    });
    ids = config.network.substations.map((s) => s.id);
  });

  function build(cfg = config) {
    now = T0;
    calls = [];
    alerts = { raised: [], cleared: [] };
    down = new Set();
    refuse = undefined;
    manual = new Map();
    const devices = () =>
      cfg.ingest.modbus.devices.map(
        (d) => ({ id: d.id, state: down.has(d.id) ? 'down' : 'up' }) as unknown as DeviceHealth,
      );
    auto = new AutoBalancer({
      config: cfg,
      topology: new Topology(cfg.network),
      control: {
        setFrequency: async (req) => {
          calls.push(req);
          if (refuse) throw refuse;
          return { id: calls.length, result: 'confirmed' } as never;
        },
        lastChangeBy: async (pump, source) =>
          source === 'api' ? (manual.get(pump) ?? null) : null,
      },
      devices,
      now: () => now,
      log: silentLogger(),
      alerts: {
        // Records every call (no deduplication), stamped as the service's sink would.
        raise: (a) => alerts.raised.push({ ...a, at: now }),
        clear: (source, code) => alerts.cleared.push({ source, code, at: now }),
      },
    });
    return auto;
  }

  afterEach(async () => {
    await auto?.stop();
    vi.useRealTimers();
  });

  it('applies recommendations through the control path as its own actor, source auto', async () => {
    build().onBalance(balanceResult(T0 - 10 * S, [station(ids[0]!)]));
    const actions = await auto.runOnce();
    expect(calls).toEqual([
      {
        pump: `${ids[0]}-P1`,
        hz: 43,
        reason: 'auto-balance: flow ratio 0.80 below 0.85',
        actor: 'robot',
        role: null,
        source: 'auto',
        expectedCurrentHz: 40,
      },
    ]);
    expect(actions).toEqual([
      {
        pump: `${ids[0]}-P1`,
        fromHz: 40,
        targetHz: 43,
        result: 'confirmed',
        auditId: 1,
        message: null,
      },
    ]);
    expect(auto.status()).toMatchObject({ enabled: true, state: 'active', paused: [] });
  });

  it('bounds targets by the pump’s step and range, and skips holds and no-ops', async () => {
    const rec = station(ids[0]!).recommendation!;
    build().onBalance(
      balanceResult(T0, [
        station(ids[0]!, { recommendation: { ...rec, targetHz: 58 } }), // step 5 → 45
        station(ids[1]!, {
          recommendation: { ...rec, pump: `${ids[1]}-P1`, currentHz: 48, targetHz: 60 },
        }), // max 50
        station(ids[2]!, { recommendation: { ...rec, pump: `${ids[2]}-P1`, action: 'hold' } }),
      ]),
    );
    await auto.runOnce();
    expect(calls.map((c) => [c.pump, c.hz])).toEqual([
      [`${ids[0]}-P1`, 45],
      [`${ids[1]}-P1`, 50],
    ]);
  });

  it('pauses on stale results, says why, raises an alert, and resumes when fresh', async () => {
    build();
    await auto.runOnce();
    expect(auto.status()).toMatchObject({
      state: 'paused',
      paused: [{ scope: 'network', reason: 'no balance result yet' }],
    });
    auto.onBalance(balanceResult(T0 - 601 * S, [station(ids[0]!)])); // 2 × 300 s is the limit
    await auto.runOnce();
    expect(calls).toEqual([]);
    expect(auto.status().paused[0]!.reason).toMatch(/is 601 s old, more than 600 s/);
    expect(alerts.raised).toHaveLength(2); // the reason changed
    expect(alerts.raised[0]).toMatchObject({
      source: 'control.auto:network',
      code: 'auto-balance-paused',
      severity: 'warning',
    });
    auto.onBalance(balanceResult(T0 - 599 * S, [station(ids[0]!)]));
    await auto.runOnce();
    expect(calls).toHaveLength(1);
    expect(auto.status()).toMatchObject({ state: 'active', paused: [] });
    expect(alerts.cleared).toEqual([
      { source: 'control.auto:network', code: 'auto-balance-paused', at: T0 },
    ]);
  });

  it('leaves a no-data station and a pump with an unhealthy drive alone, and says so', async () => {
    build().onBalance(
      balanceResult(T0, [
        station(ids[0]!, { status: 'no-data' }),
        station(ids[1]!),
        station(ids[2]!),
      ]),
    );
    down.add(`${ids[1]}-P1-vfd`);
    await auto.runOnce();
    expect(calls.map((c) => c.pump)).toEqual([`${ids[2]}-P1`]);
    const paused = auto.status().paused;
    expect(paused.map((p) => p.scope)).toEqual([ids[0], `${ids[1]}-P1`]);
    expect(paused[0]!.reason).toMatch(/has no data/);
    expect(paused[1]!.reason).toBe(`${ids[1]}-P1's drive ${ids[1]}-P1-vfd is down`);
    expect(auto.status().state).toBe('active'); // the rest of the network is served
    down.clear();
    now += 60 * S;
    await auto.runOnce();
    expect(alerts.cleared.map((c) => c.source)).toEqual([`control.auto:${ids[1]}-P1`]);
  });

  it('leaves a station alone while its PLC is down: its flows are frozen, not current', async () => {
    build().onBalance(balanceResult(T0, [station(ids[0]!), station(ids[1]!)]));
    down.add(`${ids[0]}-plc`);
    await auto.runOnce();
    expect(calls.map((c) => c.pump)).toEqual([`${ids[1]}-P1`]);
    expect(auto.status().paused[0]!.reason).toBe(
      `${ids[0]}'s PLC ${ids[0]}-plc is not up: its pumps are left alone`,
    );
  });

  it('keeps its hands off a pump a dispatcher changed within manualHoldMin (120 min)', async () => {
    build().onBalance(balanceResult(T0, [station(ids[0]!), station(ids[1]!)]));
    manual.set(`${ids[0]}-P1`, T0 - 119 * 60 * S);
    manual.set(`${ids[1]}-P1`, T0 - 121 * 60 * S);
    await auto.runOnce();
    expect(calls.map((c) => c.pump)).toEqual([`${ids[1]}-P1`]);
  });

  it('records a refused change and goes on with the round', async () => {
    build().onBalance(balanceResult(T0, [station(ids[0]!), station(ids[1]!)]));
    refuse = new HeatnetError('TOO_FREQUENT', 'changed 10 s ago', { auditId: 7 });
    const actions = await auto.runOnce();
    expect(actions.map((a) => [a.result, a.auditId, a.message])).toEqual([
      ['TOO_FREQUENT', 7, 'changed 10 s ago'],
      ['TOO_FREQUENT', 7, 'changed 10 s ago'],
    ]);
  });

  it('does nothing when disabled, and runs on its interval when enabled', async () => {
    const off = { ...config, balance: { ...config.balance, auto: { ...config.balance.auto } } };
    off.balance.auto.enabled = false;
    build(off).onBalance(balanceResult(T0, [station(ids[0]!)]));
    await auto.start();
    expect(await auto.runOnce()).toEqual([]);
    expect(auto.status().state).toBe('off');

    vi.useFakeTimers();
    build().onBalance(balanceResult(T0, [station(ids[0]!)]));
    await auto.start();
    await vi.advanceTimersByTimeAsync(59 * S);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1 * S);
    expect(calls).toHaveLength(1);
    await auto.stop();
    await vi.advanceTimersByTimeAsync(120 * S);
    expect(calls).toHaveLength(1);
  });

  it('schedules with node-cron when a cron expression is set', async () => {
    const cronConfig = {
      ...config,
      balance: {
        ...config.balance,
        auto: { ...config.balance.auto, schedule: { intervalS: 60, cron: '*/1 * * * * *' } },
      },
    };
    build(cronConfig).onBalance(balanceResult(Date.now(), [station(ids[0]!)]));
    now = Date.now();
    await auto.start();
    await vi.waitFor(() => expect(calls.length).toBeGreaterThan(0), { timeout: 3000 });
    await auto.stop();
  });
});
