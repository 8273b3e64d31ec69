import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { gzipSync } from 'node:zlib';
import type { InfluxConfig } from '../../config/schema.ts';
import { classifyStatus, type LineTransport, networkReason, unreachable } from '../transport.ts';

/**
 * A database on this machine: compressing for it costs CPU and saves no network (gzip
 * was a tenth of heatnet's busy time in a burst, issue 14).
 */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Requests at once: the writer keeps a few batches in flight, and the spool one more. */
const MAX_SOCKETS = 8;

/**
 * InfluxDB 1.x `/write` with millisecond precision, gzipped unless on loopback. Plain
 * node:http with kept-alive connections rather than fetch: the writer hands over the body
 * as bytes, which fetch copied again through a web stream per request (issue 14).
 */
export class InfluxV1Transport implements LineTransport {
  readonly kind = 'influx-v1';
  readonly target: string;
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly gzip: boolean;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(
    config: InfluxConfig,
    private readonly timeoutMs = 10000,
  ) {
    const url = new URL('/write', config.url);
    url.searchParams.set('db', config.db ?? 'heatnet');
    url.searchParams.set('precision', 'ms');
    if (config.rp) url.searchParams.set('rp', config.rp);
    this.url = url;
    this.target = `${config.url} db=${config.db}`;
    this.gzip = !LOOPBACK.has(url.hostname);
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (this.gzip) this.headers['content-encoding'] = 'gzip';
    if (config.username) {
      const basic = Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${basic}`;
    }
    const https = url.protocol === 'https:';
    const options = { keepAlive: true, maxSockets: MAX_SOCKETS };
    this.agent = https ? new HttpsAgent(options) : new HttpAgent(options);
    this.request = https ? httpsRequest : httpRequest;
  }

  send(lines: readonly string[]): Promise<void> {
    return this.sendBody(Buffer.from(lines.join('\n')));
  }

  sendBody(body: Buffer): Promise<void> {
    return this.sendParts([body]);
  }

  /** One request whose body is the parts in order: written one by one, not copied into one. */
  sendParts(parts: readonly Buffer[]): Promise<void> {
    const payload = this.gzip
      ? [gzipSync(parts.length === 1 ? parts[0]! : Buffer.concat(parts))]
      : parts;
    let length = 0;
    for (const part of payload) length += part.length;
    return new Promise<void>((resolve, reject) => {
      const req = this.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...this.headers, 'content-length': String(length) },
          timeout: this.timeoutMs,
        },
        (res) => this.answered(res).then(resolve, reject),
      );
      req.once('timeout', () => {
        const err = new Error(`no answer in ${this.timeoutMs} ms`);
        err.name = 'TimeoutError';
        req.destroy(err);
      });
      // `on`, not `once`: a second error event without a listener would crash the process.
      req.on('error', (err) => reject(unreachable(`${this.target}: ${networkReason(err)}`)));
      for (let i = 0; i < payload.length - 1; i++) req.write(payload[i]!);
      req.end(payload.at(-1));
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  /** Resolves on 200/204; rejects with the status, the body and Retry-After otherwise. */
  private async answered(res: IncomingMessage): Promise<void> {
    const status = res.statusCode ?? 0;
    if (status === 204 || status === 200) {
      // The write is done; a connection dropped after the answer is the agent's business.
      res.on('error', () => undefined);
      res.resume();
      return;
    }
    let text = '';
    res.setEncoding('utf8');
    for await (const chunk of res) text += chunk;
    const retryAfter = res.headers['retry-after'];
    throw classifyStatus(status, text, typeof retryAfter === 'string' ? retryAfter : null);
  }
}
