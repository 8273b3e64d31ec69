// The API's shapes, taken from the service's own schemas (one contract; type-only imports,
// erased from the bundle).

export type { PumpView, Sample, SubstationSummary } from '../src/api/schemas.ts';
export type { BalanceResultView } from '../src/api/schemas-balance.ts';
export type { SiteView, Whoami } from '../src/api/schemas-console.ts';
export type { AuditEntryView, AutoStatusView } from '../src/api/schemas-control.ts';

import type { Static } from 'typebox';
import type { BalanceResultView } from '../src/api/schemas-balance.ts';
import type { ComplaintListSchema, IncidentListSchema } from '../src/api/schemas-complaints.ts';
import type { TicketListSchema } from '../src/api/schemas-tickets.ts';

export type ComplaintView = Static<typeof ComplaintListSchema>['complaints'][number];
export type IncidentView = Static<typeof IncidentListSchema>['incidents'][number];
export type TicketView = Static<typeof TicketListSchema>['tickets'][number];
export type StationBalance = BalanceResultView['substations'][number];

export type { AlertView, OnCallView } from '../src/api/schemas-alerts.ts';

import type { OnCallView } from '../src/api/schemas-alerts.ts';
/** One team's duty as GET /api/oncall lists it. */
export type OncallTeam = OnCallView['teams'][number];
