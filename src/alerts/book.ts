import type { Condition } from '../alerting/conditions.ts';
import { type AlertAction, applyAction, resolveByRule } from '../alerting/lifecycle.ts';
import type { AlertLabels, AlertRecord, AlertState, Severity } from '../alerting/model.ts';
import { newId } from '../complaints/ids.ts';
import { HeatnetError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { HeatnetEvents } from '../events.ts';
import type { Store } from '../store/store.ts';
import { alertsByIds, type HistoryEntry, openAlerts, saveAlerts } from './alert-db.ts';

/** A condition the rules decided to fire, with its alert's identity and labels. */
export interface Fire {
  condition: Condition;
  fingerprint: string;
  severity: Severity;
  labels: AlertLabels;
}

export interface BookDeps {
  store: Store;
  bus: EventBus<HeatnetEvents>;
  timeZone: string;
}

/** An alert's fields the dispatcher recomputes every tick (silences, topology, groups). */
export type AlertFlags = Pick<
  AlertRecord,
  'silenced' | 'inhibited' | 'inhibitedBy' | 'incidentId' | 'group' | 'escalationStep'
>;

/**
 * The alert book: every open alert in memory and in the store, one per fingerprint (the
 * store's unique `open_fingerprint` guards it too). Every change is written before it is
 * announced ('alert.changed') or answered, so what a person saw survives a restart.
 * Callers serialise their calls (the alerts runtime's queue).
 */
export class AlertBook {
  private readonly open = new Map<string, AlertRecord>();
  private readonly byId = new Map<string, AlertRecord>();

  constructor(private readonly deps: BookDeps) {}

  async load(): Promise<AlertRecord[]> {
    this.open.clear();
    this.byId.clear();
    const found = await openAlerts(this.deps.store.db);
    for (const a of found) this.remember(a);
    return found;
  }

  openAlerts(): AlertRecord[] {
    return [...this.open.values()];
  }

  byFingerprint(fp: string): AlertRecord | undefined {
    return this.open.get(fp);
  }

  /** In memory: open alerts and resolved ones the dispatcher has not yet reported. */
  known(id: string): AlertRecord | undefined {
    return this.byId.get(id);
  }

  /** Drops resolved alerts no group still has to report. */
  forgetResolved(keep: ReadonlySet<string>): void {
    for (const [id, a] of this.byId)
      if (a.state === 'resolved' && !keep.has(id)) this.byId.delete(id);
  }

  /**
   * Opens an alert for each condition that has none open, and resolves the fingerprints
   * whose condition cleared — in one transaction, whatever the storm's size.
   */
  async apply(fires: readonly Fire[], resolves: readonly string[], now: number): Promise<void> {
    const next: AlertRecord[] = [];
    const changes: (HistoryEntry & { id: string })[] = [];
    const opening = new Set<string>();
    for (const f of fires) {
      if (this.open.has(f.fingerprint) || opening.has(f.fingerprint)) continue;
      opening.add(f.fingerprint);
      const alert = this.newAlert(f, now);
      next.push(alert);
      changes.push({ id: alert.id, at: now, actor: 'rule', from: null, to: 'firing', note: null });
    }
    for (const fp of resolves) {
      const a = this.open.get(fp);
      if (!a) continue;
      next.push(resolveByRule(a, now));
      changes.push({
        id: a.id,
        at: now,
        actor: 'rule',
        from: a.state,
        to: 'resolved',
        note: 'condition cleared',
      });
    }
    if (next.length === 0) return;
    await this.deps.store.transaction((trx) => saveAlerts(trx, next, now, changes));
    for (const a of next) this.changed(a);
  }

  private newAlert(f: Fire, now: number): AlertRecord {
    const c = f.condition;
    return {
      id: newId('A', now, this.deps.timeZone),
      fingerprint: f.fingerprint,
      rule: c.rule,
      severity: f.severity,
      labels: f.labels,
      summary: c.summary,
      description: c.description,
      state: 'firing',
      silenced: false,
      inhibited: false,
      inhibitedBy: null,
      incidentId: c.incidentId ?? null,
      group: '',
      startsAt: Math.min(now, Math.max(c.at, 0)),
      endsAt: null,
      acknowledgedBy: null,
      acknowledgedAt: null,
      assignee: null,
      escalationStep: 0,
      notifications: [],
    };
  }

  /** ack / assign / resolve by a person; 409 naming the states that would allow it. */
  async act(
    id: string,
    action: AlertAction,
    actor: string,
    now: number,
    extra: { assignee?: string; note?: string } = {},
  ) {
    const a = this.byId.get(id) ?? (await alertsByIds(this.deps.store.db, [id]))[0];
    if (!a) throw new HeatnetError('NOT_FOUND', `no alert ${id}`);
    const result = applyAction(a, {
      action,
      actor,
      at: now,
      ...(extra.assignee ? { assignee: extra.assignee } : {}),
    });
    if (!result.ok) {
      throw new HeatnetError(
        'CONFLICT',
        `alert ${id} is ${a.state}; ${action} needs ${result.allowed.join(' or ')}`,
        { allowed: [...result.allowed] },
      );
    }
    const note =
      extra.note ?? (action === 'assign' ? `assigned to ${result.alert.assignee}` : null);
    await this.write(result.alert, now, {
      at: now,
      actor,
      from: a.state,
      to: result.alert.state,
      note,
    });
    return result.alert;
  }

  /** An acknowledgement that timed out: the alert fires again. */
  async refire(id: string, now: number): Promise<void> {
    const a = this.byId.get(id);
    if (a?.state !== 'acknowledged') return;
    const next = {
      ...a,
      state: 'firing' as AlertState,
      acknowledgedBy: null,
      acknowledgedAt: null,
    };
    await this.write(next, now, {
      at: now,
      actor: 'ack-timeout',
      from: a.state,
      to: 'firing',
      note: 'acknowledged too long ago',
    });
  }

  /** Writes recomputed flags for the alerts whose flags changed, in one transaction. */
  async setFlags(changes: ReadonlyMap<string, AlertFlags>, now: number): Promise<void> {
    if (changes.size === 0) return;
    const next: AlertRecord[] = [];
    for (const [id, flags] of changes) {
      const a = this.byId.get(id);
      if (a) next.push({ ...a, ...flags });
    }
    await this.deps.store.transaction((trx) => saveAlerts(trx, next, now));
    for (const a of next) this.changed(a);
  }

  private async write(a: AlertRecord, now: number, change: HistoryEntry): Promise<void> {
    await this.deps.store.transaction((trx) =>
      saveAlerts(trx, [a], now, [{ ...change, id: a.id }]),
    );
    this.changed(a);
  }

  private changed(a: AlertRecord): void {
    this.remember(a);
    this.deps.bus.emit('alert.changed', { alert: a });
  }

  private remember(a: AlertRecord): void {
    this.byId.set(a.id, a);
    if (a.state === 'resolved') {
      if (this.open.get(a.fingerprint)?.id === a.id) this.open.delete(a.fingerprint);
    } else {
      this.open.set(a.fingerprint, a);
    }
  }
}
