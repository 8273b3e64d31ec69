import type { Condition } from './conditions.ts';
import type { AlertLabels, Severity } from './model.ts';
import type { RuleId } from './rule-words.ts';
import { ruleText } from './texts.ts';

/**
 * Turns what components report (pure data from the bus) into rule conditions
 * (issue 12 item 2). Each function answers for one kind of report; the evaluator
 * (src/alerts/evaluator.ts) calls them and keeps the trackers.
 */

const cond = (
  rule: RuleId,
  place: AlertLabels,
  active: boolean,
  at: number,
  detail: string,
  extra: Partial<Condition> = {},
): Condition => ({ rule, place, active, at, ...ruleText(rule, place, detail), ...extra });

export interface DeviceReport {
  device: string;
  substation: string;
  state: string;
  reason: string | null;
  at: number;
}

export function deviceCondition(r: DeviceReport): Condition {
  return cond(
    'device-down',
    { device: r.device, substation: r.substation },
    r.state === 'down',
    r.at,
    r.reason ?? '',
  );
}

/**
 * A substation is dark when its PLC is down, or every device it has is down: then
 * nothing behind it can be seen, and its devices', buildings' and rooms' alerts are
 * inhibited by this one (issue 12 item 3).
 */
export function substationDark(devices: readonly { kind: string; state: string }[]): boolean {
  if (devices.length === 0) return false;
  const plcs = devices.filter((d) => d.kind === 'substation');
  if (plcs.length > 0 && plcs.every((d) => d.state === 'down')) return true;
  return devices.every((d) => d.state === 'down');
}

export function darkCondition(substation: string, dark: boolean, at: number): Condition {
  return cond('substation-dark', { substation }, dark, at, '');
}

/** The sink's (source, code) to a rule; a source `name:place` gives the place. */
export function ruleOfRaise(source: string, code: string): RuleId | null {
  if (code === 'balance-anomaly') return null; // read from balance.evaluated instead
  if (code === 'spool-full') return 'spool-filling';
  if (source === 'storage' || source.startsWith('storage')) return 'storage-failing';
  if (code === 'mqtt-stale') return 'mqtt-stale';
  if (code === 'auto-balance-paused') return 'auto-balance-paused';
  if (code === 'control-write-failed' || code === 'WRITE_FAILED') return 'control-write-failed';
  return 'component';
}

const SEVERITY_OF_SINK: Record<string, Severity> = {
  critical: 'critical',
  warning: 'warning',
  info: 'warning',
};

export interface SinkReport {
  source: string;
  code: string;
  severity?: string;
  message?: string;
  at: number;
}

export function sinkCondition(r: SinkReport, active: boolean): Condition | null {
  const rule = ruleOfRaise(r.source, r.code);
  if (!rule) return null;
  const place: AlertLabels = { source: r.source, code: r.code };
  const colon = r.source.indexOf(':');
  if (colon > 0 && /^[A-Za-z0-9_.-]+$/.test(r.source.slice(colon + 1))) {
    place['scope'] = r.source.slice(colon + 1);
  }
  const severity = rule === 'component' ? SEVERITY_OF_SINK[r.severity ?? ''] : undefined;
  return cond(rule, place, active, r.at, r.message ?? '', severity ? { severity } : {});
}

/** A silence expired with `left` alerts it muted still firing (alertmanager #2896). */
export function silenceExpiredCondition(
  s: { id: string; owner: string; endsAt: number },
  left: number,
): Condition {
  const place = { silence: s.id };
  const detail = `${left} alerts still firing; owner ${s.owner}`;
  return cond('silence-expired', place, true, s.endsAt, detail, {
    description: {
      en: `Silence ${s.id} (owner ${s.owner}) expired with ${left} alerts still firing`,
      zh: `屏蔽规则 ${s.id}（负责人 ${s.owner}）已到期，仍有 ${left} 条告警`,
    },
  });
}
