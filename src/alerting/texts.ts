import type { Words2 } from './conditions.ts';
import type { AlertLabels } from './model.ts';
import type { RuleId } from './rule-words.ts';

/**
 * What each rule's alert says, in English and Chinese (every text a person reads comes
 * in both). `where` is the place as a person names it; `detail` what the reporter said.
 */
const TEXTS: Record<RuleId, [string, string]> = {
  'device-down': ['Device {where} does not answer', '设备 {where} 无响应'],
  'substation-dark': [
    'Substation {where} is dark: its PLC does not answer',
    '换热站 {where} 失联：PLC 无响应',
  ],
  'storage-failing': ['Storage is failing', '数据存储故障'],
  'spool-filling': ['The disk spool is filling', '本地缓存正在写满'],
  'mqtt-stale': ['No MQTT data on {where}', 'MQTT 主题 {where} 无数据'],
  'balance-anomaly': ['Substation {where}: {detail}', '换热站 {where}：{detail}'],
  'far-end-underheating': [
    'Far-end substation {where} keeps underheating',
    '远端换热站 {where} 持续供热不足',
  ],
  'cold-share': [
    'Substation {where}: too many rooms below the minimum',
    '换热站 {where}：低温房间比例超标',
  ],
  'incident-opened': ['Incident {where} opened', '故障事件 {where} 已立案'],
  'incident-eta-missed': ['Incident {where} missed its ETA', '故障事件 {where} 超过预计恢复时间'],
  'sla-warning': ['Ticket {where} is close to its SLA target', '工单 {where} 即将超时'],
  'sla-breached': ['Ticket {where} breached its SLA', '工单 {where} 已超时'],
  'heat-stopped': [
    'Heat stopped at {where} for over 12 h: notify residents’ management and the authority',
    '{where} 停热超过 12 小时：须通知物业与主管部门',
  ],
  'control-write-failed': ['A setpoint write failed at {where}', '{where} 设定值写入失败'],
  'auto-balance-paused': ['Auto-balancing paused ({where})', '自动平衡已暂停（{where}）'],
  component: ['{where}: {detail}', '{where}：{detail}'],
  'silence-expired': [
    'Silence {where} expired while its alerts still fire',
    '屏蔽规则 {where} 已到期，告警仍在',
  ],
};

const WHERE_KEYS = [
  'incident',
  'ticket',
  'device',
  'building',
  'substation',
  'silence',
  'scope',
  'topic',
  'source',
];

export function whereOf(place: AlertLabels): string {
  for (const k of WHERE_KEYS) if (place[k]) return place[k];
  return Object.values(place).join(' ') || '—';
}

const fill = (t: string, where: string, detail: string) =>
  t.replaceAll('{where}', where).replaceAll('{detail}', detail || '—');

export function ruleText(
  rule: RuleId,
  place: AlertLabels,
  detail: string,
): { summary: Words2; description: Words2 } {
  const [en, zh] = TEXTS[rule];
  const where = whereOf(place);
  return {
    summary: { en: fill(en, where, detail), zh: fill(zh, where, detail) },
    description: { en: detail || fill(en, where, detail), zh: detail || fill(zh, where, detail) },
  };
}
