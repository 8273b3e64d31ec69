import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedModbusServers } from '../../simulators/modbus/server.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { FieldValue } from '../../src/core/reading.ts';
import { ModbusIngestor } from '../../src/ingest/modbus/ingestor.ts';
import { eventually, type RawConfig, testConfig } from '../support/config.ts';
import { expectedValues, FixedSource } from '../support/fixed-source.ts';
import { freePort } from '../support/ports.ts';

/**
 * The simulator serves every transport the demo uses (issue 16): a substation on Modbus
 * TCP, one as RTU over TCP (a serial device server) and one behind a simulated 4G DTU that
 * dials heatnet's listener, registers with its IMEI and sends heartbeats. heatnet reads
 * each device's known values exactly.
 */
describe('simulator transports', () => {
  let config: Config;
  let servers: SimulatedModbusServers;
  let ingestor: ModbusIngestor;
  const latest = new Map<string, Readonly<Record<string, FieldValue>>>();

  beforeAll(async () => {
    const listenerPort = await freePort();
    config = await testConfig({
      substations: 3,
      intervalMs: 300,
      patch(raw) {
        const [, rtu, dtu] = (raw.network.substations as RawConfig[]).map((s) => s.id as string);
        for (const d of raw.ingest.modbus.devices as RawConfig[]) {
          if (d.substation === rtu) d.url = d.url.replace('tcp://', 'rtu-over-tcp://');
          if (d.substation === dtu) {
            delete d.url;
            d.via = 'sim-dtu';
          }
        }
        raw.ingest.modbus.listeners = [
          {
            id: 'dtu-4g',
            host: '127.0.0.1',
            port: listenerPort,
            dtus: [
              {
                id: 'sim-dtu',
                registration: { format: 'imei', value: '861234567890123' },
                heartbeat: { format: 'ascii', value: 'ping' },
                heartbeatTimeoutS: 3,
              },
            ],
          },
        ];
      },
    });
    servers = new SimulatedModbusServers(config, new FixedSource(), Date.now);
    ingestor = new ModbusIngestor(
      config,
      (readings) => {
        for (const r of readings) {
          if (r.measurement === 'device_health') continue;
          latest.set(`${r.measurement}/${r.tags.substation}`, r.fields);
        }
      },
      silentLogger(),
    );
    await ingestor.start();
    await servers.start();
  });

  afterAll(async () => {
    await servers?.stop();
    await ingestor?.stop();
  });

  it('reads every device exactly over TCP, RTU over TCP and the dial-in DTU', async () => {
    const transports = config.ingest.modbus.devices.map((d) => d.url?.split(':')[0] ?? d.via);
    expect(new Set(transports)).toEqual(new Set(['tcp', 'rtu-over-tcp', 'sim-dtu']));
    for (const d of config.ingest.modbus.devices) {
      const fields = await eventually(() => latest.get(`${d.kind}/${d.substation}`), {
        what: `a reading of ${d.id}`,
      });
      expect(fields, d.id).toEqual(expectedValues(d));
    }
    const [dtu] = ingestor.dtus().dtus;
    expect(dtu).toMatchObject({ id: 'sim-dtu', state: 'connected', connections: 1 });
    await eventually(() => (ingestor.dtus().dtus[0]?.heartbeats ?? 0) > 0, {
      what: 'a heartbeat from the simulated DTU',
    });
    const buses = ingestor.busBudgets().map((b) => b.transport);
    expect(buses.sort()).toEqual(['dtu', 'rtu-over-tcp']);
  }, 60_000);
});
