/**
 * The writer's memory buffer: line-protocol lines in arrival order, with the promises of
 * `accept()` callers riding along. One promise ("ticket") serves every accept() call that
 * lands in the same chunk of up to `ticketLines` lines, so a stream of one-reading MQTT
 * messages costs one promise per batch, not one per reading.
 *
 * A ticket resolves once all its lines are settled (written to the database, spooled, or
 * refused by the database for good) and rejects as soon as any of its lines is dropped
 * for the memory bound: those callers must not acknowledge what was lost.
 */
export interface Ticket {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
  /** Pieces of this ticket's lines not yet settled. */
  parts: number;
  failed: boolean;
}

export interface Piece {
  lines: string[];
  ticket: Ticket | undefined;
}

/** Lines taken out of the buffer together: sent, spooled or put back as one. */
export interface Taken {
  readonly pieces: Piece[];
  readonly lines: string[];
}

function newTicket(): Ticket {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject, parts: 1, failed: false };
}

export class LineBuffer {
  private chunks: Piece[] = [];
  /** The ticket new accept() calls join while its chunk is the tail and not full. */
  private open: Ticket | undefined;
  size = 0;

  constructor(private readonly ticketLines: number) {}

  /** Adds lines; with `durable`, returns a promise settled when they are. */
  push(lines: string[], durable: boolean): Promise<void> | undefined {
    this.size += lines.length;
    const tail = this.chunks.at(-1);
    const ticket = durable ? this.open : undefined;
    const joins = durable ? ticket !== undefined : true;
    if (joins && tail && tail.ticket === ticket && tail.lines.length < this.ticketLines) {
      for (const line of lines) tail.lines.push(line);
      return ticket?.promise;
    }
    const piece: Piece = { lines, ticket: durable ? newTicket() : undefined };
    this.open = piece.ticket;
    this.chunks.push(piece);
    return piece.ticket?.promise;
  }

  /** Takes up to `max` lines from the front. */
  take(max: number): Taken {
    const pieces: Piece[] = [];
    let need = max;
    while (need > 0 && this.chunks.length > 0) {
      const piece = this.cut(need);
      pieces.push(piece);
      need -= piece.lines.length;
    }
    this.size -= max - need;
    const lines = pieces.length === 1 ? pieces[0]!.lines : pieces.flatMap((p) => p.lines);
    return { pieces, lines };
  }

  /** Puts lines that could not be sent back in front, in their order. */
  putBack(taken: Taken): void {
    this.chunks.unshift(...taken.pieces);
    this.size += taken.lines.length;
  }

  /** The lines are durable (or refused for good): their callers may go on. */
  settle(taken: Taken): void {
    for (const piece of taken.pieces) {
      const ticket = piece.ticket;
      if (ticket && --ticket.parts === 0 && !ticket.failed) ticket.resolve();
    }
  }

  /** Drops the `count` oldest lines; their callers' promises reject. */
  dropOldest(count: number, reason: Error): void {
    const dropped = this.take(count);
    for (const piece of dropped.pieces) {
      const ticket = piece.ticket;
      if (!ticket) continue;
      ticket.parts--;
      if (!ticket.failed) ticket.reject(reason);
      ticket.failed = true;
    }
  }

  /** The first piece of at most `max` lines, split off the front chunk if it is longer. */
  private cut(max: number): Piece {
    const front = this.chunks[0]!;
    // A chunk that has started to leave is closed to new callers, so a ticket never
    // keeps growing behind the batches taken from it.
    if (front.ticket === this.open) this.open = undefined;
    if (front.lines.length <= max) {
      this.chunks.shift();
      return front;
    }
    if (front.ticket) front.ticket.parts++;
    return { lines: front.lines.splice(0, max), ticket: front.ticket };
  }
}
