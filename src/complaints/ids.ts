import { randomInt } from 'node:crypto';
import { type DayWindow, dayWindow } from '../service/ledger-data-days.ts';

/**
 * Ids staff read out on the phone: `C-YYMMDD-XXXXXX` (complaint), `I-…` (incident),
 * `T-…` (ticket). The date is the service clock's, in the site's time zone; the rest is
 * random from an alphabet without 0/O and 1/I/L, so it survives being spoken. Random
 * rather than a counter so several instances on one PostgreSQL never hand out the same
 * id; a rare clash is caught by the primary key and the write retried with a new id.
 */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** Also `A-…` (alert) and `S-…` (silence), issue 12. */
export type IdKind = 'C' | 'I' | 'T' | 'A' | 'S';

export function newId(kind: IdKind, at: number, timeZone: string): string {
  let tail = '';
  for (let i = 0; i < 6; i++) tail += ALPHABET[randomInt(ALPHABET.length)];
  return `${kind}-${yymmdd(at, timeZone)}-${tail}`;
}

/** The last site day an id was made on, per time zone: Intl costs ~40 µs a call. */
const lastDays = new Map<string, DayWindow>();

function yymmdd(at: number, timeZone: string): string {
  let w = lastDays.get(timeZone);
  if (!w || at < w.startMs || at >= w.endMs) {
    w = dayWindow(at, timeZone);
    lastDays.set(timeZone, w);
  }
  // `YYYY-MM-DD` → `YYMMDD`
  return w.day.slice(2, 4) + w.day.slice(5, 7) + w.day.slice(8, 10);
}
