import { yuan } from '../ledger/csv.ts';
import type { LedgerDay } from '../service/ledger-rules.ts';
import { FULL_BP } from '../service/ledger-rules.ts';
import type { SeasonSummary } from '../service/ledger-season.ts';
import type { LedgerDayView, SeasonSummaryView } from './schemas-ledger.ts';
import { iso } from './views.ts';

/** The ledger as the API shows it: money in yuan to the cent, hours for people. */

const hours = (minutes: number) => Math.round((minutes / 60) * 100) / 100;

export function ledgerDayView(d: LedgerDay): LedgerDayView {
  return {
    household: d.household,
    day: d.day,
    building: d.building,
    substation: d.substation,
    sensorMeanC: d.sensorMeanC,
    measuredC: d.measuredC,
    tempC: d.tempC,
    belowStandard: d.belowStandard,
    billedShare: d.billedShareBp / FULL_BP,
    stoppedMinutes: d.stoppedMinutes,
    attribution: d.attribution,
    attributionReason: d.attributionReason,
  };
}

export function seasonSummaryView(s: SeasonSummary): SeasonSummaryView {
  return {
    household: s.household,
    season: s.season,
    areaM2: s.areaM2,
    seasonFeeYuan: yuan(s.seasonFeeFen),
    stoppedHours: hours(s.stoppedMinutes),
    longestStopHours: hours(s.longestStopMinutes),
    belowStandardDays: s.belowStandardDays,
    rebateYuan: yuan(s.rebateFen),
    refundYuan: yuan(s.refundFen),
    dueYuan: yuan(s.dueFen),
    stops: s.stops.map((x) => ({
      from: iso(x.fromMs),
      until: iso(x.untilMs),
      hours: hours(x.minutes),
      rules: x.rules,
    })),
    notices: s.notices.map((n) => ({ from: iso(n.fromMs), noticeDue: iso(n.noticeDueMs) })),
  };
}
