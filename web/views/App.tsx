import { useEffect } from 'preact/hooks';
import type { Key } from '../i18n/en.ts';
import { lang, t } from '../i18n/index.ts';
import { liveState } from '../live.ts';
import { hrefOf, type Route, route } from '../router.ts';
import { loadError } from '../state.ts';
import { Alerts } from './Alerts.tsx';
import { Dispatch } from './Dispatch.tsx';
import { Header } from './Header.tsx';
import { Network } from './Network.tsx';
import { Service } from './Service.tsx';
import { Substation } from './Substation.tsx';
import { Table } from './Table.tsx';

const NAV: [Route['view'], Key][] = [
  ['network', 'nav.network'],
  ['substations', 'nav.substations'],
  ['dispatch', 'nav.dispatch'],
  ['service', 'nav.service'],
  ['alerts', 'nav.alerts'],
];

function View() {
  const r = route.value;
  switch (r.view) {
    case 'substations':
      return <Table />;
    case 'substation':
      return <Substation id={r.id} />;
    case 'dispatch':
      return <Dispatch />;
    case 'service':
      return <Service />;
    case 'alerts':
      return <Alerts />;
    default:
      return <Network />;
  }
}

export function App() {
  const current = route.value.view === 'substation' ? 'substations' : route.value.view;
  useEffect(() => {
    document.documentElement.lang = lang.value === 'zh' ? 'zh-CN' : 'en';
    document.title = t('app.title');
  }, [lang.value]);
  // Values on screen are greyed while the stream is down: they may no longer be true.
  const stale = liveState.value === 'reconnecting' || liveState.value === 'connecting';
  return (
    <div class={stale ? 'shell stale-all' : 'shell'}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <Header />
      <nav aria-label={t('nav.label')}>
        {NAV.map(([view, key]) => (
          <a
            key={view}
            href={hrefOf({ view } as Route)}
            aria-current={current === view ? 'page' : undefined}
          >
            {t(key)}
          </a>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        {loadError.value && (
          <p class="refusal" role="alert">
            {t('common.error', { message: loadError.value })}
          </p>
        )}
        <View />
      </main>
    </div>
  );
}
