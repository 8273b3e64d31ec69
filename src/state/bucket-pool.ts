/** A window's segment of the pool; the pool moves it when it compacts. */
export interface Segment {
  offset: number;
  readonly capacity: number;
}

/**
 * Most buckets a pool can hold by default: the address space its columns reserve (memory
 * is committed only as they grow, and touched only as windows fill it). 2^27 buckets is
 * 1 GiB of address space per column; a window alone gets a pool of its own, which reserves
 * less (rolling-window.ts).
 */
export const MAX_BUCKETS = 2 ** 27;

/**
 * The buckets of many rolling windows in four large typed arrays, each window owning a
 * segment of them. At 250,000 room sensors a window's own four JS arrays were ten heap
 * objects per sensor, and the garbage collector marks every one of them on every major
 * GC (issue 10: a mark held the loop for up to a second); typed arrays' contents are not
 * objects and are never marked.
 */
export class BucketPool {
  /** Bucket start times. */
  readonly starts: Float64Array;
  /** Running totals up to and including each bucket (sum of values, number of samples). */
  readonly totals: Float64Array;
  readonly counts: Float64Array;
  /** Newest sample time in each bucket. */
  readonly lasts: Float64Array;
  /**
   * The columns' buffers, resizable: growing one keeps its contents where they are. A
   * copy into a bigger array would touch every page of it at once, and on this kind of
   * machine a fresh page costs ~4 µs — a second's stall for a pool of 250,000 windows.
   */
  private readonly buffers: ArrayBuffer[];
  private used = 0;
  /** Released segments by capacity (a power of two), for the next window that grows. */
  private readonly released = new Map<number, number[]>();
  private releasedBuckets = 0;
  private readonly owners: Segment[] = [];

  constructor(
    initialBuckets = 64,
    private readonly maxBuckets = MAX_BUCKETS,
  ) {
    this.buffers = [0, 1, 2, 3].map(
      () => new ArrayBuffer(initialBuckets * 8, { maxByteLength: maxBuckets * 8 }),
    );
    // Length-tracking views: they grow with their buffer.
    [this.starts, this.totals, this.counts, this.lasts] = this.buffers.map(
      (b) => new Float64Array(b),
    ) as [Float64Array, Float64Array, Float64Array, Float64Array];
  }

  /** Registers a window whose segment the pool may move (it then updates `offset`). */
  adopt(owner: Segment): void {
    this.owners.push(owner);
  }

  /** Offset of a free segment of `capacity` buckets (a power of two). */
  take(capacity: number): number {
    const reused = this.released.get(capacity)?.pop();
    if (reused !== undefined) {
      this.releasedBuckets -= capacity;
      return reused;
    }
    if (this.used + capacity > this.starts.length) {
      // Windows that grow together (every PLC's) leave their smaller segments behind,
      // which nobody asks for again: moving the windows down beats doubling the pool.
      // Only when it frees a third or more: compaction then costs O(1) per bucket amortised.
      if (this.releasedBuckets * 3 >= this.used) this.compact();
      if (this.used + capacity > this.starts.length) this.grow(this.used + capacity);
    }
    const offset = this.used;
    this.used += capacity;
    return offset;
  }

  /** Gives a segment back; its contents are left as they are. */
  release(offset: number, capacity: number): void {
    const list = this.released.get(capacity);
    if (list) list.push(offset);
    else this.released.set(capacity, [offset]);
    this.releasedBuckets += capacity;
  }

  /** Buckets held by windows or free for them (for memory accounting). */
  get capacity(): number {
    return this.starts.length;
  }

  /** Moves every window's segment down over the released ones, in offset order. */
  private compact(): void {
    // Kept in offset order for the next time: segments taken since are few and at the end.
    const owners = this.owners.sort((a, b) => a.offset - b.offset);
    const { starts, totals, counts, lasts } = this;
    let to = 0;
    for (const owner of owners) {
      const from = owner.offset;
      // Element by element: four `copyWithin` runtime calls per window cost more than
      // the copying, at 300,000 windows.
      if (from !== to) {
        for (let k = 0; k < owner.capacity; k++) {
          starts[to + k] = starts[from + k]!;
          totals[to + k] = totals[from + k]!;
          counts[to + k] = counts[from + k]!;
          lasts[to + k] = lasts[from + k]!;
        }
        owner.offset = to;
      }
      to += owner.capacity;
    }
    this.used = to;
    this.released.clear();
    this.releasedBuckets = 0;
  }

  private grow(needed: number): void {
    let size = this.starts.length * 2;
    while (size < needed) size *= 2;
    if (size > this.maxBuckets) {
      if (needed > this.maxBuckets) {
        throw new RangeError(`rolling windows need over ${this.maxBuckets} buckets`);
      }
      size = this.maxBuckets;
    }
    for (const buffer of this.buffers) buffer.resize(size * 8);
  }
}
