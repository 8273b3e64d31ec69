import { num, t, tWord } from '../i18n/index.ts';
import { hrefOf } from '../router.ts';
import type { BalanceResultView, StationBalance } from '../types.ts';
import { Axes, FRAME } from './Axes.tsx';
import { extent, linear } from './scale.ts';

/**
 * Each station's deviation from the heating curve against its distance from the plant,
 * with the engine's gradient (slope, r²): a falling line is 近端过热，远端不热.
 */
export function GradientChart(props: { balance: BalanceResultView }) {
  const f = FRAME;
  const pts = props.balance.substations.filter(
    (s): s is StationBalance & { deviationC: number } => s.deviationC !== null,
  );
  const { slopeCPerKm: slope, r2 } = props.balance.gradient;
  const xs = pts.map((s) => s.distanceM / 1000);
  const ys = pts.map((s) => s.deviationC);
  const [x0, x1] = extent([0, ...xs]);
  const x = linear(x0, x1, f.left, f.width - f.right);
  const [y0, y1] = extent([...ys, -1, 1]);
  const y = linear(y0, y1, f.height - f.bottom, f.top);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / (v.length || 1);
  const intercept = slope === null ? null : mean(ys) - slope * mean(xs);
  const fit =
    slope === null || r2 === null
      ? t('gradient.none')
      : t('gradient.fit', { s: num(slope, 2), r: num(r2, 2) });
  return (
    <figure class="card chart">
      <figcaption>
        <h2>{t('gradient.title')}</h2>
        <p class="fit" data-testid="gradient-fit">
          {fit}
        </p>
      </figcaption>
      <svg
        viewBox={`0 0 ${f.width} ${f.height}`}
        role="group"
        aria-label={`${t('gradient.title')}: ${fit}`}
      >
        <Axes
          frame={f}
          x={x}
          y={y}
          xTitle={t('axis.distanceKm')}
          yTitle={t('axis.deviation')}
          xDigits={1}
        />
        <line
          x1={f.left}
          x2={f.width - f.right}
          y1={y(0)}
          y2={y(0)}
          class="zero"
          aria-hidden="true"
        />
        {intercept !== null && slope !== null && (
          <line
            class="fitline"
            aria-hidden="true"
            x1={x(x.domain[0])}
            x2={x(x.domain[1])}
            y1={y(intercept + slope * x.domain[0])}
            y2={y(intercept + slope * x.domain[1])}
          />
        )}
        {pts.map((s) => {
          const label = `${s.id}: ${num(s.distanceM / 1000, 2)} km, ${num(s.deviationC, 1)} K, ${tWord('status', s.status)}`;
          return (
            <a
              key={s.id}
              href={hrefOf({ view: 'substation', id: s.id })}
              aria-label={label}
              class={`dot status-${s.status}`}
            >
              <title>{label}</title>
              <circle cx={x(s.distanceM / 1000)} cy={y(s.deviationC)} r={5} />
            </a>
          );
        })}
      </svg>
    </figure>
  );
}
