import Type, { type Static } from 'typebox';
import { ESCALATION_TARGETS, type RuleId } from '../alerting/rule-words.ts';
import { AlertChannelsSchema } from './schema-alert-channels.ts';
import { Id, OneOf } from './schema-helpers.ts';

/**
 * `alerts` (issue 12, DESIGN §4.1): rules, grouping, routes, people and teams, on-call
 * schedules, escalation and silences' limits; `channels` lives in its own file
 * (schema-alert-channels.ts, the delivery side's).
 */

const SEVERITY_WORDS = ['critical', 'major', 'minor', 'warning'] as const;
const Severity = (d: (typeof SEVERITY_WORDS)[number]) =>
  OneOf(SEVERITY_WORDS, 'How urgent its alerts are', d);

/** One rule's knobs; each rule has defaults that fit a heating company. */
const Rule = (
  description: string,
  severity: (typeof SEVERITY_WORDS)[number],
  forSec: number,
  holdDownSec: number,
) =>
  Type.Object(
    {
      enabled: Type.Boolean({ default: true }),
      severity: Severity(severity),
      forSec: Type.Integer({
        minimum: 0,
        default: forSec,
        description: 'The condition must hold this long before the alert fires',
      }),
      holdDownSec: Type.Integer({
        minimum: 0,
        default: holdDownSec,
        description:
          'The condition must stay clear this long before the alert resolves (a flapping device stays one alert)',
      }),
    },
    { additionalProperties: false, default: {}, description },
  );

const H = 3600;
const RULE_DEFAULTS: Record<RuleId, [string, (typeof SEVERITY_WORDS)[number], number, number]> = {
  'device-down': ['A polled device does not answer', 'major', 120, 600],
  'substation-dark': ['A substation’s PLC (or every device) is down', 'critical', 60, 600],
  'storage-failing': ['The time-series database refuses or cannot be reached', 'critical', 60, 300],
  'spool-filling': ['The disk spool is filling while storage is down', 'critical', 0, 300],
  'mqtt-stale': ['An MQTT subscription went quiet', 'minor', 300, 600],
  'balance-anomaly': [
    'Pump fault or stop, leak, flow restriction, heat exchanger',
    'major',
    600,
    1800,
  ],
  'far-end-underheating': ['A far-end substation keeps underheating', 'major', 2 * H, H],
  'cold-share': ['A substation’s cold rooms exceed 1 − complianceTarget', 'major', H, H],
  'incident-opened': ['An incident opened', 'major', 0, 0],
  'incident-eta-missed': ['An incident’s ETA passed before it was restored', 'major', 0, 0],
  'sla-warning': ['An SLA clock is close to its target', 'warning', 0, 0],
  'sla-breached': ['An SLA clock passed its target', 'critical', 0, 0],
  'heat-stopped': [
    'Heat stopped over 12 h: notify residents’ management and the authority',
    'critical',
    12 * H,
    0,
  ],
  'control-write-failed': ['A pump setpoint write failed', 'major', 0, 600],
  'auto-balance-paused': ['Auto-balancing paused itself', 'warning', 0, 300],
  component: ['Any other condition a component raises', 'warning', 0, 300],
  'silence-expired': ['A silence expired while its alerts still fire', 'major', 0, 0],
};

const RulesSchema = Type.Object(
  Object.fromEntries(
    Object.entries(RULE_DEFAULTS).map(([id, [d, s, f, h]]) => [id, Rule(d, s, f, h)]),
  ) as { [K in RuleId]: ReturnType<typeof Rule> },
  { additionalProperties: false, default: {} },
);

const LABELS = [
  'alertname',
  'severity',
  'substation',
  'branch',
  'building',
  'device',
  'team',
] as const;

const GroupingSchema = Type.Object(
  {
    by: Type.Array(OneOf(LABELS, 'A label'), {
      default: ['alertname', 'branch'],
      description: 'Alerts sharing these labels go out in one message',
    }),
    waitSec: Type.Integer({
      minimum: 0,
      default: 30,
      description: 'A new group waits this long for its storm to arrive',
    }),
    intervalSec: Type.Integer({
      minimum: 1,
      default: 300,
      description: 'A changed group is notified at most this often',
    }),
    repeatSec: Type.Integer({
      minimum: 60,
      default: 4 * H,
      description: 'An unchanged firing group is re-sent this often',
    }),
    sample: Type.Integer({
      minimum: 1,
      maximum: 500,
      default: 20,
      description: 'Alerts listed in full per message; the rest are counted',
    }),
  },
  { additionalProperties: false, default: {} },
);

const Ids = (description: string) => Type.Array(Type.String({ minLength: 1 }), { description });

const RouteSchema = Type.Object(
  {
    match: Type.Object(
      {
        severity: Type.Optional(Type.Array(OneOf(SEVERITY_WORDS, 'A severity'))),
        rule: Type.Optional(Ids('Rules (alertname)')),
        substation: Type.Optional(Ids('Substations')),
        branch: Type.Optional(Ids('Branches of the main')),
        team: Type.Optional(Ids('Teams responsible for the place')),
      },
      { additionalProperties: false, default: {} },
    ),
    channels: Type.Array(Id('A channel id'), { minItems: 1 }),
    receiver: Type.Optional(
      Type.String({ description: 'Name in the messages; default the channels' }),
    ),
    escalation: Type.Optional(
      Id('Escalation chain for these alerts (default: escalation.default)'),
    ),
    continue: Type.Boolean({ default: false, description: 'Also try the routes after this one' }),
  },
  { additionalProperties: false },
);

const PersonSchema = Type.Object(
  {
    id: Id('Person id'),
    name: Type.String({ minLength: 1 }),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 -]{5,20}$' })),
    email: Type.Optional(Type.String({ format: 'email' })),
  },
  { additionalProperties: false },
);

const TeamSchema = Type.Object(
  {
    id: Id('Team id'),
    name: Type.String({ minLength: 1 }),
    branches: Type.Array(Type.String(), { default: [], description: 'Branches it answers for' }),
    substations: Type.Array(Type.String(), {
      default: [],
      description: 'Substations it answers for',
    }),
    lead: Id('The team lead (a person id)'),
    schedule: Type.Optional(Id('Its on-call schedule')),
  },
  { additionalProperties: false },
);

const Local = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2})?$',
  description: 'Local date or date-time in site.timezone',
});

const ScheduleSchema = Type.Object(
  {
    id: Id('Schedule id'),
    people: Type.Array(Id('A person id'), { minItems: 1, description: 'Rotation order' }),
    shiftHours: Type.Integer({ minimum: 1, maximum: 168, default: 24 }),
    handoverAt: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', default: '08:00' }),
    anchor: Type.String({
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      default: '2026-11-01',
      description: 'A day whose first shift the first person takes',
    }),
    outOfSeason: Type.Optional(
      Id('Who is on call outside the heating season (default: the rotation)'),
    ),
    overrides: Type.Array(
      Type.Object(
        {
          from: Local,
          to: Local,
          person: Id('Who takes over'),
          reason: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'Holidays and swaps: they win over the rotation' },
    ),
  },
  { additionalProperties: false },
);

const ChainSchema = Type.Object(
  {
    id: Id('Chain id'),
    steps: Type.Array(
      Type.Object(
        {
          afterMin: Type.Integer({ minimum: 0, description: 'Minutes after the alert fired' }),
          notify: OneOf(ESCALATION_TARGETS, 'Who this step reaches'),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

const DEFAULT_CHAIN = {
  id: 'standard',
  steps: [
    { afterMin: 0, notify: 'on-call' },
    { afterMin: 15, notify: 'team-lead' },
    { afterMin: 30, notify: 'duty-dispatcher' },
  ],
};

const EscalationSchema = Type.Object(
  {
    chains: Type.Array(ChainSchema, { default: [DEFAULT_CHAIN] }),
    default: Type.String({
      minLength: 1,
      default: 'standard',
      description: 'The chain routes use unless they name one',
    }),
    dutyDispatcher: Type.Optional(Id('The duty dispatcher: a schedule id or a person id')),
    remindEveryMin: Type.Integer({
      minimum: 1,
      default: 10,
      description: 'Unacknowledged alerts are re-sent this often',
    }),
    ackTimeoutMin: Type.Integer({
      minimum: 1,
      default: 240,
      description: 'An acknowledged alert still firing after this long fires again',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const AlertsSchema = Type.Object(
  {
    channels: AlertChannelsSchema,
    rules: RulesSchema,
    grouping: GroupingSchema,
    routes: Type.Array(RouteSchema, {
      default: [],
      description: 'First match wins unless `continue`',
    }),
    people: Type.Array(PersonSchema, { default: [] }),
    teams: Type.Array(TeamSchema, { default: [] }),
    schedules: Type.Array(ScheduleSchema, { default: [] }),
    escalation: EscalationSchema,
    silences: Type.Object(
      {
        maxHours: Type.Number({
          exclusiveMinimum: 0,
          default: 72,
          description: 'Longest silence allowed',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    tickSec: Type.Number({
      exclusiveMinimum: 0,
      default: 5,
      description: 'How often timers are checked (service-clock seconds)',
    }),
  },
  { additionalProperties: false, default: {} },
);

export type AlertRoute = Static<typeof RouteSchema>;
export type AlertPerson = Static<typeof PersonSchema>;
export type AlertTeam = Static<typeof TeamSchema>;
export type OnCallSchedule = Static<typeof ScheduleSchema>;
export type EscalationChain = Static<typeof ChainSchema>;
export type RuleSettings = Static<ReturnType<typeof Rule>>;
