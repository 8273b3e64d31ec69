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
      ...durability,
      alerts,
    },
    childLogger(log, 'storage'),
  );
  return { writer, components: [writer] };
}
