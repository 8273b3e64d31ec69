import { afterEach, describe, expect, it } from 'vitest';
import { HeatnetApp } from '../../src/app.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import type {
  AlertEvent,
  AuditEvent,
  ComplaintEvent,
  ReadingsEvent,
  SnapshotEvent,
  TicketEvent,
} from '../../src/live/events-contract.ts';
import type { Engine } from '../../src/store/engine.ts';
import { eventually } from '../support/config.ts';
import { eventNamed, openSse, type SseStream } from '../support/sse.ts';
import { ENGINES, freshTarget, useEngine } from '../support/store.ts';
import { auth, deskConfig, FakeDiagnoser, householdsOf } from './complaints-harness.ts';

/**
 * `GET /api/events` on the real app, listening on a free port and read with fetch() as the
 * console reads it: the snapshot, each kind of event from its real source, the heartbeat,
 * access, and a stop that ends open streams instead of hanging on them.
 */

const LIVE = { readingsIntervalMs: 100, heartbeatMs: 200 };
const running: HeatnetApp[] = [];
const streams: SseStream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  for (const app of running.splice(0)) await app.stop();
});

async function served(engine: Engine, patch?: (raw: Record<string, unknown>) => void) {
  const config: Config = await deskConfig(await freshTarget(engine), patch);
  const app = new HeatnetApp(config, {
    log: silentLogger(),
    diagnoser: new FakeDiagnoser(),
    live: LIVE,
  });
  running.push(app);
  await app.start();
  const base = await app.listen();
  const open = async (headers: Record<string, string> = {}) => {
    const s = await openSse(`${base}/api/events`, headers);
    streams.push(s);
    return s;
  };
  return { app, config, base, open };
}

const json = <T>(data: string) => JSON.parse(data) as T;
const substationReading = (substation: string, tempC: number): Reading => ({
  measurement: 'substation',
  tags: { substation },
  fields: { primary_supply_temp_c: tempC },
  time: Date.now(),
});

describe.each(ENGINES)('live events on %s', (engine) => {
  useEngine(engine);

  it('starts with a snapshot of the first screen, then follows each source', async () => {
    const { app, config, open } = await served(engine);
    const s = await open(auth.viewer);
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toContain('text/event-stream');
    const snap = await s.next(eventNamed('snapshot'));
    expect(s.frames[0]!.retry).toBeGreaterThan(0);
    expect(snap.id).toBe('1');
    const body = json<SnapshotEvent>(snap.data);
    expect(body.reason).toBe('connect');
    expect(body.site.timezone).toBe(config.site.timezone);
    expect(body.substations.map((x) => x.id)).toEqual(config.network.substations.map((x) => x.id));
    expect(body.desk).toEqual({ openTickets: 0, overdueTickets: 0, openIncidents: 0 });
    expect(body.auto?.enabled).toBeTypeOf('boolean');

    // Two readings of one substation inside one interval come out as one entry.
    const id = config.network.substations[0]!.id;
    let from = s.frames.length;
    await app.pipeline.accept([substationReading(id, 90), substationReading(id, 91)]);
    const readings = json<ReadingsEvent>((await s.next(eventNamed('readings'), from)).data);
    expect(readings.substations.map((x) => x.id)).toEqual([id]);
    expect(readings.substations[0]!.readings['primary_supply_temp_c']?.value).toBe(91);

    from = s.frames.length;
    app.bus.emit('balance.evaluated', app.balance.latest());
    const balance = await s.next(eventNamed('balance'), from);
    expect(Object.keys(json<object>(balance.data))).toContain('gradient');

    from = s.frames.length;
    app.alerts.raise({ source: 'test', code: 'probe', severity: 'warning', message: 'probe' });
    const alert = json<AlertEvent>((await s.next(eventNamed('alert'), from)).data);
    expect(alert).toMatchObject({ kind: 'raised', alert: { source: 'test', code: 'probe' } });
  });

  it('sends complaints, tickets and control audit rows as they are committed', async () => {
    const { app, open } = await served(engine);
    const s = await open();
    await s.next(eventNamed('snapshot'));
    const http = await app.http();
    const [household] = householdsOf(app, app.topology.substations[0]!.id);
    const from = s.frames.length;
    const posted = await http.inject({
      method: 'POST',
      url: '/api/complaints',
      payload: { household: household!.id, category: 'low-temperature', contact: '138-0000' },
      headers: auth.service,
    });
    expect(posted.statusCode, posted.body).toBe(201);
    const complaint = json<ComplaintEvent>((await s.next(eventNamed('complaint'), from)).data);
    expect(complaint.id).toBe(posted.json().id);
    expect(complaint).not.toHaveProperty('contact');
    // The complaint carries its new ticket; each move of it is a ticket event.
    const ticketId = complaint.ticket!.id;
    const moved = await http.inject({
      method: 'PATCH',
      url: `/api/tickets/${ticketId}`,
      payload: { to: 'accepted', note: 'on my way' },
      headers: auth.dispatcher,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const ticket = json<TicketEvent>((await s.next(eventNamed('ticket'), from)).data);
    expect(ticket).toMatchObject({
      ticket: { id: ticketId, complaintId: complaint.id, state: 'accepted' },
      change: { from: 'received', to: 'accepted', note: 'on my way' },
    });

    // A pump change the guardrails refuse is still an audit row, and it is streamed.
    const pump = app.topology.substations[0]!.pumps[0]!.id;
    const refused = await http.inject({
      method: 'POST',
      url: `/api/control/pumps/${pump}/frequency`,
      payload: { hz: 45, reason: 'probe' },
      headers: auth.dispatcher,
    });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    const audit = json<AuditEvent>((await s.next(eventNamed('audit'), from)).data);
    expect(audit).toMatchObject({ pump, result: 'refused', reason: 'probe' });
    const ids = s.frames.map((f) => Number(f.id)).filter((n) => n > 0);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('keeps a quiet stream alive with heartbeats, and stop() ends open streams', async () => {
    const { app, open } = await served(engine);
    const [a, b] = [await open(), await open(auth.viewer)];
    await a.next(eventNamed('snapshot'));
    await b.next(eventNamed('snapshot'));
    await a.next((f) => f.comment?.startsWith('hb ') ?? false);
    expect(app.live.hub.clientCount).toBe(2);
    await app.stop();
    running.splice(0);
    expect(await a.ended).toBe(true);
    expect(await b.ended).toBe(true);
  });
});

describe('live events access', () => {
  it('is denied without a token unless anonymous reading is on', async () => {
    const { app, base, open } = await served('sqlite', (raw) => {
      (raw['api'] as { anonymousRead: boolean }).anonymousRead = false;
    });
    const res = await fetch(`${base}/api/events`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('UNAUTHORIZED');
    const bad = await fetch(`${base}/api/events`, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    const s = await open(auth.viewer);
    expect(s.status).toBe(200);
    await s.next(eventNamed('snapshot'));
    // A client that goes away is forgotten.
    s.close();
    await eventually(() => app.live.hub.clientCount === 0, { what: 'the client detached' });
  });
});
