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

  /** The message is durable (or had nothing to store): its ack may go once it is the oldest. */
  markDone(seq: number): void {
    if (seq >= this.head && seq < this.tail) this.done[seq & this.mask] = 1;
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
