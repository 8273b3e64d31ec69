import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { MqttClient, StreamBuilder } from 'mqtt';
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

  constructor(
    private readonly wire: Socket,
    v5: boolean,
    private readonly batches: PublishBatches,
  ) {
    super({ allowHalfOpen: false });
    this.reader = new PublishReader(v5, this);
    wire.on('data', (chunk: Buffer) => {
      try {
        this.reader.read(chunk);
        this.batches.endOfRead(this);
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

  override _final(done: (err?: Error | null) => void): void {
    this.wire.end(done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.wire.destroy();
    done(err);
  }
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
    const stream = build(c, opts);
    return stream instanceof Socket ? new WireSplice(stream, v5, batches) : stream;
  };
}
