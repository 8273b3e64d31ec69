import type { HeatStop, RoomDay } from '../service/ledger-inputs.ts';

/**
 * What the ledger's rules read from the store (issue 11 item 3): the room days and the heat
 * stops the ledger data collectors keep, and which days changed since they were last computed.
 * The rules' side (nightly job, API, CSV) depends on this interface only, never on the tables.
 */
export interface LedgerSource {
  /**
   * Every household's room day for `day` (`YYYY-MM-DD` in `site.timezone`), in batches ordered by
   * household, so 250,000 households are never held at once.
   */
  roomDays(day: string): AsyncIterable<RoomDay[]>;
  /** The stops overlapping [fromMs, toMs), open ones included (untilMs null), ordered by fromMs. */
  stops(fromMs: number, toMs: number): Promise<HeatStop[]>;
  /** Days whose inputs changed (a late reading, a stop) since markComputed was last called for them, oldest first. */
  dirtyDays(): Promise<string[]>;
  /**
   * Records that `day` was computed at `atMs` from the inputs as they were then; the day stays clean
   * until an input that changed after `atMs` touches it again.
   */
  markComputed(day: string, atMs: number): Promise<void>;
}
