import { Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import { createDialect } from '../../src/store/dialects.ts';
import type { Engine } from '../../src/store/engine.ts';
import { CodeMigrations } from '../../src/store/migrations/index.ts';
import type { Database } from '../../src/store/schema.ts';
import { Store } from '../../src/store/store.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';

/**
 * Migration 0004 (issue 11) over a store that already holds issue 10's tickets, on both
 * engines: the rows and their history ids survive, the complaint becomes optional (a
 * crew's ticket), and the history still refuses a ticket that does not exist.
 */
const T0 = Date.parse('2026-12-01T08:00:00Z');
const open: Store[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.stop();
});

describe.each(ENGINES)('migration 0004-tickets on %s', (engine: Engine) => {
  useEngine(engine);

  it('keeps the tickets and history of 0003 and lets a ticket have no complaint', async () => {
    const target = await freshTarget(engine);
    const old = new Kysely<Database>({ dialect: createDialect(target) });
    const migrated = await new Migrator({
      db: old,
      provider: new CodeMigrations(engine),
    }).migrateTo('0003-complaints');
    expect(migrated.error).toBeUndefined();
    await sql`INSERT INTO complaints (id, household, building, zone, substation, category, channel,
      reported_at_ms, received_at_ms, actor, level, cause, confidence, diagnosis, answer)
      VALUES ('C-1', 'H1', 'B1', 'low', 'S01', 'no-heat', 'hotline', ${T0}, ${T0}, 'duty',
      'unknown', 'insufficient-data', 0, '{}', '{}')`.execute(old);
    await sql`INSERT INTO tickets (id, complaint_id, state, due_at_ms, created_at_ms)
      VALUES ('T-1', 'C-1', 'received', ${T0 + 7_200_000}, ${T0})`.execute(old);
    await sql`INSERT INTO ticket_history (ticket_id, at_ms, actor, from_state, to_state)
      VALUES ('T-1', ${T0}, 'duty', NULL, 'received')`.execute(old);
    await old.destroy();

    const store = new Store(target, silentLogger());
    open.push(store);
    await store.start();
    const db = store.db;
    expect(await db.selectFrom('tickets').selectAll().execute()).toEqual([
      expect.objectContaining({
        id: 'T-1',
        complaint_id: 'C-1',
        kind: 'complaint',
        updated_at_ms: T0,
        team: null,
      }),
    ]);
    const [first] = await db.selectFrom('ticket_history').selectAll().execute();
    expect(first).toMatchObject({ id: 1, ticket_id: 'T-1', to_state: 'received', reason: null });
    await db
      .insertInto('tickets')
      .values({
        id: 'T-2',
        complaint_id: null,
        kind: 'incident',
        incident_id: null,
        state: 'received',
        due_at_ms: T0,
        created_at_ms: T0,
        team: null,
        assignee: null,
        updated_at_ms: T0,
      })
      .execute();
    const history = {
      at_ms: T0,
      actor: 'heatnet',
      from_state: null,
      to_state: 'received',
      note: null,
      reason: null,
      assignee: null,
      team: null,
    };
    const added = await db
      .insertInto('ticket_history')
      .values({ ticket_id: 'T-2', ...history })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(Number(added.id)).toBe(2);
    await expect(
      db
        .insertInto('ticket_history')
        .values({ ticket_id: 'T-404', ...history })
        .execute(),
    ).rejects.toThrow();
  });
});
