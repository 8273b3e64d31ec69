import { describe, expect, it } from 'vitest';
import type { SlaClock } from '../../src/service/sla.ts';
import { teamRates } from '../../src/service/ticket-rates.ts';
import { refuseMove, TICKET_TRANSITIONS, type TicketMove } from '../../src/service/ticket-rules.ts';
import { TICKET_STATES, type TicketState } from '../../src/service/ticket-words.ts';

/** The work orders' rules (issue 11 §1), table-tested: every move, the reasons, the close guard. */
const move = (from: TicketState, to: TicketState, over: Partial<TicketMove> = {}): TicketMove => ({
  kind: 'complaint',
  category: 'other',
  from,
  to,
  reason: 'a reason',
  roomC: null,
  minC: 18,
  ...over,
});

const EXPECTED: Record<TicketState, TicketState[]> = {
  received: ['dispatched', 'accepted', 'waiting-resident', 'cancelled', 'duplicate'],
  dispatched: ['dispatched', 'accepted', 'on-site', 'waiting-resident', 'cancelled', 'duplicate'],
  accepted: ['dispatched', 'on-site', 'waiting-resident', 'cancelled'],
  'on-site': ['resolved', 'waiting-resident'],
  resolved: ['reported', 'reopened'],
  reported: ['called-back', 'reopened'],
  'called-back': ['closed', 'reopened'],
  closed: ['reopened'],
  'waiting-resident': ['dispatched', 'accepted', 'on-site', 'cancelled'],
  reopened: ['dispatched', 'accepted', 'on-site', 'waiting-resident'],
  cancelled: [],
  duplicate: [],
};

describe('ticket transitions', () => {
  const pairs = TICKET_STATES.flatMap((from) => TICKET_STATES.map((to) => [from, to] as const));
  it.each(pairs)('%s → %s', (from, to) => {
    const refusal = refuseMove(move(from, to));
    if (EXPECTED[from].includes(to)) expect(refusal).toBeNull();
    else {
      expect(refusal).toMatchObject({ status: 'conflict', field: 'to', allowed: EXPECTED[from] });
      const named = EXPECTED[from].length ? EXPECTED[from].join(', ') : 'none (it is final)';
      expect(refusal!.message).toContain(`allowed: ${named}`);
    }
  });

  it('covers every state', () => {
    expect(Object.keys(TICKET_TRANSITIONS).sort()).toEqual([...TICKET_STATES].sort());
  });

  it.each(['waiting-resident', 'cancelled', 'duplicate'] as const)('%s needs a reason', (to) => {
    expect(refuseMove(move('received', to, { reason: '  ' }))).toMatchObject({
      status: 'bad-request',
      field: 'reason',
    });
  });

  it('reopened needs a reason (the unsatisfied call-back says why)', () => {
    expect(refuseMove(move('called-back', 'reopened', { reason: undefined }))?.field).toBe(
      'reason',
    );
  });
});

describe('the close guard: closed in the system, untouched on site', () => {
  const cold = { category: 'low-temperature', roomC: 16.4, reason: undefined };
  it('refuses to close a cold-room ticket whose sensor still reads cold, naming the reason', () => {
    const r = refuseMove(move('called-back', 'closed', cold));
    expect(r).toMatchObject({ status: 'conflict', field: 'reason' });
    expect(r!.message).toContain('16.4 °C');
    expect(
      refuseMove(move('called-back', 'closed', { ...cold, category: 'no-heat' })),
    ).not.toBeNull();
  });

  it('closes with an explicit reason, a warm room, no sensor, another category or a crew ticket', () => {
    expect(
      refuseMove(move('called-back', 'closed', { ...cold, reason: 'measured 18.5 °C on site' })),
    ).toBeNull();
    expect(refuseMove(move('called-back', 'closed', { ...cold, roomC: 18 }))).toBeNull();
    expect(refuseMove(move('called-back', 'closed', { ...cold, roomC: null }))).toBeNull();
    expect(refuseMove(move('called-back', 'closed', { ...cold, category: 'noise' }))).toBeNull();
    expect(
      refuseMove(move('called-back', 'closed', { ...cold, kind: 'incident', category: null })),
    ).toBeNull();
  });
});

describe('team rates', () => {
  const clock = (status: SlaClock['status']) => ({ status }) as SlaClock;
  it('timeliness over tickets with a decided clock, closure over the closable ones', () => {
    const r = teamRates(
      [
        { ticket: { team: 'east', state: 'closed' }, clocks: [clock('met'), clock('met')] },
        { ticket: { team: 'east', state: 'resolved' }, clocks: [clock('met'), clock('missed')] },
        { ticket: { team: 'east', state: 'cancelled' }, clocks: [clock('void')] },
        { ticket: { team: null, state: 'received' }, clocks: [clock('running')] },
        { ticket: { team: null, state: 'dispatched' }, clocks: [clock('breached')] },
      ],
      { timeliness: 0.99, closure: 1 },
    );
    expect(r.teams.map((t) => t.team)).toEqual(['(unassigned)', 'east']);
    expect(r.teams[1]).toMatchObject({
      tickets: 3,
      judged: 2,
      timely: 1,
      timeliness: 0.5,
      closable: 2,
      closed: 1,
      closure: 0.5,
      meetsTimeliness: false,
      meetsClosure: false,
    });
    expect(r.teams[0]).toMatchObject({ judged: 1, timely: 0, timeliness: 0 });
    expect(r.overall).toMatchObject({ tickets: 5, judged: 3, timely: 1, closable: 4, closed: 1 });
  });
});
