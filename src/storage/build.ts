import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { AlertSink } from '../core/alerts.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import { InfluxV1Transport } from './influx/v1.ts';
import { InfluxV2Transport } from './influx/v2.ts';
import { LocalLineStore } from './local-store.ts';
import { Spool } from './spool.ts';
import type { LineTransport } from './transport.ts';
import { BatchingWriter } from './writer.ts';

/** Where readings go: InfluxDB when configured, else the local line-protocol store. */
export function storageTransport(config: Config, baseDir: string): LineTransport {
  const influx = config.storage.influx;
  if (!influx) return new LocalLineStore(localStoreDir(config, baseDir));
  return influx.version === 1 ? new InfluxV1Transport(influx) : new InfluxV2Transport(influx);
}

export const localStoreDir = (config: Config, baseDir: string) =>
  join(resolve(baseDir, config.storage.dataDir), 'local');
export const spoolDir = (config: Config, baseDir: string) =>
  join(resolve(baseDir, config.storage.dataDir), 'spool');

/**
 * Lines a burst may hold in memory before the writer takes it for overload and turns to
 * the disk spool: a broker keeps up to 65,535 QoS 1 messages in flight to us (our Receive
 * Maximum), all buffered at once while their acks wait for the write, and InfluxDB takes
 * such a burst in seconds. The spool is for outages and real overload (issue 14).
 */
const BURST_LINES = 200_000;
/** Batches in flight to the database: enough to keep a burst moving on a 2-core machine. */
const BATCHES_IN_FLIGHT = 4;

export interface StorageDeps {
  config: Config;
  /** Resolves `storage.dataDir` (the app's baseDir). */
  baseDir: string;
  log: Logger;
  alerts: AlertSink;
}

export interface StorageParts {
  writer: BatchingWriter;
  /** In start order: storage starts first and stops last, so nothing ingested is lost. */
  components: Component[];
}

/** The batching writer, with the disk spool in front of a database. */
export function buildStorage({ config, baseDir, log, alerts }: StorageDeps): StorageParts {
  const transport = storageTransport(config, baseDir);
  // The local store is disk already; a database gets the disk spool in front, and the
  // local store as the last resort should the spool itself fail at shutdown.
  const durability =
    transport.kind === 'local'
      ? {}
      : {
          spool: new Spool(
            { dir: spoolDir(config, baseDir), maxBytes: config.storage.spoolMaxBytes },
            childLogger(log, 'storage.spool'),
          ),
          fallback: new LocalLineStore(localStoreDir(config, baseDir)),
        };
  const writer = new BatchingWriter(
    transport,
    {
      batchSize: config.storage.batchSize,
      flushIntervalMs: config.storage.flushIntervalMs,
      maxBufferedLines: config.storage.maxBufferedLines,
      spoolAtLines: Math.min(
        config.storage.maxBufferedLines / 2,
        Math.max(10 * config.storage.batchSize, BURST_LINES),
      ),
      maxInFlight: BATCHES_IN_FLIGHT,
      ...durability,
      alerts,
    },
    childLogger(log, 'storage'),
  );
  return { writer, components: [writer] };
}
