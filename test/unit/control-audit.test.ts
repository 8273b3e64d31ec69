import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { AuditStore, type NewAttempt } from '../../src/control/audit-store.ts';
import { EffectTracker } from '../../src/control/effect-tracker.ts';
import { PumpControl } from '../../src/control/pump-control.ts';
import { HeatnetError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { DeviceHealth } from '../../src/ingest/modbus/health.ts';
import { testConfig } from '../support/config.ts';
import { balanceResult, station } from './control-fixtures.ts';

const T0 = Date.parse('2025-01-10T08:00:00Z');
const MIN = 60_000;
const stores: AuditStore[] = [];

function tempStore(path = join(mkdtempSync(join(tmpdir(), 'heatnet-audit-')), 'control.sqlite')) {
  const store = new AuditStore(path, silentLogger(), () => T0);
  stores.push(store);
  store.open();
  return store;
}

const attempt = (over: Partial<NewAttempt> = {}): NewAttempt => ({
  at: T0,
  actor: 'duty-dispatcher',
  role: 'dispatcher',
  source: 'api',
  pump: 'S01-P1',
  substation: 'S01',
  device: 'S01-P1-vfd',
  reason: 'far end cold',
  beforeHz: 40,
  requestedHz: 43,
  ...over,
});

const confirmed = (readBackHz: number, completedAt = T0 + 500) => ({
  result: 'confirmed' as const,
  readBackHz,
  code: null,
  error: null,
  wrote: true,
  completedAt,
});

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('audit store: durable SQLite record of every attempt', () => {
  it('creates its schema on open, in WAL mode with synchronous=FULL', () => {
    const store = tempStore();
    const db = (store as unknown as { db: Database.Database }).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.list()).toEqual([]);
  });

  it('records a pending attempt, then its outcome', () => {
    const store = tempStore();
    const id = store.begin(attempt());
    expect(store.get(id)).toMatchObject({ result: 'pending', completedAt: null, effect: null });
    const entry = store.finish(id, confirmed(43.01));
    expect(entry).toEqual({
      id,
      at: Date.parse('2025-01-10T08:00:00.000Z'),
      actor: 'duty-dispatcher',
      role: 'dispatcher',
      source: 'api',
      pump: 'S01-P1',
      substation: 'S01',
      device: 'S01-P1-vfd',
      reason: 'far end cold',
      beforeHz: 40,
      requestedHz: 43,
      readBackHz: 43.01,
      result: 'confirmed',
      code: null,
      error: null,
      completedAt: Date.parse('2025-01-10T08:00:00.500Z'),
      effect: { verdict: 'pending', deviationBeforeC: null, deviationAfterC: null, judgedAt: null },
    });
    expect(store.lastChangeAt('S01-P1')?.at).toBe(T0);
  });

  it('records refusals, which do not count as changes', () => {
    const store = tempStore();
    const r = store.refuse(attempt({ requestedHz: 57 }), 'OUT_OF_RANGE', 'hz 57 above max');
    expect(r).toMatchObject({ result: 'refused', code: 'OUT_OF_RANGE', error: 'hz 57 above max' });
    expect(store.lastChangeAt('S01-P1')).toBeNull();
    // An attempt on its way to the drive counts at once: should its outcome fail to be
    // recorded, the next request must still wait out the interval.
    const pending = store.begin(attempt());
    expect(store.lastChangeAt('S01-P1')?.at).toBe(T0);
    store.finish(pending, {
      ...confirmed(0),
      result: 'failed',
      code: 'WRITE_FAILED',
      wrote: false,
    });
    expect(store.lastChangeAt('S01-P1')).toBeNull();
    // A write the drive refused (exception answer) changed nothing either.
    const id = store.begin(attempt());
    store.finish(id, { ...confirmed(0), result: 'failed', code: 'WRITE_FAILED', wrote: false });
    expect(store.lastChangeAt('S01-P1')).toBeNull();
  });

  it('lists newest first, filtered by pump, substation and since, limited', () => {
    const store = tempStore();
    for (let i = 0; i < 5; i++) {
      store.refuse(attempt({ at: T0 + i * MIN, pump: 'S01-P1', substation: 'S01' }), 'X', `a${i}`);
      store.refuse(attempt({ at: T0 + i * MIN, pump: 'S02-P1', substation: 'S02' }), 'X', `b${i}`);
    }
    const all = store.list();
    expect(all).toHaveLength(10);
    expect(all.map((e) => e.at)).toEqual([...all.map((e) => e.at)].sort((a, b) => b - a));
    expect(store.list({ pump: 'S02-P1' }).map((e) => e.error)).toEqual([
      'b4',
      'b3',
      'b2',
      'b1',
      'b0',
    ]);
    expect(store.list({ substation: 'S01', since: T0 + 3 * MIN }).map((e) => e.error)).toEqual([
      'a4',
      'a3',
    ]);
    expect(store.list({ limit: 3 })).toHaveLength(3);
    expect(store.list({ pump: 'NOPE' })).toEqual([]);
  });

  it('keeps every row across a close and reopen', () => {
    const first = tempStore();
    const id = first.begin(attempt());
    first.finish(id, confirmed(43));
    first.refuse(attempt({ actor: 'anonymous', role: null }), 'UNAUTHORIZED', 'no token');
    const before = first.list();
    first.close();
    const again = tempStore(first.path);
    expect(again.list()).toEqual(before);
    expect(again.lastChangeAt('S01-P1')?.at).toBe(T0);
  });

  it('survives the process being killed mid-attempt; the attempt becomes interrupted', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'heatnet-audit-kill-')), 'control.sqlite');
    const script = `
      import { AuditStore } from './src/control/audit-store.ts';
      const s = new AuditStore(${JSON.stringify(path)});
      s.open();
      const a = { at: ${T0}, actor: 'x', role: 'dispatcher', source: 'api', pump: 'S01-P1',
        substation: 'S01', device: 'S01-P1-vfd', reason: 'r', beforeHz: 40, requestedHz: 44 };
      s.refuse(a, 'OUT_OF_RANGE', 'refused before the crash');
      s.begin(a);
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(existsSync(path)).toBe(true);
    const store = tempStore(path);
    const [pending, refused] = store.list();
    expect(refused).toMatchObject({ result: 'refused', error: 'refused before the crash' });
    expect(pending).toMatchObject({
      result: 'interrupted',
      requestedHz: 44,
      error: expect.stringMatching(/may have taken the value/),
    });
    // The drive may have acted: the minimum interval counts from it.
    expect(store.lastChangeAt('S01-P1')?.at).toBe(T0);
  });

  it('fails loudly when closed, never silently', () => {
    const store = tempStore();
    store.close();
    const expectAuditFailure = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(HeatnetError);
        expect((err as HeatnetError).code).toBe('AUDIT_FAILED');
        return;
      }
      throw new Error('no error thrown');
    };
    expectAuditFailure(() => store.begin(attempt()));
    expectAuditFailure(() => store.refuse(attempt(), 'X', 'y'));
    expectAuditFailure(() => store.list());
    expectAuditFailure(() => store.lastChangeAt('S01-P1'));
  });
});

/** A PumpControl over a fake drive (orchestration only; the real one is in the integration test). */
function fakeDrive(
  config: Config,
  store: AuditStore,
  opts: { gate?: Promise<void>; fail?: Error } = {},
) {
  let setpoint = 40;
  const ops: string[] = [];
  const writes: number[] = [];
  const health = [{ id: 'S01-P1-vfd', state: 'up', lastError: null } as unknown as DeviceHealth];
  const pc = new PumpControl({
    config,
    topology: new Topology(config.network),
    modbus: {
      health: () => health,
      writeField: async (_d, _f, v) => {
        ops.push(`write ${v}`);
        await opts.gate;
        if (opts.fail) throw opts.fail;
        writes.push(Number(v));
        setpoint = Number(v);
      },
      readField: async () => {
        ops.push('read');
        return setpoint;
      },
    },
    audit: store,
    now: () => T0,
    log: silentLogger(),
  });
  const request = {
    pump: 'S01-P1',
    hz: 42,
    reason: 'test',
    actor: 'd',
    role: 'dispatcher',
    source: 'api' as const,
  };
  return { pc, writes, ops, request };
}

describe('pump control over a failing audit log: the drive is never written', () => {
  let config: Config;
  beforeAll(async () => {
    config = await testConfig({ substations: 1 });
  });

  it('writes and confirms when the log works (the baseline)', async () => {
    const { pc, writes, request } = fakeDrive(config, tempStore());
    await expect(pc.setFrequency(request)).resolves.toMatchObject({ result: 'confirmed' });
    expect(writes).toEqual([42]);
  });

  it('answers AUDIT_FAILED with a closed log', async () => {
    const store = tempStore();
    store.close();
    const { pc, writes, request } = fakeDrive(config, store);
    await expect(pc.setFrequency(request)).rejects.toMatchObject({
      code: 'AUDIT_FAILED',
      message: "the audit log is not open: nothing was sent to S01-P1's drive",
    });
    expect(writes).toEqual([]);
  });

  it('does not write when the row before the write cannot be stored', async () => {
    const store = tempStore();
    store.begin = () => {
      throw new HeatnetError('AUDIT_FAILED', 'disk full');
    };
    const { pc, writes, request } = fakeDrive(config, store);
    await expect(pc.setFrequency(request)).rejects.toMatchObject({
      code: 'AUDIT_FAILED',
      message: expect.stringMatching(/^disk full: nothing was sent to S01-P1's drive$/),
    });
    expect(writes).toEqual([]);
  });
});

describe('pump control: one change per pump at a time, current setpoint from the drive', () => {
  let config: Config;
  beforeAll(async () => {
    config = await testConfig({ substations: 1 });
  });

  it('reads the current setpoint from the drive when nothing recent is known', async () => {
    const { pc, ops, request } = fakeDrive(config, tempStore());
    const entry = await pc.setFrequency(request);
    expect(ops).toEqual(['read', 'write 42', 'read']);
    expect(entry).toMatchObject({ beforeHz: 40, readBackHz: 42 });
  });

  it('refuses a concurrent second request for the same pump (PUMP_BUSY), audited', async () => {
    const opener: { open?: () => void } = {};
    const gate = new Promise<void>((resolve) => {
      opener.open = resolve;
    });
    const open = () => opener.open?.();
    const store = tempStore();
    const { pc, writes, request } = fakeDrive(config, store, { gate });
    const first = pc.setFrequency(request);
    const second = pc.setFrequency({ ...request, hz: 43 });
    await expect(second).rejects.toMatchObject({
      code: 'PUMP_BUSY',
      message: 'another change of S01-P1 is in progress; try again when it has ended',
    });
    open();
    await expect(first).resolves.toMatchObject({ result: 'confirmed' });
    expect(writes).toEqual([42]);
    expect(store.list().map((e) => [e.requestedHz, e.result, e.code])).toEqual([
      [42, 'confirmed', null],
      [43, 'refused', 'PUMP_BUSY'],
    ]);
  });

  it('counts a write that timed out as a change (the drive may have acted)', async () => {
    const store = tempStore();
    const fail = new HeatnetError('MODBUS_TIMEOUT', 'unit 2: no answer in 500 ms');
    const { pc, request } = fakeDrive(config, store, { fail });
    await expect(pc.setFrequency(request)).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      message:
        'writing 42 Hz to S01-P1-vfd failed: unit 2: no answer in 500 ms (the drive may have taken it)',
    });
    expect(store.lastChangeAt('S01-P1')?.at).toBe(T0);
    await expect(pc.setFrequency(request)).rejects.toMatchObject({ code: 'TOO_FREQUENT' });
  });

  it('refuses api callers that are not dispatchers even without the route', async () => {
    const { pc, writes, request } = fakeDrive(config, tempStore());
    await expect(pc.setFrequency({ ...request, role: 'admin' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(writes).toEqual([]);
  });
});

const balance = (at: number, deviations: Record<string, number | null>) =>
  balanceResult(
    at,
    Object.entries(deviations).map(([id, deviationC]) => station(id, { deviationC })),
  );

describe('effect tracking, driven by balance results', () => {
  const confirmAt = (store: AuditStore, at: number, substation = 'S01') => {
    const id = store.begin(attempt({ at, substation }));
    return store.finish(id, confirmed(43, at + 500));
  };

  it('judges a change on the first result at or after change + settling', () => {
    const store = tempStore();
    const tracker = new EffectTracker({ audit: store, settlingMin: 60, log: silentLogger() });
    tracker.onBalance(balance(T0 - 5 * MIN, { S01: -3 }));
    const entry = confirmAt(store, T0);
    tracker.onConfirmed(entry);
    expect(store.get(entry.id)?.effect).toMatchObject({ verdict: 'pending', deviationBeforeC: -3 });
    tracker.onBalance(balance(T0 + 30 * MIN, { S01: -2.9 }));
    tracker.onBalance(balance(T0 + 59 * MIN, { S01: -1 }));
    expect(store.get(entry.id)?.effect?.verdict).toBe('pending');
    tracker.onBalance(balance(T0 + 60 * MIN, { S01: -2.2 }));
    expect(store.get(entry.id)?.effect).toEqual({
      verdict: 'improved',
      deviationBeforeC: -3,
      deviationAfterC: -2.2,
      judgedAt: T0 + 60 * MIN,
    });
    // Judged once: later results change nothing.
    tracker.onBalance(balance(T0 + 90 * MIN, { S01: -5 }));
    expect(store.get(entry.id)?.effect?.verdict).toBe('improved');
    expect(tracker.pending).toBe(0);
  });

  it('says unknown without data before or after', () => {
    const store = tempStore();
    const tracker = new EffectTracker({ audit: store, settlingMin: 10, log: silentLogger() });
    const noBefore = confirmAt(store, T0);
    tracker.onConfirmed(noBefore); // no balance result yet
    tracker.onBalance(balance(T0 + 1 * MIN, { S01: -3, S02: 1 }));
    const noAfter = confirmAt(store, T0 + 2 * MIN, 'S02');
    tracker.onConfirmed(noAfter);
    tracker.onBalance(balance(T0 + 15 * MIN, { S01: -1, S02: null }));
    expect(store.get(noBefore.id)?.effect).toMatchObject({ verdict: 'unknown' });
    expect(store.get(noAfter.id)?.effect).toMatchObject({
      verdict: 'unknown',
      deviationBeforeC: 1,
      deviationAfterC: null,
    });
  });

  it('picks up changes still awaiting their verdict after a restart', async () => {
    const first = tempStore();
    const tracker = new EffectTracker({ audit: first, settlingMin: 60, log: silentLogger() });
    tracker.onBalance(balance(T0, { S01: 2 }));
    const entry = confirmAt(first, T0 + MIN);
    tracker.onConfirmed(entry);
    first.close();
    const again = tempStore(first.path);
    const restarted = new EffectTracker({ audit: again, settlingMin: 60, log: silentLogger() });
    await restarted.start();
    expect(restarted.pending).toBe(1);
    restarted.onBalance(balance(T0 + 61 * MIN, { S01: 2.6 }));
    expect(again.get(entry.id)?.effect).toMatchObject({
      verdict: 'worsened',
      deviationBeforeC: 2,
      deviationAfterC: 2.6,
    });
  });
});
