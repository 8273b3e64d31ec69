import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DtuHealth } from '../../src/ingest/modbus/dtu-hub.ts';
import { eventually, type RawConfig } from '../support/config.ts';
import { freePort } from '../support/ports.ts';
import type { ManagedProcess } from '../support/process.ts';
import { type DtuOptions, startDtu, startPlc } from '../support/pymodbus.ts';
import { PlcReader, plcConfig } from './pymodbus-harness.ts';

/**
 * DTU dial-in (issue 16) against an emulated 4G DTU (test/support/pymodbus_dtu.py) that
 * dials heatnet, names itself, sends heartbeats and passes RTU through to a pymodbus PLC.
 */
const IMEI = '861234567890123';
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function listener(port: number, registration: RawConfig, heartbeatTimeoutS?: number): RawConfig {
  const heartbeat = { format: 'ascii', value: 'ping' };
  return {
    id: 'dtu-port',
    host: '127.0.0.1',
    port,
    registrationTimeoutMs: 1000,
    unknownGraceMs: 200,
    dtus: [
      { id: 'S-dtu', registration, heartbeat, ...(heartbeatTimeoutS ? { heartbeatTimeoutS } : {}) },
    ],
  };
}

async function setup(
  registration: RawConfig = { format: 'imei', value: IMEI },
  heartbeatTimeoutS?: number,
) {
  const plc = await startPlc('rtu-over-tcp');
  cleanups.push(() => plc.stop());
  const port = await freePort();
  const config = await plcConfig(
    [{ id: 'plc-1', via: 'S-dtu', unitId: 1 }],
    [listener(port, registration, heartbeatTimeoutS)],
  );
  const reader = new PlcReader(config);
  await reader.ingestor.start();
  cleanups.push(() => reader.ingestor.stop());
  const dtu = (o: Partial<DtuOptions> = {}): ManagedProcess => {
    const proc = startDtu({
      server: port,
      plc: plc.port,
      registration: Buffer.from(IMEI, 'ascii'),
      heartbeat: Buffer.from('ping', 'ascii'),
      ...o,
    });
    cleanups.push(() => proc.stop());
    return proc;
  };
  const health = (): DtuHealth => reader.ingestor.dtus().dtus[0]!;
  return { reader, dtu, health, port };
}

function rawClient(port: number, send?: Buffer): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      if (send) socket.write(send);
      resolve(socket);
    });
    socket.on('error', () => undefined);
    socket.resume(); // reading, so the peer's close is seen
  });
}

const closed = (socket: Socket) =>
  new Promise<void>((resolve) => socket.once('close', () => resolve()));

describe('DTU dial-in', () => {
  it('identifies a DTU by its IMEI, filters heartbeats, also between request and answer', async () => {
    const { reader, dtu, health } = await setup();
    dtu({ heartbeatMid: true, heartbeatEveryS: 0.2 });
    await reader.exact('plc-1');
    const h = await eventually(() => (health().heartbeats > 2 ? health() : undefined), {
      what: 'heartbeats counted',
    });
    expect(h).toMatchObject({
      id: 'S-dtu',
      state: 'connected',
      connections: 1,
      devices: ['plc-1'],
    });
    expect(h.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(h.connectedSince).toBeGreaterThan(0);
    expect(h.lastHeartbeatAt).toBeGreaterThanOrEqual(h.connectedSince ?? 0);
    // Control's path: a setpoint written through the DTU reads back.
    const connection = reader.ingestor.device('plc-1')?.connection;
    await connection?.writeRegister(1, 150, 4321, 1500);
    expect(await connection?.read(1, 'holding', 150, 1, 1500)).toEqual({ registers: [4321] });
  }, 60_000);

  it('takes a registration sent in front of every packet', async () => {
    const { reader, dtu } = await setup({ format: 'hex', value: 'AA 55 01 02' });
    dtu({ registration: Buffer.from([0xaa, 0x55, 1, 2]), registerMode: 'every-frame' });
    await reader.exact('plc-1');
  }, 60_000);

  it('a DTU that drops and redials is read again on its new socket', async () => {
    const { reader, dtu, health } = await setup();
    dtu({ dropAfter: 2 });
    await eventually(() => health().connections >= 2, { what: 'the DTU to redial' });
    const again = await reader.exact('plc-1', Date.now());
    expect(again.fields).toBeDefined();
    expect(health()).toMatchObject({ state: 'connected', replaced: 0 });
  }, 60_000);

  it('a second socket claiming the same id replaces the first; the newer always wins', async () => {
    const { reader, dtu, health, port } = await setup();
    dtu();
    await reader.exact('plc-1');
    // An impostor with the same IMEI takes the id; the real DTU, cut off, redials and
    // takes it back: each time the newer socket wins and the older one is closed.
    const impostor = await rawClient(port, Buffer.from(IMEI, 'ascii'));
    await closed(impostor);
    await eventually(() => health().replaced === 2, { what: 'both takeovers' });
    await reader.exact('plc-1', Date.now());
    expect(health()).toMatchObject({ state: 'connected', connections: 3 });
  }, 60_000);

  it('an unknown registration is counted and closed after the grace; silence is closed too', async () => {
    const { reader, port } = await setup();
    const stranger = await rawClient(port, Buffer.from('999999999999999', 'ascii'));
    await closed(stranger);
    const mute = await rawClient(port);
    await closed(mute);
    const l = await eventually(() => {
      const [found] = reader.ingestor.dtus().listeners;
      return found?.pending === 0 ? found : undefined;
    });
    expect(l).toMatchObject({ unknownRegistrations: 1, registrationTimeouts: 1, pending: 0 });
    expect(l?.unknownIds).toEqual(['"999999999999999"']);
    expect(reader.ingestor.dtus().dtus[0]?.state).toBe('never-connected');
  }, 60_000);

  it('a DTU silent past its heartbeat timeout is closed, and health says so', async () => {
    const { reader, health, port } = await setup({ format: 'imei', value: IMEI }, 1);
    const silent = await rawClient(port, Buffer.from(IMEI, 'ascii'));
    await eventually(() => health().state === 'connected', { what: 'the DTU to register' });
    await closed(silent); // it answers nothing and sends no heartbeat
    await eventually(() => health().state === 'disconnected', { what: 'the DTU marked away' });
    expect(reader.ingestor.health()[0]?.lastError).toMatch(/S-dtu|no answer/);
  }, 60_000);
});
