import { explain, type OpenIncident } from '../alerting/inhibit.ts';
import type { AlertRecord } from '../alerting/model.ts';
import type { AlertFlags } from './book.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { SilenceDesk } from './silences.ts';

/**
 * Every open alert's flags as they stand now: silenced by an active silence, inhibited
 * by a dark substation, explained by an open incident, its group and escalation step.
 * Only the alerts whose flags changed are returned (and written).
 */
export function computeFlags(
  open: readonly AlertRecord[],
  incidents: readonly OpenIncident[],
  silences: SilenceDesk,
  dispatcher: Dispatcher,
  now: number,
): Map<string, AlertFlags> {
  const why = explain(open, incidents);
  const out = new Map<string, AlertFlags>();
  for (const a of open) {
    const e = why.get(a.id);
    const incidentId = e?.incidentId ?? null;
    const withIncident = { ...a, incidentId };
    const group = dispatcher.place(withIncident).keys[0]?.key ?? '';
    const flags: AlertFlags = {
      silenced: silences.silencing(a, now) !== undefined,
      inhibited: (e?.inhibitedBy ?? null) !== null,
      inhibitedBy: e?.inhibitedBy ?? null,
      incidentId,
      group,
      escalationStep: a.state === 'firing' ? dispatcher.stepOf(group) : a.escalationStep,
    };
    if (differs(a, flags)) out.set(a.id, flags);
  }
  return out;
}

function differs(a: AlertRecord, f: AlertFlags): boolean {
  return (
    a.silenced !== f.silenced ||
    a.inhibitedBy !== f.inhibitedBy ||
    a.incidentId !== f.incidentId ||
    a.group !== f.group ||
    a.escalationStep !== f.escalationStep
  );
}
