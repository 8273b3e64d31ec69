import type { DtuListenerConfig } from '../../config/schema-modbus-dtu.ts';
import type { Component } from '../../core/lifecycle.ts';
import type { Logger } from '../../core/logger.ts';
import { DtuListener, type DtuListenerHealth } from './dtu-listener.ts';
import type { DtuSession } from './dtu-session.ts';
import type { DtuStreams } from './link.ts';
import type { ByteStream } from './rtu-port.ts';

/** What health shows of one configured DTU. */
export interface DtuHealth {
  id: string;
  listener: string;
  state: 'connected' | 'disconnected' | 'never-connected';
  connectedSince: number | null;
  remoteAddress: string | null;
  lastHeartbeatAt: number | null;
  heartbeats: number;
  /** Registrations accepted for this id (1 + redials and takeovers). */
  connections: number;
  /** Connections that replaced one still open (a redial the old socket missed, or an impostor). */
  replaced: number;
  disconnectedAt: number | null;
  devices: string[];
}

/**
 * Every dial-in listener and the DTU sessions they admitted: the devices `via` a DTU
 * reach it through `stream(id)`. One session per DTU id; the newest wins.
 */
export class DtuHub implements Component, DtuStreams {
  readonly name = 'ingest.modbus.dtu';
  private readonly listeners: DtuListener[];
  private readonly sessions = new Map<string, DtuSession>();
  private readonly health_ = new Map<string, DtuHealth>();

  constructor(
    configs: readonly DtuListenerConfig[],
    devicesVia: ReadonlyMap<string, string[]>,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.listeners = configs.map((c) => new DtuListener(c, (s) => this.admit(s), log, now));
    for (const c of configs) {
      for (const d of c.dtus)
        this.health_.set(d.id, emptyHealth(d.id, c.id, devicesVia.get(d.id) ?? []));
    }
  }

  async start(): Promise<void> {
    for (const l of this.listeners) await l.start();
  }

  async stop(): Promise<void> {
    // Sessions first: a server's close waits for every connection it accepted to end.
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
    await Promise.all(this.listeners.map((l) => l.stop()));
  }

  stream(dtu: string): ByteStream | undefined {
    const session = this.sessions.get(dtu);
    return session && !session.closed ? session.stream() : undefined;
  }

  dtuHealth(): DtuHealth[] {
    return [...this.health_.values()].map((h) => {
      const session = this.sessions.get(h.id);
      if (!session || session.closed) return { ...h, devices: [...h.devices] };
      return {
        ...h,
        lastHeartbeatAt: session.info.lastHeartbeatAt ?? null,
        heartbeats: h.heartbeats + session.info.heartbeats,
        devices: [...h.devices],
      };
    });
  }

  listenerHealth(): DtuListenerHealth[] {
    return this.listeners.map((l) => l.health());
  }

  private admit(session: DtuSession): void {
    const id = session.dtu.id;
    const health = this.health_.get(id);
    if (!health) return;
    const before = this.sessions.get(id);
    if (before && !before.closed) {
      health.replaced++;
      this.log.warn(
        { dtu: id, old: before.info.remoteAddress, new: session.info.remoteAddress },
        'a newer connection claims this DTU id: it replaces the open one',
      );
      before.close();
    } else {
      this.log.info({ dtu: id, remote: session.info.remoteAddress }, 'DTU connected');
    }
    this.sessions.set(id, session);
    Object.assign(health, {
      state: 'connected',
      connectedSince: session.info.connectedSince,
      remoteAddress: session.info.remoteAddress,
      connections: health.connections + 1,
      disconnectedAt: null,
    });
    session.socket.once('close', () => this.closed(session, health));
  }

  private closed(session: DtuSession, health: DtuHealth): void {
    // Heartbeats of a finished session are kept in the total.
    health.heartbeats += session.info.heartbeats;
    health.lastHeartbeatAt = session.info.lastHeartbeatAt ?? health.lastHeartbeatAt;
    session.info.heartbeats = 0;
    if (this.sessions.get(session.dtu.id) !== session) return; // replaced: the newer one stays
    this.sessions.delete(session.dtu.id);
    health.state = 'disconnected';
    health.disconnectedAt = this.now();
    this.log.warn({ dtu: session.dtu.id, remote: session.info.remoteAddress }, 'DTU disconnected');
  }
}

function emptyHealth(id: string, listener: string, devices: string[]): DtuHealth {
  return {
    id,
    listener,
    state: 'never-connected',
    connectedSince: null,
    remoteAddress: null,
    lastHeartbeatAt: null,
    heartbeats: 0,
    connections: 0,
    replaced: 0,
    disconnectedAt: null,
    devices,
  };
}
