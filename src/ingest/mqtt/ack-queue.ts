/**
 * The unacknowledged QoS 1 messages of one connection, in the order their PUBLISHes came:
 * a ring of packet ids with a done flag each, addressed by a running sequence number.
 * Push, mark and the walk that pops the done prefix are O(1) per message (issue 14: the
 * array shift this replaces cost half of a burst's busy time at 65,535 in flight).
 */
export class AckQueue {
  private ids = new Uint16Array(1024);
  private done = new Uint8Array(1024);
  private mask = 1023;
  /** Sequence number of the oldest pending message. */
  private head = 0;
  /** Sequence number the next message gets. */
  private tail = 0;

  get size(): number {
    return this.tail - this.head;
  }

  /** Adds a message; returns its sequence number. */
  push(messageId: number): number {
    if (this.size > this.mask) this.grow();
    const seq = this.tail++;
    this.ids[seq & this.mask] = messageId;
    this.done[seq & this.mask] = 0;
    return seq;
  }

  /**
   * Messages `from` up to `to` (exclusive) are durable (or had nothing to store): each ack
   * may go once it is the oldest.
   */
  markDone(from: number, to = from + 1): void {
    for (let seq = Math.max(from, this.head); seq < to && seq < this.tail; seq++) {
      this.done[seq & this.mask] = 1;
    }
  }

  /** Pops the done messages at the front, oldest first, handing each packet id to `ack`. */
  popDone(ack: (messageId: number) => void): void {
    while (this.head < this.tail && this.done[this.head & this.mask] === 1) {
      ack(this.ids[this.head & this.mask]!);
      this.head++;
    }
  }

  /** Forgets every message (the connection is gone). */
  clear(): void {
    this.head = this.tail;
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const ids = new Uint16Array(capacity);
    const done = new Uint8Array(capacity);
    for (let seq = this.head; seq < this.tail; seq++) {
      ids[seq & (capacity - 1)] = this.ids[seq & this.mask]!;
      done[seq & (capacity - 1)] = this.done[seq & this.mask]!;
    }
    this.ids = ids;
    this.done = done;
    this.mask = capacity - 1;
  }
}

/**
 * Places in an `AckQueue`, as ranges `[from, to)`. The messages of one socket read take
 * consecutive places, and so do the batches of one write, so a batch or a group is a range
 * or a few, where an array of every place cost a push per message (issue 14).
 */
export class SeqRanges {
  /** from, to, from, to … in the order added. */
  private readonly bounds: number[] = [];

  get empty(): boolean {
    return this.bounds.length === 0;
  }

  /** Adds one place, extending the last range when it follows on. */
  add(seq: number): void {
    this.addRange(seq, seq + 1);
  }

  addAll(other: SeqRanges): void {
    const b = other.bounds;
    for (let i = 0; i < b.length; i += 2) this.addRange(b[i]!, b[i + 1]!);
  }

  /** Calls `fn` with each range, in the order added. */
  each(fn: (from: number, to: number) => void): void {
    const b = this.bounds;
    for (let i = 0; i < b.length; i += 2) fn(b[i]!, b[i + 1]!);
  }

  private addRange(from: number, to: number): void {
    const b = this.bounds;
    const last = b.length - 1;
    if (last > 0 && b[last] === from) b[last] = to;
    else b.push(from, to);
  }
}
