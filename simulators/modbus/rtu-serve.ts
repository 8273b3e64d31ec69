import { createServer, type Server, type Socket } from 'node:net';
import { crc16, crcMatches } from '../../src/ingest/modbus/rtu-frame.ts';

/**
 * The simulated devices in RTU framing (issue 16): a serial device server (RTU over TCP)
 * and the serial side of a 4G DTU. Requests are answered from the same service vector
 * the Modbus TCP servers use, so faults and values are the same on every transport.
 */

/** How long a request may wait for the vector; an offline device never answers. */
const ANSWER_LIMIT_MS = 5000;

type Callback<T> = (err: Error | null, value: T) => void;
type Call<T> = (done: Callback<T>) => void;

/** The simulated devices' service vector, callback style (as server.ts builds it). */
export interface CallbackVector {
  getHoldingRegister(addr: number, unitId: number, done: Callback<number>): void;
  getInputRegister(addr: number, unitId: number, done: Callback<number>): void;
  getCoil(addr: number, unitId: number, done: Callback<boolean>): void;
  getDiscreteInput(addr: number, unitId: number, done: Callback<boolean>): void;
  getMultipleHoldingRegisters(
    addr: number,
    n: number,
    unitId: number,
    done: Callback<number[]>,
  ): void;
  getMultipleInputRegisters(
    addr: number,
    n: number,
    unitId: number,
    done: Callback<number[]>,
  ): void;
  setRegister(addr: number, value: number, unitId: number, done: Callback<void>): void;
  setCoil(addr: number, value: boolean, unitId: number, done: Callback<void>): void;
}

/** A vector call as a promise; undefined when the device stays silent. */
function ask<T>(call: Call<T>): Promise<{ value: T } | { error: Error } | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ANSWER_LIMIT_MS);
    timer.unref();
    call((err, value) => {
      clearTimeout(timer);
      resolve(err ? { error: err } : { value });
    });
  });
}

function frame(bytes: number[]): Buffer {
  const body = Buffer.from(bytes);
  const crc = crc16(body);
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]);
}

function exception(unit: number, fc: number, err: Error): Buffer {
  const code = (err as { modbusErrorCode?: number }).modbusErrorCode ?? 4;
  return frame([unit, fc | 0x80, code]);
}

/** The answer to one request frame, or undefined for silence. */
export async function rtuAnswer(req: Buffer, v: CallbackVector): Promise<Buffer | undefined> {
  const [unit = 0, fc = 0] = req;
  const addr = req.readUInt16BE(2);
  const count = req.readUInt16BE(4);
  if (fc === 3 || fc === 4) {
    const got = await ask<number[]>((done) =>
      fc === 3
        ? v.getMultipleHoldingRegisters(addr, count, unit, done)
        : v.getMultipleInputRegisters(addr, count, unit, done),
    );
    if (!got) return undefined;
    if ('error' in got) return exception(unit, fc, got.error);
    const bytes = got.value.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
    return frame([unit, fc, bytes.length, ...bytes]);
  }
  if (fc === 1 || fc === 2) return bitsAnswer(unit, fc, addr, count, v);
  if (fc === 6) {
    const got = await ask<void>((done) => v.setRegister(addr, count, unit, done));
    if (!got) return undefined;
    return 'error' in got ? exception(unit, fc, got.error) : Buffer.from(req.subarray(0, 8));
  }
  if (fc === 5) {
    const got = await ask<void>((done) => v.setCoil(addr, count === 0xff00, unit, done));
    if (!got) return undefined;
    return 'error' in got ? exception(unit, fc, got.error) : Buffer.from(req.subarray(0, 8));
  }
  return frame([unit, fc | 0x80, 1]); // illegal function
}

async function bitsAnswer(
  unit: number,
  fc: number,
  addr: number,
  count: number,
  v: CallbackVector,
): Promise<Buffer | undefined> {
  const get = (fc === 1 ? v.getCoil : v.getDiscreteInput).bind(v);
  const bytes = new Array<number>(Math.ceil(count / 8)).fill(0);
  for (let i = 0; i < count; i++) {
    const got = await ask<boolean>((done) => get(addr + i, unit, done));
    if (!got) return undefined;
    if ('error' in got) return exception(unit, fc, got.error);
    if (got.value) bytes[i >> 3]! |= 1 << (i & 7);
  }
  return frame([unit, fc, bytes.length, ...bytes]);
}

/** Length of the request at the front of `buffer`, when it can be told yet. */
function requestLength(buffer: Buffer): number | undefined {
  const fc = buffer[1];
  if (fc === undefined) return undefined;
  if (fc === 15 || fc === 16) return buffer.length > 6 ? 7 + buffer[6]! + 2 : undefined;
  return 8;
}

/** Answers the RTU requests arriving on `socket`, one at a time, as a serial line does. */
export function serveRtu(socket: Socket, vector: CallbackVector, prefix?: () => Buffer): void {
  let buffer = Buffer.alloc(0);
  let busy = Promise.resolve();
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const length = requestLength(buffer);
      if (length === undefined || buffer.length < length) return;
      const request = buffer.subarray(0, length);
      if (!crcMatches(request)) {
        buffer = buffer.subarray(1); // noise: look for the next frame
        continue;
      }
      buffer = buffer.subarray(length);
      busy = busy.then(async () => {
        const answer = await rtuAnswer(Buffer.from(request), vector);
        if (answer && !socket.destroyed)
          socket.write(prefix ? Buffer.concat([prefix(), answer]) : answer);
      });
    }
  });
}

/** A serial device server: RTU frames over TCP, one listening port. */
export async function rtuOverTcpServer(
  vector: CallbackVector,
  host: string,
  port: number,
): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveRtu(socket, vector);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A server's close waits for its clients; a stopping simulator does not.
      for (const s of sockets) s.destroy();
      return closed;
    },
  };
}
