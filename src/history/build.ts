import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { HeatnetEvents } from '../events.ts';
import { InfluxV1History } from '../storage/influx/history-v1.ts';
import { InfluxV2History } from '../storage/influx/history-v2.ts';
import type { Store } from '../store/store.ts';
import { EmbeddedHistory } from './embedded.ts';
import { HistoryRecorder } from './recorder.ts';
import type { HistorySource } from './source.ts';

export interface HistoryDeps {
  config: Config;
  bus: EventBus<HeatnetEvents>;
  /** Started before the recorder, stopped after it (its last flush). */
  store: Store;
  now: () => number;
  log: Logger;
}

export interface HistoryParts {
  source: HistorySource;
  /** Null when InfluxDB keeps the history. */
  recorder: HistoryRecorder | null;
  components: Component[];
}

/** How often retention runs (real time): often enough that the disk stays near its bound. */
const PRUNE_INTERVAL_MS = 3_600_000;

/**
 * Where the substations' trends come from: InfluxDB when configured (it has every reading),
 * else the embedded store's downsampled buckets, which the recorder keeps.
 */
export function buildHistory(deps: HistoryDeps): HistoryParts {
  const { config, store, now } = deps;
  const influx = config.storage.influx;
  if (influx) {
    const source = influx.version === 1 ? new InfluxV1History(influx) : new InfluxV2History(influx);
    return { source, recorder: null, components: [] };
  }
  const settings = { ...config.storage.history, pruneIntervalMs: PRUNE_INTERVAL_MS };
  const recorder = new HistoryRecorder({
    bus: deps.bus,
    store,
    now,
    log: childLogger(deps.log, 'history'),
    settings,
  });
  const source = new EmbeddedHistory(store, settings, now);
  return { source, recorder, components: [recorder] };
}
