import type { AlertRecord } from '../alerting/model.ts';
import {
  type Matcher,
  silenceActive,
  silenceMatches,
  silenceProblem,
} from '../alerting/silence.ts';
import { newId } from '../complaints/ids.ts';
import { HeatnetError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import {
  endSilence,
  getSilence,
  insertSilence,
  markExpiryNotified,
  type StoredSilence,
  silencesSince,
} from './silence-db.ts';

export interface SilenceInput {
  matchers: Matcher[];
  owner?: string | undefined;
  comment?: string | undefined;
  startsAt?: number | undefined;
  endsAt?: number | undefined;
}

/** How long an expired silence is still checked for alerts it left firing. */
const WATCH_EXPIRED_MS = 7 * 86_400_000;

/**
 * Silences (issue 12 item 4): written before the answer, kept in memory for the ticks,
 * and watched after their expiry — one that expires with its alerts still firing is
 * itself an alert (alertmanager #2896: nobody noticed the expiry).
 */
export class SilenceDesk {
  private cache: StoredSilence[] = [];

  constructor(private readonly deps: { store: Store; timeZone: string; maxMs: number }) {}

  async load(now: number): Promise<void> {
    this.cache = await silencesSince(this.deps.store.db, now - WATCH_EXPIRED_MS);
  }

  /** Active and pending silences, and the recently expired; soonest end first. */
  list(now: number, includeExpired = false): StoredSilence[] {
    return this.cache.filter((s) => includeExpired || (!s.deleted && s.endsAt > now));
  }

  async get(id: string): Promise<StoredSilence> {
    const s = this.cache.find((x) => x.id === id) ?? (await getSilence(this.deps.store.db, id));
    if (!s) throw new HeatnetError('NOT_FOUND', `no silence ${id}`);
    return s;
  }

  async create(input: SilenceInput, actor: string, now: number): Promise<StoredSilence> {
    const startsAt = input.startsAt ?? now;
    const problem = silenceProblem({ ...input, startsAt }, now, this.deps.maxMs);
    if (problem) throw new HeatnetError('BAD_REQUEST', problem.message, { field: problem.field });
    const silence: StoredSilence = {
      id: newId('S', now, this.deps.timeZone),
      matchers: input.matchers,
      owner: input.owner!.trim(),
      comment: input.comment ?? '',
      createdBy: actor,
      startsAt,
      endsAt: input.endsAt!,
      createdAt: now,
      deleted: false,
      expiryNotified: false,
    };
    await insertSilence(this.deps.store.db, silence);
    this.cache.push(silence);
    return silence;
  }

  /** Ends a silence now; 409 if it already ended. */
  async end(id: string, now: number): Promise<StoredSilence> {
    const s = await this.get(id);
    if (s.deleted || s.endsAt <= now) {
      throw new HeatnetError('CONFLICT', `silence ${id} already ended`, {
        allowed: ['active', 'pending'],
      });
    }
    await endSilence(this.deps.store.db, id, now);
    const ended = { ...s, deleted: true, endsAt: now };
    this.cache = this.cache.map((x) => (x.id === id ? ended : x));
    return ended;
  }

  /** The active silence that mutes an alert, if any. */
  silencing(a: AlertRecord, now: number): StoredSilence | undefined {
    return this.cache.find((s) => silenceActive(s, now) && silenceMatches(s, a.labels));
  }

  /** Silences that expired by themselves and have not been checked for firing alerts yet. */
  newlyExpired(now: number): StoredSilence[] {
    return this.cache.filter((s) => !s.deleted && !s.expiryNotified && s.endsAt <= now);
  }

  async markNotified(id: string): Promise<void> {
    await markExpiryNotified(this.deps.store.db, id);
    this.cache = this.cache.map((x) => (x.id === id ? { ...x, expiryNotified: true } : x));
  }

  /** Drops silences long expired from memory. */
  prune(now: number): void {
    this.cache = this.cache.filter((s) => s.endsAt >= now - WATCH_EXPIRED_MS);
  }
}
