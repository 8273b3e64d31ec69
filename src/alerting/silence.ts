import type { AlertLabels } from './model.ts';

/**
 * Silences (issue 12 item 4): label matchers, an owner and an expiry — both mandatory, so
 * nobody silences a station "for now" and forgets it (alertmanager #730).
 */
export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  owner: string;
  comment: string;
  startsAt: number;
  endsAt: number;
  createdAt: number;
  /** Ended by hand before its expiry (no expiry notice then). */
  deleted: boolean;
  expiryNotified: boolean;
}

const regexes = new Map<string, RegExp | null>();

function regexOf(source: string): RegExp | null {
  let re = regexes.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${source})$`);
    } catch {
      re = null;
    }
    if (regexes.size > 1000) regexes.clear();
    regexes.set(source, re);
  }
  return re;
}

export function matcherProblem(m: Matcher): string | null {
  if (!m.name) return 'a matcher needs a label name';
  if (m.isRegex && regexOf(m.value) === null) return `not a regular expression: ${m.value}`;
  return null;
}

export function silenceMatches(s: Pick<Silence, 'matchers'>, labels: AlertLabels): boolean {
  return s.matchers.every((m) => {
    const v = labels[m.name] ?? '';
    return m.isRegex ? (regexOf(m.value)?.test(v) ?? false) : v === m.value;
  });
}

export function silenceActive(s: Silence, now: number): boolean {
  return !s.deleted && s.startsAt <= now && now < s.endsAt;
}

/** Why a new silence is refused, naming the field; null when it may be written. */
export function silenceProblem(
  input: { owner?: string; endsAt?: number; startsAt: number; matchers: Matcher[] },
  now: number,
  maxMs: number,
): { field: string; message: string } | null {
  if (!input.owner?.trim()) return { field: 'owner', message: 'a silence needs an owner' };
  if (input.endsAt === undefined) return { field: 'endsAt', message: 'a silence needs an expiry' };
  if (input.endsAt <= Math.max(now, input.startsAt))
    return { field: 'endsAt', message: 'the expiry must be in the future and after the start' };
  if (input.endsAt - input.startsAt > maxMs)
    return { field: 'endsAt', message: `a silence lasts at most ${maxMs / 3_600_000} h` };
  if (input.matchers.length === 0)
    return { field: 'matchers', message: 'a silence needs at least one matcher' };
  for (const m of input.matchers) {
    const p = matcherProblem(m);
    if (p) return { field: 'matchers', message: p };
  }
  return null;
}
