import { describe, expect, it } from 'vitest';
import { balanceConditions } from '../../src/alerting/signals-service.ts';
import { BalanceChanges } from '../../src/alerts/listen.ts';
import type { BalanceResult, SubstationBalance } from '../../src/balance/types.ts';

/** One evaluation's answers for the cold-share rule, station by station. */
function evaluation(changes: BalanceChanges, active: Record<string, boolean>): string[] {
  const kept = Object.entries(active)
    .filter(([substation, on]) => changes.keep('cold-share', substation, on))
    .map(([substation, on]) => `${substation} ${on ? 'on' : 'off'}`);
  changes.evaluated();
  return kept;
}

describe('BalanceChanges', () => {
  it('passes everything first, then what is active and what just cleared', () => {
    const changes = new BalanceChanges();
    // First evaluation after a start: all of them (an alert resumed from the store clears).
    expect(evaluation(changes, { S1: false, S2: true })).toEqual(['S1 off', 'S2 on']);
    // S1 stayed clear: nothing to say. S2 still active: passed.
    expect(evaluation(changes, { S1: false, S2: true })).toEqual(['S2 on']);
    // S2 cleared: passed once, so its alert resolves; S1 went active.
    expect(evaluation(changes, { S1: true, S2: false })).toEqual(['S1 on', 'S2 off']);
    expect(evaluation(changes, { S1: true, S2: false })).toEqual(['S1 on']);
  });

  it('tells the same station apart by rule', () => {
    const changes = new BalanceChanges();
    changes.evaluated();
    expect(changes.keep('far-end-underheating', 'S1', true)).toBe(true);
    expect(changes.keep('cold-share', 'S1', false)).toBe(false);
    changes.evaluated();
    expect(changes.keep('far-end-underheating', 'S1', false)).toBe(true);
    expect(changes.keep('cold-share', 'S1', false)).toBe(false);
  });

  it('builds only the conditions it keeps, with their details', () => {
    const station = (id: string, s: Partial<SubstationBalance>) =>
      ({ id, branch: 'B1', anomaly: null, flag: null, coldShare: 0, ...s }) as SubstationBalance;
    const result = {
      evaluatedAt: 1000,
      substations: [
        station('S1', { coldShare: 0.25 }),
        station('S2', { anomaly: { cause: 'pump-stopped', evidence: ['P1 0 Hz'] } }),
        station('S3', {}),
      ],
    } as unknown as BalanceResult;
    const changes = new BalanceChanges();
    changes.evaluated();
    const kept = balanceConditions(result, 0.9, changes.keep);
    expect(kept).toEqual([
      {
        rule: 'cold-share',
        place: { substation: 'S1', branch: 'B1' },
        active: true,
        at: 1000,
        detail: 'cold share 25.0 %',
      },
      {
        rule: 'balance-anomaly',
        place: { substation: 'S2', branch: 'B1' },
        active: true,
        at: 1000,
        detail: 'pump-stopped — P1 0 Hz',
      },
    ]);
    // Without a choice, every rule of every station says true or false.
    expect(balanceConditions(result, 0.9)).toHaveLength(9);
  });
});
