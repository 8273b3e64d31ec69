import { join, resolve } from 'node:path';
import type { BalanceResult } from '../balance/types.ts';
import type { Config } from '../config/schema.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { Topology } from '../domain/topology.ts';
import type { ModbusIngestor } from '../ingest/modbus/ingestor.ts';
import type { LiveState } from '../state/live-state.ts';
import type { Store } from '../store/store.ts';
import { AuditStore } from './audit-store.ts';
import { type AutoAlerts, AutoBalancer } from './auto-balancer.ts';
import { EffectTracker } from './effect-tracker.ts';
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
  modbus: ModbusIngestor;
  state: LiveState;
  /** Resolves `storage.dataDir` (the app's baseDir). */
  baseDir: string;
  now: () => number;
  log: Logger;
  /** The relational store the audit and the auto-balancing switch live in (started first). */
  store: Store;
  alerts?: AutoAlerts;
  /** Clock seconds per real second (the app's clockRate). */
  clockRate?: number;
}

export interface ControlParts {
  audit: AuditStore;
  effects: EffectTracker;
  control: PumpControl;
  auto: AutoBalancer;
  /**
   * In start order, after the store; the composition root starts the audit store
   * before the Modbus ingestor.
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
  });
  const effects = new EffectTracker({
    audit,
    settlingMin: config.control.settlingMin,
    log: childLogger(deps.log, 'control.effects'),
  });
  const control = new PumpControl({
    config,
    topology,
    modbus: deps.modbus,
    audit,
    now,
    log: childLogger(deps.log, 'control'),
    state: deps.state,
    effects,
    clockRate: deps.clockRate ?? 1,
  });
  const auto = new AutoBalancer({
    config,
    topology,
    control,
    devices: () => deps.modbus.health(),
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
