import { describe, expect, it } from 'vitest';
import { daysBetween, seasonById, seasonOfDay } from '../../src/service/ledger-calendar.ts';
import type {
  Attribution,
  HeatStop,
  RoomDay,
  RoomMeasurement,
} from '../../src/service/ledger-inputs.ts';
import { computeDay, type LedgerRulesConfig, ledgerRules } from '../../src/service/ledger-rules.ts';
import { householdStops, seasonSummary } from '../../src/service/ledger-season.ts';

/**
 * The ledger against hand-computed seasons (issue 11 verification). Season 2026-2027 is
 * 1 Nov – 31 Mar = 30 + 31 + 31 + 28 + 31 = 151 days. A 100 m² flat at 30.20 yuan/m² pays
 * 3 020.00 yuan a season, exactly 20.00 yuan (2 000 fen) a day, so the hand figures are:
 *   refund = 2 × stopped hours / 24 × 20.00 yuan;  50 % day = 10.00 yuan.
 */
const H = 3_600_000;
const T0 = Date.parse('2026-12-01T00:00:00+08:00');
const HOUSE = { id: 'S01-B1-0101', building: 'S01-B1', substation: 'S01', areaM2: 100 };
const SEASON = seasonById('2026-2027', { start: '11-01', end: '03-31' })!;

function config(ledger: Partial<LedgerRulesConfig['ledger']> = {}): LedgerRulesConfig {
  return {
    site: { timezone: 'Asia/Shanghai', heatingSeason: { start: '11-01', end: '03-31' } },
    standards: { indoor: { minC: 18 } },
    ledger: {
      feeYuanPerM2: 30.2,
      stopRules: [
        { name: 'continuous-72h', continuousOverHours: 72, refundFactor: 2 },
        { name: 'total-7d', totalOverDays: 7, refundFactor: 2 },
      ],
      noticeOverHours: 12,
      joinGapMinutes: 60,
      ...ledger,
    },
  };
}

let n = 0;
function stop(fromMs: number, hours: number | null, place = 'S01-B1'): HeatStop {
  n += 1;
  const level = place.includes('-') ? 'building' : 'substation';
  const untilMs = hours === null ? null : fromMs + hours * H;
  return { id: `X${n}`, level, place, fromMs, untilMs, source: 'data', incidentId: null };
}

interface SeasonInputs {
  stops?: HeatStop[];
  rooms?: Record<string, number>;
  measurements?: RoomMeasurement[];
  attributions?: Attribution[];
  openUntilMs?: number;
}

function season(cfg: LedgerRulesConfig, inputs: SeasonInputs) {
  const rules = ledgerRules(cfg);
  const stops = householdStops(inputs.stops ?? [], HOUSE, inputs.openUntilMs ?? 0, rules.joinGapMs);
  const days = daysBetween(SEASON.firstDay, SEASON.lastDay).map((day) => {
    const meanC = inputs.rooms?.[day];
    const room: RoomDay | null =
      meanC === undefined ? null : { household: HOUSE.id, day, meanC, samples: 96, updatedAtMs: 0 };
    return computeDay(rules, {
      household: HOUSE,
      day,
      room,
      measurements: inputs.measurements ?? [],
      stops,
      attributions: inputs.attributions ?? [],
    });
  });
  return { days, summary: seasonSummary(rules, SEASON, HOUSE, days, stops) };
}

function measured(at: string, tempC: number): RoomMeasurement {
  return { household: HOUSE.id, atMs: Date.parse(at), tempC, by: 'crew-1', ticketId: null };
}

function attributed(
  party: Attribution['party'],
  fromDay: string,
  toDay: string | null,
): Attribution {
  return {
    household: HOUSE.id,
    fromDay,
    toDay,
    party,
    reason: 'renovation',
    by: 'crew-1',
    atMs: 1,
  };
}

describe('ledger: hand-computed seasons', () => {
  it('the season is 151 days and a day costs 20.00 yuan', () => {
    expect(SEASON.days).toBe(151);
    expect(seasonOfDay('2027-02-28', { start: '11-01', end: '03-31' })?.id).toBe('2026-2027');
    expect(seasonOfDay('2026-10-31', { start: '11-01', end: '03-31' })).toBeNull();
    expect(season(config(), {}).summary.seasonFeeFen).toBe(302_000);
  });

  it('a 71 h stop in a row refunds nothing but is notified (> 12 h)', () => {
    const { summary } = season(config(), { stops: [stop(T0, 71)] });
    expect(summary.refundFen).toBe(0);
    expect(summary.stoppedMinutes).toBe(71 * 60);
    expect(summary.notices).toEqual([{ fromMs: T0, noticeDueMs: T0 + 12 * H }]);
  });

  it('a 73 h stop in a row refunds twice its fee: 2 × 73/24 × 20.00 = 121.67 yuan', () => {
    const { summary, days } = season(config(), { stops: [stop(T0, 73)] });
    expect(summary.refundFen).toBe(12_167);
    expect(summary.stops[0]?.rules).toEqual(['continuous-72h']);
    expect(days.filter((d) => d.stoppedMinutes > 0).map((d) => [d.day, d.stoppedMinutes])).toEqual([
      ['2026-12-01', 1440],
      ['2026-12-02', 1440],
      ['2026-12-03', 1440],
      ['2026-12-04', 60],
    ]);
  });

  it('two stops of 4 days refund 2 × 8 × 20.00 = 320.00 yuan', () => {
    const second = Date.parse('2027-01-10T08:00:00+08:00');
    const { summary } = season(config(), { stops: [stop(T0, 96), stop(second, 96)] });
    expect(summary.refundFen).toBe(32_000);
    expect(summary.stoppedMinutes).toBe(8 * 1440);
  });

  it('three stops of 60 h (none > 72 h, 7.5 days in all) refund by the total: 300.00 yuan', () => {
    const stops = [stop(T0, 60), stop(T0 + 10 * 24 * H, 60), stop(T0 + 20 * 24 * H, 60)];
    const { summary } = season(config(), { stops });
    expect(summary.stops.map((s) => s.rules)).toEqual([['total-7d'], ['total-7d'], ['total-7d']]);
    expect(summary.refundFen).toBe(30_000);
  });

  it('a stop split by a restart (40 h, 2 min unobserved, 35 h) is one stop of 75 h 2 min: 125.06 yuan', () => {
    const first = stop(T0, 40);
    const second = stop(T0 + 40 * H + 2 * 60_000, 35);
    const { summary } = season(config(), { stops: [first, second] });
    expect(summary.stops).toHaveLength(1);
    // 302 000 fen × 2 × 4 502 min / (151 days × 1 440 min) = 12 505.55 fen
    expect(summary.refundFen).toBe(12_506);
    const apart = season(config({ joinGapMinutes: 0 }), { stops: [first, second] });
    expect(apart.summary.refundFen).toBe(0);
  });

  it('a building stop and its substation stop overlapping count once; an open stop runs to now', () => {
    const { summary } = season(config(), {
      stops: [stop(T0, 50), stop(T0 + 30 * H, null, 'S01')],
      openUntilMs: T0 + 80 * H,
    });
    expect(summary.stoppedMinutes).toBe(80 * 60);
    // 2 × 80/24 × 20.00 = 133.33
    expect(summary.refundFen).toBe(13_333);
  });

  it('below-standard days from the sensor and from a visit: 4 × 10.00 = 40.00 yuan', () => {
    const { summary, days } = season(config(), {
      rooms: {
        '2026-12-10': 17.2,
        '2026-12-11': 17.9,
        '2026-12-12': 16.0,
        '2026-12-13': 18.5,
        '2026-12-14': 17.5,
      },
      // The visit finds 13 Dec cold (17.0 though the sensor said 18.5) and 14 Dec warm (18.3).
      measurements: [
        measured('2026-12-13T10:00:00+08:00', 17.0),
        measured('2026-12-14T23:30:00+08:00', 18.3),
      ],
    });
    expect(days.filter((d) => d.belowStandard).map((d) => d.day)).toEqual([
      '2026-12-10',
      '2026-12-11',
      '2026-12-12',
      '2026-12-13',
    ]);
    expect(summary.belowStandardDays).toBe(4);
    expect(summary.rebateFen).toBe(4_000);
  });

  it('days the household caused (renovation) or force majeure rebate and refund nothing', () => {
    const { summary, days } = season(config(), {
      rooms: { '2026-12-01': 12, '2026-12-02': 12, '2026-12-20': 15 },
      stops: [stop(T0, 73)],
      attributions: [
        attributed('household', '2026-12-15', null),
        attributed('force-majeure', '2026-11-30', '2026-12-05'),
      ],
    });
    expect(days.find((d) => d.day === '2026-12-20')?.attribution).toBe('household');
    expect(summary.refundFen).toBe(0);
    expect(summary.rebateFen).toBe(0);
    expect(summary.notices).toHaveLength(1);
  });

  it('a refunded stop day is not also rebated for its cold', () => {
    const { summary } = season(config(), {
      stops: [stop(T0, 73)],
      rooms: { '2026-12-02': 10, '2026-12-20': 17 },
    });
    expect(summary.refundFen).toBe(12_167);
    expect(summary.rebateFen).toBe(1_000);
  });

  it('city rules are data: 14–18 °C half, < 14 °C free; a stop over 24 h refunded once', () => {
    const cfg = config({
      belowStandard: [
        { belowC: 18, billedShare: 0.5 },
        { belowC: 14, billedShare: 0 },
      ],
      stopRules: [{ name: 'over-24h', continuousOverHours: 24, refundFactor: 1 }],
    });
    const { summary } = season(cfg, {
      rooms: { '2027-01-05': 13.9, '2027-01-06': 16 },
      stops: [stop(T0, 30)],
    });
    expect(summary.rebateFen).toBe(3_000);
    // 30/24 × 20.00 = 25.00
    expect(summary.refundFen).toBe(2_500);
  });

  it('recomputing a day from the same inputs gives the same day', () => {
    const inputs = { stops: [stop(T0, 73)], rooms: { '2026-12-02': 17 } };
    expect(season(config(), inputs)).toEqual(season(config(), inputs));
  });
});
