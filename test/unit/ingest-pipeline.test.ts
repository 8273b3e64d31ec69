import { describe, expect, it } from 'vitest';
import { IngestSchema } from '../../src/config/schema-ingest.ts';
import { EventBus } from '../../src/core/events.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { Topology } from '../../src/domain/topology.ts';
import type { HeatnetEvents } from '../../src/events.ts';
import { buildIngest } from '../../src/ingest/build.ts';
import {
  IngestPipeline,
  type PipelineTargets,
  type RefusalReason,
} from '../../src/ingest/pipeline.ts';
import { BalanceWindows } from '../../src/state/balance-windows.ts';
import { testConfig } from '../support/config.ts';

const T = Date.UTC(2026, 10, 22, 6);
const MIN = 60_000;
/** The schema's default for `ingest.maxAheadS`, as a service gets it without configuring one. */
const DEFAULT_MAX_AHEAD_MS =
  Number((IngestSchema.properties.maxAheadS as unknown as { default: number }).default) * 1000;

const weather = (time: number, v: number): Reading => ({
  measurement: 'weather',
  tags: { station: 'W1' },
  fields: { outdoor_temp_c: v },
  time,
});

/** Targets that record what reached them, in order; the writer's durability is a gate. */
function recordingTargets() {
  const order: string[] = [];
  let release: () => void = () => undefined;
  const durable = new Promise<void>((resolve) => {
    release = resolve;
  });
  const targets: PipelineTargets = {
    state: { apply: (r) => void order.push(`state ${r.length}`) },
    windows: { apply: (r) => void order.push(`windows ${r.length}`) },
    publish: (r) => void order.push(`bus ${r.length}`),
    writer: {
      write: (r) => void order.push(`write ${r.length}`),
      accept: (r) => {
        order.push(`accept ${r.length}`);
        return durable;
      },
    },
  };
  return { targets, order, release: () => release() };
}

function pipeline(targets: PipelineTargets, maxAheadMs = DEFAULT_MAX_AHEAD_MS) {
  return new IngestPipeline(targets, { now: () => T, maxAheadMs, log: silentLogger() });
}

describe('IngestPipeline', () => {
  it('counts every refusal by its reason and tells the source which reading it was', async () => {
    const { targets, order } = recordingTargets();
    const p = pipeline(targets);
    const told: [number, RefusalReason][] = [];
    await p.accept(
      [
        weather(T, -5),
        weather(T, Number.NaN),
        { ...weather(T, 1), fields: { a: 1, b: Number.POSITIVE_INFINITY } },
        weather(Number.NaN, -5),
        weather(T + 2 * 86_400_000, -5),
        weather(T - MIN, -6),
      ],
      { refused: (r, reason) => told.push([r.time, reason]) },
    );
    expect(p.refused()).toEqual({ 'not-finite': 2, 'bad-time': 1, 'time-ahead': 1 });
    expect(told.map(([, reason]) => reason)).toEqual([
      'not-finite',
      'not-finite',
      'bad-time',
      'time-ahead',
    ]);
    // Only the two good readings went anywhere.
    expect(order).toEqual(['state 2', 'windows 2', 'bus 2', 'write 2']);
  });

  it('fans out to live state, windows, the bus, then the writer', async () => {
    const { targets, order } = recordingTargets();
    await pipeline(targets).accept([weather(T, -5)]);
    expect(order).toEqual(['state 1', 'windows 1', 'bus 1', 'write 1']);
  });

  it('resolves a durable accept only once the writer says the readings are durable', async () => {
    const { targets, order, release } = recordingTargets();
    let done = false;
    const accepted = pipeline(targets)
      .accept([weather(T, -5)], { durable: true })
      .then(() => {
        done = true;
      });
    expect(order).toEqual(['state 1', 'windows 1', 'bus 1', 'accept 1']);
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release();
    await accepted;
    expect(done).toBe(true);
  });

  it('passes nothing on when everything is refused', async () => {
    const { targets, order } = recordingTargets();
    await pipeline(targets).accept([weather(T + 3 * 3600_000, 1)], { durable: true });
    expect(order).toEqual([]);
  });

  // Moved from the MQTT payload mapping, which had its own one-day rule before issue 9.
  it('accepts a device clock up to an hour ahead of ours by default, no more', async () => {
    const p = pipeline(recordingTargets().targets);
    await p.accept([weather(T + 3600_000, 1)]);
    expect(p.refused()['time-ahead']).toBe(0);
    await p.accept([weather(T + 2 * 86_400_000, 1)]);
    expect(p.refused()['time-ahead']).toBe(1);
  });

  // Moved from the balance windows, which had their own two-minute rule before issue 9.
  it('keeps a sample stamped ahead of the clock out of the windows, where it would push every on-time sample out', async () => {
    const bw = new BalanceWindows(60 * MIN, () => 90);
    const bus = new EventBus<HeatnetEvents>(silentLogger());
    const p = pipeline({
      state: { apply: () => undefined },
      windows: bw,
      publish: (r) => bus.emit('readings', r),
      writer: { write: () => undefined, accept: async () => undefined },
    });
    await p.accept([weather(T - 30 * MIN, -5), weather(T - 10 * MIN, -5)]);
    await p.accept([weather(T + 3 * 60 * MIN, 30)]); // a device clock three hours fast
    await p.accept([weather(T + MIN, -7)]); // within the hour allowed
    expect(p.refused()['time-ahead']).toBe(1);
    expect(bw.weather.get('W1')!.mean(T - 60 * MIN, T + MIN)).toBeCloseTo(-17 / 3, 9);
  });
});

describe('buildIngest: MQTT through the pipeline', () => {
  it('acknowledges a QoS 1 message only after the writer accepted its readings', async () => {
    const config = await testConfig({
      substations: 1,
      patch: (raw) => {
        raw.ingest.mqtt = {
          url: 'mqtt://127.0.0.1:1', // never connected: onPublish is driven directly
          subscriptions: [
            {
              topic: 'heatnet/weather/{station}',
              measurement: 'weather',
              fields: { outdoor_temp_c: 'outdoor_temp_c' },
              time: 'ts',
            },
          ],
        };
      },
    });
    const { targets, order, release } = recordingTargets();
    const bus = new EventBus<HeatnetEvents>(silentLogger());
    bus.on('readings', 'test', (r) => void order.push(`bus ${r.length}`));
    const ingest = buildIngest({
      config,
      topology: new Topology(config.network),
      bus,
      targets,
      alerts: { raise: () => undefined, clear: () => undefined },
      log: silentLogger(),
      now: Date.now,
    });
    const publish = (payload: object, messageId: number) =>
      ingest.mqtt.onPublish(
        {
          cmd: 'publish',
          topic: 'heatnet/weather/W1',
          payload: Buffer.from(JSON.stringify(payload)),
          qos: 1,
          messageId,
          dup: false,
          retain: false,
          length: 0,
        },
        () => undefined,
      );
    const ts = Math.floor(Date.now() / 1000);
    publish({ outdoor_temp_c: -3, ts }, 1);
    expect(order).toEqual(['state 1', 'windows 1', 'bus 1', 'accept 1']);
    expect(ingest.mqtt.health()).toMatchObject({ pendingAcks: 1, acked: 0 });
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(ingest.mqtt.health()).toMatchObject({ pendingAcks: 0, acked: 1 });

    // A reading the pipeline refuses counts against its subscription, once.
    publish({ outdoor_temp_c: -3, ts: ts + 3 * 86_400 }, 2);
    const sub = ingest.mqtt.health().subscriptions[0]!;
    expect(sub).toMatchObject({ messages: 1, malformed: 1, lastError: 'time-ahead' });
    expect(ingest.pipeline.refused()['time-ahead']).toBe(1);
  });
});
