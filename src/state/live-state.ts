import { type Reading, seriesKey } from '../core/reading.ts';
import { SeriesRecord } from '../core/series-tags.ts';
import { type FieldSample, FieldSamples } from './field-samples.ts';

export type { FieldSample } from './field-samples.ts';

export interface Series {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: FieldSamples;
  /** Time of the newest sample of any field. */
  readonly updatedAt: number;
}

/** A series is its own field chain: one object per series, not two (issue 10). */
class SeriesState extends FieldSamples implements Series {
  constructor(
    readonly measurement: string,
    readonly tags: Readonly<Record<string, string>>,
  ) {
    super();
  }

  get fields(): FieldSamples {
    return this;
  }
}

/**
 * The latest value of every field of every series, as the API, the control path and
 * the balancing engine's pump signals see the network now. Indexed by series key and by
 * each measurement/tag pair, so "everything about substation S07" is one lookup.
 *
 * Sized for 250,000 room series: the index keys are the tags' own value strings, a tag
 * value held by one series (a household) points at it without a list, and a series'
 * fields are a chain, not a Map — every object here is marked on each major GC (issue 10).
 */
export class LiveState {
  private readonly series = new Map<string, SeriesState>();
  /** `measurement|tag` → tag value → the series carrying it (one alone, several in a list). */
  private readonly byTag = new Map<string, Map<string, Series | Series[]>>();
  /**
   * Series by the shared tags of their readings (core/series-tags.ts): the MQTT router
   * shares one per topic, so a reading finds its series without building its key (issue 14).
   */
  private readonly byTags = new SeriesRecord<SeriesState>();

  apply(readings: readonly Reading[]): void {
    for (const r of readings) {
      const s = this.seriesOf(r);
      for (const field in r.fields) s.offer(field, r.fields[field]!, r.time);
    }
  }

  private seriesOf(r: Reading): SeriesState {
    const known = this.byTags.get(r.tags);
    if (known?.measurement === r.measurement) return known;
    const key = seriesKey(r.measurement, r.tags);
    let s = this.series.get(key);
    if (!s) {
      // A frozen tags object (one per MQTT topic) is shared, not copied: 250,000 room series.
      const tags = Object.isFrozen(r.tags) ? r.tags : { ...r.tags };
      s = new SeriesState(r.measurement, tags);
      this.series.set(key, s);
      this.index(s);
    }
    this.byTags.set(r.tags, s);
    return s;
  }

  private index(s: Series): void {
    for (const tag in s.tags) {
      const value = s.tags[tag]!;
      const name = `${s.measurement}|${tag}`;
      let values = this.byTag.get(name);
      if (!values) {
        values = new Map();
        this.byTag.set(name, values);
      }
      const held = values.get(value);
      if (held === undefined) values.set(value, s);
      else if (Array.isArray(held)) held.push(s);
      else values.set(value, [held, s]);
    }
  }

  /** Series of a measurement carrying tag=value (e.g. pump series of substation S07). */
  find(measurement: string, tag: string, value: string): readonly Series[] {
    const held = this.byTag.get(`${measurement}|${tag}`)?.get(value);
    if (held === undefined) return [];
    return Array.isArray(held) ? held : [held];
  }

  /** Latest fields of the series of `measurement` with tag=value, merged (newest wins). */
  latest(measurement: string, tag: string, value: string): Map<string, FieldSample> {
    const merged = new Map<string, FieldSample>();
    for (const s of this.find(measurement, tag, value)) {
      for (const [field, sample] of s.fields) {
        const prev = merged.get(field);
        if (!prev || prev.time < sample.time) merged.set(field, sample);
      }
    }
    return merged;
  }

  get seriesCount(): number {
    return this.series.size;
  }
}
