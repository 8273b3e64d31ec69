/**
 * Topic templates (DESIGN §4.1): `heatnet/room/{substation}/{building}/{household}`.
 * Each `{name}` fills one topic level and is captured as a tag; the broker
 * subscription uses `+` in its place. A literal `+` or `#` is kept as an MQTT wildcard.
 */
export interface TopicTemplate {
  readonly filter: string;
  match(topic: string): Record<string, string> | undefined;
}

export function compileTopicTemplate(template: string): TopicTemplate {
  const levels = template.split('/');
  const names = levels.map((level) => /^\{([a-z][a-z0-9_]*)\}$/.exec(level)?.[1]);
  const filter = levels.map((level, i) => (names[i] ? '+' : level)).join('/');
  const multi = levels[levels.length - 1] === '#';
  return {
    filter,
    match(topic) {
      const parts = topic.split('/');
      if (multi ? parts.length < levels.length - 1 : parts.length !== levels.length)
        return undefined;
      const tags: Record<string, string> = {};
      for (let i = 0; i < levels.length; i++) {
        const level = levels[i]!;
        if (level === '#') break;
        const part = parts[i]!;
        const name = names[i];
        if (name) {
          if (part === '') return undefined;
          tags[name] = part;
        } else if (level !== '+' && level !== part) return undefined;
      }
      return tags;
    },
  };
}
