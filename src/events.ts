import type { DeviceState } from './ingest/modbus/health.ts';
import type { Reading } from './ingest/reading.ts';

/** Everything that happens inside heatnet that more than one component cares about. */
export interface HeatnetEvents {
  /** New readings from any ingestor, already validated. */
  readings: Reading[];
  /** A Modbus device went up or down (alerting and the API listen). */
  'device.state': {
    device: string;
    substation: string;
    state: DeviceState;
    reason: string | null;
    at: number;
  };
}
