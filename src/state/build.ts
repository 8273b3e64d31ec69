import type { Config } from '../config/schema.ts';
import type { Topology } from '../domain/topology.ts';
import { BalanceWindows } from './balance-windows.ts';
import { LiveState } from './live-state.ts';

export interface StateParts {
  /** Latest value of every field (API, control, the balancing engine's pump signals). */
  state: LiveState;
  /** Rolling windows of what the balancing engine averages. */
  windows: BalanceWindows;
}

/** In-memory state the ingest pipeline feeds; nothing to start or stop. */
export function buildState(config: Config, topology: Topology): StateParts {
  return {
    state: new LiveState(),
    windows: new BalanceWindows(
      config.balance.windowMin * 60_000,
      (id) => topology.household(id)?.areaM2,
      config.control.setpointField,
    ),
  };
}
