import Type, { type Static } from 'typebox';
import { Nullable, Words } from '../core/words.ts';
import { SLA_CLOCKS, SLA_STATUSES } from '../service/sla-words.ts';
import { TICKET_KINDS, TICKET_STATES } from '../service/ticket-words.ts';
import { IdParams } from './schemas.ts';

/** Request and response schemas of the work orders' routes (issue 11, DESIGN §4.3). */

const Time = Type.String({ format: 'date-time' });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Text = (maxLength: number, description: string) => Type.String({ maxLength, description });
const StateSchema = Words(TICKET_STATES);

export const TicketQuery = Type.Object(
  {
    state: Type.Optional(StateSchema),
    kind: Type.Optional(
      Words(TICKET_KINDS, 'complaint = a resident’s call; incident = a crew’s job'),
    ),
    team: Type.Optional(Name),
    assignee: Type.Optional(Name),
    overdue: Type.Optional(
      Type.Boolean({ description: 'Only tickets with a breached SLA clock now' }),
    ),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Opened at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Opened before' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

export const TimelinessQuery = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'Tickets opened at or after' }),
    to: Type.String({ format: 'date-time', description: 'Tickets opened before' }),
  },
  { additionalProperties: false },
);

export const TicketPatchBody = Type.Object(
  {
    to: StateSchema,
    note: Type.Optional(Text(1000, 'What was done or found')),
    assignee: Type.Optional(Name),
    team: Type.Optional(Name),
    reason: Type.Optional(
      Text(
        500,
        'Required for waiting-resident, reopened, cancelled, duplicate, and to close a cold room',
      ),
    ),
  },
  { additionalProperties: false },
);

export const ClockViewSchema = Type.Object({
  name: Words(SLA_CLOCKS),
  regulatory: Type.Boolean({ description: 'A regulatory clock never pauses' }),
  targetMin: Type.Number(),
  status: Words(SLA_STATUSES),
  startAt: Nullable(Time),
  stopAt: Nullable(Time),
  breachAt: Nullable(Time),
  warnAt: Type.Array(Nullable(Time)),
  pauses: Type.Array(Type.Object({ from: Time, until: Nullable(Time) })),
});

export const TicketChangeViewSchema = Type.Object({
  at: Time,
  actor: Type.String(),
  from: Nullable(StateSchema),
  to: StateSchema,
  note: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  assignee: Nullable(Type.String()),
  team: Nullable(Type.String()),
});

export const TicketViewSchema = Type.Object({
  id: Type.String(),
  kind: Words(TICKET_KINDS),
  state: StateSchema,
  complaintId: Nullable(Type.String()),
  incidentId: Nullable(Type.String()),
  category: Nullable(Type.String()),
  household: Nullable(Type.String()),
  substation: Nullable(Type.String()),
  team: Nullable(Type.String()),
  assignee: Nullable(Type.String()),
  dueAt: Time,
  createdAt: Time,
  updatedAt: Time,
  clocks: Type.Array(ClockViewSchema),
});

export const TicketDetailSchema = Type.Object({
  ...TicketViewSchema.properties,
  history: Type.Array(TicketChangeViewSchema),
});

export const TicketListSchema = Type.Object({
  count: Type.Integer(),
  tickets: Type.Array(TicketViewSchema),
});

const Rate = Nullable(Type.Number({ minimum: 0, maximum: 1 }));
export const TeamRatesSchema = Type.Object({
  team: Type.String(),
  tickets: Type.Integer(),
  judged: Type.Integer({ description: 'Tickets with a clock that came due or stopped' }),
  timely: Type.Integer(),
  timeliness: Rate,
  closable: Type.Integer({ description: 'Tickets not cancelled and not duplicates' }),
  closed: Type.Integer(),
  closure: Rate,
  meetsTimeliness: Nullable(Type.Boolean()),
  meetsClosure: Nullable(Type.Boolean()),
});

export const TimelinessSchema = Type.Object({
  from: Time,
  to: Time,
  targets: Type.Object({ timeliness: Type.Number(), closure: Type.Number() }),
  teams: Type.Array(TeamRatesSchema),
  overall: TeamRatesSchema,
});

export const TicketIdParams = IdParams;
export type TicketView = Static<typeof TicketViewSchema>;
export type TicketDetailView = Static<typeof TicketDetailSchema>;
