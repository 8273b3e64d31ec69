import { createServer, type Server, type Socket } from 'node:net';
import type { DtuListenerConfig } from '../../config/schema-modbus-dtu.ts';
import type { Logger } from '../../core/logger.ts';
import { describeBytes, identify, packetBytes } from './dtu-packets.ts';
import { DtuSession, type KnownDtu } from './dtu-session.ts';

/** What health shows of one listener. */
export interface DtuListenerHealth {
  id: string;
  host: string;
  port: number;
  /** Connections waiting to name themselves. */
  pending: number;
  unknownRegistrations: number;
  /** The last few unknown ids, as text or hex. */
  unknownIds: string[];
  registrationTimeouts: number;
}

const UNKNOWN_IDS_KEPT = 10;
/** Bytes a connection may send before naming itself: more than any registration packet. */
const MAX_PENDING_BYTES = 512;

/**
 * One port DTUs dial in to (issue 16). A connection must name itself with a known
 * registration packet within `registrationTimeoutMs`, else it is closed; an unknown name
 * is counted, logged once and closed after `unknownGraceMs`. A named connection becomes
 * its DTU's session, replacing the one before (a DTU that redialled, or an impostor: the
 * newer wins and the log says so).
 */
export class DtuListener {
  private server: Server | undefined;
  private readonly known: KnownDtu[];
  private readonly pending = new Set<Socket>();
  /** Unknown connections in their grace period. */
  private readonly refused = new Set<Socket>();
  private readonly unknownSeen = new Set<string>();
  private readonly stats: DtuListenerHealth;

  constructor(
    readonly config: DtuListenerConfig,
    private readonly onSession: (session: DtuSession) => void,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.known = config.dtus
      .map((d) => ({
        id: d.id,
        bytes: packetBytes(d.registration),
        heartbeat: d.heartbeat ? packetBytes(d.heartbeat) : undefined,
        silentLimitMs: d.heartbeatTimeoutS === undefined ? undefined : d.heartbeatTimeoutS * 1000,
      }))
      // The longest first, so "DTU-10" is not taken for "DTU-1" followed by a "0".
      .sort((a, b) => b.bytes.length - a.bytes.length);
    this.stats = {
      id: config.id,
      host: config.host,
      port: config.port,
      pending: 0,
      unknownRegistrations: 0,
      unknownIds: [],
      registrationTimeouts: 0,
    };
  }

  async start(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.stats.port = address.port;
    this.log.info({ listener: this.config.id, port: this.stats.port }, 'listening for DTUs');
  }

  async stop(): Promise<void> {
    const server = this.server;
    const closing = server && new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of [...this.pending, ...this.refused]) socket.destroy();
    // Sessions are the hub's to close (it does so before stopping us).
    await closing;
  }

  health(): DtuListenerHealth {
    return { ...this.stats, pending: this.pending.size, unknownIds: [...this.stats.unknownIds] };
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    // A 4G link that vanishes without a word is noticed by the probes, not by our requests alone.
    socket.setKeepAlive(true, 30_000);
    socket.on('error', () => undefined); // always followed by 'close'
    this.pending.add(socket);
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      this.stats.registrationTimeouts++;
      this.log.info(
        { listener: this.config.id, remote: socket.remoteAddress },
        'DTU connection closed: no registration packet in time',
      );
      socket.destroy();
    }, this.config.registrationTimeoutMs);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const found = identify(buffered, this.known);
      if (found === 'wait' && buffered.length < MAX_PENDING_BYTES) return;
      clearTimeout(timer);
      socket.off('data', onData);
      this.pending.delete(socket);
      if (found === undefined || found === 'wait') this.refuse(socket, buffered);
      else this.admit(found, socket, buffered);
    };
    socket.on('data', onData);
    socket.once('close', () => {
      clearTimeout(timer);
      this.pending.delete(socket);
    });
  }

  private admit(dtu: KnownDtu, socket: Socket, first: Buffer): void {
    const session = new DtuSession(dtu, socket, this.now, (s) => {
      this.log.warn({ dtu: dtu.id }, 'DTU silent past its heartbeat timeout: connection closed');
      s.close();
    });
    this.onSession(session);
    session.receive(first);
  }

  /** Counted every time, logged once per claimed id, closed after the grace period. */
  private refuse(socket: Socket, claimed: Buffer): void {
    this.stats.unknownRegistrations++;
    const id = describeBytes(claimed.subarray(0, 64));
    if (!this.unknownSeen.has(id)) {
      // Bounded: a scanner sending random bytes must not grow it for ever.
      if (this.unknownSeen.size >= 1000) this.unknownSeen.clear();
      this.unknownSeen.add(id);
      this.stats.unknownIds = [...this.stats.unknownIds, id].slice(-UNKNOWN_IDS_KEPT);
      this.log.warn(
        { listener: this.config.id, claimed: id, remote: socket.remoteAddress },
        'unknown DTU registration: connection refused',
      );
    }
    socket.pause();
    this.refused.add(socket);
    const grace = setTimeout(() => socket.destroy(), this.config.unknownGraceMs);
    grace.unref?.();
    socket.once('close', () => {
      clearTimeout(grace);
      this.refused.delete(socket);
    });
  }
}
