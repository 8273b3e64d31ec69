/**
 * The live stream's contract (`GET /api/events`, issue 13 item 5): event names and payload
 * shapes, types only, so the console (web/) imports them without pulling server code in.
 * Every payload is a view: times are ISO strings, as the REST routes serve them.
 *
 * The wire format is plain server-sent events (text/event-stream):
 *
 *     retry: 3000
 *     id: 17
 *     event: balance
 *     data: {"evaluatedAt":"…", …}
 *
 * - `id:` is a per-connection counter (1, 2, 3 …). There is no replay: a client that
 *   reconnects (with or without `Last-Event-ID`) gets a fresh `snapshot` first, which is
 *   everything the first screen needs, then the changes after it.
 * - `retry:` (ms) is sent once at the start: how long to wait before reconnecting.
 * - A comment line (`: hb <ISO time>`) every ~15 s keeps proxies from closing an idle
 *   stream; a client that has seen nothing for ~2 heartbeats (30 s) should reconnect and
 *   grey its values as stale.
 * - A client too slow to read (its socket buffer over the server's bound) does not make
 *   the server hold more: its pending events are dropped and it gets a fresh `snapshot`
 *   once it has drained (`snapshot.reason` = `resync`).
 * - Access: like every read route, a `viewer` (or higher) bearer token, or nobody when
 *   `api.anonymousRead` is on. Read it with `fetch()` and an `Authorization` header: the
 *   browser's `EventSource` cannot send one.
 */

import type { SubstationSummary } from '../api/schemas.ts';
import type { BalanceResultView } from '../api/schemas-balance.ts';
import type { ComplaintView, IncidentView } from '../api/schemas-complaints.ts';
import type { AuditEntryView, AutoStatusView } from '../api/schemas-control.ts';
import type { TicketView } from '../api/schemas-tickets.ts';
import type { DeviceState } from '../ingest/modbus/health.ts';

/** An ISO 8601 time (UTC), e.g. `2026-11-28T07:15:04.000Z`. */
export type IsoTime = string;

/** The site as `GET /api/site` serves it; the console formats every time in `timezone`. */
export interface SiteView {
  name: string;
  /** IANA zone, e.g. `Asia/Shanghai`: show every time a person reads in it. */
  timezone: string;
  heatingSeason: { start: string; end: string };
  standards: { minC: number; targetC: number; maxC: number; complianceTarget: number };
  /** The service clock now (a simulated demo runs it faster than the wall clock). */
  clock: { now: IsoTime; rate: number };
}

/** An alert raised through the service's one alert sink (src/core/alerts.ts). */
export interface ActiveAlertView {
  source: string;
  code: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  at: IsoTime;
}

/**
 * An alert record of the alerting area (issue 12), when that area is wired: the model of
 * src/alerting/model.ts with its times as ISO strings. Kept open-ended here so the stream
 * does not depend on the alerting area being present.
 */
export interface AlertRecordView {
  id: string;
  fingerprint: string;
  rule: string;
  severity: 'critical' | 'major' | 'minor' | 'warning';
  labels: Record<string, string>;
  summary: { en: string; zh: string };
  state: 'firing' | 'acknowledged' | 'resolved';
  silenced: boolean;
  startsAt: IsoTime;
  endsAt: IsoTime | null;
  acknowledgedBy: string | null;
  assignee: string | null;
}

/** Open counts of the service desk, for the headline strip. */
export interface DeskCounts {
  openTickets: number;
  overdueTickets: number;
  openIncidents: number;
}

/** Sent first on every connection, and again after a slow client was resynchronised. */
export interface SnapshotEvent {
  reason: 'connect' | 'resync';
  site: SiteView;
  /** The latest evaluation as `GET /api/balance` serves it; null before the first one. */
  balance: BalanceResultView | null;
  /** Every substation as `GET /api/substations` lists it (near end first). */
  substations: SubstationSummary[];
  /** Alerts raised through the core alert sink and not cleared, oldest first. */
  alerts: ActiveAlertView[];
  /** The alerting area's open alerts; null while that area is not wired. */
  alertRecords: AlertRecordView[] | null;
  /** Null when the service desk is not wired. */
  desk: DeskCounts | null;
  /** Auto-balancing as `GET /api/control/auto` serves it; null without the control path. */
  auto: AutoStatusView | null;
}

/**
 * The substations whose readings changed, coalesced: each substation appears at most once
 * per `intervalMs` (default 2 s), carrying its latest summary (readings, pumps, devices,
 * balance status) as `GET /api/substations` lists it.
 */
export interface ReadingsEvent {
  at: IsoTime;
  substations: SubstationSummary[];
}

/** Each evaluation, as `GET /api/balance` serves it. */
export type BalanceEvent = BalanceResultView;

export type AlertEvent =
  | { kind: 'raised'; alert: ActiveAlertView }
  | { kind: 'cleared'; alert: { source: string; code: string; at: IsoTime } }
  | { kind: 'changed'; alert: AlertRecordView };

/** A work order opened or moved; SLA clocks are on `GET /api/tickets/:id`. */
export interface TicketEvent {
  ticket: Omit<TicketView, 'clocks'>;
  change: {
    at: IsoTime;
    actor: string;
    from: string | null;
    to: string;
    note: string | null;
    reason: string | null;
    assignee: string | null;
    team: string | null;
  };
}

/** A complaint committed by the desk; the resident's contact is never in the stream. */
export type ComplaintEvent = Omit<ComplaintView, 'contact'>;

export interface IncidentEvent {
  kind: 'opened' | 'changed';
  incident: Omit<IncidentView, 'complaints' | 'affectedHouseholds'>;
  change: { at: IsoTime; actor: string; from: string | null; to: string; note: string | null };
}

/** A control audit row as `GET /api/control/audit` serves it, each time it is written. */
export type AuditEvent = AuditEntryView;

/** A Modbus device went up or down. */
export interface DeviceEvent {
  device: string;
  substation: string;
  state: DeviceState;
  reason: string | null;
  at: IsoTime;
}

/** Every event the stream sends, by name. */
export interface LiveEvents {
  snapshot: SnapshotEvent;
  readings: ReadingsEvent;
  balance: BalanceEvent;
  alert: AlertEvent;
  ticket: TicketEvent;
  complaint: ComplaintEvent;
  incident: IncidentEvent;
  audit: AuditEvent;
  device: DeviceEvent;
}

export type LiveEventName = keyof LiveEvents;

/** One parsed event, as a client's reader yields it. */
export type LiveMessage = {
  [K in LiveEventName]: { id: number; event: K; data: LiveEvents[K] };
}[LiveEventName];

/** The history fields (`GET /api/substations/:id/history?field=`). */
export type HistoryField =
  | 'primary_supply_temp_c'
  | 'primary_return_temp_c'
  | 'primary_supply_pressure_mpa'
  | 'primary_return_pressure_mpa'
  | 'primary_flow_m3h'
  | 'secondary_supply_temp_c'
  | 'secondary_return_temp_c'
  | 'secondary_supply_pressure_mpa'
  | 'secondary_return_pressure_mpa'
  | 'secondary_flow_m3h'
  | 'heat_power_kw'
  | 'pump_frequency_hz'
  | 'room_mean_temp_c'
  | 'outdoor_temp_c';

/** `GET /api/substations/:id/history` answers this: one mean per step, gaps left out. */
export interface HistoryAnswer {
  substation: string;
  field: HistoryField;
  from: IsoTime;
  to: IsoTime;
  /** Seconds per point (the step asked for, or the coarsest the source keeps). */
  stepS: number;
  /** Where it came from: `embedded` (the store's downsampled series), `influx-v1`, `influx-v2`. */
  source: 'embedded' | 'influx-v1' | 'influx-v2';
  /** `[time, mean]` pairs, oldest first; a step without data is absent, not null. */
  points: [IsoTime, number][];
}
