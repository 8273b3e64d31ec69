import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Component } from '../../core/lifecycle.ts';
import type { Logger } from '../../core/logger.ts';

/**
 * The in-process MQTT broker of the embedded defaults (`ingest.mqtt.url: embedded`),
 * so the demo needs nothing installed. Production points heatnet at a real broker
 * (mosquitto, EMQX) instead.
 */
export class EmbeddedBroker implements Component {
  readonly name = 'mqtt.broker';
  private broker: Aedes | undefined;
  private server: Server | undefined;
  port: number;

  constructor(
    port: number,
    private readonly log: Logger,
    private readonly host = '127.0.0.1',
  ) {
    this.port = port;
  }

  get url(): string {
    return `mqtt://${this.host}:${this.port}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker({ id: 'heatnet-embedded' });
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.broker = broker;
    this.server = server;
    this.log.info({ url: this.url }, 'embedded MQTT broker listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = undefined;
    this.broker = undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
