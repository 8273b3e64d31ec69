import type { BalanceStatus, Position, Recommendation } from '../balance/types.ts';
import type { Action, Cause, Evidence, Level, LocalText } from './schemas.ts';

/**
 * What a verdict tells people, in the company's words (English and Chinese): who does
 * what for each cause, and a one-line summary. Kept apart from the rules so the wording
 * can change without touching the reasoning.
 */

/** A fault at one place, with what shows it: a finding, or the core of a diagnosis. */
export interface Verdict {
  level: Level;
  cause: Cause;
  place: string | null;
  substation: string;
  building: string | null;
  zone: string | null;
  evidence: Evidence[];
  action: Action;
  summary: LocalText;
  /** How directly the data show it (0–1), before the caller's own data are weighed. */
  strength: number;
}

export const text = (en: string, zh: string): LocalText => ({ en, zh });

type ActionOf = (target: string) => Action;

const ACTIONS: Partial<Record<Cause, ActionOf>> = {
  'pump-fault': (t) => ({
    who: 'crew',
    code: 'check-pump',
    target: t,
    what: text(`a crew checks and restarts the pump at ${t}`, `派抢修班组检查并恢复${t}循环泵`),
  }),
  'flow-restriction': (t) => ({
    who: 'crew',
    code: 'clean-strainer',
    target: t,
    what: text(`a crew cleans the strainer at ${t}`, `派班组清洗${t}除污器`),
  }),
  'heat-exchanger': (t) => ({
    who: 'crew',
    code: 'check-heat-exchanger',
    target: t,
    what: text(`a crew checks the heat exchanger at ${t}`, `派班组检查${t}换热器（结垢）`),
  }),
  leak: (t) => ({
    who: 'crew',
    code: 'find-leak',
    target: t,
    what: text(`a crew finds the leak behind ${t}`, `派班组查找${t}二次网漏点`),
  }),
  'branch-restriction': (t) => ({
    who: 'crew',
    code: 'check-branch-valve',
    target: t,
    what: text(`a crew checks the ${t} branch valve`, `派班组检查${t}楼栋支线阀门`),
  }),
  'zone-circulation': (t) => ({
    who: 'crew',
    code: 'check-riser',
    target: t,
    what: text(`a crew checks the riser circulation of ${t}`, `派班组检查${t}分区立管循环`),
  }),
  'household-restriction': (t) => ({
    who: 'service',
    code: 'visit-household',
    target: t,
    what: text(
      `a visit to ${t}: bleed the radiators, check the valve and filter`,
      `上门检修${t}：排气、检查阀门和过滤器`,
    ),
  }),
  'heat-stopped': (t) => ({
    who: 'dispatcher',
    code: 'restore-heat',
    target: t,
    what: text(`the dispatcher restores heat to ${t}`, `调度恢复${t}供热`),
  }),
  'room-warm': (t) => ({
    who: 'service',
    code: 'measure-room',
    target: t,
    what: text(`send someone to measure the room temperature at ${t}`, `派人上门测量${t}室温`),
  }),
  'supply-temperature-low': (t) => ({
    who: 'dispatcher',
    code: 'raise-supply-temperature',
    target: t,
    what: text('the dispatcher raises the plant supply temperature', '调度提高热源供水温度'),
  }),
};

export function actionFor(cause: Cause, target: string): Action {
  const make = ACTIONS[cause];
  if (make) return make(target);
  return {
    who: 'service',
    code: 'answer-caller',
    target,
    what: text('the service desk answers the caller', '客服答复来电用户'),
  };
}

/** The engine's pump change for an under-supplied station (the dispatcher's job). */
export function raisePumpAction(rec: Recommendation, station: string): Action {
  if (rec.action === 'raise' && rec.limitedBy !== 'maxHz') {
    const from = rec.currentHz.toFixed(0);
    const to = rec.targetHz.toFixed(0);
    return {
      who: 'dispatcher',
      code: 'raise-pump',
      target: rec.pump,
      fromHz: rec.currentHz,
      toHz: rec.targetHz,
      what: text(`raise ${rec.pump} ${from} → ${to} Hz`, `将${rec.pump}频率由${from}调至${to} Hz`),
    };
  }
  return {
    who: 'dispatcher',
    code: 'raise-pump',
    target: station,
    what: text(
      `${station}'s pump is at its limit: raise the plant differential pressure`,
      `${station}水泵已达上限：提高热源供回水压差`,
    ),
  };
}

const LEVEL_ZH: Record<Level, string> = {
  network: '管网',
  substation: '换热站',
  building: '楼栋',
  zone: '分区',
  household: '住户',
  none: '无故障',
  unknown: '无法判断',
};

const CAUSE_ZH: Record<Cause, string> = {
  'hydraulic-imbalance': '水力失调（远端不热）',
  'supply-temperature-low': '供水温度偏低',
  'pump-fault': '循环泵故障或停运',
  'flow-restriction': '流量受阻（除污器堵塞）',
  'heat-exchanger': '换热器结垢',
  leak: '漏水失水',
  'branch-restriction': '楼栋支线受阻',
  'zone-circulation': '分区立管循环不畅',
  'household-restriction': '户内堵塞或气堵',
  'heat-stopped': '停止供热',
  'room-warm': '室温达标',
  'insufficient-data': '数据不足',
  'not-a-heating-fault': '非供热故障',
};

const LEVEL_EN: Record<Level, string> = {
  network: 'Network',
  substation: 'Substation',
  building: 'Building',
  zone: 'Riser zone',
  household: 'Household',
  none: 'No fault',
  unknown: 'Cannot tell',
};

const CAUSE_EN: Record<Cause, string> = {
  'hydraulic-imbalance': 'hydraulic imbalance (far end not hot)',
  'supply-temperature-low': 'supply temperature too low',
  'pump-fault': 'circulation pump fault or stopped',
  'flow-restriction': 'flow restricted (clogged strainer)',
  'heat-exchanger': 'fouled heat exchanger',
  leak: 'leak, water loss',
  'branch-restriction': 'building branch restricted',
  'zone-circulation': 'poor riser circulation in the zone',
  'household-restriction': 'blockage or air in the flat',
  'heat-stopped': 'heat stopped',
  'room-warm': 'room at standard',
  'insufficient-data': 'not enough data',
  'not-a-heating-fault': 'not a heating fault',
};

/** The engine's words as the company says them (seed 000: 近端过热，远末端不热). */
export const POSITION_ZH: Record<Position, string> = {
  near: '近端',
  middle: '中段',
  far: '远端',
};
export const STATUS_ZH: Record<BalanceStatus, string> = {
  overheating: '过热',
  underheating: '不热',
  normal: '正常',
  'no-data': '无数据',
};

/** A zone's name as staff say it: 高区 / 中区 / 低区. */
export const ZONE_ZH: Record<string, string> = { high: '高区', middle: '中区', low: '低区' };

export function summaryOf(level: Level, cause: Cause, place: string | null): LocalText {
  const where = place ?? '';
  return text(
    `${LEVEL_EN[level]}: ${CAUSE_EN[cause]}${where ? ` at ${where}` : ''}`,
    `${LEVEL_ZH[level]}：${where}${CAUSE_ZH[cause]}`,
  );
}
