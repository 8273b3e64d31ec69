import { signal } from '@preact/signals';
import { ApiError, api } from '../api.ts';
import { num, t, tWord, when } from '../i18n/index.ts';
import { audit, auto, me, refresh } from '../state.ts';
import type { AuditEntryView, AutoStatusView } from '../types.ts';
import { DataTable } from './DataTable.tsx';

/** The control audit as a table, newest first: who, what, read-back, result, why. */
export function AuditTable(props: { rows: AuditEntryView[] }) {
  if (props.rows.length === 0) return <p class="muted">{t('log.empty')}</p>;
  return (
    <DataTable
      class="log"
      testId="audit"
      heads={[
        '#',
        t('log.at'),
        t('log.actor'),
        t('log.pump'),
        t('log.change'),
        t('log.readBack'),
        t('log.result'),
        t('log.reason'),
      ]}
    >
      {props.rows.map((e) => (
        <tr key={e.id} data-audit={e.id} data-result={e.result}>
          <td>{e.id}</td>
          <td>{when(e.at, true)}</td>
          <td>
            {e.actor}
            {e.role ? ` (${e.role})` : ''}
          </td>
          <td>{e.pump}</td>
          <td>
            {num(e.beforeHz)} → {num(e.requestedHz)} Hz
          </td>
          <td>{e.readBackHz === null ? '—' : `${num(e.readBackHz)} Hz`}</td>
          <td class={`result-${e.result}`}>
            {tWord('result', e.result)}
            {e.code ? ` (${e.code})` : ''}
            {e.series ? ` ×${e.series.attempts}` : ''}
          </td>
          <td>{e.error ?? e.reason ?? '—'}</td>
        </tr>
      ))}
    </DataTable>
  );
}

const switching = signal(false);
const autoReason = signal('');
const autoError = signal<string | null>(null);

async function switchAuto(enabled: boolean): Promise<void> {
  switching.value = true;
  try {
    auto.value = await api<AutoStatusView>('/api/control/auto', {
      method: 'POST',
      body: { enabled, reason: autoReason.value.trim() },
    });
    autoReason.value = '';
    autoError.value = null;
  } catch (err) {
    autoError.value = err instanceof ApiError ? `${err.body.code}: ${err.message}` : String(err);
  } finally {
    switching.value = false;
    void refresh(['audit']);
  }
}

/** Auto-balancing on or off; the switch is offered to dispatchers only, with a reason. */
export function AutoSwitch() {
  const a = auto.value;
  if (!a) return null;
  const mayAct = me.value?.role === 'dispatcher';
  return (
    <section class="card" aria-labelledby="auto-title">
      <h2 id="auto-title">{t('auto.title')}</h2>
      <p data-testid="auto-state">
        {t('auto.state')}: <strong>{a.enabled ? t('auto.on') : t('auto.off')}</strong> ·{' '}
        {tWord('autoState', a.state)} · {t('auto.lastRound', { t: when(a.lastRoundAt, true) })}
      </p>
      {a.paused.map((p) => (
        <p class="warn" key={p.scope}>
          {p.scope}: {p.reason}
        </p>
      ))}
      {mayAct && (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void switchAuto(!a.enabled);
          }}
        >
          <label>
            {t('common.reasonPrompt')}{' '}
            <input
              value={autoReason.value}
              minLength={3}
              required
              onInput={(e) => {
                autoReason.value = e.currentTarget.value;
              }}
            />
          </label>{' '}
          <button type="submit" disabled={switching.value || autoReason.value.trim().length < 3}>
            {a.enabled ? t('auto.switchOff') : t('auto.switchOn')}
          </button>
        </form>
      )}
      {autoError.value && (
        <p class="refusal" role="alert">
          {autoError.value}
        </p>
      )}
    </section>
  );
}

export function Dispatch() {
  return (
    <>
      <AutoSwitch />
      <section class="card" aria-labelledby="log-title">
        <h2 id="log-title">{t('log.title')}</h2>
        <AuditTable rows={audit.value} />
      </section>
    </>
  );
}
