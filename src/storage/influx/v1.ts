import { gzipSync } from 'node:zlib';
import type { InfluxConfig } from '../../config/schema.ts';
import { classifyStatus, type LineTransport, networkReason, unreachable } from '../transport.ts';

/**
 * A database on this machine: compressing for it costs CPU and saves no network (gzip
 * was a tenth of heatnet's busy time in a burst, issue 14).
 */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** InfluxDB 1.x `/write` with millisecond precision, gzipped unless on loopback. */
export class InfluxV1Transport implements LineTransport {
  readonly kind = 'influx-v1';
  readonly target: string;
  private readonly writeUrl: string;
  private readonly headers: Record<string, string>;
  private readonly gzip: boolean;

  constructor(
    config: InfluxConfig,
    private readonly timeoutMs = 10000,
  ) {
    const url = new URL('/write', config.url);
    url.searchParams.set('db', config.db ?? 'heatnet');
    url.searchParams.set('precision', 'ms');
    if (config.rp) url.searchParams.set('rp', config.rp);
    this.writeUrl = url.toString();
    this.target = `${config.url} db=${config.db}`;
    this.gzip = !LOOPBACK.has(url.hostname);
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (this.gzip) this.headers['content-encoding'] = 'gzip';
    if (config.username) {
      const basic = Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${basic}`;
    }
  }

  async send(lines: readonly string[]): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.writeUrl, {
        method: 'POST',
        headers: this.headers,
        body: this.gzip ? gzipSync(lines.join('\n')) : lines.join('\n'),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw unreachable(`${this.target}: ${networkReason(err)}`);
    }
    if (response.status === 204 || response.status === 200) {
      await response.body?.cancel();
      return;
    }
    throw classifyStatus(
      response.status,
      await response.text(),
      response.headers.get('retry-after'),
    );
  }
}
