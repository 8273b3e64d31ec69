import { describe, expect, it } from 'vitest';
import { modbusLinkProblems, modbusLinksHealth } from '../../src/health/modbus-links.ts';
import type { BusBudget } from '../../src/ingest/modbus/bus-budget.ts';
import type { DtuHealth } from '../../src/ingest/modbus/dtu-hub.ts';

const T = Date.UTC(2026, 10, 28, 8, 0, 0);
const dtu = (over: Partial<DtuHealth>): DtuHealth => ({
  id: 'S05-dtu',
  listener: 'dtu-4g',
  state: 'connected',
  connectedSince: T,
  remoteAddress: '10.1.2.3:50123',
  lastHeartbeatAt: T + 30_000,
  heartbeats: 1,
  connections: 1,
  replaced: 0,
  disconnectedAt: null,
  devices: ['S05-plc'],
  ...over,
});
const bus = (utilisation: number): BusBudget => ({
  bus: 'rtu:///dev/ttyUSB0',
  transport: 'rtu',
  baudRate: 9600,
  devices: ['a', 'b'],
  requestsPerCycle: 9,
  bytesPerCycle: 209,
  requestsPerSecond: 1.8,
  bytesPerSecond: 41.8,
  capacityBytesPerSecond: 960,
  utilisation,
});
const listeners = [
  {
    id: 'dtu-4g',
    host: '0.0.0.0',
    port: 15900,
    pending: 0,
    unknownRegistrations: 0,
    unknownIds: [],
    registrationTimeouts: 0,
  },
];

describe('health: DTUs and bus budgets', () => {
  it('shows each DTU with ISO times, and the buses', () => {
    const view = modbusLinksHealth({ dtus: { listeners, dtus: [dtu({})] }, buses: [bus(0.2)] });
    expect(view.dtus?.[0]).toMatchObject({
      connectedSince: '2026-11-28T08:00:00.000Z',
      lastHeartbeatAt: '2026-11-28T08:00:30.000Z',
      remoteAddress: '10.1.2.3:50123',
      devices: ['S05-plc'],
    });
    expect(view.buses).toHaveLength(1);
    expect(modbusLinkProblems({ dtus: { listeners, dtus: [dtu({})] }, buses: [bus(0.2)] })).toEqual(
      [],
    );
  });

  it('leaves the sections out where there is nothing to show', () => {
    expect(modbusLinksHealth({})).toEqual({});
  });

  it('a DTU away with devices behind it and a bus over its capacity are problems', () => {
    const problems = modbusLinkProblems({
      dtus: {
        listeners,
        dtus: [dtu({ state: 'disconnected' }), dtu({ id: 'S09-dtu', state: 'never-connected' })],
      },
      buses: [bus(1.3)],
    });
    expect(problems).toEqual([
      'modbus DTU S05-dtu is disconnected (devices S05-plc)',
      'modbus DTU S09-dtu has not dialled in (devices S05-plc)',
      'modbus bus rtu:///dev/ttyUSB0 needs 130 % of its 9600 baud line',
    ]);
  });
});
