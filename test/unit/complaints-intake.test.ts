import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDesk, type DeskParts } from '../../src/complaints/build.ts';
import type { Config } from '../../src/config/schema.ts';
import { isHeatnetError } from '../../src/core/errors.ts';
import { EventBus } from '../../src/core/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { HeatnetEvents } from '../../src/events.ts';
import { LiveState } from '../../src/state/live-state.ts';
import { Store } from '../../src/store/store.ts';
import { diagnosisAt, FakeDiagnoser, pumpFinding } from '../integration/complaints-harness.ts';
import { testConfig } from '../support/config.ts';

/**
 * The intake's orchestration over a real (SQLite) store with a diagnoser the test steers and
 * a clock it moves: idempotent retries, keys that expire, concurrent duplicates, a store that
 * fails, and what goes out once a change is committed (events, the retained incident topic).
 */
describe('service desk orchestration', () => {
  const open: Store[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.stop();
  });

  let config: Config;
  async function desk() {
    config ??= await testConfig({ substations: 2 });
    const store = new Store({
      engine: 'sqlite',
      path: join(mkdtempSync(join(tmpdir(), 'desk-')), 'd.sqlite'),
    });
    await store.start();
    open.push(store);
    const clock = { now: Date.UTC(2030, 0, 10, 6) };
    const log = silentLogger();
    const bus = new EventBus<HeatnetEvents>(log);
    const events: string[] = [];
    for (const e of ['complaint.received', 'incident.opened', 'incident.changed'] as const) {
      bus.on(e, 'test', () => {
        events.push(e);
      });
    }
    const published: [string, string][] = [];
    const diagnoser = new FakeDiagnoser();
    const topology = new Topology(config.network);
    const parts: DeskParts = buildDesk({
      config,
      topology,
      bus,
      store,
      state: new LiveState(),
      balance: () => {
        throw new Error('not read by the fake diagnoser');
      },
      now: () => clock.now,
      log,
      diagnoser,
      publish: (topic, payload) => {
        published.push([topic, payload]);
        return true;
      },
    });
    for (const c of parts.components) await c.start();
    const s = config.network.substations[0]!.id;
    const households = topology.substation(s)!.buildings.flatMap((b) => b.households);
    return { parts, store, clock, events, published, diagnoser, s, households };
  }

  const count = async (store: Store) =>
    Number(
      (
        await store.db
          .selectFrom('complaints')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('replays a retried post, refuses the key with another body, and frees keys past the window', async () => {
    const { parts, store, clock, households } = await desk();
    const call = { household: households[0]!.id, category: 'no-heat' as const };
    const first = await parts.intake.submit(call, 'hotline-1', 'k-1');
    expect(first.replayed).toBe(false);
    clock.now += 60_000;
    const again = await parts.intake.submit({ ...call }, 'hotline-1', 'k-1');
    expect(again).toEqual({ answer: first.answer, replayed: true });
    expect(parts.signals.stats.replays).toBe(1);
    const conflict = await parts.intake
      .submit({ ...call, category: 'leak' }, 'hotline-1', 'k-1')
      .catch((err: unknown) => err);
    expect(isHeatnetError(conflict, 'CONFLICT')).toBe(true);
    clock.now += (config.service.idempotencyHours + 1) * 3_600_000;
    const later = await parts.intake.submit(call, 'hotline-1', 'k-1');
    expect(later.replayed).toBe(false);
    expect(later.answer.id).not.toBe(first.answer.id);
    expect(await count(store)).toBe(2);
  });

  it('commits one complaint for concurrent duplicates', async () => {
    const { parts, store, households } = await desk();
    const call = { household: households[1]!.id, category: 'leak' as const };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => parts.intake.submit(call, 'app', 'k-dup')),
    );
    expect(new Set(results.map((r) => r.answer.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await count(store)).toBe(1);
  });

  it('takes the call as unknown when the diagnosis rules fail', async () => {
    const { parts, diagnoser, households } = await desk();
    diagnoser.fallback = () => {
      throw new Error('no balance yet');
    };
    const { answer } = await parts.intake.submit(
      { household: households[0]!.id, category: 'low-temperature' },
      'hotline-1',
    );
    expect(answer.diagnosis).toMatchObject({
      level: 'unknown',
      missing: ['diagnosis failed: no balance yet'],
    });
    expect(answer.incident).toBeNull();
  });

  it('answers STORE_FAILED (503) when the store cannot commit: the call was not taken', async () => {
    const { parts, store, households } = await desk();
    await store.stop();
    const err = await parts.intake
      .submit({ household: households[0]!.id, category: 'low-temperature' }, 'hotline-1')
      .catch((e: unknown) => e);
    expect(isHeatnetError(err, 'STORE_FAILED')).toBe(true);
  });

  it('sends events and the retained incident topic only after commit, and clears the topic when closed', async () => {
    const { parts, events, published, diagnoser, s, households } = await desk();
    diagnoser.fallback = () => diagnosisAt('substation', s);
    const { answer } = await parts.intake.submit(
      { household: households[0]!.id, category: 'low-temperature' },
      'hotline-1',
    );
    expect(events).toEqual(['complaint.received', 'incident.opened']);
    const [topic, payload] = published.at(-1)!;
    expect(topic).toBe(`heatnet/incidents/${s}`);
    expect(JSON.parse(payload).incidents[0]).toMatchObject({
      id: answer.incident!.id,
      state: 'suspected',
    });
    const id = answer.incident!.id;
    await parts.incidents.change(id, { to: 'restored' }, 'crew-7');
    await parts.incidents.change(id, { to: 'closed', note: 'called back' }, 'hotline-1');
    expect(published.at(-1)).toEqual([`heatnet/incidents/${s}`, '']);
    expect(events.slice(2)).toEqual(['incident.changed', 'incident.changed']);
    expect(parts.signals.stats.openIncidents).toBe(0);
    // A finding of the same fault later opens a new incident: the closed one stays closed.
    diagnoser.found = [pumpFinding(s)];
    for (const at of [1, 2]) await parts.watch.onEvaluation(at);
    const all = await parts.incidents.list({ limit: 10 });
    expect(all.map((i) => [i.origin, i.state])).toEqual(
      expect.arrayContaining([
        ['data', 'suspected'],
        ['complaint', 'closed'],
      ]),
    );
  });
});
