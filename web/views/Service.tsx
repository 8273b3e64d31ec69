import { duration, lang, num, t, tWord, when } from '../i18n/index.ts';
import { complaints, incidents, serverNow, tickets } from '../state.ts';
import type { TicketView } from '../types.ts';
import { DataTable } from './DataTable.tsx';

/**
 * What a list shows before its rows: loading (undefined), not offered by this service
 * (null), or empty; null when there are rows to draw.
 */
function listGate(list: readonly unknown[] | null | undefined) {
  if (list === undefined) return <p>{t('common.loading')}</p>;
  if (list === null) return <p class="muted">{t('svc.unavailable')}</p>;
  if (list.length === 0) return <p class="muted">{t('svc.none')}</p>;
  return null;
}

function Complaints() {
  const list = complaints.value;
  const gate = listGate(list);
  if (gate || !list) return gate;
  return (
    <DataTable
      heads={[
        t('col.received'),
        t('col.household'),
        t('col.category'),
        t('col.diagnosis'),
        t('col.evidence'),
        t('col.ticket'),
      ]}
    >
      {list.map((c) => (
        <tr key={c.id}>
          <td>{when(c.receivedAt, true)}</td>
          <th scope="row">{c.household}</th>
          <td>{tWord('category', c.category)}</td>
          <td>
            {c.diagnosis.summary
              ? c.diagnosis.summary[lang.value]
              : `${c.diagnosis.level} · ${c.diagnosis.cause}`}{' '}
            <span class="note">{num(c.diagnosis.confidence * 100, 0)} %</span>
          </td>
          <td>
            <ul class="evidence">
              {c.diagnosis.evidence.slice(0, 4).map((e, i) => (
                <li key={`${e.what}${i}`}>
                  {e.where}: {e.value === null ? '—' : num(Number(e.value), 1)} {e.unit ?? ''} —{' '}
                  {e.shows[lang.value]}
                </li>
              ))}
            </ul>
          </td>
          <td>{c.ticket ? `${c.ticket.id} · ${tWord('ticket', c.ticket.state)}` : '—'}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function Incidents() {
  const list = incidents.value;
  const gate = listGate(list);
  if (gate || !list) return gate;
  return (
    <DataTable
      heads={[
        t('col.place'),
        t('col.diagnosis'),
        t('col.households'),
        t('col.complaintsN'),
        t('col.state'),
        t('col.eta'),
      ]}
    >
      {list.map((i) => (
        <tr key={i.id}>
          <th scope="row">{i.place}</th>
          <td>{i.summary[lang.value]}</td>
          <td>{i.affectedHouseholds}</td>
          <td>{i.complaints}</td>
          <td>{tWord('incident', i.state)}</td>
          <td>{when(i.etaAt, true)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

const FINAL = new Set(['closed', 'cancelled', 'duplicate']);

/** The clock that decides first: the running one that breaches soonest. */
function nextBreach(ticket: TicketView): { name: string; at: number } | null {
  let best: { name: string; at: number } | null = null;
  for (const c of ticket.clocks) {
    if (c.breachAt === null || !['running', 'breached', 'pending'].includes(c.status)) continue;
    const at = Date.parse(c.breachAt);
    if (!best || at < best.at) best = { name: c.name, at };
  }
  return best;
}

function Tickets() {
  const list = tickets.value;
  if (list === undefined) return <p>{t('common.loading')}</p>;
  if (list === null) return listGate(list);
  const now = serverNow();
  const open = list
    .filter((tk) => !FINAL.has(tk.state))
    .map((tk) => ({ tk, next: nextBreach(tk) }))
    // Overdue first, then the soonest to breach, then the rest by due time.
    .sort(
      (a, b) => (a.next?.at ?? Date.parse(a.tk.dueAt)) - (b.next?.at ?? Date.parse(b.tk.dueAt)),
    );
  if (open.length === 0) return <p class="muted">{t('svc.none')}</p>;
  return (
    <DataTable
      heads={[
        t('col.ticket'),
        t('col.state'),
        t('col.household'),
        t('col.clock'),
        t('col.due'),
        t('col.team'),
        t('col.assignee'),
      ]}
      testId="tickets"
    >
      {open.map(({ tk, next }) => {
        const left = next ? next.at - now : null;
        return (
          <tr key={tk.id} class={left !== null && left < 0 ? 'overdue' : ''}>
            <th scope="row">{tk.id}</th>
            <td>{tWord('ticket', tk.state)}</td>
            <td>{tk.household ?? tk.substation ?? '—'}</td>
            <td class="clock">
              {next && left !== null
                ? `${tWord('clock', next.name)}: ${left < 0 ? t('sla.overdue', { d: duration(-left) }) : t('sla.left', { d: duration(left) })}`
                : '—'}
            </td>
            <td>{when(tk.dueAt, true)}</td>
            <td>{tk.team ?? '—'}</td>
            <td>{tk.assignee ?? '—'}</td>
          </tr>
        );
      })}
    </DataTable>
  );
}

/** The service desk: complaints with their diagnosis, incidents, the ticket queue. */
export function Service() {
  return (
    <>
      <section class="card" aria-labelledby="tickets-title">
        <h2 id="tickets-title">{t('svc.tickets')}</h2>
        <Tickets />
      </section>
      <section class="card" aria-labelledby="incidents-title">
        <h2 id="incidents-title">{t('svc.incidents')}</h2>
        <Incidents />
      </section>
      <section class="card" aria-labelledby="complaints-title">
        <h2 id="complaints-title">{t('svc.complaints')}</h2>
        <Complaints />
      </section>
    </>
  );
}
