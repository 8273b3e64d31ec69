import { num, t, tWord } from '../i18n/index.ts';
import { hrefOf } from '../router.ts';
import type { StationBalance } from '../types.ts';
import { linear } from './scale.ts';

const ROW = 86;
const LEFT = 150;
const RIGHT = 40;
const WIDTH = 1000;

/** What a station shows besides its colour, so no one needs colour to read it. */
export function markOf(s: Pick<StationBalance, 'status' | 'flag'>): string {
  if (s.status === 'no-data') return '?';
  if (s.flag === 'near-end-overheating') return '▲';
  if (s.flag === 'far-end-underheating') return '▼';
  return '';
}

export function stationLabel(s: StationBalance): string {
  return t('map.node', {
    id: s.id,
    branch: s.branch,
    km: num(s.distanceM / 1000, 2),
    status: tWord('status', s.status),
    flag: s.flag ? `, ${tWord('flag', s.flag)}` : '',
    anomaly: s.anomaly ? `, ${t('anomaly.label')}: ${tWord('anomaly', s.anomaly.cause)}` : '',
  });
}

function Node(props: { s: StationBalance; x: number; y: number; below: boolean }) {
  const { s, x, y } = props;
  const shape =
    s.flag === 'near-end-overheating' ? (
      <path d={`M${x} ${y - 13} L${x + 12} ${y + 9} L${x - 12} ${y + 9} Z`} />
    ) : s.flag === 'far-end-underheating' ? (
      <path d={`M${x} ${y + 13} L${x + 12} ${y - 9} L${x - 12} ${y - 9} Z`} />
    ) : (
      <circle cx={x} cy={y} r={10} />
    );
  return (
    <a
      href={hrefOf({ view: 'substation', id: s.id })}
      class={`node status-${s.status}`}
      data-station={s.id}
      data-status={s.status}
      data-flag={s.flag ?? ''}
      aria-label={stationLabel(s)}
    >
      <title>{stationLabel(s)}</title>
      {shape}
      {s.status === 'no-data' && (
        <text x={x} y={y + 4} text-anchor="middle" class="mark">
          ?
        </text>
      )}
      {s.anomaly && (
        <g class="anomaly">
          <circle cx={x + 12} cy={y - 11} r={7} />
          <text x={x + 12} y={y - 7} text-anchor="middle">
            !
          </text>
        </g>
      )}
      <text x={x} y={props.below ? y + 28 : y - 19} text-anchor="middle" class="label">
        {s.id}
      </text>
    </a>
  );
}

/** The network by branch and distance: one line per branch from the plant, stations on it. */
export function NetworkMap(props: { stations: StationBalance[] }) {
  const branches = [...new Set(props.stations.map((s) => s.branch))].sort();
  const maxM = Math.max(1000, ...props.stations.map((s) => s.distanceM));
  const x = linear(0, maxM / 1000, LEFT, WIDTH - RIGHT, 8);
  const height = branches.length * ROW + 30;
  return (
    <figure class="card map">
      <figcaption>
        <h2>{t('map.title')}</h2>
        <p class="legend">{t('map.legend')}</p>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="group" aria-label={t('map.title')}>
        {branches.map((b, row) => {
          const y = 40 + row * ROW;
          const on = props.stations
            .filter((s) => s.branch === b)
            .sort((p, q) => p.distanceM - q.distanceM);
          const end = x(Math.max(...on.map((s) => s.distanceM)) / 1000);
          return (
            <g key={b} role="list" aria-label={t('map.branch', { b })}>
              <text x={8} y={y + 5} class="branch" aria-hidden="true">
                {t('map.branch', { b })}
              </text>
              <line x1={LEFT - 16} x2={end} y1={y} y2={y} class="pipe" aria-hidden="true" />
              <rect
                x={LEFT - 30}
                y={y - 9}
                width={16}
                height={18}
                class="plant"
                aria-hidden="true"
              />
              {on.map((s, i) => (
                <g role="listitem" key={s.id}>
                  <Node s={s} x={x(s.distanceM / 1000)} y={y} below={i % 2 === 1} />
                </g>
              ))}
            </g>
          );
        })}
        <g aria-hidden="true" class="axes">
          {x.ticks.map((v) => (
            <text key={v} x={x(v)} y={height - 6} text-anchor="middle">
              {num(v, 1)} km
            </text>
          ))}
        </g>
      </svg>
    </figure>
  );
}
