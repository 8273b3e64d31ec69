/**
 * Heat stops from network data and incidents (issue 11 item 3), as a pure state machine per
 * building or substation: samples and incident events go in with their times, the changes
 * to the place's stop interval come out. The collector (src/ledger/stops.ts) stores them.
 *
 * Data: a sample is `off` when its flow or heat is near zero (at most `offShare` of the
 * place's design value), `on` when every value it carries is at least `onShare`, and in
 * between it changes nothing (hysteresis, so noise around one threshold is not a stop). A
 * stop opens as a candidate at the first `off` sample and counts once it has lasted
 * `minOffMs`; it ends at the first `on` sample of a run lasting `minOnMs`.
 *
 * Incidents: an active `heat-stopped` incident opens (or joins) a stop at once; its end
 * (restored, closed) ends the stop unless the data still show the heat off. Where there are
 * data, the data's resumption ends the stop even with the incident still open: staff close
 * incidents late, and the refund must follow when the heat came back, not the paperwork.
 */

export interface StopRules {
  offShare: number;
  onShare: number;
  minOffMs: number;
  minOnMs: number;
}

export const DEFAULT_STOP_RULES: StopRules = {
  offShare: 0.05,
  onShare: 0.15,
  minOffMs: 30 * 60_000,
  minOnMs: 30 * 60_000,
};

export type FlowPhase = 'off' | 'on';

export interface FlowSample {
  flowM3h: number | null;
  heatKw: number | null;
}

export interface PlaceDesign {
  flowM3h: number;
  heatKw: number;
}

/** off, on, or null (in the hysteresis band, or no value: the phase stays). */
export function classify(s: FlowSample, d: PlaceDesign, rules: StopRules): FlowPhase | null {
  const shares: number[] = [];
  if (s.flowM3h !== null && d.flowM3h > 0) shares.push(s.flowM3h / d.flowM3h);
  if (s.heatKw !== null && d.heatKw > 0) shares.push(s.heatKw / d.heatKw);
  if (shares.length === 0) return null;
  if (shares.some((x) => x <= rules.offShare)) return 'off';
  if (shares.every((x) => x >= rules.onShare)) return 'on';
  return null;
}

export interface OpenStop {
  id: string;
  fromMs: number;
  source: 'data' | 'incident';
  incidentId: string | null;
  /** false while a data stop has not yet lasted `minOffMs` (the ledger does not see it). */
  confirmed: boolean;
}

export interface PlaceWatch {
  stop: OpenStop | null;
  /** The data's phase and since when; null = no sample yet (e.g. just after a restart). */
  phase: FlowPhase | null;
  phaseSinceMs: number;
  /** Active incidents holding the stop open. */
  incidents: string[];
}

export const EMPTY_WATCH: PlaceWatch = { stop: null, phase: null, phaseSinceMs: 0, incidents: [] };

export type StopChange =
  | { kind: 'open'; stop: OpenStop }
  | { kind: 'confirm'; stop: OpenStop }
  | { kind: 'join'; stop: OpenStop }
  | { kind: 'discard'; stop: OpenStop }
  | { kind: 'close'; stop: OpenStop; untilMs: number };

export interface Step {
  watch: PlaceWatch;
  changes: StopChange[];
}

/** One data sample's phase (null = unchanged) at `atMs`. */
export function onSample(
  w: PlaceWatch,
  phase: FlowPhase | null,
  atMs: number,
  rules: StopRules,
  newId: () => string,
): Step {
  const next = phase ?? w.phase;
  if (next === null) return { watch: w, changes: [] };
  const since = next === w.phase ? w.phaseSinceMs : atMs;
  const watch: PlaceWatch = { ...w, phase: next, phaseSinceMs: since };
  if (next === 'off') return whileOff(watch, atMs, rules, newId);
  return whileOn(watch, atMs, rules);
}

function whileOff(w: PlaceWatch, atMs: number, rules: StopRules, newId: () => string): Step {
  if (!w.stop) {
    const stop: OpenStop = {
      id: newId(),
      fromMs: w.phaseSinceMs,
      source: 'data',
      incidentId: null,
      confirmed: rules.minOffMs === 0,
    };
    return { watch: { ...w, stop }, changes: [{ kind: 'open', stop }] };
  }
  if (!w.stop.confirmed && atMs - w.stop.fromMs >= rules.minOffMs) {
    const stop = { ...w.stop, confirmed: true };
    return { watch: { ...w, stop }, changes: [{ kind: 'confirm', stop }] };
  }
  return { watch: w, changes: [] };
}

function whileOn(w: PlaceWatch, atMs: number, rules: StopRules): Step {
  const stop = w.stop;
  if (!stop) return { watch: w, changes: [] };
  // The heat is back before a candidate counted: noise, or a stop too short to matter.
  if (!stop.confirmed) {
    return { watch: { ...w, stop: null, incidents: [] }, changes: [{ kind: 'discard', stop }] };
  }
  // An incident opened after the heat came back does not end on the earlier resumption.
  const since = Math.max(w.phaseSinceMs, stop.fromMs);
  if (atMs - since < rules.minOnMs) return { watch: w, changes: [] };
  const changes: StopChange[] = [{ kind: 'close', stop, untilMs: since }];
  return { watch: { ...w, stop: null, incidents: [] }, changes };
}

/** A heat-stopped incident opened (or was found active) at `atMs`. */
export function onIncidentOpened(
  w: PlaceWatch,
  incidentId: string,
  atMs: number,
  newId: () => string,
): Step {
  if (w.incidents.includes(incidentId)) return { watch: w, changes: [] };
  const incidents = [...w.incidents, incidentId];
  if (!w.stop) {
    const stop: OpenStop = {
      id: newId(),
      fromMs: atMs,
      source: 'incident',
      incidentId,
      confirmed: true,
    };
    // Heat that was flowing when the incident opened counts as resumed from the opening.
    const watch = { ...w, stop, incidents, phaseSinceMs: Math.max(w.phaseSinceMs, atMs) };
    return { watch, changes: [{ kind: 'open', stop }] };
  }
  const stop = { ...w.stop, incidentId: w.stop.incidentId ?? incidentId, confirmed: true };
  const kind = w.stop.confirmed ? 'join' : 'confirm';
  return { watch: { ...w, stop, incidents }, changes: [{ kind, stop }] };
}

/**
 * A heat-stopped incident ended at `atMs`: restored or closed (`invalid` = it was no stop at
 * all, so a stop that only that incident made is discarded rather than closed).
 */
export function onIncidentEnded(
  w: PlaceWatch,
  incidentId: string,
  atMs: number,
  invalid: boolean,
): Step {
  if (!w.incidents.includes(incidentId)) return { watch: w, changes: [] };
  const incidents = w.incidents.filter((i) => i !== incidentId);
  const stop = w.stop;
  if (!stop || incidents.length > 0 || w.phase === 'off') {
    return { watch: { ...w, incidents }, changes: [] };
  }
  const watch = { ...w, stop: null, incidents };
  if (invalid && stop.source === 'incident') return { watch, changes: [{ kind: 'discard', stop }] };
  return { watch, changes: [{ kind: 'close', stop, untilMs: Math.max(atMs, stop.fromMs) }] };
}
