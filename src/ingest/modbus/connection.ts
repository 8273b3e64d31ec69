import type { ModbusArea } from '../../config/schema.ts';
import { errorMessage, HeatnetError } from '../../core/errors.ts';
import {
  closeLink,
  type DtuStreams,
  isLostLink,
  type Link,
  type ModbusClient,
  openLink,
  whileOpen,
} from './link.ts';
import type { ModbusEndpoint } from './url.ts';

export type ReadResult = { registers: number[] } | { bits: boolean[] };

/** Where a request reports that it had to reopen the link (a device's poll stats). */
export interface LinkStats {
  reconnects: number;
  /** Requests answered, but later than their timeout (a busy event loop reads them late). */
  timeouts?: number;
  lateAnswers?: number;
}

/** Timeouts in a row, with no answer between, after which a TCP link is opened afresh. */
export const RECONNECT_AFTER_TIMEOUTS = 3;
/** Our own deadline past the library's timeout, so no request can ever hang the queue. */
const DEADLINE_GRACE_MS = 250;

/**
 * One link to a Modbus endpoint (a TCP socket or a serial bus), shared by every unit
 * id behind it — a gateway or an RS-485 line answers one request at a time, so
 * requests are queued here and only one is ever in flight. The unit id and timeout
 * are set per request, because they belong to the request, not to the link.
 *
 * The link heals itself: a peer that closes is reconnected on the next request (and
 * a read it cut off is repeated once on the new link); a TCP stream that falls out of
 * step (answers nobody waits for, a torn frame, a silently dead path — Telegraf
 * #14317) is dropped and reopened instead of timing out forever.
 */
export class ModbusConnection {
  private link: Link | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private opened = 0;
  reconnects = 0;

  constructor(
    readonly endpoint: ModbusEndpoint,
    /** Where a DTU endpoint finds its DTU's socket (the dial-in listeners). */
    private readonly dtus?: DtuStreams,
  ) {}

  /** Runs `fn` when every earlier request on this link has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  read(
    unitId: number,
    area: ModbusArea,
    address: number,
    count: number,
    timeoutMs: number,
    stats?: LinkStats,
  ): Promise<ReadResult> {
    const fn = (client: ModbusClient) => readArea(client, area, address, count);
    return this.exclusive(async () => {
      try {
        return await this.attempt(unitId, timeoutMs, fn, stats);
      } catch (err) {
        // A read is safe to repeat: the peer closing under it (a gateway's idle
        // timeout crossing our request) should not cost the poll.
        if (!isLostLink(err)) throw err;
        return this.attempt(unitId, timeoutMs, fn, stats);
      }
    });
  }

  /** FC6, one holding register. Never repeated, like every write. */
  writeRegister(unitId: number, address: number, value: number, timeoutMs: number) {
    return this.exclusive(() =>
      this.attempt(unitId, timeoutMs, async (client) => {
        await client.writeRegister(address, value);
      }),
    );
  }

  /** Writes are never repeated: the device may have acted on the first one. */
  writeRegisters(unitId: number, address: number, values: number[], timeoutMs: number) {
    return this.exclusive(() =>
      this.attempt(unitId, timeoutMs, async (client) => {
        await client.writeRegisters(address, values);
      }),
    );
  }

  writeCoil(unitId: number, address: number, value: boolean, timeoutMs: number) {
    return this.exclusive(() =>
      this.attempt(unitId, timeoutMs, async (client) => {
        await client.writeCoil(address, value);
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drop();
  }

  /** One request on the current link: addressed to `unitId`, bounded by `timeoutMs`. */
  private async attempt<T>(
    unitId: number,
    timeoutMs: number,
    fn: (client: ModbusClient) => Promise<T>,
    stats?: LinkStats,
  ): Promise<T> {
    const link = await this.linkFor(timeoutMs, stats);
    link.client.setID(unitId);
    link.client.setTimeout(timeoutMs);
    const before = link.received;
    const open = whileOpen(link, this.endpoint.key);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(deadlineError()), timeoutMs + DEADLINE_GRACE_MS);
    });
    const sent = performance.now();
    try {
      const result = await Promise.race([fn(link.client), open.lost, deadline]);
      link.timeoutsInRow = 0;
      if (stats && performance.now() - sent > timeoutMs) countLateAnswer(stats);
      return result;
    } catch (err) {
      throw this.translate(err, link, link.received > before, unitId, timeoutMs);
    } finally {
      clearTimeout(timer);
      open.release();
    }
  }

  private async linkFor(timeoutMs: number, stats?: LinkStats): Promise<Link> {
    if (this.closed) throw new HeatnetError('MODBUS_CONNECTION', 'connection closed');
    const current = this.link;
    if (current && !current.lost && current.client.isOpen) return current;
    if (current) await this.drop();
    const link = await openLink(this.endpoint, timeoutMs, this.dtus);
    if (this.closed) {
      await closeLink(link);
      throw new HeatnetError('MODBUS_CONNECTION', 'connection closed');
    }
    if (this.opened++ > 0) {
      this.reconnects++;
      if (stats) stats.reconnects++;
    }
    this.link = link;
    return link;
  }

  private async drop(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    if (link) await closeLink(link);
  }

  private translate(
    err: unknown,
    link: Link,
    unclaimedBytes: boolean,
    unitId: number,
    timeoutMs: number,
  ): HeatnetError {
    const e = err as { modbusCode?: number; errno?: string; code?: string };
    if (typeof e.modbusCode === 'number') {
      link.timeoutsInRow = 0;
      return new HeatnetError('MODBUS_EXCEPTION', `unit ${unitId}: exception ${e.modbusCode}`, {
        exceptionCode: e.modbusCode,
      });
    }
    if (e.errno === 'ETIMEDOUT' || e.code === 'DEADLINE') {
      link.timeoutsInRow++;
      // Without transaction ids (RTU framing) a late answer would be taken for the next
      // request's; on TCP, bytes nobody claimed or a run of silence mean the stream (or
      // the path) is broken. Either way: start that link afresh.
      const stale =
        this.endpoint.transport !== 'tcp' ||
        unclaimedBytes ||
        e.code === 'DEADLINE' ||
        link.timeoutsInRow >= RECONNECT_AFTER_TIMEOUTS;
      if (stale && this.link === link) void this.drop();
      return new HeatnetError('MODBUS_TIMEOUT', `unit ${unitId}: no answer in ${timeoutMs} ms`);
    }
    if (this.link === link) void this.drop();
    if (err instanceof HeatnetError) return err;
    return new HeatnetError('MODBUS_CONNECTION', `unit ${unitId}: ${errorMessage(err)}`);
  }
}

async function readArea(
  client: ModbusClient,
  area: ModbusArea,
  address: number,
  count: number,
): Promise<ReadResult> {
  switch (area) {
    case 'coil':
      return { bits: (await client.readCoils(address, count)).data.slice(0, count) };
    case 'discrete':
      return { bits: (await client.readDiscreteInputs(address, count)).data.slice(0, count) };
    case 'holding':
      return { registers: (await client.readHoldingRegisters(address, count)).data };
    case 'input':
      return { registers: (await client.readInputRegisters(address, count)).data };
  }
}

function deadlineError(): Error {
  return Object.assign(new Error('request deadline passed'), { code: 'DEADLINE' });
}

/**
 * An answer read after its timeout still counts as a timeout: the value is kept, but the
 * device (or our event loop) missed its deadline, and health must show it.
 */
function countLateAnswer(stats: LinkStats): void {
  stats.timeouts = (stats.timeouts ?? 0) + 1;
  stats.lateAnswers = (stats.lateAnswers ?? 0) + 1;
}
