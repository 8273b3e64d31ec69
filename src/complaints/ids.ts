import { randomInt } from 'node:crypto';

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

const formatters = new Map<string, Intl.DateTimeFormat>();

function yymmdd(at: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: '2-digit',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts['year']}${parts['month']}${parts['day']}`;
}
