import { describe, expect, it } from 'vitest';
import {
  type ClockRules,
  instantOfRunning,
  nextSignalAt,
  reachedSignals,
  type StateChange,
  slaClocks,
} from '../../src/service/sla.ts';
import type { SlaClockName } from '../../src/service/sla-words.ts';

/**
 * SLA clocks against a fake clock (issue 11 §2): every target, the 50 % and 80 % warnings
 * and the breach at the exact minute; pauses only for internal clocks, only in the states
 * the config names; a clock computed from the history alone, so a restart cannot move it.
 */
const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 1, 8, 0);
const at = (minutes: number) => T0 + minutes * MIN;

const RULES: ClockRules = {
  minutes: {
    'emergency-arrival': 30,
    'no-heat-response': 120,
    'general-fault-fix': 480,
    'indoor-facility-fix': 1440,
    handling: 1440,
    report: 60,
    'call-back': 1440,
  },
  regulatory: ['emergency-arrival', 'no-heat-response', 'handling'],
  pauseIn: ['waiting-resident'],
  warnAt: [0.5, 0.8],
};

const created: StateChange[] = [{ at: T0, to: 'received' }];
const one = (name: SlaClockName, history: StateChange[], now: number) =>
  slaClocks([name], history, RULES, now)[0]!;

describe('SLA clock targets at the exact minute', () => {
  const cases: [SlaClockName, number][] = [
    ['emergency-arrival', 30],
    ['no-heat-response', 120],
    ['general-fault-fix', 480],
    ['indoor-facility-fix', 1440],
    ['handling', 1440],
  ];
  it.each(cases)('%s: warns at 50 %% and 80 %%, breaches at %i min', (name, target) => {
    const c = one(name, created, at(target - 1));
    expect(c.startAt).toBe(T0);
    expect(c.warnAt).toEqual([at(target * 0.5), at(target * 0.8)]);
    expect(c.breachAt).toBe(at(target));
    expect(c.status).toBe('running');
    expect(one(name, created, at(target)).status).toBe('breached');
    const signals = (m: number) => reachedSignals([one(name, created, at(m))], RULES.warnAt, at(m));
    expect(signals(target * 0.5 - 1)).toEqual([]);
    expect(signals(target * 0.5).map((s) => s.key)).toEqual([`${name}:warn:50`]);
    expect(signals(target * 0.8 - 1)).toHaveLength(1);
    expect(signals(target * 0.8).map((s) => s.key)).toEqual([`${name}:warn:50`, `${name}:warn:80`]);
    expect(signals(target - 1)).toHaveLength(2);
    expect(signals(target).at(-1)).toMatchObject({
      kind: 'breach',
      at: at(target),
      key: `${name}:breach`,
    });
  });

  it('the report clock runs 60 min from resolved; the call-back clock from reported', () => {
    const h: StateChange[] = [
      ...created,
      { at: at(100), to: 'on-site' },
      { at: at(200), to: 'resolved' },
    ];
    expect(one('report', created, at(500)).status).toBe('pending');
    const report = one('report', h, at(259));
    expect(report).toMatchObject({ startAt: at(200), breachAt: at(260), status: 'running' });
    expect(one('report', h, at(260)).status).toBe('breached');
    const reported = [...h, { at: at(250), to: 'reported' as const }];
    expect(one('report', reported, at(900))).toMatchObject({ status: 'met', stopAt: at(250) });
    expect(one('call-back', reported, at(251))).toMatchObject({
      startAt: at(250),
      breachAt: at(250 + 1440),
    });
  });

  it('stops met before the target and missed after it; cancelled voids', () => {
    const onSite = (m: number): StateChange[] => [...created, { at: at(m), to: 'on-site' }];
    expect(one('emergency-arrival', onSite(30), at(60))).toMatchObject({
      status: 'met',
      breachAt: at(30),
    });
    expect(one('emergency-arrival', onSite(31), at(60))).toMatchObject({
      status: 'missed',
      breachAt: at(30),
    });
    expect(one('emergency-arrival', onSite(14), at(60))).toMatchObject({
      status: 'met',
      breachAt: null,
      warnAt: [null, null],
    });
    const cancelled: StateChange[] = [...created, { at: at(10), to: 'cancelled' }];
    expect(one('handling', cancelled, at(2000)).status).toBe('void');
    expect(reachedSignals([one('handling', cancelled, at(2000))], RULES.warnAt, at(2000))).toEqual(
      [],
    );
  });
});

describe('SLA pauses', () => {
  const waiting: StateChange[] = [
    ...created,
    { at: at(60), to: 'dispatched' },
    { at: at(100), to: 'waiting-resident' },
    { at: at(400), to: 'dispatched' },
  ];

  it('an internal clock pauses in waiting-resident, and the pause shows', () => {
    const fix = one('general-fault-fix', waiting, at(500));
    expect(fix.regulatory).toBe(false);
    expect(fix.pauses).toEqual([{ from: at(100), until: at(400) }]);
    // 480 running minutes: 100 before the pause, 380 after it.
    expect(fix.breachAt).toBe(at(780));
    expect(fix.warnAt).toEqual([at(240 + 300), at(384 + 300)]);
    expect(fix.status).toBe('running');
  });

  it('a regulatory clock never pauses', () => {
    const handling = one('handling', waiting, at(500));
    expect(handling.regulatory).toBe(true);
    expect(handling.pauses).toEqual([]);
    expect(handling.breachAt).toBe(at(1440));
  });

  it('while paused its breach is unknown and it does not breach', () => {
    const still = waiting.slice(0, 3);
    const fix = one('general-fault-fix', still, at(2000));
    expect(fix).toMatchObject({
      status: 'paused',
      breachAt: null,
      pauses: [{ from: at(100), until: null }],
    });
    // The 50 % warning (240 running min) is not reached before the pause at 100.
    expect(fix.warnAt).toEqual([null, null]);
  });

  it('pauses only in the states the config names', () => {
    const onHold: StateChange[] = [
      ...created,
      { at: at(10), to: 'accepted' },
      { at: at(20), to: 'dispatched' },
    ];
    expect(one('general-fault-fix', onHold, at(30)).pauses).toEqual([]);
    const rules = { ...RULES, pauseIn: ['accepted' as const] };
    const c = slaClocks(['general-fault-fix'], onHold, rules, at(30))[0]!;
    expect(c.pauses).toEqual([{ from: at(10), until: at(20) }]);
    expect(c.breachAt).toBe(at(490));
  });

  it('instantOfRunning walks the running spans', () => {
    const pauses = [
      { from: at(10), until: at(20) },
      { from: at(30), until: at(50) },
    ];
    expect(instantOfRunning(T0, null, pauses, 10 * MIN)).toBe(at(10));
    expect(instantOfRunning(T0, null, pauses, 15 * MIN)).toBe(at(25));
    expect(instantOfRunning(T0, null, pauses, 25 * MIN)).toBe(at(55));
    expect(instantOfRunning(T0, at(40), pauses, 25 * MIN)).toBeNull();
  });
});

describe('a restart neither resets nor pauses a clock', () => {
  it('the clock is a function of the history and now only', () => {
    // Whatever happened to the process between at(0) and at(200), the same history gives
    // the same clock: a breach at the 120th minute of the service clock.
    const before = one('no-heat-response', created, at(60));
    const after = one('no-heat-response', created, at(200));
    expect(before.breachAt).toBe(after.breachAt);
    expect(after.status).toBe('breached');
  });
});

describe('when the SLA watch next looks at a ticket', () => {
  const clocks = (history: StateChange[], now: number) =>
    slaClocks(['no-heat-response', 'handling'], history, RULES, now);

  it('is the first warning or breach after now, over every clock', () => {
    // no-heat-response: 60, 96, 120; handling: 720, 1152, 1440.
    expect(nextSignalAt(clocks(created, at(0)), at(0))).toBe(at(60));
    expect(nextSignalAt(clocks(created, at(60)), at(60))).toBe(at(96));
    expect(nextSignalAt(clocks(created, at(121)), at(121))).toBe(at(720));
    expect(nextSignalAt(clocks(created, at(1440)), at(1440))).toBeNull();
  });

  it('is none while every clock is stopped or paused, until the ticket moves', () => {
    const resolved: StateChange[] = [...created, { at: at(30), to: 'accepted' }];
    const stopped = slaClocks(['no-heat-response'], resolved, RULES, at(40));
    expect(nextSignalAt(stopped, at(40))).toBeNull();
    const waiting: StateChange[] = [...created, { at: at(100), to: 'waiting-resident' }];
    const paused = slaClocks(['general-fault-fix'], waiting, RULES, at(200));
    expect(nextSignalAt(paused, at(200))).toBeNull();
    const resumed = [...waiting, { at: at(400), to: 'dispatched' as const }];
    // 240 running minutes for the 50 % warning: 100 before the pause, 140 after it.
    expect(nextSignalAt(slaClocks(['general-fault-fix'], resumed, RULES, at(400)), at(400))).toBe(
      at(540),
    );
  });
});
