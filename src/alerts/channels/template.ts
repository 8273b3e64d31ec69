import type { Notification, NotifiedAlert, Severity } from '../../alerting/model.ts';
import { SEVERITIES } from '../../alerting/model.ts';
import type { Delivery } from './channel.ts';
import {
  type Lang,
  PHRASES,
  PLACE_LABELS,
  PLACE_WORDS,
  REASON_WORDS,
  SEVERITY_WORDS,
} from './words.ts';

export interface TextOptions {
  language: 'zh' | 'en' | 'both';
  timeZone: string;
  /** Alerts listed one per line; the rest are counted. */
  maxAlerts: number;
  markdown: boolean;
}

export interface Rendered {
  title: string;
  text: string;
}

/**
 * A notification as people read it, in Chinese, English or both (Chinese first), times
 * in site.timezone: what, how many, where, and every alert up to `maxAlerts`.
 */
export function render(n: Notification, d: Delivery, opts: TextOptions): Rendered {
  const langs: Lang[] = opts.language === 'both' ? ['zh', 'en'] : [opts.language];
  const titles = langs.map((l) => title(n, l));
  const blocks = langs.map((l, i) => block(n, d, l, titles[i]!, opts));
  return { title: titles.join(' / '), text: blocks.join('\n\n') };
}

/** The most urgent severity the message carries (its MQTT topic, its title). */
export function topSeverity(n: Notification): Severity {
  for (const s of SEVERITIES) {
    if ((n.counts[s] ?? 0) > 0 || n.alerts.some((a) => a.labels.severity === s)) return s;
  }
  return 'warning';
}

export function title(n: Notification, l: Lang): string {
  const state =
    n.status === 'resolved' ? REASON_WORDS.resolved[l] : SEVERITY_WORDS[topSeverity(n)][l];
  const head = l === 'zh' ? `【${PHRASES.brand.zh}·${state}】` : `[${PHRASES.brand.en} · ${state}]`;
  const gap = l === 'zh' ? '' : ' ';
  return `${head}${gap}${where(n, l)}${l === 'zh' ? '：' : ': '}${PHRASES.alerts[l](n.total)}`;
}

function block(n: Notification, d: Delivery, l: Lang, head: string, o: TextOptions): string {
  const lines = [o.markdown ? `**${head}**` : head];
  if (n.reason !== 'firing' && n.reason !== 'resolved') lines.push(REASON_WORDS[n.reason][l]);
  const counts = countsLine(n, l);
  if (counts) lines.push(counts);
  const shown = n.alerts.slice(0, o.maxAlerts);
  for (const a of shown) lines.push(`- ${alertLine(a, l, o.timeZone)}`);
  const hidden = n.total - shown.length;
  if (hidden > 0) lines.push(PHRASES.more[l](hidden));
  if (d.merged > 1) lines.push(PHRASES.merged[l](d.merged));
  if (d.inDoubt) lines.push(PHRASES.inDoubt[l]);
  return lines.join('\n');
}

function countsLine(n: Notification, l: Lang): string {
  const parts = SEVERITIES.filter((s) => (n.counts[s] ?? 0) > 0).map(
    (s) => `${SEVERITY_WORDS[s][l]} ${n.counts[s]}`,
  );
  return parts.join(l === 'zh' ? '，' : ', ');
}

function alertLine(a: NotifiedAlert, l: Lang, timeZone: string): string {
  const place = placeOf(a.labels, l);
  const when =
    a.status === 'resolved' && a.endsAt !== null
      ? PHRASES.ended[l](localTime(a.endsAt, timeZone))
      : PHRASES.since[l](localTime(a.startsAt, timeZone));
  return [a.summary[l], place, when].filter(Boolean).join(' · ');
}

/** Where a group is: its group labels' place, else the alerts' places (three named). */
export function where(n: Notification, l: Lang): string {
  const own = placeOf(n.groupLabels, l) || placeOf(n.commonLabels, l);
  if (own) return own;
  const places = [...new Set(n.alerts.map((a) => placeOf(a.labels, l)).filter(Boolean))];
  if (places.length === 0) return PHRASES.unknownPlace[l];
  if (places.length <= 3) return places.join(l === 'zh' ? '、' : ', ');
  return PHRASES.places[l](places.slice(0, 3).join(l === 'zh' ? '、' : ', '), places.length);
}

/** The narrowest place the labels name, e.g. "换热站 S07" / "substation S07". */
export function placeOf(labels: Record<string, string>, l: Lang): string {
  for (const label of [...PLACE_LABELS].reverse()) {
    const value = labels[label];
    if (value) return `${PLACE_WORDS[label][l]} ${value}`;
  }
  return '';
}

/** `2026-01-10 16:05` in the site's zone: what the dispatcher's wall clock says. */
export function localTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
