/**
 * PUBACKs of one connection, written together: every ack due in one turn of the event
 * loop goes out in one socket write (issue 14: one write per PUBACK cost more than the
 * rest of a message's handling). A PUBACK with reason Success and no properties is the
 * same four bytes under MQTT 3.1.1 and 5 (MQTT 5 §3.4.2.1 lets both be omitted).
 *
 * The socket is the one the first PUBLISH of this session came on; if it has closed or
 * the client has moved to another one when the acks are due, they are dropped: a PUBACK
 * never goes out on another connection, and the broker redelivers what we did not ack.
 */
export interface AckSocket {
  readonly destroyed: boolean;
  readonly writable: boolean;
  write(chunk: Buffer): boolean;
}

const PUBACK = 0x40;

export class AckWriter {
  /** Packet ids due, `count` of them: reused from turn to turn, no array per turn. */
  private ids = new Uint16Array(256);
  private count = 0;
  private scheduled = false;
  private socket: AckSocket | undefined;
  private closed = false;

  /** @param current the client's socket now (undefined while disconnected) */
  constructor(private readonly current: () => AckSocket | undefined) {}

  /** Binds to the connection a PUBLISH arrived on (the first one does it). */
  bind(socket?: AckSocket): void {
    this.socket ??= socket ?? this.current();
  }

  send(messageId: number): void {
    if (this.closed) return;
    if (this.count === this.ids.length) {
      const grown = new Uint16Array(2 * this.ids.length);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.count++] = messageId;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  close(): void {
    this.closed = true;
    this.count = 0;
  }

  /** Writes the acks due now (the next turn would do it; stop() cannot wait for it). */
  readonly flush = (): void => {
    this.scheduled = false;
    const { ids, count } = this;
    this.count = 0;
    const socket = this.socket;
    if (this.closed || count === 0 || !socket || socket !== this.current()) return;
    if (socket.destroyed || !socket.writable) return;
    const out = Buffer.allocUnsafe(count * 4);
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      out[i * 4] = PUBACK;
      out[i * 4 + 1] = 2;
      out[i * 4 + 2] = id >> 8;
      out[i * 4 + 3] = id & 0xff;
    }
    socket.write(out);
  };
}
