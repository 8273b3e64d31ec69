import type { NotificationReason, Severity } from '../../alerting/model.ts';

/** The company's words for what a message says, in both languages (issue 12 item 5). */
export type Lang = 'zh' | 'en';

export const SEVERITY_WORDS: Record<Severity, Record<Lang, string>> = {
  critical: { zh: '紧急', en: 'CRITICAL' },
  major: { zh: '重要', en: 'MAJOR' },
  minor: { zh: '次要', en: 'minor' },
  warning: { zh: '提示', en: 'warning' },
};

export const REASON_WORDS: Record<NotificationReason, Record<Lang, string>> = {
  firing: { zh: '告警', en: 'alert' },
  resolved: { zh: '已恢复', en: 'resolved' },
  repeat: { zh: '重复提醒', en: 'reminder' },
  unacknowledged: { zh: '无人确认，再次提醒', en: 'not acknowledged, reminding again' },
  escalated: { zh: '无人确认，已升级', en: 'not acknowledged, escalated' },
  'silence-expired': { zh: '静默已到期，仍在告警', en: 'silence expired, still firing' },
  'channel-failing': { zh: '通知通道故障', en: 'notification channel failing' },
};

/** Place labels, widest first: the first one a group has names where it is. */
export const PLACE_LABELS = [
  'district',
  'branch',
  'substation',
  'building',
  'zone',
  'household',
  'device',
] as const;

export const PLACE_WORDS: Record<(typeof PLACE_LABELS)[number], Record<Lang, string>> = {
  district: { zh: '片区', en: 'district' },
  branch: { zh: '支线', en: 'branch' },
  substation: { zh: '换热站', en: 'substation' },
  building: { zh: '楼', en: 'building' },
  zone: { zh: '分区', en: 'zone' },
  household: { zh: '住户', en: 'household' },
  device: { zh: '设备', en: 'device' },
};

export const PHRASES = {
  brand: { zh: '热网告警', en: 'Heat network' },
  alerts: {
    zh: (n: number) => `${n} 条告警`,
    en: (n: number) => `${n} alert${n === 1 ? '' : 's'}`,
  },
  since: { zh: (t: string) => `${t} 起`, en: (t: string) => `since ${t}` },
  ended: { zh: (t: string) => `${t} 恢复`, en: (t: string) => `resolved ${t}` },
  more: {
    zh: (n: number) => `…另有 ${n} 条未列出`,
    en: (n: number) => `… and ${n} more not listed`,
  },
  places: {
    zh: (list: string, n: number) => `${list} 等 ${n} 处`,
    en: (list: string, n: number) => `${list} and ${n - 3} more places`,
  },
  merged: {
    zh: (n: number) => `（发送频率受限：${n} 条消息合并为一条）`,
    en: (n: number) => `(rate limit: ${n} messages merged into one)`,
  },
  inDoubt: {
    zh: '（服务重启后补发，可能重复）',
    en: '(sent again after a restart; may be a repeat)',
  },
  mention: { zh: '请处理', en: 'please handle' },
  unknownPlace: { zh: '全网', en: 'network-wide' },
} as const;
