import { randomUUID } from 'node:crypto';
import { designFlowM3h, KW_PER_M3H_K, type NetworkDesign } from '../balance/reference.ts';
import type { Incident, IncidentChange } from '../complaints/types.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import type { Topology } from '../domain/topology.ts';
import { daysTouched } from '../service/ledger-data-days.ts';
import {
  classify,
  EMPTY_WATCH,
  onIncidentEnded,
  onIncidentOpened,
  onSample,
  type PlaceDesign,
  type PlaceWatch,
  type Step,
  type StopChange,
  type StopRules,
} from '../service/ledger-data-stops.ts';
import type { Store, StoreTransaction } from '../store/store.ts';
import { markChanged } from './room-days-db.ts';
import { deleteStop, insertStop, openStops, type PlaceRef, updateStop } from './stops-db.ts';
import { heatStoppedIncidents, incidentSpent } from './stops-incidents.ts';

export interface HeatStopsDeps {
  store: Store;
  topology: Topology;
  design: NetworkDesign;
  rules: StopRules;
  timeZone: string;
  now: () => number;
  log: Logger;
}

const ACTIVE = new Set(['suspected', 'confirmed', 'restoring']);
const ENDED = new Set(['restored', 'closed', 'invalid']);

/**
 * Heat stops per building (its meter) and substation (its PLC's primary side), from the
 * readings and from `heat-stopped` incidents, through the pure machine in
 * src/service/ledger-data-stops.ts. Every change is written at once (they are rare), in
 * order, with the days it touches marked changed for the ledger. On start the stops left
 * open are loaded back, so a stop that a restart interrupts continues as one interval when
 * the data still show it stopped.
 */
export class HeatStops {
  private readonly watches = new Map<string, PlaceWatch>();
  private readonly designs = new Map<string, PlaceDesign>();
  private readonly lastSampleMs = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: HeatStopsDeps) {}

  async start(): Promise<void> {
    this.designs.clear();
    for (const s of this.deps.topology.substations) {
      this.designs.set(
        key({ level: 'substation', place: s.id }),
        substationDesign(this.deps.design, s),
      );
      for (const b of s.buildings) {
        this.designs.set(
          key({ level: 'building', place: b.id }),
          buildingDesign(this.deps.design, b.areaM2),
        );
      }
    }
    this.watches.clear();
    for (const row of await openStops(this.deps.store.db)) this.watches.set(key(row), row.watch);
    await this.reconcile();
  }

  /** Applies the incident openings and endings the bus did not bring (see stops-incidents.ts). */
  private async reconcile(): Promise<void> {
    const held = [...this.watches.values()].flatMap((w) => w.incidents);
    for (const i of await heatStoppedIncidents(this.deps.store.db, held)) {
      const w = this.watch(i.place);
      const known = w.incidents.includes(i.id);
      if (i.active && !known) {
        if (await incidentSpent(this.deps.store.db, i.id)) continue;
        this.apply(i.place, onIncidentOpened(w, i.id, i.openedAtMs, newStopId));
      } else if (!i.active && known) {
        this.apply(i.place, onIncidentEnded(w, i.id, i.updatedAtMs, i.invalid));
      }
    }
    await this.idle();
  }

  /** Resolves once every change so far is written. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** The watch of a place (tests and health look at it). */
  watch(p: PlaceRef): PlaceWatch {
    return this.watches.get(key(p)) ?? EMPTY_WATCH;
  }

  add(readings: readonly Reading[]): void {
    for (const r of readings) {
      const sample = meterSample(r);
      if (!sample) continue;
      const k = key(sample.place);
      const design = this.designs.get(k);
      if (!design) continue;
      // The machine reads a place's samples in time order; an older one (a spool replay)
      // arrives after the fact and does not revise a stop.
      if (r.time <= (this.lastSampleMs.get(k) ?? Number.NEGATIVE_INFINITY)) continue;
      this.lastSampleMs.set(k, r.time);
      const phase = classify(sample, design, this.deps.rules);
      const w = this.watch(sample.place);
      this.apply(sample.place, onSample(w, phase, r.time, this.deps.rules, newStopId));
    }
  }

  onIncident(incident: Incident, change: IncidentChange): void {
    if (incident.cause !== 'heat-stopped') return;
    const place = placeOf(incident);
    if (!place) return;
    const w = this.watch(place);
    if (ACTIVE.has(change.to)) {
      // Only an opening (or a recurrence after `restored`) starts a stop: a move between
      // active states of an incident the data already ended must not reopen it.
      if (change.from !== null && ACTIVE.has(change.from)) return;
      this.apply(place, onIncidentOpened(w, incident.id, change.at, newStopId));
    } else if (ENDED.has(change.to)) {
      this.apply(place, onIncidentEnded(w, incident.id, change.at, change.to === 'invalid'));
    }
  }

  private apply(place: PlaceRef, step: Step): void {
    // Kept even with nothing open: the data phase carries the hysteresis.
    this.watches.set(key(place), step.watch);
    if (step.changes.length === 0) return;
    const at = this.deps.now();
    const turn = this.queue.then(() =>
      this.deps.store.transaction(async (trx) => {
        for (const c of step.changes) await this.write(trx, place, step.watch, c, at);
      }),
    );
    this.queue = turn.catch((err: unknown) => {
      this.deps.log.error({ err, place }, 'heat stop not stored');
    });
  }

  private async write(
    trx: StoreTransaction,
    place: PlaceRef,
    w: PlaceWatch,
    c: StopChange,
    at: number,
  ): Promise<void> {
    if (c.kind === 'open') await insertStop(trx, place, w, c.stop, at);
    else if (c.kind === 'discard') await deleteStop(trx, c.stop.id);
    else await updateStop(trx, w, c.stop, c.kind === 'close' ? c.untilMs : null, at);
    // A candidate's days are not the ledger's concern until it counts.
    if (!c.stop.confirmed) return;
    const until = c.kind === 'close' ? c.untilMs : at;
    await markChanged(
      trx,
      daysTouched(c.stop.fromMs, Math.max(until, c.stop.fromMs), this.deps.timeZone),
      at,
    );
    if (c.kind !== 'discard') {
      this.deps.log.info(
        { ...place, stop: c.stop.id, change: c.kind, fromMs: c.stop.fromMs },
        'heat stop',
      );
    }
  }
}

function key(p: PlaceRef): string {
  return `${p.level}:${p.place}`;
}

function newStopId(): string {
  return `HS-${randomUUID()}`;
}

interface MeterSample {
  place: PlaceRef;
  flowM3h: number | null;
  heatKw: number | null;
}

/**
 * A building meter's or a substation PLC's flow and heat, or null for other readings. Every
 * reading passes here, room readings by far the most: they leave on the measurement test,
 * before anything is made for them (issue 14).
 */
function meterSample(r: Reading): MeterSample | null {
  if (r.measurement === 'building' && r.tags['building']) {
    const place: PlaceRef = { level: 'building', place: r.tags['building'] };
    return { place, flowM3h: finite(r, 'flow_m3h'), heatKw: finite(r, 'heat_power_kw') };
  }
  if (r.measurement === 'substation' && r.tags['substation']) {
    const place: PlaceRef = { level: 'substation', place: r.tags['substation'] };
    return { place, flowM3h: finite(r, 'primary_flow_m3h'), heatKw: finite(r, 'heat_power_kw') };
  }
  return null;
}

function finite(r: Reading, field: string): number | null {
  const v = r.fields[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function placeOf(i: Incident): PlaceRef | null {
  if (i.level === 'building' && i.building) return { level: 'building', place: i.building };
  if (i.level === 'substation') return { level: 'substation', place: i.substation };
  return null;
}

/** A building's design heat load, carried at the secondary design temperature drop. */
export function buildingDesign(design: NetworkDesign, areaM2: number): PlaceDesign {
  const heatKw = (areaM2 * design.heatLoadWPerM2) / 1000;
  const dt = design.secondary.supplyC - design.secondary.returnC;
  return { heatKw, flowM3h: heatKw / (KW_PER_M3H_K * dt) };
}

export function substationDesign(
  design: NetworkDesign,
  s: { heatedAreaM2: number; designFlowM3h?: number | undefined },
): PlaceDesign {
  return {
    heatKw: (s.heatedAreaM2 * design.heatLoadWPerM2) / 1000,
    flowM3h: designFlowM3h(design, s),
  };
}
