import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditStore, type NewAttempt } from '../../src/control/audit-store.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Engine, StoreTarget } from '../../src/store/engine.ts';
import { Store } from '../../src/store/store.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';

/*
 * The relational store on both engines it speaks (DESIGN §3, §5): migrations, durability,
 * concurrent writers, and the control state that moved onto it (issue 9).
 */

const T0 = Date.parse('2026-01-10T08:00:00Z');
const open: { stop(): Promise<void> }[] = [];

afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.stop();
});

async function started(target: StoreTarget): Promise<Store> {
  const store = new Store(target, silentLogger());
  open.push(store);
  await store.start();
  return store;
}

async function auditOn(store: Store, legacyFile?: string): Promise<AuditStore> {
  const audit = new AuditStore({
    store,
    log: silentLogger(),
    now: () => T0,
    ...(legacyFile ? { legacyFile } : {}),
  });
  open.push(audit);
  await audit.start();
  return audit;
}

const attempt = (over: Partial<NewAttempt> = {}): NewAttempt => ({
  at: T0,
  actor: 'duty',
  role: 'dispatcher',
  source: 'api',
  pump: 'S01-P1',
  substation: 'S01',
  device: 'S01-P1-vfd',
  reason: 'test',
  beforeHz: 40,
  requestedHz: 42,
  ...over,
});

const migrations = async (store: Store) =>
  (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(store.db))
    .rows;

describe.each(ENGINES)('relational store on %s', (engine: Engine) => {
  useEngine(engine);

  it('migrates an empty database up, and a current one not again', async () => {
    const target = await freshTarget(engine);
    const first = await started(target);
    const all = [
      { name: '0001-control' },
      { name: '0002-audit-series' },
      { name: '0003-complaints' },
      { name: '0004-tickets' },
      { name: '0005-ledger-data' },
      { name: '0006-ledger' },
      { name: '0007-alerts' },
      { name: '0008-outbox' },
      { name: '0009-history' },
      { name: '0010-sla-check' },
      { name: '0011-incident-counts' },
    ];
    expect(await migrations(first)).toEqual(all);
    expect(await first.db.selectFrom('control_audit').selectAll().execute()).toEqual([]);
    await first.stop();
    const again = await started(target);
    expect(await migrations(again)).toEqual(all);
  });

  it.runIf(engine === 'sqlite')(
    'counts an incident list’s calls and households from an index alone',
    async () => {
      const store = await started(await freshTarget(engine));
      // incidentCounts' query (src/complaints/incident-db.ts), for every incident list.
      const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN
        SELECT incident_id, count(*), count(DISTINCT household) FROM complaints
        WHERE incident_id IN ('I-1', 'I-2') GROUP BY incident_id`.execute(store.db);
      expect(plan.rows.map((r) => r.detail).join('\n')).toContain(
        'COVERING INDEX complaints_incident_household',
      );
    },
  );

  it('keeps a committed row across a stop and start', async () => {
    const target = await freshTarget(engine);
    const store = await started(target);
    await store.transaction(async (trx) => {
      await trx
        .insertInto('auto_switch')
        .values({ at_ms: T0, wall_ms: T0, actor: 'duty', enabled: 0, reason: 'works' })
        .execute();
    });
    await store.stop();
    const again = await started(target);
    expect(await again.db.selectFrom('auto_switch').select(['actor', 'at_ms']).execute()).toEqual([
      { actor: 'duty', at_ms: T0 },
    ]);
  });

  it('commits a transaction whole or not at all', async () => {
    const store = await started(await freshTarget(engine));
    const failing = store.transaction(async (trx) => {
      await trx
        .insertInto('auto_switch')
        .values({ at_ms: T0, wall_ms: T0, actor: 'a', enabled: 1, reason: 'r' })
        .execute();
      throw new Error('changed my mind');
    });
    await expect(failing).rejects.toThrow('changed my mind');
    expect(await store.db.selectFrom('auto_switch').selectAll().execute()).toEqual([]);
  });

  it('loses no row to concurrent writers, on one store and on two over the same database', async () => {
    const target = await freshTarget(engine);
    const [a, b] = [await started(target), await started(target)];
    const [auditA, auditB] = [await auditOn(a), await auditOn(b)];
    const writes = Array.from({ length: 40 }, (_, i) =>
      (i % 2 === 0 ? auditA : auditB).refuse(attempt({ at: T0 + i }), 'X', `w${i}`),
    );
    const entries = await Promise.all(writes);
    expect(new Set(entries.map((e) => e.id)).size).toBe(40);
    const all = await auditA.list({ limit: 1000 });
    expect(all.map((e) => e.error).sort()).toEqual(entries.map((e) => e.error).sort());
  });

  it('keeps the auto-balancing switch across restarts, and sees another instance’s', async () => {
    const target = await freshTarget(engine);
    const store = await started(target);
    const audit = await auditOn(store);
    expect(await audit.switches.latestAutoSwitch()).toBeNull();
    await audit.switches.recordAutoSwitch({ enabled: false, actor: 'duty', reason: 'valve works' });
    await audit.stop();
    await store.stop();
    const again = await auditOn(await started(target));
    const off = {
      enabled: false,
      actor: 'duty',
      reason: 'valve works',
      at: T0,
    };
    // Known at start, for status views that do not wait for the store.
    expect(again.switches.lastKnownAutoSwitch()).toEqual(off);
    expect(await again.switches.latestAutoSwitch()).toEqual(off);
    const other = await auditOn(await started(target));
    await other.switches.recordAutoSwitch({ enabled: true, actor: 'night', reason: 'works done' });
    expect(await again.switches.latestAutoSwitch()).toMatchObject({
      enabled: true,
      actor: 'night',
    });
  });

  it('imports the old audit file once, keeping its ids, and numbers new attempts after them', async () => {
    const file = legacyAuditFile();
    const target = await freshTarget(engine);
    const store = await started(target);
    const audit = await auditOn(store, file);
    const rows = await audit.list();
    expect(rows.map((e) => [e.id, e.result, e.actor])).toEqual([
      [7, 'interrupted', 'old-pending'],
      [3, 'confirmed', 'old-dispatcher'],
    ]);
    expect(rows[1]).toMatchObject({ readBackHz: 43.25, effect: { verdict: 'improved' } });
    expect(audit.switches.lastKnownAutoSwitch()).toMatchObject({
      enabled: false,
      actor: 'old-duty',
    });
    const next = await audit.refuse(attempt(), 'X', 'new');
    expect(next.id).toBeGreaterThan(7);
    await audit.stop();
    await store.stop();
    const again = await auditOn(await started(target), file);
    expect(await again.list()).toHaveLength(3);
  });
});

/** An audit file as the control area wrote it before the store (issue 5's schema). */
function legacyAuditFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'heatnet-legacy-')), 'control.sqlite');
  const db = new Database(path);
  db.exec(`
    CREATE TABLE control_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL,
      wall_ms INTEGER, actor TEXT NOT NULL, role TEXT, source TEXT NOT NULL, pump TEXT NOT NULL,
      substation TEXT, device TEXT, reason TEXT, before_hz REAL, requested_hz REAL,
      readback_hz REAL, result TEXT NOT NULL, code TEXT, error TEXT,
      wrote INTEGER NOT NULL DEFAULT 0, completed_ms INTEGER, effect TEXT,
      deviation_before_c REAL, deviation_after_c REAL, effect_ms INTEGER);
    CREATE TABLE auto_switch (id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL,
      wall_ms INTEGER NOT NULL, actor TEXT NOT NULL, enabled INTEGER NOT NULL,
      reason TEXT NOT NULL);
    INSERT INTO control_audit (id, at_ms, wall_ms, actor, role, source, pump, substation,
      device, reason, before_hz, requested_hz, readback_hz, result, wrote, completed_ms,
      effect, deviation_before_c, deviation_after_c, effect_ms)
      VALUES (3, ${T0 - 7_200_000}, ${T0}, 'old-dispatcher', 'dispatcher', 'api', 'S01-P1',
        'S01', 'S01-P1-vfd', 'far end cold', 40, 43.25, 43.25, 'confirmed', 1,
        ${T0 - 7_199_000}, 'improved', -3, -1, ${T0 - 3_600_000});
    INSERT INTO control_audit (id, at_ms, actor, source, pump, requested_hz, result, wrote)
      VALUES (7, ${T0 - 60_000}, 'old-pending', 'api', 'S02-P1', 44, 'pending', 1);
    INSERT INTO auto_switch (at_ms, wall_ms, actor, enabled, reason)
      VALUES (${T0 - 100_000}, ${T0}, 'old-duty', 0, 'summer');
  `);
  db.close();
  return path;
}
