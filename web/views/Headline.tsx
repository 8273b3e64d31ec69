import { duration, num, pct, t, when } from '../i18n/index.ts';
import { alerts, balance, coreAlerts, outdoorSeen, site, substations } from '../state.ts';

function Tile(props: { label: string; value: string; note?: string; id: string; tone?: string }) {
  return (
    <div class={`tile ${props.tone ?? ''}`} data-testid={props.id}>
      <dt>{props.label}</dt>
      <dd>
        <span class="value">{props.value}</span>
        {props.note && <span class="note">{props.note}</span>}
      </dd>
    </div>
  );
}

/** Share of reporting rooms at standard, from the engine's cold share per station. */
function compliance(): { share: number | null; rooms: number } {
  let rooms = 0;
  let cold = 0;
  for (const s of balance.value?.substations ?? []) {
    if (s.coldShare === null || s.roomsReporting === 0) continue;
    rooms += s.roomsReporting;
    cold += s.coldShare * s.roomsReporting;
  }
  return { share: rooms ? 1 - cold / rooms : null, rooms };
}

function plantSupply(): { actual: number | null; curve: number | null } {
  const values = substations.value.flatMap((s) => {
    const v = s.readings['primary_supply_temp_c']?.value;
    return typeof v === 'number' ? [v] : [];
  });
  const actual = values.length ? Math.max(...values) : null;
  const outdoor = balance.value?.outdoorTempC;
  const curve = site.value?.heatingCurve;
  if (outdoor === null || outdoor === undefined || !curve?.length) return { actual, curve: null };
  const near = curve.reduce((a, b) =>
    Math.abs(b.outdoorC - outdoor) < Math.abs(a.outdoorC - outdoor) ? b : a,
  );
  return { actual, curve: near.primarySupplyC };
}

/** The headline strip: what a dispatcher reads first (issue 13 item 2). */
export function Headline() {
  const b = balance.value;
  const counts = b?.counts;
  const seen = outdoorSeen.value.map((s) => s.c);
  const { share, rooms } = compliance();
  const target = site.value?.complianceTarget ?? 0.97;
  const plant = plantSupply();
  const stale = substations.value.filter((s) => s.stale).length;
  const oldest = Math.max(
    0,
    ...substations.value
      .map((s) => Math.min(...Object.values(s.readings).map((r) => r.ageS)))
      .filter(Number.isFinite),
  );
  // The alerting area's open alerts when it is there, else the service's own raised conditions.
  const open = alerts.value
    ? alerts.value.filter((a) => a.state !== 'resolved').length
    : coreAlerts.value.length;
  return (
    <dl class="headline" aria-label={t('head.label')} data-evaluated={b?.evaluatedAt}>
      <Tile
        id="head-outdoor"
        label={t('head.outdoor')}
        value={`${num(b?.outdoorTempC)} °C`}
        note={
          seen.length
            ? t('head.outdoor24', { min: num(Math.min(...seen)), max: num(Math.max(...seen)) })
            : ''
        }
      />
      <Tile
        id="head-plant"
        label={t('head.plant')}
        value={`${num(plant.actual)} / ${num(plant.curve)} °C`}
      />
      <div class="tile counts" data-testid="head-counts">
        <dt>{t('head.stations')}</dt>
        <dd>
          {(['overheating', 'underheating', 'normal', 'no-data'] as const).map((k) => (
            <span class={`count status-${k}`} data-status={k} key={k}>
              <span class="value" data-count={k}>
                {counts ? counts[k] : '—'}
              </span>{' '}
              {t(`status.${k}`)}
            </span>
          ))}
        </dd>
      </div>
      <Tile
        id="head-compliance"
        label={t('head.compliance')}
        value={pct(share)}
        note={t('head.complianceTarget', { p: pct(target, 0), n: rooms })}
        tone={share !== null && share < target ? 'bad' : ''}
      />
      <Tile
        id="head-alarms"
        label={t('head.alarms')}
        value={open === undefined ? '—' : String(open)}
        tone={open ? 'bad' : ''}
      />
      <Tile
        id="head-freshness"
        label={t('head.freshness')}
        value={stale ? t('head.staleCount', { n: stale }) : t('head.allFresh')}
        note={`${duration(oldest * 1000)} · ${t('head.evaluated', { t: when(b?.evaluatedAt) })}`}
        tone={stale ? 'bad' : ''}
      />
    </dl>
  );
}
