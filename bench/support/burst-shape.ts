/**
 * The shape of a burst inside heatnet (issue 14), preloaded into its process by
 * `bench/mqtt-burst.ts --shape FILE`: socket reads and writes per peer port, accepts and
 * the readings in them, InfluxDB requests and their bytes, and the async resources made
 * (promises, timers, immediates), as running totals written to FILE every second. The
 * async-hook count slows the process: a shape run tells counts, never CPU per point.
 */
import { createHook } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { DeliverySession } from '../../src/ingest/mqtt/delivery.ts';
import { InfluxV1Transport } from '../../src/storage/influx/v1.ts';

const file = process.env.HEATNET_SHAPE_FILE ?? '/tmp/heatnet-shape.jsonl';
const counts: Record<string, number> = {};
const bump = (key: string, by = 1): void => {
  counts[key] = (counts[key] ?? 0) + by;
};

const emit = Socket.prototype.emit;
Socket.prototype.emit = function (this: Socket, event: string | symbol, ...args: unknown[]) {
  if (event === 'data') {
    bump(`read:${this.remotePort}`);
    bump(`readBytes:${this.remotePort}`, (args[0] as Buffer).length);
  }
  return (emit as (...a: unknown[]) => boolean).call(this, event, ...args);
} as typeof emit;

const write = Socket.prototype.write;
Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
  bump(`write:${this.remotePort}`);
  return (write as (...a: unknown[]) => boolean).apply(this, args);
} as typeof write;

const flush = DeliverySession.prototype.flush;
DeliverySession.prototype.flush = function (this: DeliverySession) {
  const batch = (this as unknown as { batch: { readings: unknown[]; seqs: unknown[] } }).batch;
  if (batch.readings.length > 0) {
    bump('accepts');
    bump('acceptedReadings', batch.readings.length);
  }
  bump('ackSeqs', batch.seqs.length);
  return flush.call(this);
};

const sendBody = InfluxV1Transport.prototype.sendBody;
InfluxV1Transport.prototype.sendBody = function (this: InfluxV1Transport, body: Buffer) {
  bump('influxWrites');
  bump('influxBytes', body.length);
  return sendBody.call(this, body);
};

createHook({ init: (_id, type) => bump(`async:${type}`) }).enable();

const started = performance.now();
setInterval(() => {
  const t = Math.round(performance.now() - started);
  const cpu = process.cpuUsage();
  writeFileSync(
    file,
    `${JSON.stringify({ t, userUs: cpu.user, systemUs: cpu.system, ...counts })}\n`,
    {
      flag: 'a',
    },
  );
}, 1000).unref();
