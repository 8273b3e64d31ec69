import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Component } from '../src/core/lifecycle.ts';
import type { Logger } from '../src/core/logger.ts';
import { householdTruth } from './model/truth.ts';
import { createRng, type Rng } from './rng.ts';
import type { Simulator } from './simulator.ts';

/**
 * The residents (issue 3, item 8): people in rooms below the legal minimum phone
 * the hotline now and then, a few warm ones call about other things. Their
 * complaints are what heatnet's complaint diagnosis must explain, so they come
 * from the rooms' true temperatures, never from random labels.
 */

export type ComplaintCategory = 'low-temperature' | 'no-heat' | OtherCategory;
type OtherCategory = 'leak' | 'noise' | 'billing' | 'other';

/** The body of heatnet's `POST /api/complaints` (DESIGN §4.3). */
export interface Complaint {
  household: string;
  category: ComplaintCategory;
  reportedAt: string;
  reportedTempC?: number;
  description: string;
}

export interface ResidentRates {
  /** Below this a room is cold (standards.indoor.minC). */
  minC: number;
  /** Chance per hour that a cold household complains. */
  coldPerHour: number;
  /** Chance per hour that a warm household calls about something else. */
  warmPerHour: number;
}

/** Below this residents say there is no heat at all, not merely too little. */
export const NO_HEAT_BELOW_C = 14;
/** A household that has called waits for the 24 h handling time (DESIGN §2) before calling again. */
export const COOLDOWN_MS = 24 * 3_600_000;

type Describe = (tempC: number) => string;
const COLD: Describe[] = [
  (t) => `Living room ${t} °C since yesterday evening`,
  (t) => `Radiators only lukewarm, bedroom ${t} °C`,
  (t) => `Only ${t} °C indoors, elderly parent at home`,
  (t) => `Child's room ${t} °C in the morning`,
];
const NO_HEAT: Describe[] = [
  (t) => `No heat at all, radiators cold, ${t} °C inside`,
  (t) => `Heating stopped since this morning, flat down to ${t} °C`,
];
const OTHER: Record<OtherCategory, string[]> = {
  noise: ['Knocking in the pipes at night', 'Humming from the radiator valve'],
  billing: ['Heating fee seems too high for our area', 'Charged twice for this season'],
  leak: ['Water dripping from the radiator valve', 'Wet stain on the ceiling under the riser'],
  other: ['When does the heating season end?', 'Radiator valve handle broken'],
};
/** Share of each topic among warm residents' calls: an assumption (no data behind it). */
const OTHER_SHARES: [OtherCategory, number][] = [
  ['billing', 0.35],
  ['noise', 0.3],
  ['other', 0.2],
  ['leak', 0.15],
];

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng.next() * list.length)]!;
}

function weighted(u: number): OtherCategory {
  let rest = u;
  for (const [category, share] of OTHER_SHARES) {
    rest -= share;
    if (rest < 0) return category;
  }
  return 'other';
}

/** Chance over `stepH` hours from a chance per hour (independent hours). */
function perStep(perHour: number, stepH: number): number {
  return 1 - (1 - perHour) ** stepH;
}

/**
 * Who complains now: pure decision logic, no clock and no I/O. Two random streams:
 * one draw per household per step decides who calls (so one resident's call never
 * shifts another's dice), another shapes what they say.
 */
export class Residents {
  private readonly dice: Rng;
  private readonly words: Rng;
  private readonly lastCall = new Map<string, number>();

  constructor(
    private readonly rates: ResidentRates,
    seed: number,
  ) {
    // Offsets keep these streams apart from the model's (which uses `seed` itself).
    this.dice = createRng(seed ^ 0x7e51d3);
    this.words = createRng(seed ^ 0x3c0a17);
  }

  /** Complaints of the `stepH` hours ending at `nowMs`, given the households' true temperatures. */
  decide(
    households: readonly { id: string; tempC: number }[],
    nowMs: number,
    stepH: number,
  ): Complaint[] {
    const cold = perStep(this.rates.coldPerHour, stepH);
    const warm = perStep(this.rates.warmPerHour, stepH);
    const out: Complaint[] = [];
    for (const h of households) {
      const isCold = h.tempC < this.rates.minC;
      if (this.dice.next() >= (isCold ? cold : warm)) continue;
      const last = this.lastCall.get(h.id);
      if (last !== undefined && nowMs - last < COOLDOWN_MS) continue;
      this.lastCall.set(h.id, nowMs);
      out.push(isCold ? this.coldCall(h.id, h.tempC, nowMs) : this.otherCall(h.id, nowMs));
    }
    return out;
  }

  private coldCall(household: string, tempC: number, nowMs: number): Complaint {
    // What the resident's own thermometer says: within a kelvin of the truth, whole degrees.
    const reported = Math.round(tempC + (this.words.next() * 2 - 1));
    const noHeat = tempC < NO_HEAT_BELOW_C;
    return {
      household,
      category: noHeat ? 'no-heat' : 'low-temperature',
      reportedAt: new Date(nowMs).toISOString(),
      reportedTempC: reported,
      description: pick(this.words, noHeat ? NO_HEAT : COLD)(reported),
    };
  }

  private otherCall(household: string, nowMs: number): Complaint {
    const category = weighted(this.words.next());
    return {
      household,
      category,
      reportedAt: new Date(nowMs).toISOString(),
      description: pick(this.words, OTHER[category]),
    };
  }
}

export type Outcome = 'delivered' | 'not-found' | 'unreachable' | 'rejected';

export interface ComplaintSink {
  readonly target: string;
  send(complaint: Complaint): Promise<{ outcome: Outcome; detail?: string }>;
}

const HTTP_TIMEOUT_MS = 5_000;

/** `file:PATH` (JSON lines, appended) or an `http(s)://…/api/complaints` URL. */
export function createSink(target: string, token?: string): ComplaintSink {
  if (target.startsWith('file:')) return fileSink(target.slice('file:'.length));
  if (/^https?:\/\//.test(target)) return httpSink(target, token);
  throw new Error(`simulation.complaints.target "${target}": expected file:PATH or http(s)://…`);
}

function fileSink(path: string): ComplaintSink {
  let ready: Promise<unknown> | undefined;
  return {
    target: `file:${path}`,
    async send(complaint) {
      try {
        ready ??= mkdir(dirname(path), { recursive: true });
        await ready;
        await appendFile(path, `${JSON.stringify(complaint)}\n`);
        return { outcome: 'delivered' };
      } catch (err) {
        return { outcome: 'unreachable', detail: (err as Error).message };
      }
    },
  };
}

function httpSink(url: string, token?: string): ComplaintSink {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return {
    target: url,
    async send(complaint) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify(complaint),
          signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
        });
        const text = await res.text();
        if (res.ok) return { outcome: 'delivered' };
        // Until heatnet has POST /api/complaints a 404 is expected: counted, not fatal.
        const outcome = res.status === 404 ? 'not-found' : 'rejected';
        return { outcome, detail: `HTTP ${res.status} ${text.slice(0, 200)}` };
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        return { outcome: 'unreachable', detail: cause ?? (err as Error).message };
      }
    },
  };
}

export type ResidentsSim = Pick<Simulator, 'config' | 'model' | 'log' | 'clock'>;

/** Decision step in simulated time: calls spread over the hour, not all on the hour. */
const STEP_MS = 10 * 60_000;
/** Real-time check for due steps. */
const TICK_MS = 500;
/** Steps caught up at most after a stall (one day); older ones are skipped. */
const MAX_CATCH_UP = 144;

/** Runs the residents beside the simulated network and delivers their calls. */
export class ResidentsComponent implements Component {
  readonly name = 'simulator.residents';
  readonly counts: Record<Outcome, number> = {
    delivered: 0,
    'not-found': 0,
    unreachable: 0,
    rejected: 0,
  };
  private readonly residents: Residents;
  private readonly log: Logger;
  private readonly sink: ComplaintSink;
  private nextMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly warned = new Set<Outcome>();

  constructor(
    private readonly sim: ResidentsSim,
    sink?: ComplaintSink,
  ) {
    const { complaints, seed } = sim.config.simulation;
    const rates = { ...complaints, minC: sim.config.standards.indoor.minC };
    this.residents = new Residents(rates, seed);
    this.sink = sink ?? createSink(complaints.target ?? '', complaints.token);
    this.log = sim.log.child({ part: 'residents' });
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.nextMs = (Math.floor(this.sim.clock.now() / STEP_MS) + 1) * STEP_MS;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.log.info({ target: this.sink.target }, 'residents will phone in complaints');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
    this.log.info({ ...this.counts }, 'residents stopped');
  }

  private tick(): void {
    if (this.running) return;
    // A failed step is logged and skipped (never an unhandled rejection); the next tick goes on.
    this.running = this.catchUp()
      .catch((err: unknown) => this.log.error({ err }, 'residents step failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Evaluates every step the clock has passed, with the model brought to that step's time. */
  private async catchUp(): Promise<void> {
    const now = this.sim.clock.now();
    const behind = Math.floor((now - this.nextMs) / STEP_MS) + 1;
    if (behind > MAX_CATCH_UP) this.nextMs += (behind - MAX_CATCH_UP) * STEP_MS;
    while (this.nextMs <= now && !this.stopping) {
      const at = this.nextMs;
      this.nextMs += STEP_MS;
      this.sim.model.advanceTo(at);
      const calls = this.residents.decide(householdTruth(this.sim.model), at, STEP_MS / 3_600_000);
      for (const call of calls) {
        if (this.stopping) return;
        await this.deliver(call);
      }
    }
  }

  private async deliver(call: Complaint): Promise<void> {
    const { outcome, detail } = await this.sink.send(call);
    this.counts[outcome]++;
    if (outcome === 'delivered' || this.warned.has(outcome)) return;
    // Once per kind of failure: a missing endpoint would otherwise flood the log.
    this.warned.add(outcome);
    this.log.warn(
      { target: this.sink.target, outcome, detail },
      'complaint not delivered; counting',
    );
  }
}
