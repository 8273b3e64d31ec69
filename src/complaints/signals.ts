import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { Level } from '../diagnosis/schemas.ts';
import type { HeatnetEvents } from '../events.ts';
import type { DeskDb } from './desk-db.ts';
import type { IncidentEffect } from './incident-book.ts';
import { countOpenIncidents, openIncidents, openIncidentsAt } from './incident-db.ts';
import type { IntakeAnswer } from './types.ts';

/** Publishes heatnet's own MQTT output (the ingestor's connection); false when skipped. */
export type Publish = (topic: string, payload: string) => boolean;

/** The desk's counters for `/metrics` (totals since the process started, and a gauge). */
export interface DeskStats {
  received: Partial<Record<Level, number>>;
  replays: number;
  openIncidents: number;
}

export const incidentTopic = (substation: string) => `heatnet/incidents/${substation}`;

/**
 * What the desk tells the rest of heatnet once a change is committed: bus events (for the
 * alerts issue and SSE), counters, and the retained `heatnet/incidents/{substation}`
 * topic (DESIGN §4.4), which carries the substation's open incidents while there are any
 * and an empty retained payload (MQTT's way of clearing) once there are none.
 */
export class DeskSignals {
  readonly stats: DeskStats = { received: {}, replays: 0, openIncidents: 0 };
  /** Substations whose topic could not be published (broker away): sent again on the next sweep. */
  private readonly unsent = new Set<string>();

  constructor(
    private readonly deps: {
      db: DeskDb;
      bus: EventBus<HeatnetEvents>;
      publish?: Publish;
      log: Logger;
    },
  ) {}

  received(answer: IntakeAnswer): void {
    const level = answer.diagnosis.level;
    this.stats.received[level] = (this.stats.received[level] ?? 0) + 1;
    this.deps.bus.emit('complaint.received', answer);
  }

  replayed(): void {
    this.stats.replays++;
  }

  /** Sends the effects of one commit; the topics of their substations are refreshed. */
  async incidents(effects: readonly IncidentEffect[]): Promise<void> {
    if (effects.length === 0) return;
    for (const e of effects) {
      const event = e.kind === 'opened' ? 'incident.opened' : 'incident.changed';
      this.deps.bus.emit(event, { incident: e.incident, change: e.change });
    }
    await this.refresh(new Set(effects.map((e) => e.incident.substation)));
  }

  /** Republishes the given substations' topics and recounts the open incidents. */
  async refresh(substations: Iterable<string>): Promise<void> {
    const { db, publish } = this.deps;
    try {
      for (const substation of substations) {
        const open = await db.read('topic', (d) => openIncidentsAt(d, substation));
        const payload = open.length === 0 ? '' : JSON.stringify({ substation, incidents: open });
        if (publish && !publish(incidentTopic(substation), payload)) this.unsent.add(substation);
        else this.unsent.delete(substation);
      }
      await this.recount();
    } catch (err) {
      // The records are committed; the topic catches up with the next change or sweep.
      this.deps.log.warn({ err }, 'incident topic not refreshed');
    }
  }

  /** Publishes again the topics the broker missed. */
  async resend(): Promise<void> {
    if (this.unsent.size > 0) await this.refresh([...this.unsent]);
  }

  /** Every substation with an open incident (after a start, when the broker is up). */
  async refreshAll(): Promise<void> {
    const open = await this.deps.db.read('topics', (d) => openIncidents(d));
    await this.refresh(new Set(open.map((i) => i.substation)));
  }

  private async recount(): Promise<void> {
    this.stats.openIncidents = await this.deps.db.read('count', (d) => countOpenIncidents(d));
  }
}
