import { describe, expect, it } from 'vitest';
import { modbusWarnings } from '../../src/config/crosscheck-modbus.ts';
import { parseConfig } from '../../src/config/load.ts';
import { type RawConfig, TEST_TOKENS, testConfig, testConfigYaml } from '../support/config.ts';

const dtu = (id: string, registration: RawConfig, heartbeat?: RawConfig) => ({
  id,
  registration,
  ...(heartbeat ? { heartbeat } : {}),
});

async function issuesOf(patch: (raw: RawConfig) => void) {
  const result = parseConfig(await testConfigYaml({ substations: 2, patch }), { ...TEST_TOKENS });
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('check-config: DTU listeners and devices via a DTU', () => {
  it('accepts devices via a configured DTU', async () => {
    const issues = await issuesOf((raw) => {
      raw.ingest.modbus.listeners = [
        { id: 'l1', port: 0, dtus: [dtu('D1', { format: 'imei', value: '861234567890123' })] },
      ];
      const [d] = raw.ingest.modbus.devices;
      delete d.url;
      d.via = 'D1';
    });
    expect(issues).toEqual([]);
  });

  it('names every mistake by its path', async () => {
    const issues = await issuesOf((raw) => {
      raw.ingest.modbus.listeners = [
        {
          id: 'l1',
          port: 9502,
          dtus: [
            dtu('D1', { format: 'imei', value: '8612345' }),
            dtu('D2', { format: 'ascii', value: 'S2' }, { format: 'ascii', value: 'S2' }),
          ],
        },
        { id: 'l1', port: 9502, dtus: [dtu('D2', { format: 'hex', value: 'zz' })] },
      ];
      const [a, b, c] = raw.ingest.modbus.devices;
      a.via = 'D9';
      delete a.url;
      b.via = 'D2';
      delete c.url;
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'ingest.modbus.listeners[0].dtus[0].registration.value: an IMEI is 15 digits',
        'ingest.modbus.listeners[0].dtus[1].heartbeat: must differ from the registration packet',
        expect.stringMatching(/^ingest\.modbus\.listeners\[1\]\.id: duplicate listener id "l1"/),
        expect.stringMatching(/^ingest\.modbus\.listeners\[1\]\.port: duplicate listener port/),
        expect.stringMatching(
          /^ingest\.modbus\.listeners\[1\]\.dtus\[0\]\.id: duplicate DTU id "D2"/,
        ),
        'ingest.modbus.listeners[1].dtus[0].registration.value: hex must be whole bytes, e.g. "FE 01"',
        'ingest.modbus.devices[0].via: unknown DTU "D9" (ingest.modbus.listeners[].dtus)',
        'ingest.modbus.devices[1].via: give either url or via, not both',
        'ingest.modbus.devices[2].url: is required (or via: a dial-in DTU)',
      ]),
    );
  });

  it('warns when a serial bus cannot carry its polling', async () => {
    const config = await testConfig({
      substations: 2,
      patch(raw) {
        raw.ingest.modbus.devices = raw.ingest.modbus.devices.map((d: RawConfig, i: number) => ({
          ...d,
          unitId: i + 1,
          url: 'rtu:///dev/ttyUSB0?baud=1200',
          intervalMs: 500,
        }));
      },
    });
    const [warning, ...more] = modbusWarnings(config);
    expect(more).toEqual([]);
    expect(warning?.path).toBe('ingest.modbus.devices[0]');
    expect(warning?.message).toMatch(
      /^bus rtu:\/\/\/dev\/ttyUSB0 at 1200 baud: its \d+ device\(s\) need \d+ % of the line/,
    );
  });
});
