/**
 * Tags that a source shares among every reading of one series (the MQTT router per topic,
 * a Modbus device per poll), frozen, with a hidden row where each consumer keeps its own
 * record of the series: live state its `Series`, the balance windows a room's window,
 * storage the series' line prefix.
 *
 * This does a WeakMap's job without the WeakMap. At 250,000 series every consumer's
 * WeakMap keyed by the tags held 250,000 ephemerons, and the garbage collector marks
 * ephemerons in extra passes: five such maps doubled a full mark of the same objects
 * (issue 10: each major GC held the loop for up to a second). A record in the row dies
 * with the tags, as a WeakMap entry would.
 */
const ROW = Symbol('heatnet.series-records');

type WithRow = { readonly [ROW]?: unknown[] };

const ROW_SLOTS = 7;

/** Freezes `tags` with an empty record row: readings carrying it find their records in O(1). */
export function seriesTags<T extends Record<string, string>>(tags: T): Readonly<T> {
  // Not enumerable: `for…in`, `Object.entries` and JSON see only the tag values.
  // Room for the usual consumers (live state, windows, line prefixes, the router's
  // origin, the room days' rows) from the start: a write past the end reserves more.
  Object.defineProperty(tags, ROW, { value: new Array(ROW_SLOTS) });
  return Object.freeze(tags);
}

/** Whether `tags` were made by `seriesTags` (records can be kept on them). */
export function isSeriesTags(tags: object): boolean {
  return (tags as WithRow)[ROW] !== undefined;
}

/**
 * One consumer's record per series, kept on the series' shared tags. Each instance has
 * its own position in the row, so two live states (tests run several apps in one
 * process) never see each other's records.
 */
export class SeriesRecord<T> {
  private static taken = 0;
  private readonly index = SeriesRecord.taken++;

  /** The record kept for these tags; undefined when none was kept or the tags are not shared. */
  get(tags: object): T | undefined {
    const row = (tags as WithRow)[ROW];
    return row === undefined ? undefined : (row[this.index] as T | undefined);
  }

  /**
   * Keeps `record` for these tags when they are a source's shared tags (`seriesTags`);
   * others (a one-off reading's own object, which its caller might change) keep nothing.
   */
  set(tags: object, record: T): void {
    const row = (tags as WithRow)[ROW];
    if (row !== undefined) row[this.index] = record;
  }
}

/**
 * A producer's shared tags by a key of its own choosing (a station and status, a topic),
 * made once with `seriesTags`: every reading of the series then carries the same object.
 */
export class SharedTags {
  private readonly byKey = new Map<string, Readonly<Record<string, string>>>();

  of(key: string, make: () => Record<string, string>): Readonly<Record<string, string>> {
    let tags = this.byKey.get(key);
    if (!tags) {
      tags = seriesTags(make());
      this.byKey.set(key, tags);
    }
    return tags;
  }
}
