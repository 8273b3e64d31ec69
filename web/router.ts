import { signal } from '@preact/signals';

/** Hash routes, so the service serves one page and a reload keeps the view. */
export type Route =
  | { view: 'network' }
  | { view: 'substations' }
  | { view: 'substation'; id: string }
  | { view: 'dispatch' }
  | { view: 'service' }
  | { view: 'alerts' };

export function parseRoute(hash: string): Route {
  const [, view, id] = hash.replace(/^#/, '').split('/');
  if (view === 'substation' && id) return { view: 'substation', id: decodeURIComponent(id) };
  if (view === 'substations' || view === 'dispatch' || view === 'service' || view === 'alerts') {
    return { view };
  }
  return { view: 'network' };
}

export const route = signal<Route>(parseRoute(location.hash));
window.addEventListener('hashchange', () => {
  route.value = parseRoute(location.hash);
  document.getElementById('main')?.focus();
});

export const hrefOf = (r: Route) =>
  r.view === 'substation' ? `#/substation/${encodeURIComponent(r.id)}` : `#/${r.view}`;
