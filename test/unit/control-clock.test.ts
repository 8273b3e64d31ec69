import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { AuditStore } from '../../src/control/audit-store.ts';
import { PumpControl } from '../../src/control/pump-control.ts';
import type { FrequencyRequest } from '../../src/control/types.ts';
import { HeatnetError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { DeviceHealth } from '../../src/ingest/modbus/health.ts';
import { Store } from '../../src/store/store.ts';
import { testConfig } from '../support/config.ts';

/*
 * The minimum interval across a service clock that jumps back — a simulated demo
 * restarted at its configured start time — and a drive register with a coarse
 * resolution. The drive is a fake (orchestration only); the audit store is real.
 */

const MIN = 60_000;
const START = Date.parse('2026-01-12T00:00:00Z');

describe('pump control: clocks and resolution', () => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.stop();
  });

  async function rig(options: { clockRate: number; setpointScale?: number }) {
    const config: Config = await testConfig({
      substations: 1,
      patch: (raw) => {
        raw.control = { minIntervalS: 600 };
        if (options.setpointScale !== undefined) {
          for (const f of raw.ingest.modbus.maps['vfd-generic']) {
            if (f.field === 'frequency_setpoint_hz') f.scale = options.setpointScale;
          }
        }
      },
    });
    const clock = { service: START, wall: Date.parse('2026-11-22T10:00:00Z') };
    const held = { hz: 40 };
    const written: number[] = [];
    const path = join(mkdtempSync(join(tmpdir(), 'heatnet-clock-')), 'heatnet.sqlite');
    // A restart: a new store and audit on the same file.
    const newStore = async () => {
      const store = new Store({ engine: 'sqlite', path }, silentLogger());
      stores.push(store);
      await store.start();
      const s = new AuditStore({
        store,
        log: silentLogger(),
        now: () => clock.service,
        wallNow: () => clock.wall,
      });
      await s.start();
      return s;
    };
    const device = config.ingest.modbus.devices.find((d) => d.kind === 'pump')!;
    const control = (audit: AuditStore) =>
      new PumpControl({
        config,
        topology: new Topology(config.network),
        fieldIO: {
          write: async (_d, _f, v) => {
            written.push(Number(v));
            held.hz = Number(v);
          },
          read: async () => held.hz,
        },
        devices: () => [{ id: device.id, state: 'up' } as DeviceHealth],
        audit,
        now: () => clock.service,
        wallNow: () => clock.wall,
        clockRate: options.clockRate,
        log: silentLogger(),
      });
    const request = (hz: number): FrequencyRequest => ({
      pump: device.pump!,
      hz,
      reason: 'test',
      actor: 'duty',
      role: 'dispatcher',
      source: 'api',
    });
    return { clock, held, written, newStore, control, request };
  }

  it('keeps the interval after a restarted simulation put the service clock back', async () => {
    const r = await rig({ clockRate: 60 });
    r.clock.service = START + 30 * MIN; // half an hour into the first run
    const first = r.control(await r.newStore());
    await first.setFrequency(r.request(43));
    // Restart: the simulated clock starts again at START, 2 real seconds later
    // (120 simulated seconds at 60×): the change now lies in the clock's future.
    r.clock.service = START;
    r.clock.wall += 2_000;
    const second = r.control(await r.newStore());
    const err = await second.setFrequency(r.request(45)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeatnetError);
    expect((err as HeatnetError).code).toBe('TOO_FREQUENT');
    // 11 real seconds after the change = 660 simulated seconds: allowed again, not
    // blocked until the new run's clock passes the old change's time stamp.
    r.clock.wall += 9_000;
    r.clock.service = START + 9 * 60_000;
    const ok = await second.setFrequency(r.request(45));
    expect(ok.result).toBe('confirmed');
    expect(r.written).toEqual([43, 45]);
  });

  it('judges range, step and read-back on the value the register can hold', async () => {
    // A drive taking whole hertz: 45.4 is written as 45 — a 5 Hz step from 40, allowed,
    // and its read-back of 45 confirms it.
    const r = await rig({ clockRate: 1, setpointScale: 1 });
    const control = r.control(await r.newStore());
    const entry = await control.setFrequency(r.request(45.4));
    expect(r.written).toEqual([45]);
    expect(entry).toMatchObject({ result: 'confirmed', readBackHz: 45, requestedHz: 45.4 });
  });

  it('writes one audit row per denied caller and minute, counting the rest on it', async () => {
    const r = await rig({ clockRate: 1 });
    const store = await r.newStore();
    const control = r.control(store);
    const deny = () =>
      control.recordDenied({
        pump: 'S01-P1',
        hz: null,
        reason: null,
        actor: 'anonymous',
        role: null,
        code: 'UNAUTHORIZED',
        message: 'a bearer token is required',
      });
    const first = await deny();
    for (let i = 0; i < 99; i++) expect((await deny()).id).toBe(first.id);
    expect(await store.list({ limit: 1000 })).toHaveLength(1);
    // Another caller is a series of its own.
    await control.recordDenied({
      pump: 'S01-P1',
      hz: null,
      reason: null,
      actor: 'demo-service',
      role: 'service',
      code: 'FORBIDDEN',
      message: 'role "service" may not do this',
    });
    r.clock.wall += 61_000;
    const next = await deny();
    expect(next.id).not.toBe(first.id);
    // Issue 15: the count is on the series' own row, committed as the attempts came
    // (it used to wait for the next row, and a shutdown before that lost it).
    expect(next.error).toBe('a bearer token is required');
    expect((await store.get(first.id))?.series).toMatchObject({ attempts: 100 });
    expect(await store.list({ limit: 1000 })).toHaveLength(3);
  });

  it('writes one row for denials that arrive while the first is being written', async () => {
    const r = await rig({ clockRate: 1 });
    const store = await r.newStore();
    const control = r.control(store);
    const denied = () =>
      control.recordDenied({
        pump: 'S01-P1',
        hz: null,
        reason: null,
        actor: 'anonymous',
        role: null,
        code: 'UNAUTHORIZED',
        message: 'a bearer token is required',
      });
    const entries = await Promise.all(Array.from({ length: 20 }, denied));
    expect(new Set(entries.map((e) => e.id)).size).toBe(1);
    expect(await store.list({ limit: 1000 })).toHaveLength(1);
  });
});
