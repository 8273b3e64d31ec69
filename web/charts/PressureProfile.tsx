import { num, t } from '../i18n/index.ts';
import type { SubstationSummary } from '../types.ts';
import { Axes, FRAME } from './Axes.tsx';
import { extent, linear } from './scale.ts';

const value = (s: SubstationSummary, field: string): number | null => {
  const v = s.readings[field]?.value;
  return typeof v === 'number' ? v : null;
};

interface Point {
  id: string;
  km: number;
  supply: number;
  ret: number;
}

/**
 * 水压图: primary supply and return pressure along each branch, and between them the
 * available differential pressure (资用压差) each substation has to work with.
 */
export function PressureProfile(props: { stations: SubstationSummary[] }) {
  const f = { ...FRAME, height: 280 };
  const branches = [...new Set(props.stations.map((s) => s.branch))].sort();
  const byBranch = branches.map((b) => ({
    b,
    pts: props.stations
      .filter((s) => s.branch === b)
      .map((s) => ({
        id: s.id,
        km: s.distanceM / 1000,
        supply: value(s, 'primary_supply_pressure_mpa'),
        ret: value(s, 'primary_return_pressure_mpa'),
      }))
      .filter((p): p is Point => p.supply !== null && p.ret !== null)
      .sort((p, q) => p.km - q.km),
  }));
  const all = byBranch.flatMap((b) => b.pts);
  const x = linear(0, Math.max(1, ...all.map((p) => p.km)), f.left, f.width - f.right);
  const [lo, hi] = extent(all.flatMap((p) => [p.supply, p.ret]));
  const y = linear(lo, hi, f.height - f.bottom, f.top);
  const path = (pts: Point[], key: 'supply' | 'ret') =>
    pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.km).toFixed(1)} ${y(p[key]).toFixed(1)}`).join(' ');
  return (
    <figure class="card chart">
      <figcaption>
        <h2>{t('pressure.title')}</h2>
        <p class="legend">
          <span class="key supply">{t('pressure.supply')}</span>
          <span class="key return">{t('pressure.return')}</span>
          <span class="key dp">{t('pressure.dp')}</span>
        </p>
      </figcaption>
      <svg viewBox={`0 0 ${f.width} ${f.height}`} role="group" aria-label={t('pressure.title')}>
        <Axes
          frame={f}
          x={x}
          y={y}
          xTitle={t('axis.distanceKm')}
          yTitle={t('axis.mpa')}
          xDigits={1}
          yDigits={2}
        />
        {byBranch.map(({ b, pts }, i) => (
          <g key={b} class={`branch-${i % 4}`} role="list" aria-label={t('map.branch', { b })}>
            <path d={path(pts, 'supply')} class="line supply" aria-hidden="true" />
            <path d={path(pts, 'ret')} class="line return" aria-hidden="true" />
            {pts.map((p) => {
              const label = t('pressure.point', {
                id: p.id,
                s: num(p.supply, 3),
                r: num(p.ret, 3),
                dp: num(p.supply - p.ret, 3),
              });
              return (
                <g role="listitem" key={p.id} tabIndex={0} aria-label={label} class="dp">
                  <title>{label}</title>
                  <line x1={x(p.km)} x2={x(p.km)} y1={y(p.supply)} y2={y(p.ret)} />
                  <circle cx={x(p.km)} cy={y(p.supply)} r={3} class="supply" />
                  <circle cx={x(p.km)} cy={y(p.ret)} r={3} class="return" />
                </g>
              );
            })}
          </g>
        ))}
      </svg>
    </figure>
  );
}
