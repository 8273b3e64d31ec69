import { dayOf, dayStartMs, nextDay, type SeasonSpec } from './ledger-calendar.ts';
import type { Attribution, RoomDay, RoomMeasurement } from './ledger-inputs.ts';

/**
 * The regulation ledger's day rule (issue 11, DESIGN §2: regulation art. 19, 22, 26), pure
 * and deterministic: the same inputs give the same day. Money is integer fen; shares are
 * basis points (10 000 = the whole fee) so sums stay exact until the one final rounding.
 */

export const FULL_BP = 10_000;
export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 1440;

export interface BelowBand {
  belowC: number;
  billedShareBp: number;
}

export interface StopRule {
  name: string;
  continuousOverMs?: number;
  totalOverMs?: number;
  refundFactor: number;
}

export interface LedgerRules {
  timeZone: string;
  season: SeasonSpec;
  feeFenPerM2: number;
  /** Lowest threshold first: the first band a temperature is below decides. */
  bands: BelowBand[];
  stopRules: StopRule[];
  noticeOverMs: number;
  joinGapMs: number;
}

/** What the rules read from the configuration (`site`, `standards`, `service.ledger`). */
export interface LedgerRulesConfig {
  site: { timezone: string; heatingSeason: SeasonSpec };
  standards: { indoor: { minC: number } };
  ledger: {
    feeYuanPerM2: number;
    belowStandard?: { belowC: number; billedShare: number }[] | undefined;
    stopRules: {
      name: string;
      continuousOverHours?: number | undefined;
      totalOverDays?: number | undefined;
      refundFactor: number;
    }[];
    noticeOverHours: number;
    joinGapMinutes: number;
  };
}

export function ledgerRules(c: LedgerRulesConfig): LedgerRules {
  const bands = (c.ledger.belowStandard ?? [{ belowC: c.standards.indoor.minC, billedShare: 0.5 }])
    .map((b) => ({ belowC: b.belowC, billedShareBp: Math.round(b.billedShare * FULL_BP) }))
    .sort((a, b) => a.belowC - b.belowC);
  const stopRules = c.ledger.stopRules.map((r) => ({
    name: r.name,
    refundFactor: r.refundFactor,
    ...(r.continuousOverHours === undefined
      ? {}
      : { continuousOverMs: r.continuousOverHours * 3_600_000 }),
    ...(r.totalOverDays === undefined ? {} : { totalOverMs: r.totalOverDays * 86_400_000 }),
  }));
  return {
    timeZone: c.site.timezone,
    season: c.site.heatingSeason,
    feeFenPerM2: Math.round(c.ledger.feeYuanPerM2 * 100),
    bands,
    stopRules,
    noticeOverMs: c.ledger.noticeOverHours * 3_600_000,
    joinGapMs: c.ledger.joinGapMinutes * MINUTE_MS,
  };
}

export interface LedgerHousehold {
  id: string;
  building: string;
  substation: string;
  areaM2: number;
}

export type Party = 'company' | 'household' | 'force-majeure';

/** One household's day in the ledger. */
export interface LedgerDay {
  household: string;
  day: string;
  building: string;
  substation: string;
  sensorMeanC: number | null;
  measuredC: number | null;
  /** The temperature the day is judged by: a visit's measurement wins over the sensor. */
  tempC: number | null;
  belowStandard: boolean;
  /** Share of the day's fee billed for its temperature (before any stop refund). */
  billedShareBp: number;
  stoppedMinutes: number;
  attribution: Party;
  attributionReason: string | null;
}

/** A continuous stop of one household's heat (building and substation stops joined). */
export interface Interval {
  fromMs: number;
  untilMs: number;
}

/** The party bearing `day`: the latest attribution covering it, else the company. */
export function partyOf(day: string, attributions: readonly Attribution[]): Attribution | null {
  let found: Attribution | null = null;
  for (const a of attributions) {
    if (day < a.fromDay || (a.toDay !== null && day > a.toDay)) continue;
    if (!found || a.atMs >= found.atMs) found = a;
  }
  return found;
}

/** The billed share of a day at `tempC` (full when unmeasured or warm enough). */
export function billedShare(tempC: number | null, bands: readonly BelowBand[]): number {
  if (tempC === null) return FULL_BP;
  return bands.find((b) => tempC < b.belowC)?.billedShareBp ?? FULL_BP;
}

/** Minutes of `stops` inside the site day `day`. */
export function stoppedMinutesOn(
  day: string,
  stops: readonly Interval[],
  timeZone: string,
): number {
  const from = dayStartMs(day, timeZone);
  const until = dayStartMs(nextDay(day), timeZone);
  let ms = 0;
  for (const s of stops) ms += Math.max(0, Math.min(s.untilMs, until) - Math.max(s.fromMs, from));
  return Math.round(ms / MINUTE_MS);
}

/** Visit measurements of `day`, averaged like a sensor's daily mean; null without one. */
export function measuredOn(
  day: string,
  measurements: readonly RoomMeasurement[],
  timeZone: string,
) {
  const today = measurements.filter((m) => dayOf(m.atMs, timeZone) === day);
  if (today.length === 0) return null;
  return today.reduce((sum, m) => sum + m.tempC, 0) / today.length;
}

export interface DayInputs {
  household: LedgerHousehold;
  day: string;
  room: RoomDay | null;
  measurements: readonly RoomMeasurement[];
  stops: readonly Interval[];
  attributions: readonly Attribution[];
}

/** One household's day: judged temperature, billed share, stopped minutes, who bears it. */
export function computeDay(rules: LedgerRules, input: DayInputs): LedgerDay {
  const { household, day } = input;
  const sensorMeanC = input.room && input.room.samples > 0 ? input.room.meanC : null;
  const measuredC = measuredOn(day, input.measurements, rules.timeZone);
  const tempC = measuredC ?? sensorMeanC;
  const share = billedShare(tempC, rules.bands);
  const who = partyOf(day, input.attributions);
  return {
    household: household.id,
    day,
    building: household.building,
    substation: household.substation,
    sensorMeanC,
    measuredC,
    tempC,
    belowStandard: share < FULL_BP,
    // Art. 26 rebates only the company's fault; a household's renovation (art. 22) or force majeure does not.
    billedShareBp: who ? FULL_BP : share,
    stoppedMinutes: stoppedMinutesOn(day, input.stops, rules.timeZone),
    attribution: who ? who.party : 'company',
    attributionReason: who ? who.reason : null,
  };
}
