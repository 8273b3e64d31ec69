import { describe, expect, it } from 'vitest';
import {
  chooseIncident,
  complaintFault,
  covers,
  findingFault,
} from '../../src/complaints/grouping.ts';
import { newId } from '../../src/complaints/ids.ts';
import { checkTransition, TRANSITIONS } from '../../src/complaints/incident-states.ts';
import { FindingStreaks } from '../../src/complaints/incident-watch.ts';
import { requestHash } from '../../src/complaints/intake.ts';
import { dueAt } from '../../src/complaints/sla.ts';
import { INCIDENT_STATES, type Incident } from '../../src/complaints/types.ts';
import { isHeatnetError } from '../../src/core/errors.ts';
import type { Household } from '../../src/domain/topology.ts';
import { diagnosisAt, pumpFinding } from '../integration/complaints-harness.ts';

/** The desk's pure rules (issue 10 §3): states, grouping, streaks, SLA, ids. */

const household: Household = {
  id: 'S03-B2-0902',
  floor: 9,
  unit: 2,
  areaM2: 90,
  zone: 'high',
  building: 'S03-B2',
  substation: 'S03',
};

const T0 = Date.UTC(2030, 0, 10, 6);

function incident(over: Partial<Incident>): Incident {
  return {
    id: 'I-300110-AAAAAA',
    faultKey: 'substation:S03',
    level: 'substation',
    substation: 'S03',
    building: null,
    zone: null,
    cause: 'pump-fault',
    place: 'S03',
    state: 'suspected',
    origin: 'complaint',
    openedAt: T0,
    updatedAt: T0,
    etaAt: null,
    summary: { en: '', zh: '' },
    evidence: [],
    action: null,
    ...over,
  };
}

const conflict = (f: () => void) => {
  try {
    f();
  } catch (err) {
    return isHeatnetError(err) ? { code: err.code, field: err.context.field } : err;
  }
  return null;
};

describe('incident transitions', () => {
  it('allows the issue’s path and refuses the rest with a 409 naming the allowed states', () => {
    expect(conflict(() => checkTransition({ from: 'suspected', to: 'confirmed' }))).toBeNull();
    expect(
      conflict(() => checkTransition({ from: 'confirmed', to: 'restoring', etaAt: T0 })),
    ).toBeNull();
    expect(conflict(() => checkTransition({ from: 'restoring', to: 'restored' }))).toBeNull();
    expect(conflict(() => checkTransition({ from: 'restored', to: 'closed' }))).toBeNull();
    expect(
      conflict(() => checkTransition({ from: 'confirmed', to: 'invalid', reason: 'a test call' })),
    ).toBeNull();
    for (const from of ['restoring', 'restored', 'closed', 'invalid'] as const) {
      expect(conflict(() => checkTransition({ from, to: 'invalid', reason: 'x' }))).toMatchObject({
        code: 'CONFLICT',
      });
    }
    expect(conflict(() => checkTransition({ from: 'closed', to: 'confirmed' }))).toMatchObject({
      code: 'CONFLICT',
    });
    expect(conflict(() => checkTransition({ from: 'confirmed', to: 'restoring' }))).toEqual({
      code: 'BAD_REQUEST',
      field: 'etaAt',
    });
    expect(
      conflict(() => checkTransition({ from: 'suspected', to: 'invalid', reason: ' ' })),
    ).toEqual({
      code: 'BAD_REQUEST',
      field: 'reason',
    });
    // Every state has its row; closed and invalid are final.
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...INCIDENT_STATES].sort());
    expect(TRANSITIONS.closed).toEqual([]);
    expect(TRANSITIONS.invalid).toEqual([]);
  });
});

describe('grouping', () => {
  it('tracks only faults above the household diagnosed confidently enough', () => {
    expect(complaintFault(diagnosisAt('household', household.id), household, 0.6)).toBeNull();
    expect(complaintFault(diagnosisAt('none', household.id), household, 0.6)).toBeNull();
    expect(complaintFault(diagnosisAt('unknown', null), household, 0.6)).toBeNull();
    expect(complaintFault(diagnosisAt('substation', 'S03', 0.5), household, 0.6)).toBeNull();
    expect(complaintFault(diagnosisAt('zone', 'S03-B2/high'), household, 0.6)).toEqual({
      faultKey: 'zone:S03-B2/high',
      level: 'zone',
      substation: 'S03',
      building: 'S03-B2',
      zone: 'high',
    });
    expect(complaintFault(diagnosisAt('network', 'S03'), household, 0.6)).toMatchObject({
      faultKey: 'network:S03',
      building: null,
    });
  });

  it('lets a fault join its own incident or one above it at its building or substation', () => {
    const zone = complaintFault(diagnosisAt('zone', 'S03-B2/high'), household, 0)!;
    const building = incident({
      faultKey: 'building:S03-B2',
      level: 'building',
      building: 'S03-B2',
      place: 'S03-B2',
    });
    const otherBuilding = incident({
      faultKey: 'building:S03-B1',
      level: 'building',
      building: 'S03-B1',
    });
    const pump = incident({});
    const elsewhere = incident({ faultKey: 'substation:S04', substation: 'S04' });
    expect(covers(building, zone)).toBe(true);
    expect(covers(pump, zone)).toBe(true);
    expect(covers(otherBuilding, zone)).toBe(false);
    expect(covers(elsewhere, zone)).toBe(false);
    // A building fault is not explained by a zone incident below it.
    expect(
      covers(
        incident({ faultKey: zone.faultKey, level: 'zone', building: 'S03-B2', zone: 'high' }),
        {
          ...zone,
          faultKey: 'building:S03-B2',
          level: 'building',
          zone: null,
        },
      ),
    ).toBe(false);
    // The nearest level wins, then the same fault first.
    expect(chooseIncident([pump, building], zone, T0, 3_600_000)?.faultKey).toBe('building:S03-B2');
    const own = incident({
      id: 'I-own',
      faultKey: zone.faultKey,
      level: 'zone',
      building: 'S03-B2',
      zone: 'high',
    });
    expect(chooseIncident([pump, building, own], zone, T0, 3_600_000)?.id).toBe('I-own');
  });

  it('joins restored incidents only within the grouping window, closed ones never', () => {
    const fault = findingFault(pumpFinding('S03'));
    const restored = incident({ state: 'restored', updatedAt: T0 });
    expect(chooseIncident([restored], fault, T0 + 59 * 60_000, 3_600_000)).toBe(restored);
    expect(chooseIncident([restored], fault, T0 + 61 * 60_000, 3_600_000)).toBeUndefined();
    expect(chooseIncident([incident({ state: 'closed' })], fault, T0, 3_600_000)).toBeUndefined();
    expect(chooseIncident([incident({ state: 'invalid' })], fault, T0, 3_600_000)).toBeUndefined();
    // An active incident is joined however long it has been open.
    expect(
      chooseIncident([incident({ state: 'restoring' })], fault, T0 + 86_400_000, 3_600_000),
    ).toBeDefined();
  });
});

describe('finding streaks', () => {
  it('fires once when a fault is seen confirmAfter times in a row, and once when gone restoredAfter times', () => {
    const streaks = new FindingStreaks({ confirmAfter: 2, restoredAfter: 3 });
    const a = new Set(['substation:S03']);
    const none = new Set<string>();
    expect(streaks.update(a)).toEqual({ due: [], gone: [] });
    expect(streaks.update(none)).toEqual({ due: [], gone: [] });
    expect(streaks.update(a)).toEqual({ due: [], gone: [] });
    expect(streaks.update(a)).toEqual({ due: ['substation:S03'], gone: [] });
    expect(streaks.update(a)).toEqual({ due: [], gone: [] });
    expect(streaks.update(none)).toEqual({ due: [], gone: [] });
    expect(streaks.update(none)).toEqual({ due: [], gone: [] });
    expect(streaks.update(none)).toEqual({ due: [], gone: ['substation:S03'] });
    expect(streaks.update(none)).toEqual({ due: [], gone: [] });
  });

  it('counts the absence of faults the store says are open after a restart', () => {
    const streaks = new FindingStreaks({ confirmAfter: 2, restoredAfter: 2 });
    streaks.track(['building:S03-B2']);
    expect(streaks.update(new Set())).toEqual({ due: [], gone: [] });
    expect(streaks.update(new Set())).toEqual({ due: [], gone: ['building:S03-B2'] });
  });
});

describe('tickets, ids, request identity', () => {
  const sla = {
    emergencyArrival: 30,
    noHeatResponse: 120,
    complaintHandling: 1440,
    generalFaultFix: 480,
  };

  it('dues tickets by the company’s promises', () => {
    expect(dueAt('leak', T0, sla) - T0).toBe(30 * 60_000);
    expect(dueAt('no-heat', T0, sla) - T0).toBe(120 * 60_000);
    expect(dueAt('low-temperature', T0, sla) - T0).toBe(480 * 60_000);
    expect(dueAt('billing', T0, sla) - T0).toBe(1440 * 60_000);
    expect(dueAt('noise', T0, sla) - T0).toBe(1440 * 60_000);
  });

  it('names complaints by the site’s date and a speakable random tail', () => {
    // 23:30 UTC is the next day in Shanghai.
    const id = newId('C', Date.UTC(2030, 0, 9, 23, 30), 'Asia/Shanghai');
    expect(id).toMatch(/^C-300110-[2-9A-HJKMNP-Z]{6}$/);
    expect(newId('T', T0, 'UTC')).toMatch(/^T-300110-/);
  });

  it('dates ids by their own instant across midnight, in either order', () => {
    // Shanghai's 2030-01-10 starts at 16:00 UTC on the 9th.
    const midnight = Date.UTC(2030, 0, 9, 16);
    const days = [
      midnight - 1,
      midnight,
      midnight + 86_399_999,
      midnight + 86_400_000,
      midnight - 1,
    ];
    expect(days.map((at) => newId('I', at, 'Asia/Shanghai').slice(2, 8))).toEqual([
      '300109',
      '300110',
      '300110',
      '300111',
      '300109',
    ]);
  });

  it('identifies a request body whatever the order of its fields', () => {
    const a = requestHash({
      household: 'H',
      category: 'leak',
      address: { building: 'B', floor: 1, unit: 2 },
    });
    const b = requestHash({
      address: { unit: 2, floor: 1, building: 'B' },
      category: 'leak',
      household: 'H',
    });
    expect(a).toBe(b);
    expect(requestHash({ household: 'H', category: 'no-heat' })).not.toBe(a);
  });
});
