import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { decide, observe } from '../../src/alerting/conditions.ts';
import { type GroupState, planGroup } from '../../src/alerting/grouping.ts';
import { explain } from '../../src/alerting/inhibit.ts';
import { applyAction } from '../../src/alerting/lifecycle.ts';
import type { AlertRecord } from '../../src/alerting/model.ts';
import { routesFor } from '../../src/alerting/routing.ts';
import { nextHandovers, shiftAt } from '../../src/alerting/schedule.ts';
import { silenceMatches, silenceProblem } from '../../src/alerting/silence.ts';
import { AlertsSchema } from '../../src/config/schema-alerts.ts';

/* The pure alert functions (issue 12): rules' timing, lifecycle, grouping, routing, on call. */

const MIN = 60_000;
const TZ = 'Asia/Shanghai';
const SEASON = { start: '11-01', end: '03-31' };
const T0 = Date.parse('2026-12-10T02:00:00Z'); // 10:00 in Shanghai
const defaults = Value.Default(AlertsSchema, {}) as ReturnType<typeof Value.Default> & {
  escalation: {
    chains: {
      id: string;
      steps: { afterMin: number; notify: 'on-call' | 'team-lead' | 'duty-dispatcher' }[];
    }[];
  };
};
const chain = defaults.escalation.chains[0]!;

function alert(id: string, over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id,
    fingerprint: id,
    rule: 'device-down',
    severity: 'major',
    labels: { alertname: 'device-down', severity: 'major', substation: 'S01' },
    summary: { en: '', zh: '' },
    description: { en: '', zh: '' },
    state: 'firing',
    silenced: false,
    inhibited: false,
    inhibitedBy: null,
    incidentId: null,
    group: '',
    startsAt: T0,
    endsAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    assignee: null,
    escalationStep: 0,
    notifications: [],
    ...over,
  };
}

describe('rule timing', () => {
  it('fires after `for` and resolves only after the hold-down', () => {
    const timing = { forSec: 120, holdDownSec: 600 };
    let t = observe(undefined, true, T0);
    expect(decide(t, timing, T0 + MIN)).toBeNull();
    expect(decide(t, timing, T0 + 2 * MIN)).toBe('fire');
    t = { ...observe(t, false, T0 + 3 * MIN), firing: true };
    expect(decide(t, timing, T0 + 12 * MIN)).toBeNull();
    t = observe(t, true, T0 + 12 * MIN);
    expect(decide(t, timing, T0 + 30 * MIN)).toBeNull();
    t = observe(t, false, T0 + 31 * MIN);
    expect(decide(t, timing, T0 + 41 * MIN)).toBe('resolve');
  });
});

describe('lifecycle', () => {
  it('acknowledges a firing alert only, naming the states it would need', () => {
    const acked = applyAction(alert('A'), { action: 'ack', actor: 'wang', at: T0 });
    expect(acked).toMatchObject({
      ok: true,
      alert: { state: 'acknowledged', acknowledgedBy: 'wang' },
    });
    const again = applyAction((acked as { alert: AlertRecord }).alert, {
      action: 'ack',
      actor: 'li',
      at: T0,
    });
    expect(again).toEqual({ ok: false, allowed: ['firing'] });
  });
});

describe('grouping and escalation', () => {
  const timers = { waitMs: 30_000, intervalMs: 5 * MIN, repeatMs: 240 * MIN, remindMs: 10 * MIN };
  const group: GroupState = {
    key: 'g',
    route: 0,
    labels: {},
    firstAt: T0,
    seq: 0,
    lastSentAt: null,
    sentIds: [],
    step: 0,
  };

  it('waits, sends, escalates at 15 and 30 minutes, and starts over once acknowledged', () => {
    const members = [alert('A'), alert('B', { startsAt: T0 + MIN })];
    expect(planGroup(group, members, chain, timers, T0 + 10_000)).toBeNull();
    const first = planGroup(group, members, chain, timers, T0 + 30_000)!;
    expect(first).toMatchObject({
      reason: 'firing',
      step: 0,
      next: { seq: 1, sentIds: ['A', 'B'] },
    });
    expect(planGroup(first.next, members, chain, timers, T0 + 5 * MIN)).toBeNull();
    const reminded = planGroup(first.next, members, chain, timers, T0 + 11 * MIN)!;
    expect(reminded.reason).toBe('unacknowledged');
    const lead = planGroup(reminded.next, members, chain, timers, T0 + 15 * MIN)!;
    expect(lead).toMatchObject({ reason: 'escalated', step: 1 });
    const acked = members.map((a) => ({ ...a, state: 'acknowledged' as const }));
    expect(planGroup(lead.next, acked, chain, timers, T0 + 16 * MIN)).toMatchObject({
      reason: null,
      step: 0,
    });
  });

  it('reports alerts that ended as resolved after the interval', () => {
    const sent = { ...group, seq: 1, lastSentAt: T0, sentIds: ['A'] };
    expect(planGroup(sent, [], chain, timers, T0 + MIN)).toBeNull();
    expect(planGroup(sent, [], chain, timers, T0 + 5 * MIN)).toMatchObject({
      reason: 'resolved',
      next: { sentIds: [] },
    });
  });
});

describe('inhibition by topology', () => {
  it('lets a dark substation inhibit what is seen behind it, and an incident group its place', () => {
    const dark = alert('D', { rule: 'substation-dark', labels: { substation: 'S01' } });
    const device = alert('X', { labels: { substation: 'S01', device: 'S01-plc' } });
    const elsewhere = alert('Y', { labels: { substation: 'S02' } });
    const why = explain(
      [dark, device, elsewhere],
      [{ id: 'I-1', substation: 'S02', building: null, level: 'substation' }],
    );
    expect(why.get('X')).toEqual({ inhibitedBy: 'D', incidentId: null });
    expect(why.get('D')).toEqual({ inhibitedBy: null, incidentId: null });
    expect(why.get('Y')).toEqual({ inhibitedBy: null, incidentId: 'I-1' });
  });
});

describe('routing', () => {
  it('stops at the first match unless it continues', () => {
    const routes = [
      { match: { severity: ['critical' as const] }, channels: ['duty-phone'], continue: true },
      { match: { branch: ['east'] }, channels: ['east-crew'], continue: false },
      { match: {}, channels: ['ops-hook'], continue: false },
    ];
    expect(routesFor(routes, { severity: 'critical', branch: 'east' })).toEqual([0, 1]);
    expect(routesFor(routes, { severity: 'major', branch: 'north' })).toEqual([2]);
  });
});

describe('on-call schedules', () => {
  const rota = {
    id: 'r',
    people: ['wang', 'li', 'zhao'],
    shiftHours: 24,
    handoverAt: '08:00',
    anchor: '2026-11-01',
    outOfSeason: 'chen',
    overrides: [{ from: '2026-12-31T18:00', to: '2027-01-02T08:00', person: 'zhao' }],
  };

  it('rotates daily at 08:00 local time, with holiday overrides and an off-season stand-in', () => {
    // 2026-11-01 08:00 → wang; 11-02 → li; 11-03 07:59 still li.
    expect(shiftAt(rota, Date.parse('2026-11-01T00:00:00Z'), TZ, SEASON).person).toBe('wang');
    expect(shiftAt(rota, Date.parse('2026-11-02T00:00:00Z'), TZ, SEASON).person).toBe('li');
    expect(shiftAt(rota, Date.parse('2026-11-02T23:59:00Z'), TZ, SEASON).person).toBe('li');
    const newYear = shiftAt(rota, Date.parse('2027-01-01T04:00:00Z'), TZ, SEASON);
    expect(newYear).toMatchObject({ person: 'zhao', why: 'override' });
    expect(shiftAt(rota, Date.parse('2027-06-01T04:00:00Z'), TZ, SEASON)).toMatchObject({
      person: 'chen',
      why: 'off-season',
    });
    const next = nextHandovers(rota, Date.parse('2026-12-31T02:00:00Z'), TZ, SEASON, 2);
    expect(next[0]).toMatchObject({ person: 'zhao', from: Date.parse('2026-12-31T10:00:00Z') });
  });
});

describe('silences', () => {
  it('needs an owner and an expiry, and matches by label or expression', () => {
    const m = [{ name: 'substation', value: 'S0[12]', isRegex: true }];
    expect(
      silenceProblem({ matchers: m, startsAt: T0, endsAt: T0 + MIN }, T0, 72 * 60 * MIN)?.field,
    ).toBe('owner');
    expect(
      silenceProblem({ matchers: m, owner: 'wang', startsAt: T0 }, T0, 72 * 60 * MIN)?.field,
    ).toBe('endsAt');
    expect(
      silenceProblem(
        { matchers: m, owner: 'wang', startsAt: T0, endsAt: T0 + 100 * 60 * MIN },
        T0,
        72 * 60 * MIN,
      )?.field,
    ).toBe('endsAt');
    expect(silenceMatches({ matchers: m }, { substation: 'S02' })).toBe(true);
    expect(silenceMatches({ matchers: m }, { substation: 'S03' })).toBe(false);
  });
});
