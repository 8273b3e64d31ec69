import type { Socket } from 'node:net';
import { stripPackets } from './dtu-packets.ts';
import type { ByteStream } from './rtu-port.ts';

/** A DTU as configured, with its packets as bytes. */
export interface KnownDtu {
  id: string;
  bytes: Buffer;
  heartbeat: Buffer | undefined;
  /** Closed when nothing (heartbeat or data) arrives for this long; undefined = never. */
  silentLimitMs: number | undefined;
}

/** What health shows of one DTU connection. */
export interface DtuSessionInfo {
  remoteAddress: string;
  connectedSince: number;
  lastHeartbeatAt: number | undefined;
  heartbeats: number;
}

/**
 * One identified DTU connection. Its bytes, with registration and heartbeat packets taken
 * out, go to whoever listens (the RTU port of the DTU's link); closing ends the listeners'
 * stream, and the devices behind the DTU wait for it to dial again.
 */
export class DtuSession {
  readonly info: DtuSessionInfo;
  private readonly dataListeners = new Set<(chunk: Buffer) => void>();
  private readonly closeListeners = new Set<() => void>();
  private silence: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    readonly dtu: KnownDtu,
    readonly socket: Socket,
    private readonly now: () => number,
    private readonly onSilent: (session: DtuSession) => void,
  ) {
    this.info = {
      remoteAddress: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
      connectedSince: now(),
      lastHeartbeatAt: undefined,
      heartbeats: 0,
    };
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.once('close', () => this.finish());
    this.armSilence();
  }

  /** Bytes that came with the registration packet (the first frame, a heartbeat). */
  receive(chunk: Buffer): void {
    this.armSilence();
    const { rest, heartbeats } = stripPackets(chunk, this.dtu.bytes, this.dtu.heartbeat);
    if (heartbeats > 0) {
      this.info.heartbeats += heartbeats;
      this.info.lastHeartbeatAt = this.now();
    }
    if (rest.length === 0) return;
    for (const listener of this.dataListeners) listener(rest);
  }

  close(): void {
    this.socket.destroy();
    this.finish();
  }

  /** This connection as a stream for an RTU port; ending it leaves the socket to the DTU. */
  stream(): ByteStream {
    const session = this;
    return {
      get open() {
        return !session.closed;
      },
      write: (bytes) => void session.socket.write(bytes),
      onData(listener) {
        session.dataListeners.add(listener);
        return () => session.dataListeners.delete(listener);
      },
      onClose(listener) {
        session.closeListeners.add(listener);
        return () => session.closeListeners.delete(listener);
      },
      end: () => undefined,
    };
  }

  private armSilence(): void {
    const limit = this.dtu.silentLimitMs;
    if (limit === undefined || this.closed) return;
    clearTimeout(this.silence);
    this.silence = setTimeout(() => this.onSilent(this), limit);
    this.silence.unref?.();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.silence);
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
    this.dataListeners.clear();
  }
}
