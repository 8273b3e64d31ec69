import type { Reading } from '../core/reading.ts';
import { SeriesRecord } from '../core/series-tags.ts';
import { BucketPool } from './bucket-pool.ts';
import { RollingWindow } from './rolling-window.ts';

/** PLC fields the balancing engine averages over its window (DESIGN §4.2 names). */
export const SUBSTATION_FIELDS = [
  'primary_supply_temp_c',
  'primary_return_temp_c',
  'primary_flow_m3h',
  'primary_supply_pressure_mpa',
  'primary_return_pressure_mpa',
  'secondary_supply_temp_c',
  'secondary_return_temp_c',
  'heat_power_kw',
  'makeup_water_m3h',
] as const;
export type SubstationField = (typeof SUBSTATION_FIELDS)[number];

const SUBSTATION_FIELD_SET: ReadonlySet<string> = new Set(SUBSTATION_FIELDS);

/**
 * One household's room sensor: its window, with its heated area for weighting. The window
 * itself rather than an object holding one: 250,000 of them at scale, and each object
 * fewer is one fewer for every major GC to mark (issue 10).
 */
export class RoomWindow extends RollingWindow {
  constructor(
    readonly household: string,
    readonly areaM2: number,
    /**
     * Building and zone from the reading's tags (the MQTT router adds them from the
     * topology): the neighbours a sensor is compared with. The household itself when
     * untagged, so such a sensor is never compared.
     */
    readonly zone: string,
    ...window: ConstructorParameters<typeof RollingWindow>
  ) {
    super(...window);
  }
}

/**
 * Rolling windows of exactly what balancing needs, fed from the readings stream:
 * substation PLC fields per station, room temperatures per household grouped by
 * station (so one station's rooms are one lookup), and the outdoor temperature per
 * weather station. Everything else in the stream is ignored here.
 */
export class BalanceWindows {
  readonly substations = new Map<string, Map<SubstationField, RollingWindow>>();
  /**
   * substation → household → its room window, in the order households first reported
   * (evaluations walk a station's); keyed by the tags' own strings, no key built.
   */
  readonly rooms = new Map<string, Map<string, RoomWindow>>();
  private readonly zoneNames = new Map<string, string>();
  /** The same by the readings' shared tags (one per MQTT topic): no key to build per reading. */
  private readonly roomByTags = new SeriesRecord<RoomWindow>();
  readonly weather = new Map<string, RollingWindow>();
  /**
   * substation → when a pump's frequency setpoint last changed (first seen with a
   * new value). Flows before it describe the old setting, not the present one.
   */
  readonly setpointChangedAt = new Map<string, number>();
  private readonly setpoints = new Map<string, number>();
  /** Every window's buckets, in typed arrays rather than four JS arrays per window. */
  private readonly buckets = new BucketPool();
  private readonly keepMs: number;
  private readonly bucketMs: number;
  /** Room readings of households the network does not know. */
  rejectedUnknown = 0;

  /**
   * @param areaOf a household's heated area, looked up once per sensor (the indoor
   *   mean is area-weighted); readings of households it does not know are refused.
   *   Readings stamped too far ahead never get here: the ingest pipeline refuses them.
   */
  constructor(
    windowMs: number,
    private readonly areaOf: (household: string) => number | undefined,
    /** The pump field that holds the frequency setpoint (`control.setpointField`). */
    private readonly setpointField = 'frequency_setpoint_hz',
  ) {
    // Keep a quarter more than the window: evaluations run a little behind readings.
    this.keepMs = windowMs * 1.25;
    // Sixty buckets per window: the window's edges are resolved to a sixtieth of it.
    this.bucketMs = Math.max(1000, Math.round(windowMs / 60));
  }

  apply(readings: readonly Reading[]): void {
    for (const r of readings) {
      switch (r.measurement) {
        case 'room':
          this.applyRoom(r);
          break;
        case 'substation':
          this.applySubstation(r);
          break;
        case 'weather':
          this.applyWeather(r);
          break;
        case 'pump':
          this.applyPump(r);
          break;
      }
    }
  }

  private applyRoom(r: Reading): void {
    const temp = r.fields.temp_c;
    if (typeof temp !== 'number') return;
    const known = this.roomByTags.get(r.tags);
    if (known) {
      known.add(r.time, temp);
      return;
    }
    const { substation, household } = r.tags;
    if (!substation || !household) return;
    const room = this.roomOf(substation, household, r.tags);
    if (!room) return;
    this.roomByTags.set(r.tags, room);
    room.add(r.time, temp);
  }

  /** The household's window, made on its first reading; undefined for one the network lacks. */
  private roomOf(substation: string, household: string, tags: Reading['tags']) {
    let station = this.rooms.get(substation);
    const known = station?.get(household);
    if (known) return known;
    const areaM2 = this.areaOf(household);
    if (areaM2 === undefined) {
      this.rejectedUnknown++;
      return undefined;
    }
    const { building, zone } = tags;
    const zoneName = building && zone ? this.zoneName(`${building}/${zone}`) : household;
    const room = new RoomWindow(
      household,
      areaM2,
      zoneName,
      this.keepMs,
      this.bucketMs,
      this.buckets,
    );
    if (!station) {
      station = new Map();
      this.rooms.set(substation, station);
    }
    station.set(household, room);
    return room;
  }

  /** One string per zone, not one per household (250,000 at scale). */
  private zoneName(name: string): string {
    const known = this.zoneNames.get(name);
    if (known !== undefined) return known;
    this.zoneNames.set(name, name);
    return name;
  }

  private applySubstation(r: Reading): void {
    const id = r.tags.substation;
    if (!id) return;
    let fields = this.substations.get(id);
    if (!fields) {
      fields = new Map();
      this.substations.set(id, fields);
    }
    for (const name in r.fields) {
      const v = r.fields[name];
      if (typeof v !== 'number' || !SUBSTATION_FIELD_SET.has(name)) continue;
      const field = name as SubstationField;
      let w = fields.get(field);
      if (!w) {
        w = new RollingWindow(this.keepMs, this.bucketMs, this.buckets);
        fields.set(field, w);
      }
      w.add(r.time, v);
    }
  }

  private applyPump(r: Reading): void {
    const { substation, pump } = r.tags;
    const hz = r.fields[this.setpointField];
    if (!substation || !pump || typeof hz !== 'number') return;
    const previous = this.setpoints.get(pump);
    this.setpoints.set(pump, hz);
    // A change smaller than a drive's own resolution is noise, not a new setting.
    if (previous !== undefined && Math.abs(hz - previous) > 0.05) {
      this.setpointChangedAt.set(
        substation,
        Math.max(this.setpointChangedAt.get(substation) ?? 0, r.time),
      );
    }
  }

  private applyWeather(r: Reading): void {
    const station = r.tags.station ?? '';
    const v = r.fields.outdoor_temp_c;
    if (typeof v !== 'number') return;
    let w = this.weather.get(station);
    if (!w) {
      w = new RollingWindow(this.keepMs, this.bucketMs, this.buckets);
      this.weather.set(station, w);
    }
    w.add(r.time, v);
  }
}
