import modbusSerial from 'modbus-serial';
import type { ModbusArea } from '../../config/schema.ts';
import { errorMessage, HeatnetError } from '../../core/errors.ts';
import type { ModbusEndpoint } from './url.ts';

// modbus-serial is CommonJS; its typings put the client class on `default`.
const ModbusRTU = modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

export type ReadResult = { registers: number[] } | { bits: boolean[] };

/**
 * One link to a Modbus endpoint (a TCP socket or a serial bus), shared by every unit
 * id behind it — a gateway or an RS-485 line answers one request at a time, so
 * requests are queued here and only one is ever in flight. The unit id and timeout
 * are set per request, because they belong to the request, not to the link.
 */
export class ModbusConnection {
  private client: ModbusRTU | undefined;
  private connecting: Promise<ModbusRTU> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  reconnects = 0;

  constructor(readonly endpoint: ModbusEndpoint) {}

  /** Runs `fn` when every earlier request on this link has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  read(unitId: number, area: ModbusArea, address: number, count: number, timeoutMs: number) {
    return this.request(unitId, timeoutMs, async (client): Promise<ReadResult> => {
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
    });
  }

  writeRegisters(unitId: number, address: number, values: number[], timeoutMs: number) {
    return this.request(unitId, timeoutMs, async (client) => {
      await client.writeRegisters(address, values);
    });
  }

  writeCoil(unitId: number, address: number, value: boolean, timeoutMs: number) {
    return this.request(unitId, timeoutMs, async (client) => {
      await client.writeCoil(address, value);
    });
  }

  /** One request on this link: queued, addressed to `unitId`, bounded by `timeoutMs`. */
  private request<T>(unitId: number, timeoutMs: number, fn: (client: ModbusRTU) => Promise<T>) {
    return this.exclusive(async () => {
      const client = await this.connect(timeoutMs);
      client.setID(unitId);
      client.setTimeout(timeoutMs);
      try {
        return await fn(client);
      } catch (err) {
        throw this.translate(err, unitId, timeoutMs);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drop();
  }

  private async connect(timeoutMs: number): Promise<ModbusRTU> {
    if (this.closed) throw new HeatnetError('MODBUS_CONNECTION', 'connection closed');
    if (this.client?.isOpen) return this.client;
    if (this.client) {
      await this.drop();
      this.reconnects++;
    }
    this.connecting ??= this.open(timeoutMs).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(timeoutMs: number): Promise<ModbusRTU> {
    const client = new ModbusRTU();
    const e = this.endpoint;
    const opening = connectClient(client, e);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HeatnetError('MODBUS_TIMEOUT', `connect to ${e.key} timed out`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([opening, deadline]);
    } catch (err) {
      client.destroy(() => undefined);
      opening.catch(() => undefined);
      if (err instanceof HeatnetError) throw err;
      throw new HeatnetError('MODBUS_CONNECTION', `connect to ${e.key}: ${errorMessage(err)}`);
    } finally {
      clearTimeout(timer);
    }
    this.client = client;
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(resolve, 500);
      client.close(() => {
        clearTimeout(done);
        resolve();
      });
    });
  }

  private translate(err: unknown, unitId: number, timeoutMs: number): HeatnetError {
    const e = err as { modbusCode?: number; errno?: string; message?: string };
    if (typeof e.modbusCode === 'number') {
      return new HeatnetError('MODBUS_EXCEPTION', `unit ${unitId}: exception ${e.modbusCode}`, {
        exceptionCode: e.modbusCode,
      });
    }
    if (e.errno === 'ETIMEDOUT') {
      // Without transaction ids (RTU framing) a late answer would be taken for the
      // next request's: start that link afresh.
      if (this.endpoint.transport !== 'tcp') void this.drop();
      return new HeatnetError('MODBUS_TIMEOUT', `unit ${unitId}: no answer in ${timeoutMs} ms`);
    }
    void this.drop();
    return new HeatnetError('MODBUS_CONNECTION', `unit ${unitId}: ${errorMessage(err)}`);
  }
}

function connectClient(client: ModbusRTU, e: ModbusEndpoint): Promise<void> {
  if (e.transport === 'rtu') {
    return client.connectRTUBuffered(e.path, {
      baudRate: e.baudRate,
      parity: e.parity,
      dataBits: e.dataBits,
      stopBits: e.stopBits,
    });
  }
  if (e.transport === 'tcp') return client.connectTCP(e.host, { port: e.port });
  return client.connectTcpRTUBuffered(e.host, { port: e.port });
}
