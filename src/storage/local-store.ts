import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LineTransport } from './transport.ts';

/**
 * The embedded default: line protocol appended to one file per UTC day under
 * `dir`. Nothing is thrown away; `heatnet replay-spool` loads the files into
 * InfluxDB later (timestamps are in the lines, so replaying twice is harmless).
 */
export class LocalLineStore implements LineTransport {
  readonly kind = 'local';
  readonly target: string;
  private ready: Promise<unknown> | undefined;

  constructor(private readonly dir: string) {
    this.target = dir;
  }

  async send(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await this.append(`${lines.join('\n')}\n`);
  }

  /** The writer's encoded lines, appended as they are (a newline after each already). */
  async sendBody(body: Buffer): Promise<void> {
    if (body.length > 0) await this.append(body);
  }

  private async append(data: string | Buffer): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    const day = new Date().toISOString().slice(0, 10);
    await appendFile(join(this.dir, `${day}.lp`), data);
  }
}
