import { type FieldValue, type Reading, seriesKey } from '../core/reading.ts';

export interface FieldSample {
  value: FieldValue;
  time: number;
}

export interface Series {
  measurement: string;
  tags: Readonly<Record<string, string>>;
  fields: Map<string, FieldSample>;
  updatedAt: number;
}

/**
 * The latest value of every field of every series, as the API, the control path and
 * the balancing engine's pump signals see the network now. Indexed by series key and by
 * each measurement/tag pair, so "everything about substation S07" is one lookup.
 */
export class LiveState {
  private readonly series = new Map<string, Series>();
  private readonly byTag = new Map<string, Series[]>();
  /**
   * Series by the (frozen) tags object of their readings: the MQTT router shares one per
   * topic, so a reading finds its series without building its key (issue 14).
   */
  private readonly byTags = new WeakMap<object, Series>();

  apply(readings: readonly Reading[]): void {
    for (const r of readings) {
      const s = this.seriesOf(r);
      for (const field in r.fields) {
        const value = r.fields[field]!;
        const prev = s.fields.get(field);
        if (!prev) s.fields.set(field, { value, time: r.time });
        // Out-of-order arrivals (a replayed batch) must not roll the state back; the
        // sample is updated in place, since allocating one per reading dominates.
        else if (prev.time <= r.time) {
          prev.value = value;
          prev.time = r.time;
        }
      }
      if (r.time > s.updatedAt) s.updatedAt = r.time;
    }
  }

  private seriesOf(r: Reading): Series {
    const known = this.byTags.get(r.tags);
    if (known?.measurement === r.measurement) return known;
    const key = seriesKey(r.measurement, r.tags);
    let s = this.series.get(key);
    if (!s) {
      // A frozen tags object (one per MQTT topic) is shared, not copied: 250,000 room series.
      const tags = Object.isFrozen(r.tags) ? r.tags : { ...r.tags };
      s = { measurement: r.measurement, tags, fields: new Map(), updatedAt: 0 };
      this.series.set(key, s);
      for (const [tag, value] of Object.entries(r.tags)) {
        const idx = `${r.measurement}|${tag}=${value}`;
        const list = this.byTag.get(idx);
        if (list) list.push(s);
        else this.byTag.set(idx, [s]);
      }
    }
    // Frozen tags only: an object that may change cannot stand for its series.
    if (Object.isFrozen(r.tags)) this.byTags.set(r.tags, s);
    return s;
  }

  /** Series of a measurement carrying tag=value (e.g. pump series of substation S07). */
  find(measurement: string, tag: string, value: string): readonly Series[] {
    return this.byTag.get(`${measurement}|${tag}=${value}`) ?? [];
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
