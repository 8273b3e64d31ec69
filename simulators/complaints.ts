import type { ComplaintChannel } from '../src/diagnosis/schemas.ts';
import { createRng, type Rng } from './rng.ts';

/**
 * The residents (issue 3, item 8): people in rooms below the legal minimum phone
 * the hotline now and then, a few warm ones call about other things. Their
 * complaints are what heatnet's complaint diagnosis must explain, so they come
 * from the rooms' true temperatures, never from random labels.
 */

export type ComplaintCategory = 'low-temperature' | 'no-heat' | OtherCategory;
type OtherCategory = 'leak' | 'noise' | 'billing' | 'other';

/** Where a caller says they live, as a hotline operator types it. */
export interface Address {
  building: string;
  floor: number;
  unit: number;
}

/**
 * One resident's call: what heatnet's `POST /api/complaints` receives (DESIGN §4.7, see
 * `requestBody`) plus what only the simulator knows — who really called and the call's
 * idempotency key.
 */
export interface Complaint {
  /** The household that called (the body carries the address instead when one is given). */
  household: string;
  address?: Address;
  category: ComplaintCategory;
  channel: ComplaintChannel;
  reportedAt: string;
  reportedTempC?: number;
  description: string;
  /** `Idempotency-Key`: sim-SEED-HOUSEHOLD-REPORTEDMS, the same for every retry of the call. */
  key: string;
}

/** The JSON body a call posts: the address instead of the household id when the caller gave one. */
export function requestBody(call: Complaint): Record<string, unknown> {
  const { household, address, key: _key, ...rest } = call;
  return address ? { address, ...rest } : { household, ...rest };
}

export interface ResidentRates {
  /** Below this a room is cold (standards.indoor.minC). */
  minC: number;
  /** Chance per hour that a cold household complains. */
  coldPerHour: number;
  /** Chance per hour that a warm household calls (about something else, mostly). */
  warmPerHour: number;
  /** Share of warm households' calls that still say "too cold" (a real hotline gets them); default 0. */
  warmColdShare?: number;
}

/** A household's address, if it has a door number: for calls that give the address. */
export type AddressOf = (household: string) => Address | undefined;

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
/** Channels calls come in by, hotline most: an assumption (no data behind it). */
const CHANNEL_SHARES: [ComplaintChannel, number][] = [
  ['hotline', 0.55],
  ['wechat', 0.2],
  ['app', 0.15],
  ['window', 0.1],
];
/** Share of calls that give the address rather than the account (household) number: an assumption. */
export const ADDRESS_SHARE = 0.3;
/** Warm residents who call "too cold" say it is a degree or two below the minimum. */
const FELT_BELOW_MIN_K = [1, 2] as const;

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

function weighted<T>(u: number, shares: readonly [T, number][], fallback: T): T {
  let rest = u;
  for (const [value, share] of shares) {
    rest -= share;
    if (rest < 0) return value;
  }
  return fallback;
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
    private readonly seed: number,
    private readonly addressOf: AddressOf = () => undefined,
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
      out.push(this.call(h.id, h.tempC, isCold, nowMs));
    }
    return out;
  }

  /** What a caller says and how: cold or warm, by phone or app, with the account number or the address. */
  private call(household: string, tempC: number, isCold: boolean, nowMs: number): Complaint {
    const said = isCold
      ? this.coldCall(tempC)
      : this.words.next() < (this.rates.warmColdShare ?? 0)
        ? this.feltColdCall()
        : this.otherCall();
    const channel = weighted(this.words.next(), CHANNEL_SHARES, 'other');
    const address = this.words.next() < ADDRESS_SHARE ? this.addressOf(household) : undefined;
    return {
      household,
      ...(address ? { address } : {}),
      ...said,
      channel,
      reportedAt: new Date(nowMs).toISOString(),
      key: `sim-${this.seed}-${household}-${nowMs}`,
    };
  }

  private coldCall(tempC: number): Said {
    // What the resident's own thermometer says: within a kelvin of the truth, whole degrees.
    const reported = Math.round(tempC + (this.words.next() * 2 - 1));
    const noHeat = tempC < NO_HEAT_BELOW_C;
    return {
      category: noHeat ? 'no-heat' : 'low-temperature',
      reportedTempC: reported,
      description: pick(this.words, noHeat ? NO_HEAT : COLD)(reported),
    };
  }

  /** A warm flat whose resident calls it cold anyway: the data will contradict the call. */
  private feltColdCall(): Said {
    const reported = this.rates.minC - pick(this.words, FELT_BELOW_MIN_K);
    return {
      category: 'low-temperature',
      reportedTempC: reported,
      description: pick(this.words, COLD)(reported),
    };
  }

  private otherCall(): Said {
    const category = weighted(this.words.next(), OTHER_SHARES, 'other');
    return { category, description: pick(this.words, OTHER[category]) };
  }
}

type Said = Pick<Complaint, 'category' | 'reportedTempC' | 'description'>;
