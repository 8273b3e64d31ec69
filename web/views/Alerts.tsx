import { signal } from '@preact/signals';
import { ApiError, api } from '../api.ts';
import { lang, t, when } from '../i18n/index.ts';
import { alerts, me, oncall, refresh, serverNow } from '../state.ts';
import type { AlertView } from '../types.ts';

const actionError = signal<string | null>(null);
const assignee = signal('');

const ACTORS = new Set(['service', 'dispatcher', 'admin']);

async function act(path: string, body: unknown): Promise<void> {
  try {
    await api(path, { method: 'POST', body });
    actionError.value = null;
  } catch (err) {
    actionError.value = err instanceof ApiError ? `${err.body.code}: ${err.message}` : String(err);
  } finally {
    void refresh(['alerts']);
  }
}

function silence(a: AlertView): Promise<void> {
  const matchers = Object.entries(a.labels)
    .filter(([k]) => k !== 'severity')
    .map(([name, value]) => ({ name, value, isRegex: false }));
  // A silence needs an owner and an expiry (issue 12): the signed-in person, two hours.
  return act('/api/silences', {
    matchers,
    owner: me.value?.name ?? 'console',
    endsAt: new Date(serverNow() + 2 * 3600_000).toISOString(),
    comment: `${a.rule}: silenced from the console`,
  });
}

function AlertRow(props: { a: AlertView; mayAct: boolean }) {
  const { a, mayAct } = props;
  const id = encodeURIComponent(a.id);
  return (
    <li class={`alert sev-${a.severity} ${a.state}`} data-alert={a.id}>
      <p>
        <span class="badge">{a.severity}</span> <strong>{a.summary[lang.value]}</strong>{' '}
        <span class="note">
          {t('alerts.since', { t: when(a.startsAt, true) })}
          {a.acknowledgedBy ? ` · ${t('alerts.ackedBy', { who: a.acknowledgedBy })}` : ''}
          {a.assignee ? ` · → ${a.assignee}` : ''}
          {a.silenced ? ` · ${t('alerts.silenced')}` : ''}
        </span>
      </p>
      {mayAct && (
        <div class="buttons">
          {a.state === 'firing' && (
            <button type="button" onClick={() => act(`/api/alerts/${id}/ack`, {})}>
              {t('alerts.ack')}
            </button>
          )}
          <button
            type="button"
            disabled={assignee.value.trim() === ''}
            onClick={() => act(`/api/alerts/${id}/assign`, { assignee: assignee.value.trim() })}
          >
            {t('alerts.assign')}
          </button>
          {!a.silenced && (
            <button type="button" onClick={() => silence(a)}>
              {t('alerts.silence')}
            </button>
          )}
          <button type="button" onClick={() => act(`/api/alerts/${id}/resolve`, {})}>
            {t('alerts.resolve')}
          </button>
        </div>
      )}
    </li>
  );
}

function OnCall() {
  const list = oncall.value;
  if (list === undefined) return <p>{t('common.loading')}</p>;
  if (list === null || list.length === 0) return <p class="muted">{t('oncall.none')}</p>;
  return (
    <ul class="oncall">
      {list.map((o) => (
        <li key={o.team}>
          <strong>{o.name}</strong>: {o.onCall?.name ?? '—'}
          {o.next[0] && (
            <span class="note">
              {' '}
              ·{' '}
              {t('oncall.next', {
                who: o.next[0].person?.name ?? '—',
                t: when(o.next[0].at, true),
              })}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Open alerts (acknowledge, assign, silence, resolve for service roles) and who is on call. */
export function Alerts() {
  const list = alerts.value;
  const mayAct = ACTORS.has(me.value?.role ?? '');
  const open = (list ?? []).filter((a) => a.state !== 'resolved');
  return (
    <>
      <section class="card" aria-labelledby="alerts-title">
        <h2 id="alerts-title">{t('alerts.title')}</h2>
        {list === undefined && <p>{t('common.loading')}</p>}
        {list === null && <p class="muted">{t('svc.unavailable')}</p>}
        {list && open.length === 0 && <p class="muted">{t('alerts.none')}</p>}
        {mayAct && open.length > 0 && (
          <label>
            {t('alerts.assignTo')}{' '}
            <input
              value={assignee.value}
              onInput={(e) => {
                assignee.value = e.currentTarget.value;
              }}
            />
          </label>
        )}
        {actionError.value && (
          <p class="refusal" role="alert">
            {actionError.value}
          </p>
        )}
        <ul class="alerts">
          {open.map((a) => (
            <AlertRow a={a} key={a.id} mayAct={mayAct} />
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="oncall-title">
        <h2 id="oncall-title">{t('oncall.title')}</h2>
        <OnCall />
      </section>
    </>
  );
}
