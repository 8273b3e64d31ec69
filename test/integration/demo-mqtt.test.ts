import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventually, type RawConfig, TEST_TOKENS, testConfigYaml } from '../support/config.ts';
import { freePort } from '../support/ports.ts';

/**
 * `heatnet demo` with its embedded broker on a real port (issue 15, defect 3): the broker
 * admits only heatnet and the demo's simulated sensors (credential defaulted by the cli,
 * HEATNET_MQTT_PASSWORD), so room readings flow while an anonymous client is refused.
 */
describe('heatnet demo over MQTT with a closed embedded broker', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  // The CLI loads through tsx and starts 6 substations: 10–15 s here under load until the
  // first rooms arrive; 60 s is over 3× that.
  it('ingests the simulated rooms and refuses an anonymous client', async () => {
    const port = await freePort();
    const demo = parse(readFileSync('config/demo.yaml', 'utf8')) as RawConfig;
    const file = join(mkdtempSync(join(tmpdir(), 'heatnet-demo-mqtt-')), 'demo.yaml');
    const yaml = await testConfigYaml({
      substations: 6,
      intervalMs: 1000,
      patch: (raw) => {
        raw.ingest.mqtt = { ...demo.ingest.mqtt, embeddedPort: port };
        raw.simulation = { ...raw.simulation, speed: 60 };
      },
    });
    writeFileSync(file, yaml);
    const env = { ...process.env, ...TEST_TOKENS, HEATNET_LOG_LEVEL: 'info' };
    const proc = spawn(process.execPath, ['bin/heatnet.js', 'demo', '--config', file], { env });
    child = proc;
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    proc.stderr.on('data', (d) => {
      out += d;
    });
    const api = await eventually(
      () => /"api":"(http:\/\/[^"]+)\/api\/substations"/.exec(out)?.[1],
      { timeoutMs: 30_000, what: `the service to print its address; output so far:\n${out}` },
    );
    type Health = {
      ingest: {
        mqtt: {
          subscriptions: { topic: string; messages: number }[];
          embeddedBroker: { refused: { connects: Record<string, number> } };
        };
      };
    };
    const health = async () => (await (await fetch(`${api}/api/health`)).json()) as Health;
    await eventually(
      async () => (await health()).ingest.mqtt.subscriptions.some((s) => s.messages > 0),
      { timeoutMs: 30_000, what: 'simulated MQTT readings at the service' },
    );
    expect((await health()).ingest.mqtt.embeddedBroker.refused.connects['bad-credentials']).toBe(0);
    const anonymous = mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    await expect(anonymous).rejects.toThrow(/bad user/i);
    expect((await health()).ingest.mqtt.embeddedBroker.refused.connects['bad-credentials']).toBe(1);
    proc.kill('SIGTERM');
  }, 60_000);
});
