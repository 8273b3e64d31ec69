import { connect, type Socket } from 'node:net';
import { type CallbackVector, serveRtu } from './rtu-serve.ts';

/** What a simulated DTU sends and where it dials. */
export interface DtuDial {
  host: string;
  port: number;
  registration: Buffer;
  heartbeat: Buffer | undefined;
  heartbeatMs: number;
}

/** A DTU redials after this long, as field units do after a dropped 4G link. */
const REDIAL_MS = 2000;

/**
 * A 4G DTU in front of a substation's RS-485 line (issue 16): it dials the centre,
 * sends its registration packet, sends heartbeats, answers RTU requests from the line,
 * and redials when the link drops, as long as the simulator runs.
 */
export class SimulatedDtu {
  private socket: Socket | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private redial: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly vector: CallbackVector,
    private readonly dial: DtuDial,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.redial);
    clearInterval(this.heartbeat);
    this.socket?.destroy();
  }

  private connect(): void {
    const socket = connect({ host: this.dial.host, port: this.dial.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // followed by 'close', where it redials
    socket.once('connect', () => {
      socket.write(this.dial.registration);
      serveRtu(socket, this.vector);
      const beat = this.dial.heartbeat;
      if (beat) {
        this.heartbeat = setInterval(() => socket.write(beat), this.dial.heartbeatMs);
        this.heartbeat.unref();
      }
    });
    socket.once('close', () => {
      clearInterval(this.heartbeat);
      if (this.stopped) return;
      this.redial = setTimeout(() => this.connect(), REDIAL_MS);
      this.redial.unref();
    });
  }
}
