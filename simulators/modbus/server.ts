import { ServerTCP } from 'modbus-serial';
import type { Config, ModbusDeviceConfig } from '../../src/config/schema.ts';
import type { DtuConfig } from '../../src/config/schema-modbus-dtu.ts';
import { packetBytes } from '../../src/ingest/modbus/dtu-packets.ts';
import { parseModbusUrl } from '../../src/ingest/modbus/url.ts';
import type { FaultBook } from '../faults.ts';
import type { ValueSource } from '../value-source.ts';
import { type DtuDial, SimulatedDtu } from './dtu-dialer.ts';
import { ModbusException, RegisterImage } from './register-image.ts';
import { type CallbackVector, rtuOverTcpServer } from './rtu-serve.ts';
import { type AlteredSample, NORMAL_ANSWER, WireFaults } from './wire-faults.ts';

interface SimDevice {
  config: ModbusDeviceConfig;
  image: RegisterImage;
  refreshedAt: number;
}

/** How long an image is reused between reads: one poll's requests see one snapshot. */
const SNAPSHOT_MS = 200;

/** modbus-serial's node-style answer callback. */
type Done<T> = (err: Error | null, value: T) => void;

/**
 * Runs `fn`, passing a throw to `done` as the error: modbus-serial does not catch a
 * throw from a callback-style multi-register read, and it would end the process.
 */
function guarded<T>(done: Done<T>, empty: T, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    done(err instanceof Error ? err : new Error(String(err)), empty);
  }
}

/**
 * One Modbus TCP server per configured port, answering for every unit id behind it
 * (like a gateway in front of a PLC and a VFD). Values come from the value source
 * and are encoded per the device's register map; writes of writable fields go back
 * to the source. Unknown unit ids get exception 11 (gateway target failed). With a
 * fault book, wire faults (offline, slow, exceptions, stuck/drifting/failed sensors)
 * change what the affected unit answers.
 */
export class SimulatedModbusServers {
  private readonly servers: ServerTCP[] = [];
  private readonly rtuServers: { close(): Promise<void> }[] = [];
  private readonly dtus: SimulatedDtu[] = [];
  private readonly byPort = new Map<number, Map<number, SimDevice>>();
  /** Serial device servers (RTU over TCP) by port, and dial-in DTUs by id. */
  private readonly rtuByPort = new Map<number, Map<number, SimDevice>>();
  private readonly byDtu = new Map<string, Map<number, SimDevice>>();
  private readonly wire: WireFaults | undefined;

  constructor(
    private readonly config: Config,
    private readonly source: ValueSource,
    private readonly clock: () => number,
    faults?: FaultBook,
  ) {
    this.wire = faults ? new WireFaults(faults) : undefined;
    for (const d of config.ingest.modbus.devices) {
      this.unitsOf(d)?.set(d.unitId, {
        config: d,
        image: new RegisterImage(config.ingest.modbus.maps[d.map] ?? []),
        refreshedAt: Number.NEGATIVE_INFINITY,
      });
    }
  }

  /** The units served with `d`: on a TCP port, an RTU-over-TCP port, or behind a DTU. */
  private unitsOf(d: ModbusDeviceConfig): Map<number, SimDevice> | undefined {
    if (d.via !== undefined) return unitsAt(this.byDtu, d.via);
    if (d.url === undefined) return undefined;
    const endpoint = parseModbusUrl(d.url);
    if (endpoint.transport === 'tcp') return unitsAt(this.byPort, endpoint.port);
    if (endpoint.transport === 'rtu-over-tcp') return unitsAt(this.rtuByPort, endpoint.port);
    return undefined; // serial devices cannot be simulated here
  }

  get ports(): number[] {
    return [...this.byPort.keys()];
  }

  async start(host = '127.0.0.1'): Promise<void> {
    for (const [port, units] of this.rtuByPort) {
      this.rtuServers.push(await rtuOverTcpServer(this.vector(units), host, port));
    }
    for (const [id, units] of this.byDtu) {
      const dial = this.dialOf(id);
      if (!dial) continue; // its listener's port is chosen at run time (tests): nothing to dial
      const dtu = new SimulatedDtu(this.vector(units), dial);
      dtu.start();
      this.dtus.push(dtu);
    }
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

  /** Where the DTU `id` dials: its listener on this machine, with its packets. */
  private dialOf(id: string): DtuDial | undefined {
    for (const l of this.config.ingest.modbus.listeners) {
      const dtu: DtuConfig | undefined = l.dtus.find((d) => d.id === id);
      if (!dtu || l.port === 0) continue;
      return {
        host: l.host === '0.0.0.0' || l.host === '::' ? '127.0.0.1' : l.host,
        port: l.port,
        registration: packetBytes(dtu.registration),
        heartbeat: dtu.heartbeat ? packetBytes(dtu.heartbeat) : undefined,
        heartbeatMs: Math.max(1, (dtu.heartbeatTimeoutS ?? 60) / 3) * 1000,
      };
    }
    return undefined;
  }

  async stop(): Promise<void> {
    for (const dtu of this.dtus.splice(0)) dtu.stop();
    await Promise.all(this.rtuServers.splice(0).map((s) => s.close()));
    await Promise.all(
      this.servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }

  /** The live image of a device, e.g. for fault injection. */
  image(deviceId: string): RegisterImage | undefined {
    for (const group of [this.byPort, this.rtuByPort, this.byDtu]) {
      for (const units of group.values()) {
        for (const d of units.values()) {
          if (d.config.id === deviceId) return this.refreshed(d).image;
        }
      }
    }
    return undefined;
  }

  /**
   * Answers one request to a unit as its wire faults say: at once, late, never (the
   * client times out) or with a Modbus exception, while the other units behind the
   * same port answer normally. Callback style throughout, as modbus-serial takes a
   * promise only for single values.
   */
  private respond<T>(
    units: Map<number, SimDevice>,
    unitId: number,
    read: (device: SimDevice) => T,
    done: Done<T>,
    empty: T,
  ): void {
    guarded(done, empty, () => {
      const device = units.get(unitId);
      if (!device) throw new ModbusException(11);
      const how = this.wire?.answer(device.config.id, this.clock()) ?? NORMAL_ANSWER;
      if (!how.answers) return; // offline: no answer at all
      const reply = () =>
        guarded(done, empty, () => {
          if (how.exception !== undefined) throw new ModbusException(how.exception);
          done(null, read(this.refreshed(device)));
        });
      if (how.delayMs > 0) setTimeout(reply, how.delayMs).unref();
      else reply();
    });
  }

  private refreshed(device: SimDevice): SimDevice {
    const now = this.clock();
    if (now - device.refreshedAt < SNAPSHOT_MS) return device;
    const { values, raw } = this.sample(device, now);
    for (const f of device.image.fields) {
      const v = values[f.field];
      if (v !== undefined) device.image.set(f, v);
    }
    for (const r of raw) device.image.setRawWords(r.area, r.address, r.words);
    device.refreshedAt = now;
    return device;
  }

  /** The source's values as the device's sensors report them, wire faults included. */
  private sample(device: SimDevice, now: number): AlteredSample {
    const healthy = this.source.sample(device.config, now);
    if (!this.wire) return { values: healthy, raw: [] };
    return this.wire.alter(device.config.id, device.image.fields, healthy, now);
  }

  private vector(units: Map<number, SimDevice>): CallbackVector {
    // Declared parameter counts matter: modbus-serial picks the callback style by them.
    return {
      getCoil: (addr: number, unitId: number, done: Done<boolean>) =>
        this.respond(units, unitId, (d) => d.image.readBit('coil', addr), done, false),
      getDiscreteInput: (addr: number, unitId: number, done: Done<boolean>) =>
        this.respond(units, unitId, (d) => d.image.readBit('discrete', addr), done, false),
      getHoldingRegister: (addr: number, unitId: number, done: Done<number>) =>
        this.respond(units, unitId, (d) => d.image.readWords('holding', addr, 1)[0] ?? 0, done, 0),
      getInputRegister: (addr: number, unitId: number, done: Done<number>) =>
        this.respond(units, unitId, (d) => d.image.readWords('input', addr, 1)[0] ?? 0, done, 0),
      // `empty` is [] because modbus-serial indexes the values even when given an error.
      getMultipleHoldingRegisters: (
        addr: number,
        length: number,
        unitId: number,
        done: Done<number[]>,
      ) => this.respond(units, unitId, (d) => d.image.readWords('holding', addr, length), done, []),
      getMultipleInputRegisters: (
        addr: number,
        length: number,
        unitId: number,
        done: Done<number[]>,
      ) => this.respond(units, unitId, (d) => d.image.readWords('input', addr, length), done, []),
      setRegister: (addr: number, value: number, unitId: number, done: Done<void>) =>
        this.respond(units, unitId, (d) => this.writeRegister(d, addr, value), done, undefined),
      setCoil: (addr: number, value: boolean, unitId: number, done: Done<void>) =>
        this.respond(units, unitId, (d) => this.writeCoil(d, addr, value), done, undefined),
    };
  }

  private writeCoil(device: SimDevice, addr: number, value: boolean): void {
    const field = device.image.writableAt('coil', addr);
    if (!field) throw new ModbusException(2);
    this.source.write(device.config, field.field, value ? 1 : 0, this.clock());
    device.refreshedAt = Number.NEGATIVE_INFINITY;
  }

  private writeRegister(device: SimDevice, addr: number, word: number): void {
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

function unitsAt<K>(map: Map<K, Map<number, SimDevice>>, key: K): Map<number, SimDevice> {
  const found = map.get(key);
  if (found) return found;
  const units = new Map<number, SimDevice>();
  map.set(key, units);
  return units;
}
