import { num, t, tWord } from '../i18n/index.ts';
import { hrefOf } from '../router.ts';
import type { SiteView, StationBalance, SubstationSummary } from '../types.ts';
import { Axes, FRAME } from './Axes.tsx';
import { extent, linear } from './scale.ts';

/** The weather-compensation curve (secondary supply and return), and where each station is. */
export function HeatingCurve(props: {
  curve: SiteView['heatingCurve'];
  outdoorC: number | null;
  stations: SubstationSummary[];
  balance: Map<string, StationBalance>;
}) {
  const f = FRAME;
  // The site's curve spans its design outdoor temperature to the indoor one; today's
  // outdoor temperature is kept in view even on a day colder than the design day.
  const [left, right] = extent([
    ...props.curve.map((p) => p.outdoorC),
    ...(props.outdoorC === null ? [] : [props.outdoorC]),
  ]);
  const x = linear(left, right, f.left, f.width - f.right, 8);
  const pts = props.stations.flatMap((s) => {
    const v = s.readings['secondary_supply_temp_c']?.value;
    return typeof v === 'number' && props.outdoorC !== null ? [{ id: s.id, c: v }] : [];
  });
  const [lo, hi] = extent([
    ...props.curve.flatMap((p) => [p.secondarySupplyC, p.secondaryReturnC]),
    ...pts.map((p) => p.c),
  ]);
  const y = linear(lo, hi, f.height - f.bottom, f.top);
  const line = (key: 'secondarySupplyC' | 'secondaryReturnC') =>
    props.curve
      .map((p, i) => `${i ? 'L' : 'M'}${x(p.outdoorC).toFixed(1)} ${y(p[key]).toFixed(1)}`)
      .join(' ');
  return (
    <figure class="card chart">
      <figcaption>
        <h2>{t('curve.title')}</h2>
        <p class="legend">
          <span class="key supply">{t('curve.supply')}</span>
          <span class="key return">{t('curve.return')}</span>
        </p>
      </figcaption>
      <svg viewBox={`0 0 ${f.width} ${f.height}`} role="group" aria-label={t('curve.title')}>
        <Axes frame={f} x={x} y={y} xTitle={t('axis.outdoor')} yTitle={t('axis.temp')} />
        <path d={line('secondarySupplyC')} class="line supply" aria-hidden="true" />
        <path d={line('secondaryReturnC')} class="line return" aria-hidden="true" />
        {props.outdoorC !== null && (
          <line
            x1={x(props.outdoorC)}
            x2={x(props.outdoorC)}
            y1={f.top}
            y2={f.height - f.bottom}
            class="now"
            aria-hidden="true"
          />
        )}
        {pts.map((p) => {
          const status = props.balance.get(p.id)?.status ?? 'no-data';
          const label = `${t('curve.point', { id: p.id, o: num(props.outdoorC, 1), s: num(p.c, 1) })}, ${tWord('status', status)}`;
          return (
            <a
              key={p.id}
              href={hrefOf({ view: 'substation', id: p.id })}
              aria-label={label}
              class={`dot status-${status}`}
            >
              <title>{label}</title>
              <circle cx={x(props.outdoorC ?? 0)} cy={y(p.c)} r={4.5} />
            </a>
          );
        })}
      </svg>
    </figure>
  );
}
