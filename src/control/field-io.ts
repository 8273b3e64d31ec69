/**
 * The control path's port to the field: write a setpoint to a device and read a field
 * back from it, fresh. Declared here, on the side that needs it, and implemented by the
 * Modbus adapter (src/ingest/modbus/field-io.ts), so control never holds the poller and
 * a test drives control with a fake drive.
 */
export interface FieldIO {
  /** Writes an engineering value to a writable field; never retried (the device may have acted). */
  write(deviceId: string, field: string, value: number | boolean): Promise<void>;
  /** Reads one field from the device now (never from cached state), scaled and checked. */
  read(deviceId: string, field: string): Promise<number | boolean>;
  /** Asks for the device's next poll now, so the live state sees a change at once. */
  refresh?(deviceId: string): Promise<void>;
}
