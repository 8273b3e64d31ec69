import { Socket } from 'node:net';
import modbusSerial from 'modbus-serial';
import { errorMessage, HeatnetError } from '../../core/errors.ts';
import { type ByteStream, interFrameSilenceMs, RtuStreamPort, socketStream } from './rtu-port.ts';
import { DEFAULT_BAUD, type ModbusEndpoint } from './url.ts';

/** The streams of dialled-in DTUs, by DTU id (undefined while a DTU is not connected). */
export interface DtuStreams {
  stream(dtu: string): ByteStream | undefined;
}

// modbus-serial is CommonJS; its typings put the client class on `default`.
const ModbusRTU = modbusSerial.default;
export type ModbusClient = InstanceType<typeof ModbusRTU>;

/** One open link to an endpoint and what we watch on it. */
export interface Link {
  client: ModbusClient;
  /** Our own socket for TCP transports (modbus-serial is handed it), so we see its bytes. */
  socket: Socket | undefined;
  lost: boolean;
  /** Bytes received: a timeout after unclaimed bytes means the stream is out of step. */
  received: number;
  timeoutsInRow: number;
  /** Rejecters of the requests in flight, failed at once when the link closes. */
  waiters: Set<(err: Error) => void>;
}

const lostError = (key: string) =>
  new HeatnetError('MODBUS_CONNECTION', `${key} closed the connection`, { lost: true });

/** True for the error of a request whose link closed under it. */
export function isLostLink(err: unknown): boolean {
  return err instanceof HeatnetError && err.context.lost === true;
}

/** Opens a link within `timeoutMs`, or throws MODBUS_TIMEOUT / MODBUS_CONNECTION. */
export async function openLink(
  e: ModbusEndpoint,
  timeoutMs: number,
  dtus?: DtuStreams,
): Promise<Link> {
  const client = new ModbusRTU();
  if (e.transport === 'dtu') {
    const stream = dtus?.stream(e.dtu);
    if (!stream?.open) {
      throw new HeatnetError('MODBUS_CONNECTION', `DTU ${e.dtu} is not connected`);
    }
    await linkRtuStream(client, new RtuStreamPort(stream, interFrameSilenceMs(e.baudRate)));
    return watch(client, undefined, e.key);
  }
  if (e.transport === 'rtu') {
    const opening = client.connectRTUBuffered(e.path, {
      baudRate: e.baudRate,
      parity: e.parity,
      dataBits: e.dataBits,
      stopBits: e.stopBits,
    });
    await withTimeout(opening, timeoutMs, e.key, () => client.close(() => undefined));
    return watch(client, undefined, e.key);
  }
  const socket = new Socket();
  socket.on('error', () => undefined); // always followed by 'close', which is what we act on
  const connecting = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
    socket.connect({ host: e.host, port: e.port });
  });
  await withTimeout(connecting, timeoutMs, e.key, () => socket.destroy());
  socket.setNoDelay(true);
  // Probes an idle link, so a peer that vanished without a word is noticed before use.
  socket.setKeepAlive(true, 10_000);
  const link = watch(client, socket, e.key);
  if (e.transport === 'tcp') await client.linkTCP(socket, { port: e.port });
  else {
    const port = new RtuStreamPort(
      socketStream(socket),
      interFrameSilenceMs(e.baudRate ?? DEFAULT_BAUD),
    );
    await linkRtuStream(client, port);
  }
  return link;
}

/**
 * Hands modbus-serial an RTU port of our own (see RtuStreamPort for why not its
 * TcpRTUBufferedPort). `connectRTUSocket` is its entry for a port it did not make; the
 * typings say Socket, the contract is the port interface RtuStreamPort implements.
 */
function linkRtuStream(client: ModbusClient, port: RtuStreamPort): Promise<void> {
  return new Promise((resolve, reject) => {
    client.connectRTUSocket(port as unknown as Socket, (err: Error | null | undefined) =>
      err ? reject(err) : resolve(),
    );
  });
}

/** A promise that rejects if `link` closes while a request waits; `release` when done. */
export function whileOpen(link: Link, key: string): { lost: Promise<never>; release: () => void } {
  let rejecter: (err: Error) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => {
    rejecter = reject;
  });
  if (link.lost) rejecter(lostError(key));
  else link.waiters.add(rejecter);
  // A listener per request, removed after it: a long-lived link must not collect them.
  return { lost, release: () => link.waiters.delete(rejecter) };
}

/** Ends a link now; requests in flight on it fail at once. */
export async function closeLink(link: Link): Promise<void> {
  link.lost = true;
  if (link.socket) {
    link.client.destroy(() => undefined);
    link.socket.destroy();
    return;
  }
  await new Promise<void>((resolve) => {
    const done = setTimeout(resolve, 500);
    link.client.close(() => {
      clearTimeout(done);
      resolve();
    });
  });
}

function watch(client: ModbusClient, socket: Socket | undefined, key: string): Link {
  const link: Link = {
    client,
    socket,
    lost: false,
    received: 0,
    timeoutsInRow: 0,
    waiters: new Set(),
  };
  const onClose = () => {
    link.lost = true;
    for (const reject of link.waiters) reject(lostError(key));
    link.waiters.clear();
  };
  if (socket) {
    socket.on('data', (chunk: Buffer) => {
      link.received += chunk.length;
    });
    socket.once('close', onClose);
  } else client.on('close', onClose);
  return link;
}

/** Waits for `opening` up to `timeoutMs`; on failure `cleanup` releases what was started. */
async function withTimeout(
  opening: Promise<void>,
  timeoutMs: number,
  key: string,
  cleanup: () => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HeatnetError('MODBUS_TIMEOUT', `connect to ${key} timed out`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([opening, deadline]);
  } catch (err) {
    cleanup();
    opening.catch(() => undefined);
    if (err instanceof HeatnetError) throw err;
    throw new HeatnetError('MODBUS_CONNECTION', `connect to ${key}: ${errorMessage(err)}`);
  } finally {
    clearTimeout(timer);
  }
}
