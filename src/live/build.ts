import type { NetworkViewSource } from '../api/views.ts';
import type { ControlParts } from '../control/build.ts';
import type { AlertBoard } from '../core/alerts.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { HeatnetEvents } from '../events.ts';
import type { Store } from '../store/store.ts';
import { deskCounts } from './desk-counts.ts';
import type { AlertRecordView } from './events-contract.ts';
import { LiveHub, type LiveSettings } from './hub.ts';

export interface LiveDeps {
  bus: EventBus<HeatnetEvents>;
  alerts: AlertBoard;
  network: NetworkViewSource;
  store: Store;
  control: Pick<ControlParts, 'audit' | 'auto'>;
  log: Logger;
  /** The alerting area's open alerts (issue 12), once that area is wired. */
  alertRecords?: () => Promise<AlertRecordView[]>;
  settings?: Partial<LiveSettings>;
}

export interface LiveParts {
  hub: LiveHub;
  /** After everything that emits on the bus is built; stopped before the store. */
  components: Component[];
}

/** The live stream's hub (issue 13 item 5), fed by the bus and read by `GET /api/events`. */
export function buildLive(deps: LiveDeps): LiveParts {
  const { network, store, control } = deps;
  const hub = new LiveHub({
    bus: deps.bus,
    network,
    alerts: deps.alerts,
    audit: control.audit,
    auto: () => control.auto.status(),
    desk: () => deskCounts(store, network.now()),
    log: childLogger(deps.log, 'live'),
    ...(deps.alertRecords ? { alertRecords: deps.alertRecords } : {}),
    ...(deps.settings ? { settings: deps.settings } : {}),
  });
  return { hub, components: [hub] };
}
