import type { AlertLabels, Severity } from '../alerting/model.ts';
import type { RuleId } from '../alerting/rule-words.ts';
import { teamFor } from '../alerting/teams.ts';
import type { AlertTeam } from '../config/schema-alerts.ts';
import type { Topology } from '../domain/topology.ts';

/**
 * An alert's labels: its rule and severity, its place, and what the topology adds — the
 * substation of a building, the branch of a substation, the team that answers for it —
 * so routes can match by branch or team and inhibition by substation.
 */
export function alertLabels(
  rule: RuleId,
  severity: Severity,
  place: AlertLabels,
  topology: Topology,
  teams: readonly AlertTeam[],
): AlertLabels {
  const labels: AlertLabels = { ...place, alertname: rule, severity };
  const building = place['building'] ? topology.building(place['building']) : undefined;
  if (building && !labels['substation']) labels['substation'] = building.substation;
  const scope = place['scope'];
  if (scope && !labels['substation'] && topology.substation(scope)) labels['substation'] = scope;
  const substation = labels['substation'] ? topology.substation(labels['substation']) : undefined;
  if (substation) labels['branch'] = substation.branch;
  const team = teamFor(teams, labels);
  if (team) labels['team'] = team.id;
  return labels;
}
