import type { Config, ModbusDeviceConfig } from '../../config/schema.ts';
import { limitsFor, type PlannedRequest, planRequests } from './plan.ts';
import { DEFAULT_BAUD, deviceEndpoint, type ModbusEndpoint } from './url.ts';

/**
 * How much of a serial bus its polling takes (issue 16). At 9,600 baud an RS-485 line
 * carries about 960 bytes a second: a full 125-register read (8 bytes out, 255 back, the
 * silences and the device's reply time) takes ~300 ms, so a few devices polled often can
 * ask for more than the line has. Computed from the request planner's own output, per
 * bus: a serial port, a serial device server (RTU over TCP) or a DTU. Modbus TCP devices
 * have no shared line and no budget.
 */
export interface BusBudget {
  bus: string;
  transport: 'rtu' | 'rtu-over-tcp' | 'dtu';
  baudRate: number;
  devices: string[];
  /** One poll of every device on the bus. */
  requestsPerCycle: number;
  bytesPerCycle: number;
  /** Requests and bytes a second at the devices' intervals. */
  requestsPerSecond: number;
  bytesPerSecond: number;
  capacityBytesPerSecond: number;
  /** Share of the line's time the polling needs; above 1 it cannot keep its intervals. */
  utilisation: number;
}

/** Bits a character takes on the line: start, 8 data, stop (8N1, what most buses run). */
const BITS_PER_CHAR_8N1 = 10;
/**
 * Time a device takes to start answering. Not on the wire, but the line is held: field
 * PLCs and drives answer in 5–50 ms; 10 ms keeps the estimate on the hopeful side, so a
 * warning means a real shortfall.
 */
export const TURNAROUND_MS = 10;
const READ_REQUEST_BYTES = 8;

type SerialEndpoint = Exclude<ModbusEndpoint, { transport: 'tcp' }>;
interface Bus {
  endpoint: SerialEndpoint;
  devices: ModbusDeviceConfig[];
}

/** The budget of every serial bus in the config, in the order buses first appear. */
export function busBudgets(config: Config): BusBudget[] {
  return [...serialBuses(config).entries()].map(([key, bus]) => budgetOf(config, key, bus));
}

/** Enabled devices grouped by the serial line they share. */
function serialBuses(config: Config): Map<string, Bus> {
  const { devices, listeners } = config.ingest.modbus;
  const baudOf = (dtu: string) => listeners.flatMap((l) => l.dtus).find((d) => d.id === dtu)?.baud;
  const buses = new Map<string, Bus>();
  for (const d of devices) {
    if (!d.enabled) continue;
    let endpoint: ModbusEndpoint;
    try {
      endpoint = deviceEndpoint(d, baudOf);
    } catch {
      continue; // a bad URL is crosscheck's to report
    }
    if (endpoint.transport === 'tcp') continue;
    const bus = buses.get(endpoint.key) ?? { endpoint, devices: [] };
    bus.devices.push(d);
    buses.set(endpoint.key, bus);
  }
  return buses;
}

function budgetOf(config: Config, key: string, { endpoint, devices }: Bus): BusBudget {
  const { defaults, maps } = config.ingest.modbus;
  const baudRate = endpoint.baudRate ?? DEFAULT_BAUD;
  const charBits = endpoint.transport === 'rtu' ? charBitsOf(endpoint) : BITS_PER_CHAR_8N1;
  const charMs = (charBits * 1000) / baudRate;
  const sum = { requests: 0, bytes: 0, requestsPerS: 0, bytesPerS: 0, busyMsPerS: 0 };
  for (const d of devices) {
    const plan = planRequests(maps[d.map] ?? [], limitsFor(d, defaults));
    const cycle = cycleOf(plan, charMs);
    const perS = 1000 / (d.intervalMs ?? defaults.intervalMs);
    sum.requests += plan.length;
    sum.bytes += cycle.bytes;
    sum.requestsPerS += plan.length * perS;
    sum.bytesPerS += cycle.bytes * perS;
    sum.busyMsPerS += cycle.busyMs * perS;
  }
  return {
    bus: key,
    transport: endpoint.transport,
    baudRate,
    devices: devices.map((d) => d.id),
    requestsPerCycle: sum.requests,
    bytesPerCycle: sum.bytes,
    requestsPerSecond: round(sum.requestsPerS),
    bytesPerSecond: round(sum.bytesPerS),
    capacityBytesPerSecond: round(1000 / charMs),
    utilisation: round(sum.busyMsPerS / 1000),
  };
}

/** Bytes on the line and the time the line is held for one poll of a device. */
export function cycleOf(
  plan: readonly PlannedRequest[],
  charMs: number,
): { bytes: number; busyMs: number } {
  let bytes = 0;
  let busyMs = 0;
  for (const r of plan) {
    const isBits = r.area === 'coil' || r.area === 'discrete';
    const answer = 5 + (isBits ? Math.ceil(r.count / 8) : 2 * r.count);
    const onWire = READ_REQUEST_BYTES + answer;
    bytes += onWire;
    // Both frames, the 3.5-character silence after each, and the device thinking.
    busyMs += (onWire + 7) * charMs + TURNAROUND_MS;
  }
  return { bytes, busyMs };
}

function charBitsOf(e: Extract<ModbusEndpoint, { transport: 'rtu' }>): number {
  return 1 + e.dataBits + (e.parity === 'none' ? 0 : 1) + e.stopBits;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
