import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { type ExpectedResponse, expectedResponse, findResponse } from './rtu-frame.ts';

/**
 * A byte stream RTU frames travel on: a TCP socket to a serial device server, or a
 * DTU's dialled-in socket shared by every device behind it.
 */
export interface ByteStream {
  readonly open: boolean;
  write(bytes: Buffer): void;
  /** Subscribes to incoming bytes; returns the unsubscribe. */
  onData(listener: (chunk: Buffer) => void): () => void;
  onClose(listener: () => void): () => void;
  /** Gives the stream up: a device server's socket is destroyed, a DTU's is only let go. */
  end(): void;
}

/** A plain socket as a byte stream (RTU over TCP). */
export function socketStream(socket: Socket): ByteStream {
  return {
    get open() {
      return !socket.destroyed && socket.readyState === 'open';
    },
    write: (bytes) => void socket.write(bytes),
    onData(listener) {
      socket.on('data', listener);
      return () => socket.off('data', listener);
    },
    onClose(listener) {
      socket.once('close', listener);
      return () => socket.off('close', listener);
    },
    end: () => socket.destroy(),
  };
}

/** Bytes kept while waiting for a response: a little more than the longest RTU frame. */
const MAX_BUFFER = 512;

/**
 * An RTU port for modbus-serial (its `connectRTUSocket` contract: `open`, `write`,
 * `close`, `isOpen`, and 'data' events carrying whole frames with their CRC) over any
 * byte stream. modbus-serial's own TcpRTUBufferedPort cannot serve here: it wraps every
 * request in an MBAP header (`00 01 00 00 00 06 …`, issue 16), which a serial device
 * server puts on the RS-485 line as garbage.
 *
 * One request is in flight (the connection queues them). Bytes that arrive while none is
 * waiting — a late answer, a DTU heartbeat — are dropped, and the next request is sent
 * only after `silenceMs` without a byte, the inter-frame silence an RTU bus needs.
 */
export class RtuStreamPort extends EventEmitter {
  isOpen: boolean;
  // modbus-serial keys its transactions by these; RTU has one in flight, always id 1.
  _transactionIdRead = 1;
  _transactionIdWrite = 1;
  private buffer = Buffer.alloc(0);
  private expect: ExpectedResponse | undefined;
  private lastByteAt = Number.NEGATIVE_INFINITY;
  private readonly unsubscribe: (() => void)[];
  private shut = false;

  constructor(
    private readonly stream: ByteStream,
    private readonly silenceMs: number,
  ) {
    super();
    this.isOpen = stream.open;
    this.unsubscribe = [
      stream.onData((chunk) => this.receive(chunk)),
      stream.onClose(() => this.finish()),
    ];
  }

  open(callback: (err?: Error) => void): void {
    if (this.isOpen) callback();
    else callback(new Error('stream is not open'));
  }

  write(frame: Buffer): void {
    this.expect = expectedResponse(frame);
    this.buffer = Buffer.alloc(0);
    const wait = this.lastByteAt + this.silenceMs - performance.now();
    if (wait <= 0) this.stream.write(frame);
    else
      setTimeout(() => {
        if (!this.shut) this.stream.write(frame);
      }, wait);
  }

  close(callback?: (err?: Error) => void): void {
    this.stream.end();
    this.finish();
    callback?.();
  }

  destroy(callback?: (err?: Error) => void): void {
    this.close(callback);
  }

  private receive(chunk: Buffer): void {
    this.lastByteAt = performance.now();
    const expect = this.expect;
    if (!expect) return;
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const found = findResponse(this.buffer, expect);
    if (found.kind === 'found') {
      const frame = Buffer.from(this.buffer.subarray(found.start, found.end));
      this.expect = undefined;
      this.buffer = Buffer.alloc(0);
      this.emit('data', frame);
    } else if (found.kind === 'partial') {
      this.buffer = this.buffer.subarray(found.start);
    } else {
      // The last byte may be the unit id of a frame whose function code is still on its way.
      this.buffer = this.buffer.subarray(-1);
    }
    if (this.buffer.length > MAX_BUFFER) this.buffer = this.buffer.subarray(-MAX_BUFFER);
  }

  private finish(): void {
    if (this.shut) return;
    this.shut = true;
    this.isOpen = false;
    this.expect = undefined;
    for (const off of this.unsubscribe) off();
    this.emit('close');
  }
}

/** 3.5 character times at `baudRate` (11 bits a character), at least 2 ms (§2.5.1.1). */
export function interFrameSilenceMs(baudRate: number): number {
  return Math.max(2, Math.ceil((3.5 * 11 * 1000) / baudRate));
}
