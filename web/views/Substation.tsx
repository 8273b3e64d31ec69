import { useEffect } from 'preact/hooks';
import { markOf } from '../charts/NetworkMap.tsx';
import { Trend, type TrendSeries } from '../charts/Trend.tsx';
import type { Key } from '../i18n/en.ts';
import { duration, num, t, tWord, when } from '../i18n/index.ts';
import { hrefOf } from '../router.ts';
import { audit, balance, has, site, substations } from '../state.ts';
import type { StationBalance, SubstationSummary } from '../types.ts';
import { Apply } from './Apply.tsx';
import { AuditTable } from './Dispatch.tsx';
import { historyVersion, loadHistory, seen } from './trends.ts';

const COLOURS = ['#c0392b', '#2c6fbb', '#16a085', '#8e44ad', '#d35400', '#7f8c8d'];

const TRENDS: { key: Key; unit: string; fields: string[] }[] = [
  {
    key: 'trend.temps',
    unit: '°C',
    fields: [
      'primary_supply_temp_c',
      'primary_return_temp_c',
      'secondary_supply_temp_c',
      'secondary_return_temp_c',
    ],
  },
  { key: 'trend.flows', unit: 'm³/h', fields: ['primary_flow_m3h', 'secondary_flow_m3h'] },
  {
    key: 'trend.pressures',
    unit: 'MPa',
    fields: [
      'primary_supply_pressure_mpa',
      'primary_return_pressure_mpa',
      'secondary_supply_pressure_mpa',
      'secondary_return_pressure_mpa',
    ],
  },
  { key: 'trend.rooms', unit: '°C', fields: ['room_mean_temp_c'] },
  { key: 'trend.pump', unit: 'Hz', fields: ['pump_frequency_hz'] },
];
const ALL_FIELDS = TRENDS.flatMap((tr) => tr.fields);

function trendSeries(id: string, fields: string[]): TrendSeries[] {
  return fields.map((f, i) => ({ label: f, colour: COLOURS[i % COLOURS.length]!, ...seen(id, f) }));
}

function summaryOf(series: TrendSeries[]): string {
  return series.map((s) => `${s.label} ${s.v.length ? num(s.v[s.v.length - 1]!) : '—'}`).join(', ');
}

function Readings(props: { s: SubstationSummary }) {
  const entries = Object.entries(props.s.readings).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section class="card" aria-labelledby="readings-title">
      <h2 id="readings-title">{t('sub.readings')}</h2>
      <dl class="readings">
        {entries.map(([field, r]) => (
          <div key={field} class={r.ageS > 120 ? 'stale' : ''}>
            <dt>{field}</dt>
            <dd class="value">
              {typeof r.value === 'number' ? num(r.value, 2) : String(r.value)}{' '}
              <span class="note">{duration(r.ageS * 1000)}</span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Recommendation(props: { s: SubstationSummary; b: StationBalance | undefined }) {
  const rec = props.b?.recommendation;
  const pumps = props.s.pumps.map((p) => {
    const hz = p.readings['frequency_setpoint_hz']?.value ?? p.readings['frequency_hz']?.value;
    const current = typeof hz === 'number' ? hz : p.minHz;
    return rec && rec.pump === p.id
      ? rec
      : {
          pump: p.id,
          action: 'hold' as const,
          currentHz: current,
          targetHz: current,
          expectedFlowRatio: 1,
          limitedBy: null,
          reason: '',
        };
  });
  return (
    <section class="card" aria-labelledby="rec-title" data-testid="recommendation">
      <h2 id="rec-title">{t('rec.title')}</h2>
      {rec && rec.action !== 'hold' ? (
        <p class="rec">
          <strong>
            {tWord('rec', rec.action)} {rec.pump}: {num(rec.currentHz, 1)} → {num(rec.targetHz, 1)}{' '}
            Hz
          </strong>{' '}
          ({t('rec.expected', { x: num(rec.expectedFlowRatio, 2) })}) — {rec.reason}
        </p>
      ) : (
        <p>{t('rec.none')}</p>
      )}
      {pumps.map((r) => (
        <Apply rec={r} key={r.pump} />
      ))}
    </section>
  );
}

/** One substation: status, readings, trends, the recommendation with its guarded apply, its log. */
export function Substation(props: { id: string }) {
  useEffect(() => {
    // Once the site has said the service keeps history (a page opened on this view).
    if (site.value) void loadHistory(props.id, ALL_FIELDS);
  }, [props.id, site.value]);
  void historyVersion.value; // drawn again when the history arrives
  const s = substations.value.find((x) => x.id === props.id);
  if (!s)
    return (
      <p>{substations.value.length ? t('sub.notFound', { id: props.id }) : t('common.loading')}</p>
    );
  const b = balance.value?.substations.find((x) => x.id === s.id);
  const status = b?.status ?? s.balance.status;
  const rows = audit.value.filter((e) => e.substation === s.id);
  return (
    <>
      <p>
        <a href={hrefOf({ view: 'substations' })}>{t('sub.back')}</a>
      </p>
      <header class="card sub-head">
        <h2>
          {s.id} {s.name}
        </h2>
        <p>
          <span class={`badge status-${status}`} data-testid="sub-status">
            {markOf({ status, flag: b?.flag ?? null })} {tWord('status', status)}
          </span>{' '}
          {b?.flag && <span class="badge">{tWord('flag', b.flag)}</span>}{' '}
          {b?.anomaly && (
            <span class="badge warn">
              ! {t('anomaly.label')}: {tWord('anomaly', b.anomaly.cause)}
            </span>
          )}{' '}
          {t('map.branch', { b: s.branch })} · {num(s.distanceM / 1000, 2)} km ·{' '}
          {t('sub.buildings', { b: s.buildings, h: s.households })} · {when(s.updatedAt)}
        </p>
        {b?.anomaly && <p class="note">{b.anomaly.evidence.join(' · ')}</p>}
      </header>
      <Recommendation s={s} b={b} />
      <section class="card" aria-labelledby="trend-title">
        <h2 id="trend-title">{t('trend.title')}</h2>
        <p class="note">
          {has('history') ? t('trend.fromHistory', { h: 24 }) : t('trend.fromPage')}
        </p>
        <div class="trends">
          {TRENDS.map(({ key, unit, fields }) => {
            const series = trendSeries(s.id, fields);
            // One point or none draws no line: say so instead of an empty frame.
            if (series.every((x) => x.t.length < 2)) {
              return (
                <figure class="trend" key={key}>
                  <figcaption>{t(key)}</figcaption>
                  <p class="muted">{t('trend.none')}</p>
                </figure>
              );
            }
            return (
              <Trend
                key={key}
                title={t(key)}
                unit={unit}
                series={series}
                summary={summaryOf(series)}
              />
            );
          })}
        </div>
      </section>
      <Readings s={s} />
      <section class="card" aria-labelledby="sub-log-title">
        <h2 id="sub-log-title">{t('log.title')}</h2>
        <AuditTable rows={rows} />
      </section>
    </>
  );
}
