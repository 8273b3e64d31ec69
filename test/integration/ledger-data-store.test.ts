import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Incident, IncidentState } from '../../src/complaints/types.ts';
import type { Config } from '../../src/config/schema.ts';
import { EventBus } from '../../src/core/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { HeatnetEvents } from '../../src/events.ts';
import { buildLedgerData, type LedgerDataParts } from '../../src/ledger/collect.ts';
import { ROWS_PER_TRANSACTION } from '../../src/ledger/room-days.ts';
import { addRoomDays } from '../../src/ledger/room-days-db.ts';
import type { RoomDay } from '../../src/service/ledger-inputs.ts';
import type { Engine, StoreTarget } from '../../src/store/engine.ts';
import { Store } from '../../src/store/store.ts';
import { testConfig } from '../support/config.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';

/*
 * The ledger's data over the store (issue 11 item 3), on both engines: room days per site day
 * (day boundaries, late readings, a restart), the source's batches and dirty days, and heat
 * stops from a meter and from incidents, one interval across a restart.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
// 2026-01-10 00:00 in Shanghai.
const DAY0 = Date.parse('2026-01-09T16:00:00Z');
const RULES = { offShare: 0.05, onShare: 0.15, minOffMs: 30 * MIN, minOnMs: 20 * MIN };

interface Session {
  store: Store;
  bus: EventBus<HeatnetEvents>;
  parts: LedgerDataParts;
  clock: { now: number };
}

const open: Session[] = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await stop(s);
});

async function stop(s: Session) {
  const i = open.indexOf(s);
  if (i >= 0) open.splice(i, 1);
  for (const c of [...s.parts.components].reverse()) await c.stop();
  await s.store.stop();
}

async function session(config: Config, target: StoreTarget, startMs = DAY0): Promise<Session> {
  const store = new Store(target, silentLogger());
  await store.start();
  const bus = new EventBus<HeatnetEvents>(silentLogger());
  const clock = { now: startMs };
  const parts = buildLedgerData({
    config,
    topology: new Topology(config.network),
    bus,
    store,
    now: () => clock.now,
    log: silentLogger(),
    flushMs: 3_600_000,
    stopRules: RULES,
  });
  for (const c of parts.components) await c.start();
  const s = { store, bus, parts, clock };
  open.push(s);
  return s;
}

const room = (household: string, time: number, temp_c: number): Reading => ({
  measurement: 'room',
  tags: { substation: 'S', building: 'B', zone: 'low', household },
  fields: { temp_c },
  time,
});

const meter = (
  building: string,
  time: number,
  flow_m3h: number,
  heat_power_kw: number,
): Reading => ({
  measurement: 'building',
  tags: { substation: 'S', building },
  fields: { flow_m3h, heat_power_kw, supply_temp_c: 55, return_temp_c: 45 },
  time,
});

async function all(source: LedgerDataParts['source'], day: string): Promise<RoomDay[][]> {
  const batches: RoomDay[][] = [];
  for await (const b of source.roomDays(day)) batches.push(b);
  return batches;
}

function incident(config: Config, id: string, state: IncidentState, at: number): Incident {
  const s = config.network.substations[0]!;
  return {
    id,
    faultKey: `substation:${s.id}`,
    level: 'substation',
    substation: s.id,
    building: null,
    zone: null,
    cause: 'heat-stopped',
    place: s.id,
    state,
    origin: 'data',
    openedAt: at,
    updatedAt: at,
    etaAt: null,
    summary: { en: 'heat stopped', zh: '停止供热' },
    evidence: [],
    action: null,
  };
}

describe.each(ENGINES)('ledger data on %s', (engine: Engine) => {
  useEngine(engine);

  it('sums room readings per household and site day, late readings and a restart included', async () => {
    const config = await testConfig({ substations: 1 });
    const target = await freshTarget(engine);
    const a = await session(config, target);
    a.bus.emit('readings', [
      room('H1', DAY0 - 10 * MIN, 17), // 9 Jan, 23:50 local
      room('H1', DAY0, 18), // 10 Jan, 00:00 local
      room('H1', DAY0, 18), // the same reading redelivered: counted once
      room('H1', DAY0 + 10 * MIN, 19),
      room('H2', DAY0 + 23 * HOUR + 50 * MIN, 20),
    ]);
    await a.parts.roomDays.flush();
    const { source } = a.parts;
    const day = await all(source, '2026-01-10');
    expect(day.flat().map((d) => [d.household, d.meanC, d.samples])).toEqual([
      ['H1', 18.5, 2],
      ['H2', 20, 1],
    ]);
    expect((await all(source, '2026-01-09')).flat()).toMatchObject([
      { household: 'H1', meanC: 17 },
    ]);
    expect(await source.dirtyDays()).toEqual(['2026-01-09', '2026-01-10']);
    await source.markComputed('2026-01-09', a.clock.now);
    await source.markComputed('2026-01-10', a.clock.now);
    expect(await source.dirtyDays()).toEqual([]);

    // A clean stop flushes; the next process adds to what is there, and a late reading dirties its day.
    a.bus.emit('readings', [room('H1', DAY0 + 20 * MIN, 20)]);
    await stop(a);
    const b = await session(config, target, DAY0 + 2 * 24 * HOUR);
    b.bus.emit('readings', [room('H1', DAY0 + 30 * MIN, 21), room('H1', DAY0 + 24 * HOUR, 16)]);
    await b.parts.roomDays.flush();
    expect(await b.parts.source.dirtyDays()).toEqual(['2026-01-10', '2026-01-11']);
    const again = (await all(b.parts.source, '2026-01-10')).flat();
    expect(again[0]).toMatchObject({
      household: 'H1',
      meanC: 19.5,
      samples: 4,
      updatedAtMs: b.clock.now,
    });
  });

  it('keeps the samples of a failed flush for the next one', async () => {
    const config = await testConfig({ substations: 1 });
    const s = await session(config, await freshTarget(engine));
    s.bus.emit('readings', [room('H1', DAY0, 18), room('H1', DAY0 + 10 * MIN, 19)]);
    await s.store.stop();
    await expect(s.parts.roomDays.flush()).rejects.toThrow(/not open/);
    expect(s.parts.roomDays.backlog).toBe(1);
    s.bus.emit('readings', [room('H1', DAY0 + 20 * MIN, 20), room('H2', DAY0, 17)]);
    await s.store.start();
    await s.parts.roomDays.flush();
    expect(s.parts.roomDays.backlog).toBe(0);
    expect((await all(s.parts.source, '2026-01-10')).flat()).toMatchObject([
      { household: 'H1', meanC: 19, samples: 3 },
      { household: 'H2', meanC: 17, samples: 1 },
    ]);
  });

  it('flushes in parts; a failed part and those after it wait, the parts before stay counted', async () => {
    const config = await testConfig({ substations: 1 });
    const s = await session(config, await freshTarget(engine));
    const households = Array.from({ length: 4_500 }, (_, i) => `H${String(i).padStart(5, '0')}`);
    s.bus.emit(
      'readings',
      households.map((h) => room(h, DAY0, 18)),
    );
    const real = s.store.transaction.bind(s.store);
    let parts = 0;
    const spy = vi.spyOn(s.store, 'transaction').mockImplementation((work) => {
      parts++;
      return parts === 2 ? Promise.reject(new Error('disk full')) : real(work);
    });
    await expect(s.parts.roomDays.flush()).rejects.toThrow(/disk full/);
    expect(s.parts.roomDays.backlog).toBe(households.length - ROWS_PER_TRANSACTION);
    spy.mockRestore();
    await s.parts.roomDays.flush();
    const days = (await all(s.parts.source, '2026-01-10')).flat();
    expect(days.map((d) => d.household)).toEqual(households);
    expect(days.every((d) => d.samples === 1 && d.meanC === 18)).toBe(true);
  });

  it('reads a day in batches ordered by household, never all at once', async () => {
    const config = await testConfig({ substations: 1 });
    const s = await session(config, await freshTarget(engine));
    const rows = Array.from({ length: 12_001 }, (_, i) => ({
      day: '2026-01-10',
      household: `H${String(i).padStart(6, '0')}`,
      sumC: 36 + (i % 7),
      samples: 2,
      minC: 17,
      maxC: 21,
      firstMs: DAY0,
      lastMs: DAY0 + HOUR,
    }));
    await s.store.transaction((trx) => addRoomDays(trx, rows, DAY0));
    const batches = await all(s.parts.source, '2026-01-10');
    expect(batches.map((b) => b.length)).toEqual([5000, 5000, 2001]);
    const households = batches.flat().map((d) => d.household);
    expect(households).toEqual(rows.map((r) => r.household));
    expect(batches[2]![2000]!.meanC).toBe((36 + (12_000 % 7)) / 2);
  });

  it('keeps a meter-detected stop as one interval across a restart', async () => {
    const config = await testConfig({ substations: 1 });
    const building = config.network.substations[0]!.buildings[0]!.id;
    const target = await freshTarget(engine);
    const a = await session(config, target);
    const from = DAY0 + 22 * HOUR;
    for (let t = from - HOUR; t < from; t += 10 * MIN)
      a.bus.emit('readings', [meter(building, t, 30, 400)]);
    for (let t = from; t <= from + HOUR; t += 10 * MIN)
      a.bus.emit('readings', [meter(building, t, 0.1, 0)]);
    await a.parts.stops.idle();
    expect(await a.parts.source.stops(DAY0, DAY0 + 48 * HOUR)).toMatchObject([
      { level: 'building', place: building, fromMs: from, untilMs: null, source: 'data' },
    ]);
    await stop(a);

    // Restarted three hours later: the data still show it stopped, then the heat comes back.
    const b = await session(config, target, from + 4 * HOUR);
    const back = from + 30 * HOUR;
    for (let t = from + 4 * HOUR; t < back; t += 10 * MIN)
      b.bus.emit('readings', [meter(building, t, 0, 0)]);
    for (let t = back; t <= back + HOUR; t += 10 * MIN)
      b.bus.emit('readings', [meter(building, t, 31, 420)]);
    // A replayed old reading of the stopped hours does not revise the closed stop.
    b.bus.emit('readings', [meter(building, from + 5 * HOUR, 0, 0)]);
    await b.parts.stops.idle();
    expect(b.parts.stops.watch({ level: 'building', place: building }).stop).toBeNull();
    const stops = await b.parts.source.stops(DAY0, DAY0 + 72 * HOUR);
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({
      fromMs: from,
      untilMs: back,
      source: 'data',
      incidentId: null,
    });
    expect(await b.parts.source.stops(back, back + HOUR)).toEqual([]);
    expect(await b.parts.source.dirtyDays()).toEqual(['2026-01-10', '2026-01-11', '2026-01-12']);
  });

  it('opens a stop from a heat-stopped incident and ends it when restored; an invalid one leaves none', async () => {
    const config = await testConfig({ substations: 1 });
    const s = await session(config, await freshTarget(engine));
    const at = DAY0 + 2 * HOUR;
    const change = (from: IncidentState | null, to: IncidentState, t: number) => ({
      at: t,
      actor: 'system',
      from,
      to,
      note: null,
    });
    s.bus.emit('incident.opened', {
      incident: incident(config, 'I-1', 'confirmed', at),
      change: change(null, 'confirmed', at),
    });
    const restored = at + 13 * HOUR;
    s.bus.emit('incident.changed', {
      incident: incident(config, 'I-1', 'restored', at),
      change: change('confirmed', 'restored', restored),
    });
    s.bus.emit('incident.opened', {
      incident: incident(config, 'I-2', 'suspected', restored + HOUR),
      change: change(null, 'suspected', restored + HOUR),
    });
    s.bus.emit('incident.changed', {
      incident: incident(config, 'I-2', 'invalid', restored + HOUR),
      change: change('suspected', 'invalid', restored + 2 * HOUR),
    });
    await s.parts.stops.idle();
    const place = config.network.substations[0]!.id;
    expect(await s.parts.source.stops(DAY0, DAY0 + 48 * HOUR)).toEqual([
      expect.objectContaining({
        level: 'substation',
        place,
        fromMs: at,
        untilMs: restored,
        source: 'incident',
        incidentId: 'I-1',
      }),
    ]);
  });

  it('squares the stops with the desk incidents on start, and never reopens a spent one', async () => {
    const config = await testConfig({ substations: 1 });
    const sub = config.network.substations[0]!.id;
    const target = await freshTarget(engine);
    const a = await session(config, target);
    const at = DAY0 + HOUR;
    // Committed by the desk, but the process died before the bus told the stops.
    await a.store.db
      .insertInto('incidents')
      .values(incidentRow(sub, 'I-9', 'confirmed', at))
      .execute();
    await stop(a);
    const b = await session(config, target, at + HOUR);
    expect(await b.parts.source.stops(DAY0, DAY0 + 48 * HOUR)).toMatchObject([
      { place: sub, fromMs: at, untilMs: null, source: 'incident', incidentId: 'I-9' },
    ]);
    // The PLC shows the heat back while the incident is still open: the data end the stop ...
    const back = at + 5 * HOUR;
    for (let t = back; t <= back + HOUR; t += 10 * MIN) {
      b.bus.emit('readings', [plc(sub, t, 500, 5000)]);
    }
    // ... and a later move of the still-open incident does not reopen it, nor does a restart.
    b.bus.emit('incident.changed', {
      incident: incident(config, 'I-9', 'restoring', at),
      change: {
        at: back + 2 * HOUR,
        actor: 'crew',
        from: 'confirmed',
        to: 'restoring',
        note: null,
      },
    });
    await b.parts.stops.idle();
    await stop(b);
    const c = await session(config, target, back + 3 * HOUR);
    expect(await c.parts.source.stops(DAY0, DAY0 + 48 * HOUR)).toMatchObject([
      { place: sub, fromMs: at, untilMs: back, incidentId: 'I-9' },
    ]);
  });
});

const plc = (substation: string, time: number, flow: number, heat: number): Reading => ({
  measurement: 'substation',
  tags: { substation, source: 'P' },
  fields: { primary_flow_m3h: flow, heat_power_kw: heat },
  time,
});

function incidentRow(substation: string, id: string, state: IncidentState, at: number) {
  return {
    id,
    fault_key: `substation:${substation}`,
    level: 'substation',
    cause: 'heat-stopped',
    place: substation,
    substation,
    building: null,
    zone: null,
    state,
    origin: 'data',
    opened_at_ms: at,
    updated_at_ms: at,
    eta_ms: null,
    summary: '{}',
  };
}
