import type { Season } from '../service/ledger-calendar.ts';
import type { LedgerDay } from '../service/ledger-rules.ts';
import { FULL_BP } from '../service/ledger-rules.ts';
import type { DayFilter } from './ledger-db.ts';
import { householdSeasons, type LedgerReadDeps } from './ledger-db-season.ts';

/**
 * The ledger as CSV for the billing office (issue 11): one line per household and day,
 * streamed a household at a time. Headers in Chinese, English or both (the default: the
 * office reads Chinese, an integrator English). Money in yuan to the cent.
 */

export type CsvLang = 'zh' | 'en' | 'both';

const COLUMNS: readonly [string, string][] = [
  ['household', '户号'],
  ['day', '日期'],
  ['substation', '换热站'],
  ['building', '楼栋'],
  ['temp_c', '室温(°C)'],
  ['source', '测温来源'],
  ['below_standard', '未达标'],
  ['billed_share', '计费比例'],
  ['stopped_minutes', '停热分钟'],
  ['attribution', '责任方'],
  ['refund_yuan', '退费(元)'],
  ['season_refund_yuan', '本季退费(元)'],
  ['season_rebate_yuan', '本季减免(元)'],
];

export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function cell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export function csvHeader(lang: CsvLang): string {
  const names = COLUMNS.map(([en, zh]) =>
    lang === 'en' ? en : lang === 'zh' ? zh : `${zh} ${en}`,
  );
  return `${names.map(cell).join(',')}\r\n`;
}

function line(d: LedgerDay, refundFen: number, seasonRefund: string, seasonRebate: string): string {
  const source = d.measuredC !== null ? 'measurement' : d.sensorMeanC !== null ? 'sensor' : '';
  return `${[
    d.household,
    d.day,
    d.substation,
    d.building,
    d.tempC === null ? '' : d.tempC.toFixed(1),
    source,
    d.belowStandard ? '1' : '0',
    (d.billedShareBp / FULL_BP).toFixed(2),
    String(d.stoppedMinutes),
    d.attribution,
    yuan(refundFen),
    seasonRefund,
    seasonRebate,
  ]
    .map(cell)
    .join(',')}\r\n`;
}

/** The CSV text, a household at a time (a BOM first, so spreadsheet programs read UTF-8). */
export async function* ledgerCsv(
  deps: LedgerReadDeps,
  season: Season,
  filter: Omit<DayFilter, 'season'>,
  lang: CsvLang,
): AsyncGenerator<string> {
  yield `\uFEFF${csvHeader(lang)}`;
  for await (const { days, summary } of householdSeasons(deps, season, filter)) {
    const refund = yuan(summary.refundFen);
    const rebate = yuan(summary.rebateFen);
    let chunk = '';
    for (const d of days) chunk += line(d, summary.refundFenByDay[d.day] ?? 0, refund, rebate);
    yield chunk;
  }
}
