import { join, resolve } from 'node:path';
import type { BalanceResult } from '../balance/types.ts';
import type { Config } from '../config/schema.ts';
import type { AlertSink } from '../core/alerts.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { Topology } from '../domain/topology.ts';
import type { DeviceHealth } from '../ingest/modbus/health.ts';
import type { LiveState } from '../state/live-state.ts';
import type { Store } from '../store/store.ts';
import { AuditStore } from './audit-store.ts';
import { AutoBalancer } from './auto-balancer.ts';
import { EffectTracker } from './effect-tracker.ts';
import type { FieldIO } from './field-io.ts';
import { PumpControl } from './pump-control.ts';

/**
 * Where the audit log lived before the relational store: `control.auditFile` inside
 * `storage.dataDir`. Its rows are imported into the store on the first start.
 */
export const auditPath = (config: Config, baseDir: string) =>
  join(resolve(baseDir, config.storage.dataDir), config.control.auditFile);

export interface ControlDeps {
  config: Config;
  topology: Topology;
  /** Writes and read-backs on the drives (the Modbus adapter's). */
  fieldIO: FieldIO;
  /** The polled devices' health (a drive that does not answer is not written). */
  devices: () => readonly DeviceHealth[];
  state: LiveState;
  /** Resolves `storage.dataDir` (the app's baseDir). */
  baseDir: string;
  now: () => number;
  log: Logger;
  /** The relational store the audit and the auto-balancing switch live in (started first). */
  store: Store;
  alerts?: AlertSink;
  /** Clock seconds per real second (the app's clockRate). */
  clockRate?: number;
  /** Told each control audit row written (the root sends it on the bus for the live stream). */
  auditChanged?: (id: number) => void;
}

export interface ControlParts {
  audit: AuditStore;
  effects: EffectTracker;
  control: PumpControl;
  auto: AutoBalancer;
  /**
   * In start order, after the store. The root starts them before the Modbus ingestor,
   * so the audit store stops after it: a write in flight at shutdown still gets its
   * outcome recorded.
   */
  components: Component[];
  /** Call after every balance evaluation. */
  onBalance(result: BalanceResult): void;
}

/** The control path's parts, wired together (for the composition root). */
export function buildControl(deps: ControlDeps): ControlParts {
  const { config, topology, now } = deps;
  const audit = new AuditStore({
    store: deps.store,
    log: childLogger(deps.log, 'control'),
    now,
    legacyFile: auditPath(config, deps.baseDir),
    ...(deps.auditChanged ? { changed: deps.auditChanged } : {}),
  });
  const effects = new EffectTracker({
    audit,
    settlingMin: config.control.settlingMin,
    log: childLogger(deps.log, 'control.effects'),
  });
  const control = new PumpControl({
    config,
    topology,
    fieldIO: deps.fieldIO,
    devices: deps.devices,
    audit,
    now,
    log: childLogger(deps.log, 'control'),
    state: deps.state,
    effects,
    clockRate: deps.clockRate ?? 1,
    ...(deps.alerts ? { alerts: deps.alerts } : {}),
  });
  const auto = new AutoBalancer({
    config,
    topology,
    control,
    devices: deps.devices,
    now,
    log: childLogger(deps.log, 'control.auto'),
    ...(deps.alerts ? { alerts: deps.alerts } : {}),
    clockRate: deps.clockRate ?? 1,
    switches: audit.switches,
  });
  return {
    audit,
    effects,
    control,
    auto,
    components: [audit, effects, auto],
    onBalance: (result) => {
      // Its verdict writes log their own failures; the bus need not wait for them.
      void effects.onBalance(result);
      auto.onBalance(result);
    },
  };
}
