import type { Generated } from 'kysely';
import type { AlertOutboxAlertTable, AlertOutboxTable } from './schema-outbox.ts';

/**
 * The relational store's tables, as Kysely sees them (DESIGN §3 `store`). Times are
 * epoch milliseconds (BIGINT, read back as numbers on both engines); flags are 0/1
 * integers, which both engines store alike. A migration that changes a table changes
 * its interface here in the same commit.
 */
export interface Database {
  control_audit: ControlAuditTable;
  auto_switch: AutoSwitchTable;
  store_import: StoreImportTable;
  complaints: ComplaintTable;
  incidents: IncidentTable;
  incident_history: HistoryTable & { incident_id: string };
  tickets: TicketTable;
  ledger_room_days: LedgerRoomDayTable;
  ledger_heat_stops: LedgerHeatStopTable;
  ledger_dirty_days: LedgerDirtyDayTable;
  ticket_history: TicketHistoryTable;
  sla_signals: SlaSignalTable;
  ledger_days: LedgerDayTable;
  room_measurements: RoomMeasurementTable;
  attributions: AttributionTable;
  alerts: AlertTable;
  alert_history: HistoryTable & { alert_id: string };
  alert_silences: AlertSilenceTable;
  alert_groups: AlertGroupTable;
  alert_outbox: AlertOutboxTable;
  alert_outbox_alerts: AlertOutboxAlertTable;
  history_minute: HistoryBucketTable;
  history_quarter: HistoryBucketTable;
}

/** One row per attempt to change a pump (issue 5), refused ones included. */
export interface ControlAuditTable {
  id: Generated<number>;
  /** Service clock (a simulated demo runs it faster and restarts it). */
  at_ms: number;
  /** Real wall-clock time of the attempt. */
  wall_ms: number | null;
  actor: string;
  role: string | null;
  source: string;
  pump: string;
  substation: string | null;
  device: string | null;
  reason: string | null;
  before_hz: number | null;
  requested_hz: number | null;
  readback_hz: number | null;
  result: string;
  code: string | null;
  error: string | null;
  /**
   * 1 when a write went to the drive and was not refused by it: the drive may have
   * acted, so the minimum interval counts from this attempt. A pending attempt has 1
   * until it ends, so an outcome that could not be recorded still counts.
   */
  wrote: Generated<number>;
  completed_ms: number | null;
  effect: string | null;
  deviation_before_c: number | null;
  deviation_after_c: number | null;
  effect_ms: number | null;
  /** What was attempted: `frequency` (a pump change) or `auto-switch` (migration 0002). */
  action: Generated<string>;
  /** Refused attempts this row records (repeats within a window share a row). */
  attempts: Generated<number>;
  /** JSON array of every pump the attempts of a shared row named; null for one attempt. */
  pumps: string | null;
  /** Service time of the latest attempt a shared row counts. */
  last_ms: number | null;
}

/**
 * Dispatchers switching auto-balancing off and on again: the latest row stands, also
 * after a restart (automation must not come back on by itself).
 */
export interface AutoSwitchTable {
  id: Generated<number>;
  at_ms: number;
  wall_ms: number;
  actor: string;
  enabled: number;
  reason: string;
}

/** Data brought in once from elsewhere (e.g. the old control audit file), so never twice. */
export interface StoreImportTable {
  source: string;
  at_ms: number;
  rows: number;
}

/** A resident's call (issue 10, migration 0003), with its diagnosis. */
export interface ComplaintTable {
  /** `C-YYMMDD-XXXXXX`. */
  id: string;
  household: string;
  building: string;
  zone: string;
  substation: string;
  category: string;
  channel: string;
  reported_at_ms: number;
  received_at_ms: number;
  reported_temp_c: number | null;
  description: string | null;
  contact: string | null;
  /** The token's name that posted it: complaints are never anonymous. */
  actor: string;
  level: string;
  cause: string;
  confidence: number;
  /** The whole Diagnosis, JSON. */
  diagnosis: string;
  incident_id: string | null;
  /** Unique; set to null once older than `service.idempotencyHours`. */
  idempotency_key: string | null;
  /** sha256 of the request body the key came with (the same key with another body is a 409). */
  request_hash: string | null;
  /** The first answer (JSON, epoch ms), replayed as it was for a retried post. */
  answer: string;
}

/** Complaints (or the network data) grouped by the fault behind them. */
export interface IncidentTable {
  /** `I-YYMMDD-XXXXXX`. */
  id: string;
  fault_key: string;
  level: string;
  cause: string;
  place: string;
  substation: string;
  building: string | null;
  zone: string | null;
  state: string;
  /** `data` (found before anyone called) or `complaint`. */
  origin: string;
  opened_at_ms: number;
  updated_at_ms: number;
  eta_ms: number | null;
  /** `{ en, zh }` and the evidence that opened it, JSON. */
  summary: string;
}

/** A state change of an incident or ticket; appended, never rewritten. */
export interface HistoryTable {
  id: Generated<number>;
  at_ms: number;
  actor: string;
  from_state: string | null;
  to_state: string;
  note: string | null;
}

/** The work order a complaint opens (issue 11 adds its life after `received`). */
export interface TicketTable {
  /** `T-YYMMDD-XXXXXX`. */
  id: string;
  /** Null for a crew's ticket (migration 0004). */
  complaint_id: string | null;
  state: string;
  due_at_ms: number;
  created_at_ms: number;
  /** `complaint` (the default intake relies on) or `incident` (migration 0004). */
  kind: Generated<string>;
  incident_id: string | null;
  team: string | null;
  assignee: string | null;
  updated_at_ms: number | null;
  /** When the SLA watch next looks at the ticket's clocks; null = not until it moves (0010). */
  sla_check_at_ms: number | null;
}

/** A ticket's move (migration 0004 adds the reason and who it was given to). */
export interface TicketHistoryTable extends HistoryTable {
  ticket_id: string;
  reason: string | null;
  assignee: string | null;
  team: string | null;
}

/** An SLA warning or breach already sent (issue 11): each goes out once per ticket. */
export interface SlaSignalTable {
  ticket_id: string;
  /** e.g. `handling:warn:50`, `no-heat-response:breach`. */
  signal: string;
  /** When the clock reached it. */
  at_ms: number;
  /** Service clock when it was sent. */
  sent_at_ms: number;
}

/** A household's room sensor over one site day (issue 11, migration 0005): sums, so batches add. */
export interface LedgerRoomDayTable {
  day: string;
  household: string;
  sum_c: number;
  samples: number;
  min_c: number;
  max_c: number;
  first_ms: number;
  last_ms: number;
  updated_at_ms: number;
}

/** Heat to a building or substation stopped, from network data or incidents. */
export interface LedgerHeatStopTable {
  id: string;
  /** `building` or `substation`. */
  level: string;
  place: string;
  from_ms: number;
  /** null = still stopped. */
  until_ms: number | null;
  /** `data` or `incident`. */
  source: string;
  incident_id: string | null;
  /** 0 while a data stop has not lasted its minimum (the ledger does not see it yet). */
  confirmed: number;
  /** JSON array of the active incidents holding the stop open. */
  incidents: string;
  updated_at_ms: number;
}

/** A site day's inputs changed at `changed_at_ms`; the ledger computed it at `computed_at_ms`. */
export interface LedgerDirtyDayTable {
  day: string;
  changed_at_ms: number;
  computed_at_ms: number | null;
}

/** The regulation ledger's household days (issue 11, migration 0006); recomputed in place. */
export interface LedgerDayTable {
  household: string;
  day: string;
  season: string;
  building: string;
  substation: string;
  sensor_mean_c: number | null;
  measured_c: number | null;
  temp_c: number | null;
  below: number;
  billed_share_bp: number;
  stopped_minutes: number;
  attribution: string;
  attribution_reason: string | null;
  computed_at_ms: number;
}

/** A room temperature measured on a visit (append-only). */
export interface RoomMeasurementTable {
  id: Generated<number>;
  household: string;
  at_ms: number;
  /** The site day it counts for (so a late one marks its day dirty in SQL). */
  day: string;
  temp_c: number;
  actor: string;
  ticket_id: string | null;
  recorded_at_ms: number;
}

/** Who bears a household's days (append-only: the latest covering a day wins). */
export interface AttributionTable {
  id: Generated<number>;
  household: string;
  from_day: string;
  to_day: string | null;
  party: string;
  reason: string;
  actor: string;
  at_ms: number;
}

/** A bucket of a substation's field (migration 0009): 1-minute or 15-minute. */
export interface HistoryBucketTable {
  /** The substation id, or `*` for the site (outdoor temperature). */
  substation: string;
  field: string;
  /** The bucket's start, epoch ms (service clock). */
  bucket_ms: number;
  sum: number;
  samples: number;
}

/** An alert (issue 12, migration 0007); JSON in `labels`, `summary`, `description`. */
export interface AlertTable {
  /** `A-YYMMDD-XXXXXX`. */
  id: string;
  fingerprint: string;
  /** The fingerprint while the alert is open, null once resolved: unique, so no duplicates. */
  open_fingerprint: string | null;
  rule: string;
  severity: string;
  labels: string;
  summary: string;
  description: string;
  state: string;
  silenced: number;
  inhibited_by: string | null;
  incident_id: string | null;
  group_key: string;
  starts_at_ms: number;
  ends_at_ms: number | null;
  ack_by: string | null;
  ack_at_ms: number | null;
  assignee: string | null;
  escalation_step: number;
  updated_at_ms: number;
}

/** A silence: JSON matchers, a mandatory owner and expiry. */
export interface AlertSilenceTable {
  /** `S-YYMMDD-XXXXXX`. */
  id: string;
  matchers: string;
  owner: string;
  comment: string;
  created_by: string;
  starts_at_ms: number;
  ends_at_ms: number;
  created_at_ms: number;
  deleted: number;
  expiry_notified: number;
}

/** A notification group's timers and escalation step (JSON `labels`, `sent_ids`). */
export interface AlertGroupTable {
  key: string;
  route: number;
  labels: string;
  first_at_ms: number;
  seq: number;
  last_sent_at_ms: number | null;
  sent_ids: string;
  step: number;
}
