import type { FieldValue, Reading } from '../../core/reading.ts';

/**
 * What a reading of one field shares with its neighbours: everything but its tags, value
 * and time. One object serves a whole run of a subscription's readings.
 */
interface Shape {
  readonly measurement: string;
  readonly key: string;
  readonly intFields: ReadonlySet<string> | undefined;
}

/**
 * The readings of a group of accepts, kept until storage settles them, so a refused group
 * can be handed to `accept` again (issue 14). Kept as Reading objects they outlived two
 * scavenges while their write was in flight and were promoted — about 140 bytes per point
 * of old space to copy, and then to collect. Here a reading of one numeric field (every
 * MQTT room temperature) is two references to long-lived objects (its frozen tags, a
 * shared shape) and two doubles, in four arrays per group; any other reading, and any the
 * caller wants back as the same object, is kept whole.
 */
export class RetryLog {
  /** Per reading: its tags, then its shape — or the reading itself and `WHOLE`. */
  private readonly refs: unknown[] = [];
  /**
   * Per reading: its time and its value (unused for a reading kept whole). A typed array,
   * not a `number[]`: an array that starts with small integers and then takes a double
   * changes its kind, and code V8 had compiled for the first kind was thrown away and
   * compiled again in the middle of a burst (issue 14).
   */
  private numbers = new Float64Array(FIRST_NUMBERS);
  private count = 0;
  private shape: Shape | undefined = undefined;

  /** Readings kept. */
  get size(): number {
    return this.count;
  }

  /** Keeps `readings`; those in `whole` are given back as the very objects. */
  append(readings: readonly Reading[], whole?: ReadonlySet<Reading>): void {
    for (const r of readings) {
      const key = whole?.has(r) ? undefined : soleNumberKey(r.fields);
      if (key === undefined) this.keepWhole(r);
      else this.keep(r, key);
    }
  }

  /** The readings kept, in their order (rebuilt where they were taken apart). */
  readings(): Reading[] {
    const out: Reading[] = [];
    const { refs, numbers } = this;
    for (let i = 0; i < 2 * this.count; i += 2) {
      const first = refs[i];
      const shape = refs[i + 1];
      if (shape === WHOLE) {
        out.push(first as Reading);
        continue;
      }
      const { measurement, key, intFields } = shape as Shape;
      const tags = first as Reading['tags'];
      const fields: Record<string, FieldValue> = { [key]: numbers[i + 1]! };
      const time = numbers[i]!;
      out.push(
        intFields
          ? { measurement, tags, fields, intFields, time }
          : { measurement, tags, fields, time },
      );
    }
    return out;
  }

  private keep(r: Reading, key: string): void {
    let shape = this.shape;
    if (
      !shape ||
      shape.measurement !== r.measurement ||
      shape.key !== key ||
      shape.intFields !== r.intFields
    ) {
      shape = { measurement: r.measurement, key, intFields: r.intFields };
      this.shape = shape;
    }
    this.refs.push(r.tags, shape);
    this.put(r.time, r.fields[key] as number);
  }

  private keepWhole(r: Reading): void {
    this.refs.push(r, WHOLE);
    this.put(0, 0);
  }

  private put(time: number, value: number): void {
    const at = 2 * this.count;
    if (at === this.numbers.length) {
      const grown = new Float64Array(2 * this.numbers.length);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    this.numbers[at] = time;
    this.numbers[at + 1] = value;
    this.count++;
  }
}

/** Numbers of a new log: room for 256 readings (a group holds a batch or a few). */
const FIRST_NUMBERS = 512;

/** Marks a reading kept as itself. */
const WHOLE: unique symbol = Symbol('whole reading');

/** The key of `fields` when it is its only one and holds a number; otherwise undefined. */
function soleNumberKey(fields: Reading['fields']): string | undefined {
  let key: string | undefined;
  for (const k in fields) {
    if (key !== undefined) return undefined;
    key = k;
  }
  return key !== undefined && typeof fields[key] === 'number' ? key : undefined;
}
