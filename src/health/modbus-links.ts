import type { BusBudget } from '../ingest/modbus/bus-budget.ts';
import type { DtuHealth } from '../ingest/modbus/dtu-hub.ts';
import type { DtuListenerHealth } from '../ingest/modbus/dtu-listener.ts';

/** The dial-in DTUs and the serial buses' budgets, as the Modbus ingestor reports them. */
export interface ModbusLinkSnapshots {
  dtus?: { listeners: DtuListenerHealth[]; dtus: DtuHealth[] } | undefined;
  buses?: BusBudget[] | undefined;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The `/api/health` view: times as ISO strings, sections only where there is something. */
export function modbusLinksHealth(s: ModbusLinkSnapshots) {
  const listeners = s.dtus?.listeners ?? [];
  const dtus = (s.dtus?.dtus ?? []).map((d) => ({
    ...d,
    connectedSince: iso(d.connectedSince),
    lastHeartbeatAt: iso(d.lastHeartbeatAt),
    disconnectedAt: iso(d.disconnectedAt),
  }));
  return {
    ...(listeners.length > 0 ? { listeners, dtus } : {}),
    ...(s.buses && s.buses.length > 0 ? { buses: s.buses } : {}),
  };
}

/** A DTU not connected strands its devices; a bus over budget cannot keep its intervals. */
export function modbusLinkProblems(s: ModbusLinkSnapshots): string[] {
  const problems: string[] = [];
  for (const d of s.dtus?.dtus ?? []) {
    if (d.state === 'connected' || d.devices.length === 0) continue;
    const how = d.state === 'never-connected' ? 'has not dialled in' : 'is disconnected';
    problems.push(`modbus DTU ${d.id} ${how} (devices ${d.devices.join(', ')})`);
  }
  for (const b of s.buses ?? []) {
    if (b.utilisation > 1) {
      problems.push(
        `modbus bus ${b.bus} needs ${Math.round(b.utilisation * 100)} % of its ${b.baudRate} baud line`,
      );
    }
  }
  return problems;
}
