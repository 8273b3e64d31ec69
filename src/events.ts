import type { BalanceResult } from './balance/types.ts';
import type { DeviceState } from './ingest/modbus/health.ts';
import type { Reading } from './core/reading.ts';

/** Everything that happens inside heatnet that more than one component cares about. */
export interface HeatnetEvents {
  /** New readings from any ingestor, already validated. */
  readings: Reading[];
  /** A component met a condition service staff must see (the alerts issue routes these). */
  'alert.raise': {
    source: string;
    code: string;
    severity: 'info' | 'warning' | 'critical';
    message: string;
    at: number;
  };
  'alert.clear': { source: string; code: string; at: number };
  /** The balancing engine finished an evaluation (control's effect tracking, SSE, alerts). */
  'balance.evaluated': BalanceResult;
  /** A Modbus device went up or down (alerting and the API listen). */
  'device.state': {
    device: string;
    substation: string;
    state: DeviceState;
    reason: string | null;
    at: number;
  };
}
