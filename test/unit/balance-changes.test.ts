import { describe, expect, it } from 'vitest';
import type { Condition } from '../../src/alerting/conditions.ts';
import { BalanceChanges } from '../../src/alerts/listen.ts';

const cond = (substation: string, active: boolean, at: number): Condition => ({
  rule: 'cold-share',
  place: { substation, branch: 'B1' },
  active,
  at,
  detail: '',
});

describe('BalanceChanges', () => {
  it('passes everything first, then what is active and what just cleared', () => {
    const changes = new BalanceChanges();
    // First evaluation after a start: all of them (an alert resumed from the store clears).
    expect(changes.pick([cond('S1', false, 1), cond('S2', true, 1)])).toHaveLength(2);
    // S1 stayed clear: nothing to say. S2 still active: passed.
    expect(changes.pick([cond('S1', false, 2), cond('S2', true, 2)])).toEqual([
      cond('S2', true, 2),
    ]);
    // S2 cleared: passed once, so its alert resolves; S1 went active.
    expect(changes.pick([cond('S1', true, 3), cond('S2', false, 3)])).toEqual([
      cond('S1', true, 3),
      cond('S2', false, 3),
    ]);
    expect(changes.pick([cond('S1', true, 4), cond('S2', false, 4)])).toEqual([
      cond('S1', true, 4),
    ]);
  });

  it('tells the same station apart by rule', () => {
    const changes = new BalanceChanges();
    changes.pick([]);
    const far: Condition = { ...cond('S1', true, 5), rule: 'far-end-underheating' };
    expect(changes.pick([far, cond('S1', false, 5)])).toEqual([far]);
    expect(changes.pick([{ ...far, active: false, at: 6 }, cond('S1', false, 6)])).toEqual([
      { ...far, active: false, at: 6 },
    ]);
  });
});
