import type { Config, RegisterField } from '../../config/schema.ts';
import type { FieldIO } from '../../control/field-io.ts';
import { HeatnetError } from '../../core/errors.ts';
import { decodeRegisters, registerCount } from './codec.ts';
import { toEngineering } from './device.ts';
import { encodeWrite } from './encode.ts';
import type { ModbusIngestor } from './ingestor.ts';

/**
 * Control's field I/O over Modbus: writes and read-backs on the devices' own connections
 * (so they queue behind polls on a gateway that takes one request at a time), apart from
 * the polling schedule itself.
 */
export class ModbusFieldIO implements FieldIO {
  constructor(
    private readonly config: Config,
    private readonly devices: Pick<ModbusIngestor, 'device' | 'pollNow'>,
  ) {}

  /**
   * FC5 for a coil, FC6 for a one-register holding field, FC16 for wider ones. Throws
   * BAD_REQUEST for a field that cannot be written or a value that does not fit it, and
   * the connection's MODBUS_* errors otherwise.
   */
  async write(deviceId: string, field: string, value: number | boolean): Promise<void> {
    const { device, spec } = this.target(deviceId, field);
    if (!spec.writable) {
      throw new HeatnetError('BAD_REQUEST', `${deviceId}.${field} is not writable`, { field });
    }
    const { unitId } = device.config;
    const connection = device.connection;
    const timeoutMs = this.config.control.writeTimeoutMs;
    if (spec.area === 'coil') {
      await connection.writeCoil(unitId, spec.address, value === true || value === 1, timeoutMs);
      return;
    }
    if (spec.area !== 'holding' || spec.bit !== undefined || spec.type === 'string') {
      // A bit inside a register would need read-modify-write, which is not atomic on Modbus.
      throw new HeatnetError('BAD_REQUEST', `${deviceId}.${field} cannot be written`, { field });
    }
    const words = encode(spec, value);
    if (words.length === 1)
      await connection.writeRegister(unitId, spec.address, words[0]!, timeoutMs);
    else await connection.writeRegisters(unitId, spec.address, words, timeoutMs);
  }

  async read(deviceId: string, field: string): Promise<number | boolean> {
    const { device, spec } = this.target(deviceId, field);
    const count = spec.bit !== undefined ? 1 : registerCount(spec.type, spec.length);
    const timeoutMs = this.config.control.writeTimeoutMs;
    const result = await device.connection.read(
      device.config.unitId,
      spec.area,
      spec.address,
      count,
      timeoutMs,
    );
    const raw =
      'bits' in result ? result.bits[0] === true : decodeRegisters(result.registers, 0, spec);
    const checked = toEngineering(spec, raw);
    if ('reject' in checked) {
      throw new HeatnetError(
        'DECODE_FAILED',
        `${deviceId}.${field}: read ${raw} (${checked.reject})`,
      );
    }
    if (typeof checked.value === 'string') {
      throw new HeatnetError('DECODE_FAILED', `${deviceId}.${field} is a string field`);
    }
    return checked.value;
  }

  refresh(deviceId: string): Promise<void> {
    return this.devices.pollNow(deviceId);
  }

  private target(deviceId: string, field: string) {
    const device = this.devices.device(deviceId);
    if (!device) throw new HeatnetError('NOT_FOUND', `unknown or not started device ${deviceId}`);
    const map = this.config.ingest.modbus.maps[device.config.map];
    const spec = map?.find((f) => f.field === field);
    if (!spec) {
      throw new HeatnetError('NOT_FOUND', `device ${deviceId} has no field ${field}`, { field });
    }
    return { device, spec };
  }
}

function encode(spec: RegisterField, value: number | boolean): number[] {
  try {
    return encodeWrite(spec, value);
  } catch (err) {
    throw new HeatnetError('BAD_REQUEST', (err as Error).message, { field: spec.field });
  }
}
