import { computed, signal } from '@preact/signals';
import { en, type Key } from './en.ts';
import { zh } from './zh.ts';

export type Lang = 'en' | 'zh';
const LANG_KEY = 'heatnet.lang';
const dictionaries: Record<Lang, Record<Key, string>> = { en, zh };

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === 'en' || saved === 'zh') return saved;
  } catch {
    // storage may be off; fall through to the browser's language
  }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export const lang = signal<Lang>(initialLang());
/** The site's time zone (DESIGN §3: times a person reads are in site.timezone). */
export const timeZone = signal('Asia/Shanghai');

export function setLang(next: Lang): void {
  lang.value = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // remembered for this page only
  }
}

const locale = computed(() => (lang.value === 'zh' ? 'zh-CN' : 'en-GB'));

/** The word for `key` in the chosen language, with `{name}` filled from `vars`. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = dictionaries[lang.value][key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** A word chosen by a value the API gives (a status, a state); the value itself if none. */
export function tWord(prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return key in en ? t(key as Key) : value;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
export function num(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const id = `${locale.value}|${digits}`;
  let f = numberFormats.get(id);
  if (!f) {
    f = new Intl.NumberFormat(locale.value, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    numberFormats.set(id, f);
  }
  return f.format(value);
}

export function pct(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return `${num(share * 100, digits)} %`;
}

/** A time in the site's zone: `time` for today's clock, `datetime` with the date. */
export function when(value: string | number | null | undefined, withDate = false): string {
  if (value === null || value === undefined) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(locale.value, {
    timeZone: timeZone.value,
    hour: '2-digit',
    minute: '2-digit',
    second: withDate ? undefined : '2-digit',
    ...(withDate ? { month: '2-digit', day: '2-digit' } : {}),
    hour12: false,
  }).format(date);
}

/** A duration a person reads: "2 h 05 min", "12 min", "40 s". */
export function duration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return t('dur.s', { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('dur.m', { m });
  return t('dur.hm', { h: Math.floor(m / 60), m: String(m % 60).padStart(2, '0') });
}
