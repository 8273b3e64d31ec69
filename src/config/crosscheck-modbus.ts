import { busBudgets } from '../ingest/modbus/bus-budget.ts';
import { packetBytes, packetProblem } from '../ingest/modbus/dtu-packets.ts';
import { type ConfigIssue, issueAt, type PathSegment, UniqueIds } from './issues.ts';
import type { Config } from './schema.ts';
import type { DtuPacket } from './schema-modbus-dtu.ts';

/**
 * Dial-in DTUs (issue 16): listeners and DTU ids unique, packets that can be told apart,
 * and devices that name either a URL or a DTU they are reached `via`.
 */
export function checkDtus(config: Config, issues: ConfigIssue[]): void {
  const listenerIds = new UniqueIds('listener', issues);
  const dtuIds = new UniqueIds('DTU', issues);
  const ports = new UniqueIds('listener', issues, 'port');
  config.ingest.modbus.listeners.forEach((l, i) => {
    const at: PathSegment[] = ['ingest', 'modbus', 'listeners', i];
    listenerIds.add(l.id, [...at, 'id']);
    if (l.port !== 0) ports.add(`${l.host}:${l.port}`, [...at, 'port']);
    const registrations = new UniqueIds('registration', issues, 'packet');
    l.dtus.forEach((d, j) => {
      const dtuAt: PathSegment[] = [...at, 'dtus', j];
      dtuIds.add(d.id, [...dtuAt, 'id']);
      const bad = packetIssue(d.registration, [...dtuAt, 'registration'], issues);
      if (!bad)
        registrations.add(packetBytes(d.registration).toString('hex'), [...dtuAt, 'registration']);
      if (d.heartbeat && !packetIssue(d.heartbeat, [...dtuAt, 'heartbeat'], issues) && !bad) {
        if (packetBytes(d.heartbeat).equals(packetBytes(d.registration))) {
          issues.push(issueAt([...dtuAt, 'heartbeat'], 'must differ from the registration packet'));
        }
      }
    });
  });
}

function packetIssue(packet: DtuPacket, at: PathSegment[], issues: ConfigIssue[]): boolean {
  const problem = packetProblem(packet);
  if (problem) issues.push(issueAt([...at, 'value'], problem));
  return problem !== undefined;
}

/** A device's `url` or `via`, exactly one, and a `via` that names a configured DTU. */
export function deviceReachIssues(
  config: Config,
  device: { url?: string | undefined; via?: string | undefined },
  at: PathSegment[],
): ConfigIssue[] {
  if (device.url !== undefined && device.via !== undefined) {
    return [issueAt([...at, 'via'], 'give either url or via, not both')];
  }
  if (device.url === undefined && device.via === undefined) {
    return [issueAt([...at, 'url'], 'is required (or via: a dial-in DTU)')];
  }
  if (device.via === undefined) return [];
  const known = config.ingest.modbus.listeners.some((l) => l.dtus.some((d) => d.id === device.via));
  return known
    ? []
    : [issueAt([...at, 'via'], `unknown DTU "${device.via}" (ingest.modbus.listeners[].dtus)`)];
}

/**
 * Warnings: a config that loads but will not work as written. A serial bus whose polling
 * needs more time than the line has cannot keep its devices' intervals.
 */
export function modbusWarnings(config: Config): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  for (const b of busBudgets(config)) {
    if (b.utilisation <= 1) continue;
    const first = config.ingest.modbus.devices.findIndex((d) => d.id === b.devices[0]);
    warnings.push(
      issueAt(
        ['ingest', 'modbus', 'devices', first],
        `bus ${b.bus} at ${b.baudRate} baud: its ${b.devices.length} device(s) need ` +
          `${Math.round(b.utilisation * 100)} % of the line (${b.requestsPerCycle} requests, ` +
          `${b.bytesPerCycle} bytes a cycle); raise intervalMs, the baud rate or split the bus`,
      ),
    );
  }
  return warnings;
}
