import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/store/engine.ts';
import { eventually } from '../support/config.ts';
import { ENGINES, useEngine } from '../support/store.ts';
import {
  deskSessions,
  diagnosisAt,
  evaluationAt,
  FakeDiagnoser,
  firstSubstation,
  householdsOf,
  pumpFinding,
} from './complaints-harness.ts';

/**
 * Incidents through the real app (issue 10 §3), on both store engines: calls that join and
 * confirm one, its ETA told to later calls, incidents the data open before anyone calls
 * (and restore), and a tripped pump's 40 calls grouped into one incident.
 */
describe.each(ENGINES)('incidents on %s', (engine: Engine) => {
  useEngine(engine);
  const { started } = deskSessions(engine);

  it('groups calls into an incident, confirms it, moves it with an ETA the later calls are told', async () => {
    const diagnoser = new FakeDiagnoser();
    const { post, app, config, get, patch } = await started(diagnoser);
    const s = firstSubstation(config);
    diagnoser.fallback = () => diagnosisAt('substation', s);
    const [h1, h2, h3] = householdsOf(app, s);
    const first = (await post({ household: h1!.id, category: 'low-temperature' })).json();
    expect(first.incident).toMatchObject({ state: 'suspected', etaAt: null });
    // The same flat calling again does not confirm it; a second household does.
    const repeat = (await post({ household: h1!.id, category: 'no-heat' })).json();
    expect(repeat.incident).toMatchObject({ id: first.incident.id, state: 'suspected' });
    const second = (await post({ household: h2!.id, category: 'low-temperature' })).json();
    expect(second.incident).toMatchObject({ id: first.incident.id, state: 'confirmed' });
    const url = `/api/incidents/${first.incident.id}`;
    const refused = await patch(url, { to: 'closed' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('restoring, restored, invalid');
    expect((await patch(url, { to: 'restoring' })).json().field).toBe('etaAt');
    const eta = '2030-01-10T10:00:00.000Z';
    const moved = await patch(url, { to: 'restoring', etaAt: eta, note: 'crew on site' });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({
      state: 'restoring',
      etaAt: eta,
      complaints: 3,
      affectedHouseholds: 2,
    });
    const third = (await post({ household: h3!.id, category: 'no-heat' })).json();
    expect(third.incident).toEqual({ id: first.incident.id, state: 'restoring', etaAt: eta });
    const detail = (await get(url)).json();
    expect(detail.calls).toHaveLength(4);
    expect(detail.history.map((c: { to: string }) => c.to)).toEqual([
      'suspected',
      'confirmed',
      'restoring',
    ]);
    expect(detail.history[2]).toMatchObject({ actor: 'demo-dispatcher', note: 'crew on site' });
    expect((await get('/api/incidents/I-000000-XXXXXX')).statusCode).toBe(404);
    expect((await get(`/api/complaints?level=substation&substation=${s}`)).json().count).toBe(4);
  });

  it('opens an incident from network data before anyone calls; calls join it; it restores itself', async () => {
    const diagnoser = new FakeDiagnoser();
    const { post, app, config, get } = await started(diagnoser);
    const s = firstSubstation(config);
    const t0 = Date.UTC(2030, 0, 10, 6);
    diagnoser.found = [pumpFinding(s)];
    await app.desk.onBalance(evaluationAt(t0));
    expect((await get('/api/incidents')).json().count).toBe(0);
    // The second, through the bus as the balancing runner sends it, opens the incident.
    app.bus.emit('balance.evaluated', evaluationAt(t0 + 300_000));
    const list = await eventually(
      async () => {
        const found = (await get('/api/incidents?state=suspected')).json();
        return found.count === 1 ? found : undefined;
      },
      { what: 'the incident the data opened' },
    );
    expect(list.incidents[0]).toMatchObject({
      origin: 'data',
      level: 'substation',
      place: s,
      complaints: 0,
    });
    diagnoser.fallback = () => diagnosisAt('substation', s);
    const call = (
      await post({ household: householdsOf(app, s)[0]!.id, category: 'low-temperature' })
    ).json();
    expect(call.incident).toMatchObject({ id: list.incidents[0].id, state: 'confirmed' });
    diagnoser.found = [];
    for (let i = 1; i <= config.service.incidents.restoredAfter; i++) {
      await app.desk.onBalance(evaluationAt(t0 + (i + 1) * 300_000));
    }
    const detail = (await get(`/api/incidents/${call.incident.id}`)).json();
    expect(detail.state).toBe('restored');
    expect(detail.history.at(-1)).toMatchObject({
      actor: 'heatnet',
      from: 'confirmed',
      to: 'restored',
    });
  });

  it('puts the 40 calls a tripped pump causes into one incident', async () => {
    const diagnoser = new FakeDiagnoser();
    const { post, app, config, get } = await started(diagnoser);
    const s = firstSubstation(config);
    const households = householdsOf(app, s).slice(0, 40);
    expect(households).toHaveLength(40);
    // The buildings' and zones' calls are explained by the pump: they join its incident.
    diagnoser.fallback = (r) => {
      const h = app.topology.household(r.household)!;
      const i = households.findIndex((x) => x.id === h.id);
      return i % 3 === 1 ? diagnosisAt('building', h.building) : diagnosisAt('substation', s);
    };
    for (const h of households) {
      expect((await post({ household: h.id, category: 'low-temperature' })).statusCode).toBe(201);
    }
    const list = (await get('/api/incidents')).json();
    expect(list.count).toBe(1);
    expect(list.incidents[0]).toMatchObject({
      complaints: 40,
      affectedHouseholds: 40,
      state: 'confirmed',
    });
    const metrics = (await get('/metrics')).body;
    expect(metrics).toContain('heatnet_incidents_open 1');
    expect(metrics).toMatch(/heatnet_complaints_received_total\{level="substation"\} \d+/);
    if (engine === 'sqlite') {
      // Each committed call waited for a flush of SQLite's log, counted with its time.
      expect(metrics).toMatch(/heatnet_store_log_flushes_total [1-9]\d*\n/);
      expect(metrics).toMatch(/heatnet_store_log_flush_seconds_total \d/);
    } else {
      expect(metrics).not.toMatch(/heatnet_store_log_flushes_total \d/);
    }
  });
});
