import { type IServiceVector, ServerTCP } from 'modbus-serial';
import type { Config, ModbusDeviceConfig } from '../../src/config/schema.ts';
import { parseModbusUrl } from '../../src/ingest/modbus/url.ts';
import type { ValueSource } from '../value-source.ts';
import { ModbusException, RegisterImage } from './register-image.ts';

interface SimDevice {
  config: ModbusDeviceConfig;
  image: RegisterImage;
  refreshedAt: number;
}

/** How long an image is reused between reads: one poll's requests see one snapshot. */
const SNAPSHOT_MS = 200;

/**
 * One Modbus TCP server per configured port, answering for every unit id behind it
 * (like a gateway in front of a PLC and a VFD). Values come from the value source
 * and are encoded per the device's register map; writes of writable fields go back
 * to the source. Unknown unit ids get exception 11 (gateway target failed).
 */
export class SimulatedModbusServers {
  private readonly servers: ServerTCP[] = [];
  private readonly byPort = new Map<number, Map<number, SimDevice>>();

  constructor(
    private readonly config: Config,
    private readonly source: ValueSource,
    private readonly clock: () => number,
  ) {
    for (const d of config.ingest.modbus.devices) {
      const endpoint = parseModbusUrl(d.url);
      if (endpoint.transport !== 'tcp') continue; // serial devices cannot be simulated here
      const units = this.byPort.get(endpoint.port) ?? new Map<number, SimDevice>();
      units.set(d.unitId, {
        config: d,
        image: new RegisterImage(config.ingest.modbus.maps[d.map] ?? []),
        refreshedAt: Number.NEGATIVE_INFINITY,
      });
      this.byPort.set(endpoint.port, units);
    }
  }

  get ports(): number[] {
    return [...this.byPort.keys()];
  }

  async start(host = '127.0.0.1'): Promise<void> {
    await Promise.all(
      [...this.byPort].map(
        ([port, units]) =>
          new Promise<void>((resolve, reject) => {
            const server = new ServerTCP(this.vector(units), { host, port, unitID: 255 });
            server.on('initialized', () => resolve());
            server.on('serverError', (err: Error | null) =>
              reject(err ?? new Error('server error')),
            );
            server.on('socketError', () => undefined); // a client vanishing is not our failure
            this.servers.push(server);
          }),
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }

  /** The live image of a device, e.g. for fault injection. */
  image(deviceId: string): RegisterImage | undefined {
    for (const units of this.byPort.values()) {
      for (const d of units.values()) if (d.config.id === deviceId) return this.refreshed(d).image;
    }
    return undefined;
  }

  private unit(units: Map<number, SimDevice>, unitId: number): SimDevice {
    const device = units.get(unitId);
    if (!device) throw new ModbusException(11);
    return this.refreshed(device);
  }

  private refreshed(device: SimDevice): SimDevice {
    const now = this.clock();
    if (now - device.refreshedAt < SNAPSHOT_MS) return device;
    const values = this.source.sample(device.config, now);
    for (const f of device.image.fields) {
      const v = values[f.field];
      if (v !== undefined) device.image.set(f, v);
    }
    device.refreshedAt = now;
    return device;
  }

  private vector(units: Map<number, SimDevice>): IServiceVector {
    return {
      getCoil: (addr: number, unitId: number) =>
        this.unit(units, unitId).image.readBit('coil', addr),
      getDiscreteInput: (addr: number, unitId: number) =>
        this.unit(units, unitId).image.readBit('discrete', addr),
      getHoldingRegister: (addr: number, unitId: number) =>
        this.unit(units, unitId).image.readWords('holding', addr, 1)[0] ?? 0,
      getInputRegister: (addr: number, unitId: number) =>
        this.unit(units, unitId).image.readWords('input', addr, 1)[0] ?? 0,
      getMultipleHoldingRegisters: (addr: number, length: number, unitId: number) =>
        this.unit(units, unitId).image.readWords('holding', addr, length),
      getMultipleInputRegisters: (addr: number, length: number, unitId: number) =>
        this.unit(units, unitId).image.readWords('input', addr, length),
      setRegister: (addr: number, value: number, unitId: number) =>
        this.writeRegister(units, unitId, addr, value),
      setCoil: (addr: number, value: boolean, unitId: number) => {
        const device = this.unit(units, unitId);
        const field = device.image.writableAt('coil', addr);
        if (!field) throw new ModbusException(2);
        this.source.write(device.config, field.field, value ? 1 : 0, this.clock());
        device.refreshedAt = Number.NEGATIVE_INFINITY;
      },
    };
  }

  private writeRegister(units: Map<number, SimDevice>, unitId: number, addr: number, word: number) {
    const device = this.unit(units, unitId);
    const field = device.image.writableAt('holding', addr);
    if (!field) throw new ModbusException(2);
    const value = RegisterImage.fromRaw(field, word);
    if (
      (field.min !== undefined && value < field.min) ||
      (field.max !== undefined && value > field.max)
    ) {
      throw new ModbusException(3); // illegal data value, as a real VFD answers
    }
    this.source.write(device.config, field.field, value, this.clock());
    device.refreshedAt = Number.NEGATIVE_INFINITY;
  }
}
