/**
 * What the embedded broker refuses before a message reaches any session (issue 15,
 * defect 3). Pure, so the rules are tested apart from the broker.
 *
 * Empty levels are refused because aedes 1.2 matches them inconsistently: its message
 * router (mqemitter, `matchEmptyLevels: true` as MQTT-4.7.1-3 asks) delivers
 * `heatnet/building//S01` to a persistent `heatnet/building/+/+` subscriber, while its
 * session store (aedes-persistence's qlobber, `match_empty_levels: false`) never queued
 * it for that session; aedes then fails "no such packet" and closes the subscriber.
 * heatnet's topics never carry an empty level, so refusing them costs nothing.
 */

/** Why a topic was refused: the label of the refusal counters. */
export type TopicRefusal =
  | 'empty'
  | 'empty-level'
  | 'wildcard'
  | 'control-char'
  | 'too-long'
  | 'reserved';
export const TOPIC_REFUSALS: readonly TopicRefusal[] = [
  'empty',
  'empty-level',
  'wildcard',
  'control-char',
  'too-long',
  'reserved',
];

/** Far above heatnet's longest topic (~40 bytes); MQTT allows 65,535, which no sensor needs. */
export const MAX_TOPIC_BYTES = 256;
/** Far above heatnet's deepest topic (5 levels); aedes' own ceiling is 100. */
export const MAX_TOPIC_LEVELS = 16;

// C0 controls, DEL and C1 controls (MQTT-1.5.3: U+0000 forbidden, the rest "SHOULD NOT").
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The reason to refuse `topic` as the topic of a PUBLISH (or a will), or null if fine. */
export function publishTopicRefusal(topic: string): TopicRefusal | null {
  if (topic.length === 0) return 'empty';
  const common = commonRefusal(topic);
  if (common) return common;
  if (topic.includes('+') || topic.includes('#')) return 'wildcard';
  // `$SYS/…` and other `$` topics belong to the broker (aedes' default refusal, kept).
  if (topic.startsWith('$')) return 'reserved';
  if (topic.split('/').some((level) => level.length === 0)) return 'empty-level';
  return null;
}

/** The reason to refuse a SUBSCRIBE filter, or null. Wildcards are a filter's business. */
export function filterRefusal(filter: string): TopicRefusal | null {
  if (filter.length === 0) return 'empty';
  return commonRefusal(filter);
}

function commonRefusal(topic: string): TopicRefusal | null {
  if (Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES) return 'too-long';
  if (topic.split('/').length > MAX_TOPIC_LEVELS) return 'too-long';
  if (CONTROL.test(topic)) return 'control-char';
  return null;
}
