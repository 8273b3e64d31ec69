import { HttpError, InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import type { InfluxConfig } from '../../config/schema.ts';
import { classifyStatus, type LineTransport, networkReason, unreachable } from '../transport.ts';

/**
 * InfluxDB 2.x / 3.x / Cloud (and 1.8+ compatibility) through the official client.
 * Batching and retries stay in heatnet's writer, which spools instead of dropping,
 * so the client is set to send each batch at once and never retry on its own.
 */
export class InfluxV2Transport implements LineTransport {
  readonly kind = 'influx-v2';
  readonly target: string;
  private readonly api: WriteApi;

  constructor(config: InfluxConfig, timeoutMs = 10000) {
    this.target = `${config.url} org=${config.org} bucket=${config.bucket}`;
    const influx = new InfluxDB({ url: config.url, token: config.token ?? '', timeout: timeoutMs });
    this.api = influx.getWriteApi(config.org ?? '', config.bucket ?? '', 'ms', {
      batchSize: 1_000_000,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: 1_000_000,
      gzipThreshold: 1000,
      // The writer logs failed attempts itself; without this the client also prints each
      // to the console. A returned promise replaces the client's own handling.
      writeFailed: (error) => Promise.reject(error),
    });
  }

  async send(lines: readonly string[]): Promise<void> {
    this.api.writeRecords(lines as string[]);
    try {
      await this.api.flush();
    } catch (err) {
      if (err instanceof HttpError) {
        // Not err.retryAfter(): the client reads the header's seconds as milliseconds.
        const header = err.headers?.['retry-after'];
        throw classifyStatus(
          err.statusCode,
          err.body ?? err.message,
          typeof header === 'string' ? header : null,
        );
      }
      throw unreachable(`${this.target}: ${networkReason(err)}`);
    }
  }

  async close(): Promise<void> {
    await this.api.close().catch(() => undefined);
  }
}
