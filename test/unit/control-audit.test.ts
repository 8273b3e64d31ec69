import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { AuditStore, type NewAttempt } from '../../src/control/audit-store.ts';
import { EffectTracker } from '../../src/control/effect-tracker.ts';
import { PumpControl } from '../../src/control/pump-control.ts';
import type { Alert, AlertSink } from '../../src/core/alerts.ts';
import { HeatnetError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { DeviceHealth } from '../../src/ingest/modbus/health.ts';
import type { Engine, StoreTarget } from '../../src/store/engine.ts';
import { Store } from '../../src/store/store.ts';
import { testConfig } from '../support/config.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';
import { balanceResult, station } from './control-fixtures.ts';

const T0 = Date.parse('2025-01-10T08:00:00Z');
const MIN = 60_000;

/** An audit store over a relational store of its own; close() stops both. */
class TestAudit extends AuditStore {
  constructor(
    readonly store: Store,
    readonly target: StoreTarget,
  ) {
    super({ store, log: silentLogger(), now: () => T0 });
  }

  async close(): Promise<void> {
    await this.stop();
    await this.store.stop();
  }
}

const stores: TestAudit[] = [];

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function openAudit(target: StoreTarget): Promise<TestAudit> {
  const store = new Store(target, silentLogger());
  const audit = new TestAudit(store, target);
  stores.push(audit);
  await store.start();
  await audit.start();
  return audit;
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

/** A PumpControl over a fake drive (orchestration only; the real one is in the integration test). */
function fakeDrive(
  config: Config,
  store: AuditStore,
  opts: { gate?: Promise<void>; fail?: Error; alerts?: AlertSink } = {},
) {
  let setpoint = 40;
  const ops: string[] = [];
  const writes: number[] = [];
  const health = [{ id: 'S01-P1-vfd', state: 'up', lastError: null } as unknown as DeviceHealth];
  const pc = new PumpControl({
    config,
    topology: new Topology(config.network),
    devices: () => health,
    fieldIO: {
      write: async (_d, _f, v) => {
        ops.push(`write ${v}`);
        await opts.gate;
        if (opts.fail) throw opts.fail;
        writes.push(Number(v));
        setpoint = Number(v);
      },
      read: async () => {
        ops.push('read');
        return setpoint;
      },
    },
    audit: store,
    now: () => T0,
    log: silentLogger(),
    ...(opts.alerts ? { alerts: opts.alerts } : {}),
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

const balance = (at: number, deviations: Record<string, number | null>) =>
  balanceResult(
    at,
    Object.entries(deviations).map(([id, deviationC]) => station(id, { deviationC })),
  );

describe.each(ENGINES)('control audit on %s', (engine: Engine) => {
  useEngine(engine);
  const tempStore = async (target?: StoreTarget) =>
    openAudit(target ?? (await freshTarget(engine)));

  describe('audit store: durable record of every attempt', () => {
    it('creates its schema on open, committing durably (SQLite: WAL, its log flushed per write)', async () => {
      const store = await tempStore();
      if (engine === 'sqlite') {
        const pragma = async (name: string) =>
          Object.values((await sql.raw(`PRAGMA ${name}`).execute(store.store.db)).rows[0] ?? {})[0];
        expect(await pragma('journal_mode')).toBe('wal');
        expect(await pragma('synchronous')).toBe(1); // NORMAL, with the log flushed per write
      } else {
        const { rows } = await sql<{
          synchronous_commit: string;
        }>`SHOW synchronous_commit`.execute(store.store.db);
        expect(rows[0]?.synchronous_commit).toBe('on');
      }
      expect(await store.list()).toEqual([]);
      if (engine === 'sqlite') {
        // store.sqliteFsync's default (commit): one flush of the log as each write ends.
        const before = store.store.walSyncs!.syncs;
        await store.begin(attempt());
        expect(store.store.walSyncs!.syncs).toBe(before + 1);
      }
    });

    it('with grouped fsyncs (SQLite): NORMAL, and the log fsynced before a write resolves', async () => {
      if (engine !== 'sqlite') return;
      const target = (await freshTarget(engine)) as StoreTarget & { engine: 'sqlite' };
      const store = await tempStore({ ...target, fsync: 'grouped' });
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`PRAGMA ${name}`).execute(store.store.db)).rows[0] ?? {})[0];
      expect(await pragma('synchronous')).toBe(1);
      const before = store.store.walSyncs!.syncs;
      await store.begin(attempt());
      expect(store.store.walSyncs!.syncs).toBeGreaterThan(before);
    });

    it('records a pending attempt, then its outcome', async () => {
      const store = await tempStore();
      const id = await store.begin(attempt());
      expect(await store.get(id)).toMatchObject({
        result: 'pending',
        completedAt: null,
        effect: null,
      });
      const entry = await store.finish(id, confirmed(43.01));
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
        effect: {
          verdict: 'pending',
          deviationBeforeC: null,
          deviationAfterC: null,
          judgedAt: null,
        },
      });
      expect((await store.lastChangeAt('S01-P1'))?.at).toBe(T0);
    });

    it('records refusals, which do not count as changes', async () => {
      const store = await tempStore();
      const r = await store.refuse(attempt({ requestedHz: 57 }), 'OUT_OF_RANGE', 'hz 57 above max');
      expect(r).toMatchObject({
        result: 'refused',
        code: 'OUT_OF_RANGE',
        error: 'hz 57 above max',
      });
      expect(await store.lastChangeAt('S01-P1')).toBeNull();
      // An attempt on its way to the drive counts at once: should its outcome fail to be
      // recorded, the next request must still wait out the interval.
      const pending = await store.begin(attempt());
      expect((await store.lastChangeAt('S01-P1'))?.at).toBe(T0);
      await store.finish(pending, {
        ...confirmed(0),
        result: 'failed',
        code: 'WRITE_FAILED',
        wrote: false,
      });
      expect(await store.lastChangeAt('S01-P1')).toBeNull();
      // A write the drive refused (exception answer) changed nothing either.
      const id = await store.begin(attempt());
      await store.finish(id, {
        ...confirmed(0),
        result: 'failed',
        code: 'WRITE_FAILED',
        wrote: false,
      });
      expect(await store.lastChangeAt('S01-P1')).toBeNull();
    });

    it('lists newest first, filtered by pump, substation and since, limited', async () => {
      const store = await tempStore();
      for (let i = 0; i < 5; i++) {
        const at = T0 + i * MIN;
        await store.refuse(attempt({ at, pump: 'S01-P1', substation: 'S01' }), 'X', `a${i}`);
        await store.refuse(attempt({ at, pump: 'S02-P1', substation: 'S02' }), 'X', `b${i}`);
      }
      const all = await store.list();
      expect(all).toHaveLength(10);
      expect(all.map((e) => e.at)).toEqual([...all.map((e) => e.at)].sort((a, b) => b - a));
      const errors = async (filter: Parameters<AuditStore['list']>[0]) =>
        (await store.list(filter)).map((e) => e.error);
      expect(await errors({ pump: 'S02-P1' })).toEqual(['b4', 'b3', 'b2', 'b1', 'b0']);
      expect(await errors({ substation: 'S01', since: T0 + 3 * MIN })).toEqual(['a4', 'a3']);
      expect(await store.list({ limit: 3 })).toHaveLength(3);
      expect(await store.list({ pump: 'NOPE' })).toEqual([]);
    });

    it('keeps every row across a close and reopen', async () => {
      const first = await tempStore();
      const id = await first.begin(attempt());
      await first.finish(id, confirmed(43));
      await first.refuse(attempt({ actor: 'anonymous', role: null }), 'UNAUTHORIZED', 'no token');
      const before = await first.list();
      await first.close();
      const again = await tempStore(first.target);
      expect(await again.list()).toEqual(before);
      expect((await again.lastChangeAt('S01-P1'))?.at).toBe(T0);
    });

    it('survives the process being killed mid-attempt; the attempt becomes interrupted', async () => {
      const target = await freshTarget(engine);
      const script = `
        import { AuditStore } from './src/control/audit-store.ts';
        import { Store } from './src/store/store.ts';
        const store = new Store(${JSON.stringify(target)});
        await store.start();
        const s = new AuditStore({ store });
        await s.start();
        const a = { at: ${T0}, actor: 'x', role: 'dispatcher', source: 'api', pump: 'S01-P1',
          substation: 'S01', device: 'S01-P1-vfd', reason: 'r', beforeHz: 40, requestedHz: 44 };
        await s.refuse(a, 'OUT_OF_RANGE', 'refused before the crash');
        await s.begin(a);
        process.kill(process.pid, 'SIGKILL');`;
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { encoding: 'utf8' },
      );
      expect(child.signal, child.stderr).toBe('SIGKILL');
      const store = await tempStore(target);
      const [pending, refused] = await store.list();
      expect(refused).toMatchObject({ result: 'refused', error: 'refused before the crash' });
      expect(pending).toMatchObject({
        result: 'interrupted',
        requestedHz: 44,
        error: expect.stringMatching(/may have taken the value/),
      });
      // The drive may have acted: the minimum interval counts from it.
      expect((await store.lastChangeAt('S01-P1'))?.at).toBe(T0);
    });

    it('fails loudly when closed, never silently', async () => {
      const store = await tempStore();
      await store.close();
      const expectAuditFailure = async (fn: () => Promise<unknown>) => {
        const err = await fn().then(
          () => new Error('no error thrown'),
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(HeatnetError);
        expect((err as HeatnetError).code).toBe('AUDIT_FAILED');
      };
      await expectAuditFailure(() => store.begin(attempt()));
      await expectAuditFailure(() => store.refuse(attempt(), 'X', 'y'));
      await expectAuditFailure(() => store.list());
      await expectAuditFailure(() => store.lastChangeAt('S01-P1'));
    });
  });

  describe('pump control over a failing audit log: the drive is never written', () => {
    let config: Config;
    beforeAll(async () => {
      config = await testConfig({ substations: 1 });
    });

    it('writes and confirms when the log works (the baseline)', async () => {
      const { pc, writes, request } = fakeDrive(config, await tempStore());
      await expect(pc.setFrequency(request)).resolves.toMatchObject({ result: 'confirmed' });
      expect(writes).toEqual([42]);
    });

    it('answers AUDIT_FAILED with a closed log', async () => {
      const store = await tempStore();
      await store.close();
      const { pc, writes, request } = fakeDrive(config, store);
      await expect(pc.setFrequency(request)).rejects.toMatchObject({
        code: 'AUDIT_FAILED',
        message: "the audit log is not open: nothing was sent to S01-P1's drive",
      });
      expect(writes).toEqual([]);
    });

    it('does not write when the row before the write cannot be stored', async () => {
      const store = await tempStore();
      store.begin = async () => {
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

  describe('refused attempts: one row per caller and code, every attempt counted durably', () => {
    let config: Config;
    beforeAll(async () => {
      config = await testConfig({ substations: 2 });
    });
    const denied = (pump: string) => ({
      pump,
      hz: null,
      reason: null,
      actor: 'anonymous',
      role: null,
      code: 'UNAUTHORIZED',
      message: 'a bearer token is required',
    });

    it('counts concurrent and repeated denials on one row, committed before each answer', async () => {
      const store = await tempStore();
      const { pc } = fakeDrive(config, store);
      const [a, b] = config.network.substations.map((s) => s.pumps[0]!.id);
      // Six at once (one commit in flight, the rest join the next), then one more.
      const entries = await Promise.all([a, b, a, b, a, a].map((p) => pc.recordDenied(denied(p!))));
      expect(new Set(entries.map((e) => e.id)).size).toBe(1);
      // Answered means committed: a store reopened right now has the count.
      await pc.recordDenied(denied(a!));
      await store.close();
      const again = await tempStore(store.target);
      const rows = await again.list();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        pump: a,
        code: 'UNAUTHORIZED',
        series: { attempts: 7, pumps: [a, b], lastAt: expect.any(Number) },
      });
    });

    it('gives each caller and each code a row of its own; an ordinary row has no series', async () => {
      const store = await tempStore();
      const { pc } = fakeDrive(config, store);
      await pc.recordDenied(denied('S01-P1'));
      await pc.recordDenied({ ...denied('S01-P1'), actor: 'invalid token' });
      await pc.recordDenied({ ...denied('S01-P1'), code: 'BAD_REQUEST', message: 'hz' });
      await pc.recordDenied({ ...denied(''), action: 'auto-switch' });
      const rows = await store.list();
      expect(rows).toHaveLength(4);
      expect(rows.every((r) => r.series === undefined)).toBe(true);
      expect(rows[0]).toMatchObject({ action: 'auto-switch', pump: '' });
      expect(rows[1]!.action).toBeUndefined();
    });
  });

  describe('pump control: one change per pump at a time, current setpoint from the drive', () => {
    let config: Config;
    beforeAll(async () => {
      config = await testConfig({ substations: 1 });
    });

    it('reads the current setpoint from the drive when nothing recent is known', async () => {
      const { pc, ops, request } = fakeDrive(config, await tempStore());
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
      const store = await tempStore();
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
      expect((await store.list()).map((e) => [e.requestedHz, e.result, e.code])).toEqual([
        [42, 'confirmed', null],
        [43, 'refused', 'PUMP_BUSY'],
      ]);
    });

    it('counts a write that timed out as a change (the drive may have acted)', async () => {
      const store = await tempStore();
      const fail = new HeatnetError('MODBUS_TIMEOUT', 'unit 2: no answer in 500 ms');
      const raised: Alert[] = [];
      const alerts = { raise: (a: Alert) => raised.push(a), clear: () => undefined };
      const { pc, request } = fakeDrive(config, store, { fail, alerts });
      const message =
        'writing 42 Hz to S01-P1-vfd failed: unit 2: no answer in 500 ms (the drive may have taken it)';
      await expect(pc.setFrequency(request)).rejects.toMatchObject({
        code: 'WRITE_FAILED',
        message,
      });
      // The duty staff hear of it through the one alert sink (issue 12).
      expect(raised).toEqual([
        { source: 'control:S01-P1', code: 'control-write-failed', severity: 'critical', message },
      ]);
      expect((await store.lastChangeAt('S01-P1'))?.at).toBe(T0);
      await expect(pc.setFrequency(request)).rejects.toMatchObject({ code: 'TOO_FREQUENT' });
    });

    it('clears the write alert when the pump next takes its setpoint', async () => {
      const cleared: string[] = [];
      const alerts = {
        raise: () => undefined,
        clear: (s: string, c: string) => cleared.push(`${s} ${c}`),
      };
      const { pc, request } = fakeDrive(config, await tempStore(), { alerts });
      await expect(pc.setFrequency(request)).resolves.toMatchObject({ result: 'confirmed' });
      expect(cleared).toEqual(['control:S01-P1 control-write-failed']);
    });

    it('refuses api callers that are not dispatchers even without the route', async () => {
      const { pc, writes, request } = fakeDrive(config, await tempStore());
      await expect(pc.setFrequency({ ...request, role: 'admin' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(writes).toEqual([]);
    });
  });

  describe('effect tracking, driven by balance results', () => {
    const confirmAt = async (store: AuditStore, at: number, substation = 'S01') => {
      const id = await store.begin(attempt({ at, substation }));
      return store.finish(id, confirmed(43, at + 500));
    };

    it('judges a change on the first result at or after change + settling', async () => {
      const store = await tempStore();
      const tracker = new EffectTracker({ audit: store, settlingMin: 60, log: silentLogger() });
      await tracker.onBalance(balance(T0 - 5 * MIN, { S01: -3 }));
      const entry = await confirmAt(store, T0);
      await tracker.onConfirmed(entry);
      expect((await store.get(entry.id))?.effect).toMatchObject({
        verdict: 'pending',
        deviationBeforeC: -3,
      });
      await tracker.onBalance(balance(T0 + 30 * MIN, { S01: -2.9 }));
      await tracker.onBalance(balance(T0 + 59 * MIN, { S01: -1 }));
      expect((await store.get(entry.id))?.effect?.verdict).toBe('pending');
      await tracker.onBalance(balance(T0 + 60 * MIN, { S01: -2.2 }));
      expect((await store.get(entry.id))?.effect).toEqual({
        verdict: 'improved',
        deviationBeforeC: -3,
        deviationAfterC: -2.2,
        judgedAt: T0 + 60 * MIN,
      });
      // Judged once: later results change nothing.
      await tracker.onBalance(balance(T0 + 90 * MIN, { S01: -5 }));
      expect((await store.get(entry.id))?.effect?.verdict).toBe('improved');
      expect(tracker.pending).toBe(0);
    });

    it('says unknown without data before or after', async () => {
      const store = await tempStore();
      const tracker = new EffectTracker({ audit: store, settlingMin: 10, log: silentLogger() });
      const noBefore = await confirmAt(store, T0);
      await tracker.onConfirmed(noBefore); // no balance result yet
      await tracker.onBalance(balance(T0 + 1 * MIN, { S01: -3, S02: 1 }));
      const noAfter = await confirmAt(store, T0 + 2 * MIN, 'S02');
      await tracker.onConfirmed(noAfter);
      await tracker.onBalance(balance(T0 + 15 * MIN, { S01: -1, S02: null }));
      expect((await store.get(noBefore.id))?.effect).toMatchObject({ verdict: 'unknown' });
      expect((await store.get(noAfter.id))?.effect).toMatchObject({
        verdict: 'unknown',
        deviationBeforeC: 1,
        deviationAfterC: null,
      });
    });

    it('picks up changes still awaiting their verdict after a restart', async () => {
      const first = await tempStore();
      const tracker = new EffectTracker({ audit: first, settlingMin: 60, log: silentLogger() });
      await tracker.onBalance(balance(T0, { S01: 2 }));
      const entry = await confirmAt(first, T0 + MIN);
      await tracker.onConfirmed(entry);
      await first.close();
      const again = await tempStore(first.target);
      const restarted = new EffectTracker({ audit: again, settlingMin: 60, log: silentLogger() });
      await restarted.start();
      expect(restarted.pending).toBe(1);
      await restarted.onBalance(balance(T0 + 61 * MIN, { S01: 2.6 }));
      expect((await again.get(entry.id))?.effect).toMatchObject({
        verdict: 'worsened',
        deviationBeforeC: 2,
        deviationAfterC: 2.6,
      });
    });
  });
});
