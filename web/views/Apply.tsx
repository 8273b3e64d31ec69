import { signal } from '@preact/signals';
import { ApiError, type ApiErrorBody, api } from '../api.ts';
import { num, t, tWord } from '../i18n/index.ts';
import { audit, me, refresh, site } from '../state.ts';
import type { AuditEntryView, StationBalance } from '../types.ts';

type Recommendation = NonNullable<StationBalance['recommendation']>;
type Outcome = { kind: 'sent'; entry: AuditEntryView } | { kind: 'refused'; body: ApiErrorBody };

const open = signal<string | null>(null);
const target = signal<number>(0);
const reason = signal('');
const sending = signal(false);
const outcome = signal<Outcome | null>(null);

/** Sends once: the button is off from the click until the answer, whatever it is. */
async function send(pump: string): Promise<void> {
  if (sending.value) return;
  sending.value = true;
  try {
    const entry = await api<AuditEntryView>(
      `/api/control/pumps/${encodeURIComponent(pump)}/frequency`,
      {
        method: 'POST',
        body: { hz: target.value, reason: reason.value.trim() },
      },
    );
    outcome.value = { kind: 'sent', entry };
    open.value = null;
  } catch (err) {
    const body = err instanceof ApiError ? err.body : { code: 'NETWORK', message: String(err) };
    outcome.value = { kind: 'refused', body };
  } finally {
    sending.value = false;
    void refresh(['audit', 'substations']);
  }
}

function Limits(props: { rec: Recommendation }) {
  const limits = site.value?.control.pumps[props.rec.pump];
  if (!limits) return null;
  const v = { maxHz: limits.maxHz, minHz: limits.minHz, maxStep: limits.maxStepHz }[
    props.rec.limitedBy ?? 'maxHz'
  ];
  return (
    <>
      <p data-testid="apply-limits">
        {t('apply.limits', {
          min: num(limits.minHz, 0),
          max: num(limits.maxHz, 0),
          step: num(limits.maxStepHz, 1),
          interval: num((site.value?.control.minIntervalS ?? 0) / 60, 0),
        })}
      </p>
      {props.rec.limitedBy && (
        <p class="warn">
          {t('apply.limitedBy', { limit: t(`limit.${props.rec.limitedBy}`, { v: num(v, 1) }) })}
        </p>
      )}
    </>
  );
}

function Result() {
  const o = outcome.value;
  if (!o) return null;
  if (o.kind === 'refused') {
    return (
      <div class="refusal" role="alert" data-testid="apply-refused">
        <p>{t('apply.refused', { code: o.body.code, message: o.body.message })}</p>
        {o.body.auditId !== undefined && <p>{t('apply.auditRow', { id: o.body.auditId })}</p>}
      </div>
    );
  }
  // The row as the log has it now: a read-back that arrives later shows here too.
  const row = audit.value.find((e) => e.id === o.entry.id) ?? o.entry;
  return (
    <div class="sent" role="status" data-testid="apply-sent">
      <p>
        {row.readBackHz === null
          ? t('apply.waiting')
          : t('apply.sent', { hz: num(row.readBackHz, 1) })}
      </p>
      <p data-testid="apply-audit">
        {t('apply.auditRow', { id: row.id })}: {row.actor} · {num(row.beforeHz)} →{' '}
        {num(row.requestedHz)} Hz · {tWord('result', row.result)} · {row.reason}
      </p>
    </div>
  );
}

/**
 * The guarded apply (issue 13 item 2): current → target, the limits and why the engine
 * stopped short, a reason, one confirmation, one POST; then the audit row and the read-back,
 * or the refusal as the control path worded it. Offered to dispatchers only (admin may not).
 */
export function Apply(props: { rec: Recommendation }) {
  const { rec } = props;
  if (me.value?.role !== 'dispatcher') return <p class="muted">{t('apply.noRole')}</p>;
  const isOpen = open.value === rec.pump;
  const tooShort = reason.value.trim().length < 3;
  return (
    <div class="apply">
      {!isOpen && (
        <button
          type="button"
          class="primary"
          onClick={() => {
            open.value = rec.pump;
            target.value = rec.targetHz;
            reason.value = '';
            outcome.value = null;
          }}
        >
          {t('apply.open')}
        </button>
      )}
      {isOpen && (
        <form
          class="apply-form"
          aria-label={t('apply.title', { pump: rec.pump })}
          onSubmit={(e) => {
            e.preventDefault();
            if (!tooShort) void send(rec.pump);
          }}
        >
          <h3>{t('apply.title', { pump: rec.pump })}</h3>
          <Limits rec={rec} />
          <label>
            {t('apply.change', { from: num(rec.currentHz, 1), to: '' })}
            <input
              type="number"
              step="0.1"
              name="hz"
              value={target.value}
              onInput={(e) => {
                target.value = Number(e.currentTarget.value);
              }}
            />
          </label>
          <label>
            {t('apply.reason')}
            <textarea
              name="reason"
              required
              minLength={3}
              value={reason.value}
              onInput={(e) => {
                reason.value = e.currentTarget.value;
              }}
            />
          </label>
          {tooShort && <p class="muted">{t('apply.reasonShort')}</p>}
          <div class="buttons">
            <button type="submit" class="primary" disabled={tooShort || sending.value}>
              {sending.value
                ? t('apply.sending')
                : t('apply.confirm', { from: num(rec.currentHz, 1), to: num(target.value, 1) })}
            </button>
            <button type="button" onClick={() => (open.value = null)}>
              {t('apply.cancel')}
            </button>
          </div>
        </form>
      )}
      <Result />
    </div>
  );
}
