import type { Reading } from '../core/reading.ts';
import { Slab, type SlabSink, writeLine, writeText } from './line-bytes.ts';

/**
 * The writer's memory buffer: line-protocol lines in arrival order, with the promises of
 * `accept()` callers riding along. One promise ("ticket") serves every accept() call that
 * lands in the same chunk of up to `ticketLines` lines, so a stream of one-reading MQTT
 * messages costs one promise per batch, not one per reading.
 *
 * A ticket resolves once all its lines are settled (written to the database, spooled, or
 * refused by the database for good) and rejects as soon as any of its lines is dropped
 * for the memory bound: those callers must not acknowledge what was lost.
 *
 * Lines are kept as the bytes of a request body (line-bytes.ts), in slabs written one after
 * the other; a batch taken out is a view of them, its text made only when asked for (the
 * spool, a split around a refused line), so the usual batch goes out without a copy.
 */
export interface Ticket {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
  /** Pieces of this ticket's lines not yet settled. */
  parts: number;
  failed: boolean;
}

/**
 * Lines `first` to `last` (exclusive) of a slab, with the ticket of their callers. A class,
 * made in one place: pieces copied by object spread had a shape of their own, and the
 * first such copy reaching the tail of the buffer made V8 throw away the code compiled for
 * `pushReadings` and its callees (issue 14).
 */
export class Piece {
  constructor(
    readonly slab: Slab,
    readonly first: number,
    public last: number,
    readonly ticket: Ticket | undefined,
  ) {}

  /** A copy, from line `first` to `last` (a piece handed out never changes under its batch). */
  copy(first = this.first, last = this.last): Piece {
    return new Piece(this.slab, first, last, this.ticket);
  }
}

/**
 * Bytes per slab: about 12,000 one-field room lines, a few default batches (5,000 lines), so
 * most batches are one view and only one in a few is copied together across two slabs.
 */
const SLAB_BYTES = 1024 * 1024;

/** Lines taken out of the buffer together: sent, spooled or put back as one. */
export class Taken {
  private text: string[] | undefined;

  constructor(
    readonly pieces: readonly Piece[],
    readonly count: number,
  ) {}

  /** The lines as text (made on first use). */
  get lines(): string[] {
    if (this.text) return this.text;
    const text: string[] = [];
    for (const { slab, first, last } of this.pieces) {
      for (let i = first; i < last; i++) {
        text.push(slab.bytes.toString('utf8', slab.startOf(i), slab.ends[i]! - 1));
      }
    }
    this.text = text;
    return text;
  }

  /** The lines as one request body, a newline after each: a view when they lie together. */
  body(): Buffer {
    const parts = this.parts();
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /**
   * The body as views of the slabs, one per run of lines lying together: a transport that
   * writes them one after the other sends a batch across two slabs without copying it
   * into one (a 400 KB copy for about every other batch, issue 14).
   */
  parts(): Buffer[] {
    const parts: Buffer[] = [];
    let slab: Slab | undefined;
    let from = 0;
    let to = 0;
    for (const p of this.pieces) {
      if (p.first === p.last) continue;
      const start = p.slab.startOf(p.first);
      if (p.slab === slab && start === to) {
        to = p.slab.ends[p.last - 1]!;
        continue;
      }
      if (slab) parts.push(slab.bytes.subarray(from, to));
      [slab, from, to] = [p.slab, start, p.slab.ends[p.last - 1]!];
    }
    if (slab) parts.push(slab.bytes.subarray(from, to));
    return parts;
  }
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

const count = (p: Piece) => p.last - p.first;

export class LineBuffer implements SlabSink {
  private readonly chunks: Piece[] = [];
  /** The ticket new accept() calls join while its chunk is the tail and not full. */
  private open: Ticket | undefined;
  private slab: Slab | undefined;
  size = 0;

  constructor(private readonly ticketLines: number) {}

  /** Adds lines of text; with `durable`, returns a promise settled when they are. */
  push(lines: readonly string[], durable: boolean): Promise<void> | undefined {
    let piece: Piece | undefined;
    for (const line of lines) piece = this.place(writeText(line, this), piece, durable);
    this.size += lines.length;
    return piece?.ticket?.promise;
  }

  /**
   * Adds the lines of the readings that have a writable field; with `durable`, returns a
   * promise settled when they are (undefined when there was no line).
   */
  pushReadings(readings: readonly Reading[], durable: boolean): Promise<void> | undefined {
    let piece: Piece | undefined;
    for (const r of readings) {
      const slab = writeLine(r, this);
      if (!slab) continue;
      piece = this.place(slab, piece, durable);
      this.size++;
    }
    return piece?.ticket?.promise;
  }

  /** A slab with `bytes` of room: the current one, or a new one when it is full. */
  slabFor(bytes: number): Slab {
    if (!this.slab || this.slab.room < bytes) this.slab = new Slab(Math.max(SLAB_BYTES, bytes));
    return this.slab;
  }

  /** Takes up to `max` lines from the front. */
  take(max: number): Taken {
    // Truncated: a count from the config is a heap number (a double), and arithmetic with
    // it stays double; stored in a piece's bounds or in `size` it changed their shapes, and
    // V8 threw away the code compiled for them in the middle of a burst (issue 14).
    const want = Math.trunc(max);
    const pieces: Piece[] = [];
    let need = want;
    while (need > 0 && this.chunks.length > 0) {
      const piece = this.cut(need);
      pieces.push(piece);
      need -= count(piece);
    }
    this.size -= want - need;
    return new Taken(pieces, want - need);
  }

  /** Puts lines that could not be sent back in front, in their order. */
  putBack(taken: Taken): void {
    // Copies: a piece in the buffer may grow or be cut, the taken batch must stay as it was.
    this.chunks.unshift(...taken.pieces.map((p) => p.copy()));
    this.size += taken.count;
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

  /**
   * The piece the line just written (the last of `slab`) belongs to: `current` (this push's
   * piece so far) when it lies right after it, the tail when this push may join it, or a new
   * one. A push's lines always share one ticket, across slabs too.
   */
  private place(slab: Slab, current: Piece | undefined, durable: boolean): Piece {
    const line = slab.ends.length - 1;
    const tail = this.chunks.at(-1);
    if (current) {
      if (current === tail && current.slab === slab && current.last === line) {
        current.last++;
        return current;
      }
      if (current.ticket) current.ticket.parts++;
      return this.add(new Piece(slab, line, line + 1, current.ticket));
    }
    const ticket = durable ? this.open : undefined;
    const joins = durable ? ticket !== undefined : true;
    if (joins && tail && tail.ticket === ticket && count(tail) < this.ticketLines) {
      if (tail.slab === slab && tail.last === line) {
        tail.last++;
        return tail;
      }
      if (ticket) ticket.parts++;
      return this.add(new Piece(slab, line, line + 1, ticket));
    }
    const piece = this.add(new Piece(slab, line, line + 1, durable ? newTicket() : undefined));
    this.open = piece.ticket;
    return piece;
  }

  private add(piece: Piece): Piece {
    this.chunks.push(piece);
    return piece;
  }

  /** The first piece of at most `max` lines, split off the front chunk if it is longer. */
  private cut(max: number): Piece {
    const front = this.chunks[0]!;
    // A chunk that has started to leave is closed to new callers, so a ticket never
    // keeps growing behind the batches taken from it.
    if (front.ticket === this.open) this.open = undefined;
    if (count(front) <= max) {
      this.chunks.shift();
      return front;
    }
    if (front.ticket) front.ticket.parts++;
    const split = front.first + max;
    // New objects for both parts: a piece handed out never changes under its batch.
    this.chunks[0] = front.copy(split);
    return front.copy(front.first, split);
  }
}
