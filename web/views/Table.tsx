import { signal } from '@preact/signals';
import { markOf } from '../charts/NetworkMap.tsx';
import type { Key } from '../i18n/en.ts';
import { num, t, tWord } from '../i18n/index.ts';
import { hrefOf } from '../router.ts';
import { balance, substations } from '../state.ts';
import { type Row, rowsOf } from './readings.ts';

type Column = keyof Row;
const COLUMNS: [Column, Key, (r: Row) => string][] = [
  ['id', 'col.id', (r) => r.id],
  ['branch', 'col.branch', (r) => r.branch],
  ['distanceM', 'col.distance', (r) => `${num(r.distanceM / 1000, 2)} km`],
  ['status', 'col.status', (r) => `${markOf(r)} ${tWord('status', r.status)}`.trim()],
  ['flag', 'col.flag', (r) => (r.flag ? tWord('flag', r.flag) : '—')],
  ['deviationC', 'col.deviation', (r) => `${num(r.deviationC)} K`],
  ['flowRatio', 'col.flowRatio', (r) => num(r.flowRatio, 2)],
  ['indoorC', 'col.indoor', (r) => `${num(r.indoorC)} °C`],
  ['supplyC', 'col.supply', (r) => `${num(r.supplyC)} °C`],
  ['returnC', 'col.return', (r) => `${num(r.returnC)} °C`],
  ['dpMpa', 'col.dp', (r) => `${num(r.dpMpa, 3)} MPa`],
  ['pumpHz', 'col.pump', (r) => `${num(r.pumpHz)} Hz`],
];

const filterText = signal('');
const filterStatus = signal('');
const sort = signal<{ by: Column; desc: boolean }>({ by: 'distanceM', desc: false });

function compare(a: Row, b: Row, by: Column): number {
  const [x, y] = [a[by], b[by]];
  if (x === y) return 0;
  if (x === null || x === undefined) return 1;
  if (y === null || y === undefined) return -1;
  return typeof x === 'number' && typeof y === 'number'
    ? x - y
    : String(x).localeCompare(String(y));
}

function recommendationText(r: Row): string {
  const rec = r.recommendation;
  if (!rec || rec.action === 'hold') return '—';
  return `${tWord('rec', rec.action)} ${rec.pump} ${num(rec.currentHz)} → ${num(rec.targetHz)} Hz`;
}

/** Every substation, sortable by any column, filtered by text and status. */
export function Table() {
  const byId = new Map((balance.value?.substations ?? []).map((s) => [s.id, s]));
  const all = rowsOf(substations.value, byId);
  const needle = filterText.value.trim().toLowerCase();
  const { by, desc } = sort.value;
  const rows = all
    .filter((r) => !filterStatus.value || r.status === filterStatus.value)
    .filter((r) => !needle || `${r.id} ${r.name} ${r.branch}`.toLowerCase().includes(needle))
    .sort((a, b) => (desc ? -1 : 1) * compare(a, b, by) || a.id.localeCompare(b.id));
  return (
    <section class="card" aria-labelledby="table-title">
      <div class="toolbar">
        <h2 id="table-title">{t('table.title')}</h2>
        <label>
          <span class="sr-only">{t('table.filter')}</span>
          <input
            type="search"
            placeholder={t('table.filter')}
            value={filterText.value}
            onInput={(e) => {
              filterText.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          {t('table.status')}{' '}
          <select
            value={filterStatus.value}
            onChange={(e) => {
              filterStatus.value = e.currentTarget.value;
            }}
          >
            <option value="">{t('table.allStatuses')}</option>
            {(['overheating', 'underheating', 'normal', 'no-data'] as const).map((s) => (
              <option value={s} key={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <span class="shown" role="status">
          {t('table.shown', { n: rows.length, m: all.length })}
        </span>
      </div>
      <div class="scroll">
        <table class="stations">
          <thead>
            <tr>
              {COLUMNS.map(([col, key]) => (
                <th
                  key={col}
                  scope="col"
                  aria-sort={by === col ? (desc ? 'descending' : 'ascending') : 'none'}
                >
                  <button
                    type="button"
                    data-sort={col}
                    aria-label={t('table.sortBy', { col: t(key) })}
                    onClick={() => {
                      sort.value = { by: col, desc: by === col ? !desc : false };
                    }}
                  >
                    {t(key)}
                    <span aria-hidden="true">{by === col ? (desc ? ' ↓' : ' ↑') : ''}</span>
                  </button>
                </th>
              ))}
              <th scope="col">{t('col.recommendation')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.id}
                data-station={r.id}
                data-status={r.status}
                class={r.stale ? 'stale' : ''}
              >
                {COLUMNS.map(([col, , show]) =>
                  col === 'id' ? (
                    <th scope="row" key={col}>
                      <a href={hrefOf({ view: 'substation', id: r.id })}>{r.id}</a>{' '}
                      <span class="name">{r.name}</span>
                    </th>
                  ) : (
                    <td key={col} class={col === 'status' ? `status-${r.status}` : 'value'}>
                      {show(r)}
                    </td>
                  ),
                )}
                <td>{recommendationText(r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
