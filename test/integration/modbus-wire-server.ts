import { createServer, type Server, type Socket } from 'node:net';

/**
 * A tiny Modbus TCP server on node:net for link faults no real server makes on
 * purpose: answers with the wrong transaction id, late answers, torn frames, closed
 * sockets. Each request goes to `handle`, which says what goes back on the wire.
 */

export interface WireRequest {
  transactionId: number;
  unitId: number;
  functionCode: number;
  address: number;
  count: number;
  /** Which connection this is, counting from 0: lets a fault hit only the first. */
  connection: number;
  /** Requests seen so far on all connections, counting from 0. */
  seq: number;
}

export type WireAction =
  | {
      kind: 'answer';
      transactionId?: number;
      delayMs?: number;
      values?: number[];
      /** Hang up right after answering, as some gateways do. */
      thenClose?: boolean;
    }
  | { kind: 'exception'; code: number }
  | { kind: 'raw'; bytes: Buffer }
  | { kind: 'silence' }
  | { kind: 'close' };

/** Register `a` of any area holds `a + 1000`; bit `a` is set when `a` is odd. */
export const registerValue = (address: number) => address + 1000;

export class WireServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private connections = 0;
  private seq = 0;
  readonly requests: WireRequest[] = [];

  constructor(private readonly handle: (req: WireRequest) => WireAction) {
    this.server = createServer((socket) => this.accept(socket));
  }

  get connectionCount(): number {
    return this.connections;
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address !== 'object') throw new Error('no port');
    return address.port;
  }

  /** Closes every client socket now, as a rebooting gateway would. */
  dropClients(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropClients();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const connection = this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 12) {
        const length = buffer.readUInt16BE(4);
        if (buffer.length < 6 + length) return;
        const req: WireRequest = {
          transactionId: buffer.readUInt16BE(0),
          unitId: buffer.readUInt8(6),
          functionCode: buffer.readUInt8(7),
          address: buffer.readUInt16BE(8),
          count: buffer.readUInt16BE(10),
          connection,
          seq: this.seq++,
        };
        buffer = buffer.subarray(6 + length);
        this.requests.push(req);
        this.respond(socket, req, this.handle(req));
      }
    });
  }

  private respond(socket: Socket, req: WireRequest, action: WireAction): void {
    if (action.kind === 'silence') return;
    if (action.kind === 'close') {
      socket.destroy();
      return;
    }
    if (action.kind === 'raw') {
      socket.write(action.bytes);
      return;
    }
    const frame =
      action.kind === 'exception'
        ? frameOf(
            req.transactionId,
            req.unitId,
            Buffer.from([req.functionCode | 0x80, action.code]),
          )
        : frameOf(
            action.transactionId ?? req.transactionId,
            req.unitId,
            payloadOf(req, action.values),
          );
    const delay = action.kind === 'answer' ? (action.delayMs ?? 0) : 0;
    const send = () => {
      if (socket.destroyed) return;
      socket.write(frame);
      if (action.kind === 'answer' && action.thenClose) socket.end();
    };
    if (delay > 0) setTimeout(send, delay).unref();
    else send();
  }
}

/** The data answer to a read: registers or packed bits, per `registerValue`. */
function payloadOf(req: WireRequest, values?: number[]): Buffer {
  if (req.functionCode === 1 || req.functionCode === 2) {
    const bytes = Buffer.alloc(Math.ceil(req.count / 8));
    for (let i = 0; i < req.count; i++) {
      if ((req.address + i) % 2 === 1) bytes[i >> 3]! |= 1 << (i & 7);
    }
    return Buffer.concat([Buffer.from([req.functionCode, bytes.length]), bytes]);
  }
  const data = Buffer.alloc(req.count * 2);
  for (let i = 0; i < req.count; i++)
    data.writeUInt16BE((values?.[i] ?? registerValue(req.address + i)) & 0xffff, i * 2);
  return Buffer.concat([Buffer.from([req.functionCode, data.length]), data]);
}

export function frameOf(transactionId: number, unitId: number, pdu: Buffer): Buffer {
  const header = Buffer.alloc(7);
  header.writeUInt16BE(transactionId & 0xffff, 0);
  header.writeUInt16BE(0, 2);
  header.writeUInt16BE(pdu.length + 1, 4);
  header.writeUInt8(unitId, 6);
  return Buffer.concat([header, pdu]);
}
