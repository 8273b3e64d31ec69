/**
 * What the regulation ledger (issue 11) is computed from, as the store keeps it: the
 * ledger's rules are pure and read only these. Days are the site's calendar days
 * (`YYYY-MM-DD` in `site.timezone`); times are epoch ms.
 */

/** One household's room sensor over one day. */
export interface RoomDay {
  household: string;
  day: string;
  /** Time-weighted (or sample) mean of the day's readings, °C. */
  meanC: number;
  samples: number;
  /** When the aggregate last changed (a late reading changes its day). */
  updatedAtMs: number;
}

/** Heat to a building or substation stopped, from network data or an incident. */
export interface HeatStop {
  id: string;
  level: 'building' | 'substation';
  /** Building or substation id. */
  place: string;
  fromMs: number;
  /** null = still stopped. */
  untilMs: number | null;
  source: 'data' | 'incident';
  /** The incident it came from or that it joined, if any. */
  incidentId: string | null;
}

/** A room temperature measured on a visit (it counts like a sensor's daily mean). */
export interface RoomMeasurement {
  household: string;
  atMs: number;
  tempC: number;
  by: string;
  ticketId: string | null;
}

/** Who bears a household's days (regulation art. 22: a resident's own renovation). */
export interface Attribution {
  household: string;
  fromDay: string;
  /** Inclusive; null = open. */
  toDay: string | null;
  party: 'household' | 'force-majeure';
  reason: string;
  by: string;
  atMs: number;
}
