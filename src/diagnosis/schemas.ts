import Type, { type Static } from 'typebox';
import { Nullable, Words } from '../core/words.ts';

/**
 * What a complaint's diagnosis and a fault found in the network data look like
 * (DESIGN §4.7), as schemas: the domain's types derive from them and the API serves
 * and documents them, so every level and cause word exists once. Times are epoch ms
 * here; the API's views format them in ISO.
 */

/** Where a low temperature comes from, from the network outwards to the flat. */
export const LEVELS = [
  'network',
  'substation',
  'building',
  'zone',
  'household',
  'none',
  'unknown',
] as const;
export const LevelSchema = Words(
  LEVELS,
  'Where the fault is: none = the data contradicts the complaint; unknown = not enough data where it matters',
);

/** The finer label of a diagnosis or a finding. */
export const CAUSES = [
  // network
  'hydraulic-imbalance',
  'supply-temperature-low',
  // substation (the balancing engine's anomaly words where they exist)
  'pump-fault',
  'flow-restriction',
  'heat-exchanger',
  'leak',
  // building, zone, household
  'branch-restriction',
  'zone-circulation',
  'household-restriction',
  // heat stopped to a building or a substation (the refund rules count these)
  'heat-stopped',
  // none / unknown / not a heating fault
  'room-warm',
  'insufficient-data',
  'not-a-heating-fault',
] as const;
export const CauseSchema = Words(CAUSES);

/** Who acts on a diagnosis. */
export const ACTORS = ['dispatcher', 'crew', 'service', 'resident'] as const;

/** Text a person reads, in both of the console's languages (zh-CN and English). */
export const LocalTextSchema = Type.Object({ en: Type.String(), zh: Type.String() });

export const EvidenceSchema = Type.Object({
  what: Type.String({
    description: 'The reading or judgement, e.g. room-temp, zone-cold-share, far-end-underheating',
  }),
  where: Type.String({ description: 'Household, zone (BUILDING/zone), building, substation' }),
  value: Nullable(Type.Union([Type.Number(), Type.String(), Type.Boolean()])),
  unit: Type.Optional(Type.String()),
  at: Nullable(Type.Number({ description: 'When it was read (epoch ms); null for a judgement' })),
  shows: LocalTextSchema,
});

export const ActionSchema = Type.Object({
  who: Words(ACTORS),
  /** Machine-readable, so the console can offer it (e.g. the guarded pump change). */
  code: Words([
    'raise-pump',
    'raise-supply-temperature',
    'check-pump',
    'clean-strainer',
    'check-heat-exchanger',
    'find-leak',
    'check-branch-valve',
    'check-riser',
    'visit-household',
    'measure-room',
    'restore-heat',
    'answer-caller',
    'restore-data',
  ] as const),
  /** The place acted on: a pump, substation, building, zone or household id. */
  target: Type.String(),
  /** Pump changes: the engine's recommendation. */
  fromHz: Type.Optional(Type.Number()),
  toHz: Type.Optional(Type.Number()),
  what: LocalTextSchema,
});

export const DiagnosisSchema = Type.Object({
  level: LevelSchema,
  cause: CauseSchema,
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  /**
   * The place the level names: a household id, `BUILDING/zone`, a building, a
   * substation (network diagnoses name the household's substation); null for unknown.
   */
  place: Nullable(Type.String()),
  evidence: Type.Array(EvidenceSchema),
  /** Data that was missing at the levels that matter (always filled for `unknown`). */
  missing: Type.Array(Type.String()),
  action: ActionSchema,
  summary: LocalTextSchema,
});

/** A fault the network data show before (or without) anyone calling. */
export const FindingSchema = Type.Object({
  level: Words(['network', 'substation', 'building', 'zone'] as const),
  cause: CauseSchema,
  place: Type.String(),
  substation: Type.String(),
  building: Nullable(Type.String()),
  zone: Nullable(Type.String()),
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  evidence: Type.Array(EvidenceSchema),
  action: ActionSchema,
  summary: LocalTextSchema,
});

export type Level = Static<typeof LevelSchema>;
export type Cause = Static<typeof CauseSchema>;
export type LocalText = Static<typeof LocalTextSchema>;
export type Evidence = Static<typeof EvidenceSchema>;
export type Action = Static<typeof ActionSchema>;
export type Diagnosis = Static<typeof DiagnosisSchema>;
export type Finding = Static<typeof FindingSchema>;

/** The categories a complaint is filed under (DESIGN §4.7). */
export const CATEGORIES = [
  'low-temperature',
  'no-heat',
  'leak',
  'noise',
  'billing',
  'other',
] as const;
export type ComplaintCategory = (typeof CATEGORIES)[number];
export const CHANNELS = ['hotline', 'window', 'wechat', 'app', 'web', 'other'] as const;
export type ComplaintChannel = (typeof CHANNELS)[number];

/** A zone's place: `BUILDING/zone`. */
export const zonePlace = (building: string, zone: string) => `${building}/${zone}`;

/** The identity of the fault a diagnosis or finding names: complaints with one key group. */
export const faultKey = (f: { level: string; place: string | null }) =>
  `${f.level}:${f.place ?? ''}`;
