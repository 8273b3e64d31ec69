import type { AlertRoute } from '../config/schema-alerts.ts';
import type { AlertLabels } from './model.ts';

/**
 * Routes by severity, rule, place and team (issue 12 item 4; DESIGN §4.1): the first
 * route that matches wins, unless it says `continue`, as Alertmanager's do.
 */
export function routeMatches(route: AlertRoute, labels: AlertLabels): boolean {
  const m = route.match;
  const hit = (values: readonly string[] | undefined, label: string) =>
    values === undefined || values.includes(labels[label] ?? '\u0000');
  return (
    hit(m.severity, 'severity') &&
    hit(m.rule, 'alertname') &&
    hit(m.substation, 'substation') &&
    hit(m.branch, 'branch') &&
    hit(m.team, 'team')
  );
}

/** The indexes of every route an alert goes to, in order. */
export function routesFor(routes: readonly AlertRoute[], labels: AlertLabels): number[] {
  const out: number[] = [];
  for (let i = 0; i < routes.length; i++) {
    if (!routeMatches(routes[i]!, labels)) continue;
    out.push(i);
    if (!routes[i]!.continue) break;
  }
  return out;
}

/** The route's name in messages (Alertmanager's `receiver`). */
export function receiverOf(route: AlertRoute, index: number): string {
  return route.receiver ?? `route-${index}:${route.channels.join('+')}`;
}
