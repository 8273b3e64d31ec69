import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import { errorMessage, HeatnetError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Diagnoser } from '../diagnosis/diagnoser.ts';
import type { ComplaintCategory, ComplaintChannel, Diagnosis } from '../diagnosis/schemas.ts';
import type { Household, Topology } from '../domain/topology.ts';
import type { StoreTransaction } from '../store/store.ts';
import { firstSlaCheck } from '../tickets/clocks.ts';
import type { TicketChange } from '../tickets/types.ts';
import { complaintByKey, insertComplaint } from './complaint-db.ts';
import { type DeskDb, isUniqueViolation } from './desk-db.ts';
import { complaintFault } from './grouping.ts';
import { newId } from './ids.ts';
import {
  bookContext,
  findJoinable,
  type IncidentEffect,
  joinCall,
  openNew,
} from './incident-book.ts';
import type { DeskSignals } from './signals.ts';
import { dueAt } from './sla.ts';
import type { Complaint, IncidentRef, IntakeAnswer } from './types.ts';

/** A call as the hotline (or a resident's app) posts it (DESIGN §4.7). */
export interface ComplaintRequest {
  household?: string | undefined;
  address?: { building: string; floor: number; unit: number } | undefined;
  category: ComplaintCategory;
  channel?: ComplaintChannel | undefined;
  reportedAt?: number | undefined;
  reportedTempC?: number | undefined;
  description?: string | undefined;
  contact?: string | undefined;
}

export interface IntakeResult {
  answer: IntakeAnswer;
  /** True when this is a retried post answered with the first result. */
  replayed: boolean;
}

export interface IntakeDeps {
  config: Config;
  topology: Topology;
  diagnoser: Diagnoser;
  db: DeskDb;
  signals: DeskSignals;
  now: () => number;
  log?: Logger;
}

/** Attempts at a write whose random id clashed with an existing one (practically never twice). */
const ID_ATTEMPTS = 3;

/**
 * Takes a call (issue 10 §1): finds the household, diagnoses it on the service clock,
 * joins or opens the incident behind it, opens its ticket, and commits all of it in one
 * transaction before answering, so a 201 means the complaint is durable. A retried post
 * with the same Idempotency-Key gets the first answer; the same key with another body is
 * a 409 naming the key.
 */
export class Intake {
  constructor(private readonly deps: IntakeDeps) {}

  async submit(request: ComplaintRequest, actor: string, key?: string): Promise<IntakeResult> {
    const household = this.resolve(request);
    const hash = key === undefined ? null : requestHash(request);
    if (key !== undefined) {
      const first = await this.deps.db.read('replay', (d) => complaintByKey(d, key));
      if (first && this.fresh(first.received_at_ms)) return this.replay(first, key, hash);
    }
    const at = this.deps.now();
    const diagnosis = this.diagnose(request, household, at);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.commit(request, household, diagnosis, { actor, at, key, hash });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // Another post with this key won the race: answer with its row.
        const winner = key && (await this.deps.db.read('replay', (d) => complaintByKey(d, key)));
        if (winner) return this.replay(winner, key, hash);
        if (attempt >= ID_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * The diagnosis of now. Rules that fail must not lose the call: it is taken as
   * `unknown`, naming the failure, and the failure is logged.
   */
  private diagnose(request: ComplaintRequest, household: Household, at: number): Diagnosis {
    try {
      return this.deps.diagnoser.diagnose({
        household: household.id,
        category: request.category,
        ...(request.reportedTempC === undefined ? {} : { reportedTempC: request.reportedTempC }),
        at,
      });
    } catch (err) {
      this.deps.log?.error({ err, household: household.id }, 'diagnosis failed');
      return undiagnosed(errorMessage(err));
    }
  }

  /** The household by id or by address; 400 naming the field when there is none. */
  private resolve(r: ComplaintRequest): Household {
    const { topology } = this.deps;
    const byId = r.household === undefined ? undefined : topology.household(r.household);
    if (r.household !== undefined && !byId) {
      throw bad('household', `unknown household "${r.household}"`);
    }
    if (!r.address) {
      if (!byId) throw bad('household', 'name the household, or its address');
      return byId;
    }
    const { building, floor, unit } = r.address;
    if (!topology.building(building)) {
      throw bad('address.building', `unknown building "${building}"`);
    }
    const h = topology.householdAt(building, floor, unit);
    if (!h) throw bad('address.unit', `building ${building} has no unit ${unit} on floor ${floor}`);
    // Both given: they must name one flat, or the call would be filed against the wrong one.
    if (byId && byId.id !== h.id) throw bad('address', `the address is not household ${byId.id}`);
    return h;
  }

  private fresh(receivedAt: number): boolean {
    return receivedAt >= this.deps.now() - this.deps.config.service.idempotencyHours * 3_600_000;
  }

  private replay(
    row: { answer: string; request_hash: string | null },
    key: string,
    hash: string | null,
  ): IntakeResult {
    if (row.request_hash !== hash) {
      throw new HeatnetError(
        'CONFLICT',
        `Idempotency-Key "${key}" was used for a different complaint`,
        { field: 'Idempotency-Key' },
      );
    }
    this.deps.signals.replayed();
    return { answer: JSON.parse(row.answer) as IntakeAnswer, replayed: true };
  }

  private async commit(
    request: ComplaintRequest,
    household: Household,
    diagnosis: Diagnosis,
    who: { actor: string; at: number; key: string | undefined; hash: string | null },
  ): Promise<IntakeResult> {
    const { db, signals } = this.deps;
    const effects: IncidentEffect[] = [];
    const answer = await db.write('complaint', async (trx) => {
      if (who.key !== undefined) await this.freeStaleKey(trx, who.key);
      const incident = await this.incidentFor(trx, diagnosis, household, who.at, effects);
      const built = this.answerFor(request, household, diagnosis, incident, who);
      const opened = openedBy(built.ticket, who.actor);
      await insertComplaint(trx, {
        complaint: built,
        ticket: built.ticket,
        idempotencyKey: who.key ?? null,
        requestHash: who.hash,
        answer: JSON.stringify(built),
        opened,
        slaCheckAt: firstSlaCheck(
          this.deps.config,
          { kind: 'complaint', category: request.category },
          opened,
        ),
      });
      return built;
    });
    signals.received(answer);
    await signals.incidents(effects);
    return { answer, replayed: false };
  }

  /** A key past the idempotency window is released before it is used again. */
  private async freeStaleKey(trx: StoreTransaction, key: string): Promise<void> {
    const row = await complaintByKey(trx, key);
    if (row && !this.fresh(row.received_at_ms)) {
      await trx
        .updateTable('complaints')
        .set({ idempotency_key: null })
        .where('id', '=', row.id)
        .execute();
    }
  }

  private async incidentFor(
    trx: StoreTransaction,
    diagnosis: Diagnosis,
    household: Household,
    at: number,
    effects: IncidentEffect[],
  ): Promise<IncidentRef | null> {
    const { service } = this.deps.config;
    const fault = complaintFault(diagnosis, household, service.diagnosis.confidence.incident);
    if (!fault) return null;
    const ctx = bookContext(this.deps.config, at);
    const found = await findJoinable(trx, fault, ctx);
    if (found) {
      const { incident, effect } = await joinCall(trx, found, { at, household: household.id });
      if (effect) effects.push(effect);
      return { id: incident.id, state: incident.state, etaAt: incident.etaAt };
    }
    const seed = {
      cause: diagnosis.cause,
      place: diagnosis.place ?? fault.faultKey,
      summary: diagnosis.summary,
      evidence: diagnosis.evidence,
      action: diagnosis.action,
    };
    const opened = await openNew(trx, fault, seed, 'complaint', ctx, 'opened by a call');
    effects.push(opened);
    return { id: opened.incident.id, state: 'suspected', etaAt: null };
  }

  private answerFor(
    r: ComplaintRequest,
    h: Household,
    diagnosis: Diagnosis,
    incident: IncidentRef | null,
    who: { actor: string; at: number },
  ): IntakeAnswer {
    const { config } = this.deps;
    const id = newId('C', who.at, config.site.timezone);
    const complaint: Complaint = {
      id,
      household: h.id,
      building: h.building,
      zone: h.zone,
      substation: h.substation,
      category: r.category,
      channel: r.channel ?? 'hotline',
      reportedAt: r.reportedAt ?? who.at,
      receivedAt: who.at,
      reportedTempC: r.reportedTempC ?? null,
      description: r.description ?? null,
      contact: r.contact ?? null,
      actor: who.actor,
      diagnosis,
      incidentId: incident?.id ?? null,
    };
    const ticket = {
      id: newId('T', who.at, config.site.timezone),
      complaintId: id,
      state: 'received' as const,
      dueAt: dueAt(r.category, who.at, config.standards.slaMinutes),
      createdAt: who.at,
    };
    return { ...complaint, ticket, incident };
  }
}

/** The ticket's first history row. */
function openedBy(
  t: { state: TicketChange['to']; createdAt: number },
  actor: string,
): TicketChange {
  const none = { note: null, reason: null, assignee: null, team: null };
  return { at: t.createdAt, actor, from: null, to: t.state, ...none };
}

const bad = (field: string, message: string) => new HeatnetError('BAD_REQUEST', message, { field });

/** The body's identity, independent of the order its fields came in. */
export function requestHash(r: ComplaintRequest): string {
  const canonical = JSON.stringify(r, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/** A call taken without a diagnosis: the rules failed (staff judge it from the data). */
function undiagnosed(why: string): Diagnosis {
  return {
    level: 'unknown',
    cause: 'insufficient-data',
    confidence: 0,
    place: null,
    evidence: [],
    missing: [`diagnosis failed: ${why}`],
    action: {
      who: 'service',
      code: 'restore-data',
      target: 'heatnet',
      what: { en: 'diagnose this call by hand', zh: '请人工研判此来电' },
    },
    summary: { en: 'not diagnosed: the rules failed', zh: '未能自动诊断' },
  };
}
