import type { DeskStats } from './complaints/signals.ts';
import { type Family, family } from './metrics-family.ts';

/** Complaints by diagnosed level, replayed posts, open incidents (issue 10). */
export function deskFamilies(desk: () => DeskStats): Family[] {
  return [
    family(
      'counter',
      'heatnet_complaints_received_total',
      'Complaints committed, by diagnosed level',
      ['level'],
      function* () {
        for (const [level, n] of Object.entries(desk().received)) yield [{ level }, n];
      },
    ),
    family(
      'counter',
      'heatnet_complaint_replays_total',
      'Retried posts answered with their first result (Idempotency-Key)',
      [],
      function* () {
        yield [{}, desk().replays];
      },
    ),
    family(
      'gauge',
      'heatnet_incidents_open',
      'Incidents not yet closed or invalid',
      [],
      function* () {
        yield [{}, desk().openIncidents];
      },
    ),
  ];
}
