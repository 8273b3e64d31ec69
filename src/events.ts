import type { AlertRecord } from './alerting/model.ts';
import type { BalanceResult } from './balance/types.ts';
import type { Incident, IncidentChange, IntakeAnswer } from './complaints/types.ts';
import { AlertBoard, type ClearedAlert, type RaisedAlert } from './core/alerts.ts';
import type { EventBus } from './core/events.ts';
import type { Logger } from './core/logger.ts';
import type { Reading } from './core/reading.ts';
import type { DeviceState } from './ingest/modbus/health.ts';
import type { SlaClock, SlaSignal } from './service/sla.ts';
import type { TicketChange, WorkOrder } from './tickets/types.ts';

/** Everything that happens inside heatnet that more than one component cares about. */
export interface HeatnetEvents {
  /** New readings from any ingestor, already validated. */
  readings: Reading[];
  /**
   * A component met a condition service staff must see, raised through the one alert
   * sink (src/core/alerts.ts), which deduplicates and stamps `at`.
   */
  'alert.raise': RaisedAlert;
  'alert.clear': ClearedAlert;
  /** An alert of the alert book (issue 12) opened, moved or changed flags: the console's stream. */
  'alert.changed': { alert: AlertRecord };
  /** The balancing engine finished an evaluation (control's effect tracking, SSE, alerts). */
  'balance.evaluated': BalanceResult;
  /**
   * A control audit row was written or updated (an attempt begun, refused, ended, its
   * effect judged): the live stream reads it back and sends it as the audit route serves it.
   */
  'audit.changed': { id: number };
  /** A Modbus device went up or down (alerting and the API listen). */
  'device.state': {
    device: string;
    substation: string;
    state: DeviceState;
    reason: string | null;
    at: number;
  };
  /** A complaint was committed (issue 10): its diagnosis, ticket and incident. */
  'complaint.received': IntakeAnswer;
  /** An incident opened, from a call or from the network data alone (alerts listen). */
  'incident.opened': { incident: Incident; change: IncidentChange };
  /** An incident changed state (or its ETA); `change` is the history row just written. */
  'incident.changed': { incident: Incident; change: IncidentChange };
  /** A work order was opened or moved (issue 11); `change` is the history row just written. */
  'ticket.changed': { ticket: WorkOrder; change: TicketChange };
  /** An SLA clock reached a warning share of its target (sent once per ticket and share). */
  'sla.warning': { ticket: WorkOrder; clock: SlaClock; signal: SlaSignal };
  /** An SLA clock reached its target without stopping (sent once per ticket and clock). */
  'sla.breached': { ticket: WorkOrder; clock: SlaClock; signal: SlaSignal };
}

/** The service's one alert sink, sending what it raises and clears on the bus. */
export function alertsOnBus(
  bus: EventBus<HeatnetEvents>,
  now: () => number,
  log: Logger,
): AlertBoard {
  return new AlertBoard(
    { raise: (a) => bus.emit('alert.raise', a), clear: (c) => bus.emit('alert.clear', c) },
    now,
    log,
  );
}
