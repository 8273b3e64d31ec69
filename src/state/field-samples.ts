import type { FieldValue } from '../core/reading.ts';

export interface FieldSample {
  value: FieldValue;
  time: number;
}

/** A sample in a series' chain. */
interface Link extends FieldSample {
  readonly field: string;
  next: Link | undefined;
}

/**
 * The latest sample of each field of one series, as a short chain. A series has a few
 * fields (a room sensor one, a PLC a dozen), and at 250,000 series a Map each was 80
 * bytes and two more objects for the garbage collector to mark on every major GC
 * (issue 10). Lookups walk the chain: as quick as hashing for a dozen fields.
 */
export class FieldSamples implements Iterable<[string, FieldSample]> {
  private first: Link | undefined;
  private last: Link | undefined;
  private count = 0;

  get(field: string): FieldSample | undefined {
    const link = this.linkOf(field);
    return link === undefined ? undefined : { value: link.value, time: link.time };
  }

  /**
   * The field's value and its time, without the sample object `get` makes: for callers
   * that read one field of every series (the desk's sweep, issue 10). Undefined and NaN
   * when the field has no sample.
   */
  valueAt(field: string): FieldValue | undefined {
    return this.linkOf(field)?.value;
  }

  timeAt(field: string): number {
    return this.linkOf(field)?.time ?? Number.NaN;
  }

  private linkOf(field: string): Link | undefined {
    for (let link = this.first; link !== undefined; link = link.next) {
      if (link.field === field) return link;
    }
    return undefined;
  }

  /**
   * Sets the field's sample unless a newer one is held: out-of-order arrivals (a
   * replayed batch) must not roll the state back. In place, since allocating a sample
   * per reading dominated.
   */
  offer(field: string, value: FieldValue, time: number): void {
    const known = this.linkOf(field);
    if (known !== undefined) {
      if (known.time <= time) {
        known.value = value;
        known.time = time;
      }
      return;
    }
    const link: Link = { field, value, time, next: undefined };
    if (this.last === undefined) this.first = link;
    else this.last.next = link;
    this.last = link;
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** Time of the newest sample of any field (0 when none). */
  get updatedAt(): number {
    let newest = 0;
    for (let link = this.first; link !== undefined; link = link.next) {
      if (link.time > newest) newest = link.time;
    }
    return newest;
  }

  *[Symbol.iterator](): IterableIterator<[string, FieldSample]> {
    for (let link = this.first; link !== undefined; link = link.next) {
      yield [link.field, { value: link.value, time: link.time }];
    }
  }
}
