import type { Config } from '../config/schema.ts';
import type { AlertSink } from '../core/alerts.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { HeatnetEvents } from '../events.ts';
import type { InputSources } from './inputs.ts';
import type { BalanceOutputs } from './service.ts';
import { BalanceService } from './service.ts';

export interface BalanceRunnerDeps {
  config: Config;
  /** Windows, live state, topology and device health the engine's input is gathered from. */
  sources: Omit<InputSources, 'config'>;
  bus: EventBus<HeatnetEvents>;
  write: BalanceOutputs['write'];
  publish: BalanceOutputs['publish'];
  alerts: AlertSink;
  log: Logger;
  now: () => number;
  clockRate: number;
}

export interface BalanceRunnerParts {
  balance: BalanceService;
  /** Started last: its first evaluation needs the ingestors running. */
  components: Component[];
}

/** The scheduled runner of the pure balancing engine. */
export function buildBalanceRunner(deps: BalanceRunnerDeps): BalanceRunnerParts {
  const { config, write, publish, alerts } = deps;
  const balance = new BalanceService(
    config,
    { config, ...deps.sources },
    deps.bus,
    { write, publish, alerts },
    childLogger(deps.log, 'balance'),
    deps.now,
    deps.clockRate,
  );
  return { balance, components: [balance] };
}
