import { createConnection, type NetConnectOpts, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { IClientOptions, MqttClient, StreamBuilder } from 'mqtt';
import { type FrameSink, PublishReader, type PublishView } from './publish-frames.ts';

/** Told of the PUBLISHes of one socket read: each as it is parsed, then the end of the read. */
export interface PublishBatches {
  publish(view: PublishView, from: WireSplice): void;
  /** The read is done: hand on what it brought (one batch per read). */
  endOfRead(from: WireSplice): void;
}

/**
 * The stream MQTT.js gets instead of the socket (issue 14): writes go straight through,
 * but of what the broker sends it only sees the frames that are not QoS 0/1 PUBLISHes
 * (see PublishReader); those go to `batches`, one socket read at a time, so the pipeline
 * gets a batch per read instead of a call per message. The socket's end, errors and close
 * reach MQTT.js as they would from the socket itself.
 *
 * Our PUBACKs are written on this stream too, so "the connection a PUBLISH came on" is
 * this object: a new connection is a new splice, and the old one refuses writes once its
 * socket is gone.
 */
export class WireSplice extends Duplex implements FrameSink {
  private readonly reader: PublishReader;
  /** When the last read came (pacing only). */
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private resting: NodeJS.Timeout | undefined;

  /**
   * @param paced rest the socket between reads during a burst (see `pace`): for a socket
   *   made by `pacedSocket`, whose pause stops reading at once
   */
  constructor(
    private readonly wire: Socket,
    v5: boolean,
    private readonly batches: PublishBatches,
    private readonly paced = false,
  ) {
    super({ allowHalfOpen: false });
    this.reader = new PublishReader(v5, this);
    wire.on('data', (chunk: Buffer) => {
      try {
        this.reader.read(chunk);
        this.batches.endOfRead(this);
        if (this.paced) this.pace();
      } catch (err) {
        // Never expected; but a throw here would end the process. Dropping the connection
        // instead leaves what was not acknowledged with the broker, to redeliver.
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    });
    wire.on('end', () => this.push(null));
    wire.on('error', (err) => this.destroy(err));
    wire.on('close', () => this.destroy());
  }

  publish(view: PublishView): void {
    this.batches.publish(view, this);
  }

  other(bytes: Buffer): void {
    // A PUBLISH MQTT.js is to handle comes after the ones parsed before it: those must
    // be handed on first, so their acks keep their place in the order.
    if (bytes[0]! >> 4 === 3) this.batches.endOfRead(this);
    this.push(bytes);
  }

  override _read(): void {
    // The socket flows on its own; MQTT.js reads what is pushed as it comes.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.wire.write(chunk)) done();
    else this.wire.once('drain', () => done());
  }

  /**
   * What MQTT.js wrote while the stream was corked, as one socket write: mqtt-packet corks
   * for a tick and writes a PUBLISH in pieces, so without this every piece of every
   * message was a system call of its own — an evaluation's 5,000 retained outputs held
   * the loop for ~150 ms in the intake profile (issue 10).
   */
  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.wire.cork();
    let flowing = true;
    for (const { chunk } of chunks) flowing = this.wire.write(chunk);
    this.wire.uncork();
    if (flowing) done();
    else this.wire.once('drain', () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    this.wire.end(done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    clearTimeout(this.resting);
    this.wire.destroy();
    done(err);
  }

  /**
   * Under a publisher-paced burst the broker's packets trickle in: a read of ten to twenty
   * messages every fraction of a millisecond, each read a wake-up, an epoll_wait and a
   * read in the kernel (issue 14: 15,000-28,000 reads for a 300,000-message burst, and a
   * fifth of heatnet's CPU system time). So once reads come closer than `BURST_GAP_MS`,
   * the socket rests for `REST_MS`: what arrives meanwhile waits in the kernel and comes
   * in one read, one batch. A quiet connection is read at once, as before; in a burst a
   * message waits at most `REST_MS` longer, against PUBACKs that wait for durable storage.
   */
  private pace(): void {
    const now = performance.now();
    const burst = now - this.lastReadAt < BURST_GAP_MS;
    this.lastReadAt = now;
    if (!burst || this.resting || this.wire.destroyed) return;
    this.wire.pause();
    this.resting = setTimeout(() => {
      this.resting = undefined;
      this.lastReadAt = performance.now();
      this.wire.resume();
    }, REST_MS);
  }
}

/** Reads this close together are a burst (ms). */
const BURST_GAP_MS = 2;
/** How long the socket rests between reads in a burst (ms). */
const REST_MS = 5;

/**
 * A plain TCP connection exactly as MQTT.js's own builder (connect/tcp.js) makes it, but
 * with a one-byte read buffer: paused, it stops reading from the kernel after the chunk in
 * hand instead of reading on until 16 KB are buffered, which is what lets WireSplice rest
 * the socket. Undefined for anything else (TLS, WebSockets, a SOCKS proxy).
 */
function pacedSocket(opts: IClientOptions): Socket | undefined {
  const plain = opts.protocol === 'mqtt' || opts.protocol === 'tcp';
  if (!plain || opts.socksProxy || opts.servers) return undefined;
  opts.port = opts.port || 1883;
  opts.hostname = opts.hostname || opts.host || 'localhost';
  const { port, path, hostname: host } = opts;
  // net.Socket passes its options on to stream.Duplex (the typings omit this one).
  const options = { port, host, path, readableHighWaterMark: 1 } as NetConnectOpts;
  return createConnection(options);
}

/**
 * Puts a WireSplice between MQTT.js and each TCP or TLS socket it opens (WebSocket
 * streams keep MQTT.js's own path). MQTT.js has no option for it; its stream builder
 * is the one seam, and a client built with `mqtt.connect` keeps it in a field. Call
 * before the client connects (`manualConnect`).
 */
export function spliceStreams(client: MqttClient, v5: boolean, batches: PublishBatches): void {
  const internals = client as unknown as { streamBuilder: StreamBuilder };
  const build = internals.streamBuilder;
  internals.streamBuilder = (c, opts) => {
    // MQTT.js calls the builder with the client alone; its options are the client's.
    const paced = pacedSocket(opts ?? c.options);
    if (paced) return new WireSplice(paced, v5, batches, true);
    const stream = build(c, opts);
    return stream instanceof Socket ? new WireSplice(stream, v5, batches) : stream;
  };
}
