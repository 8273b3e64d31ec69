import { type ConfigIssue, issueAt, UniqueIds } from './issues.ts';
import type { Config } from './schema.ts';

/**
 * Cross-checks of `alerts` (issue 12): routes naming unknown channels, teams or chains,
 * teams and schedules naming unknown people, places that are not in the network, and
 * overrides whose end is not after their start. Every problem by its path.
 */
export function checkAlerts(config: Config, issues: ConfigIssue[]): void {
  const a = config.alerts;
  const people = new Set(a.people.map((p) => p.id));
  const schedules = new Set(a.schedules.map((s) => s.id));
  unique(config, issues);
  const channels = new Set(a.channels.map((c) => c.id));
  const teams = new Set(a.teams.map((t) => t.id));
  const chains = new Set(a.escalation.chains.map((c) => c.id));
  a.routes.forEach((r, i) => {
    const at = ['alerts', 'routes', i];
    r.channels.forEach((c, j) => {
      if (!channels.has(c)) issues.push(issueAt([...at, 'channels', j], `unknown channel "${c}"`));
    });
    r.match.team?.forEach((t, j) => {
      if (!teams.has(t)) issues.push(issueAt([...at, 'match', 'team', j], `unknown team "${t}"`));
    });
    if (r.escalation && !chains.has(r.escalation)) {
      issues.push(issueAt([...at, 'escalation'], `unknown escalation chain "${r.escalation}"`));
    }
  });
  checkTeams(config, people, schedules, issues);
  a.schedules.forEach((s, i) => {
    const at = ['alerts', 'schedules', i];
    s.people.forEach((p, j) => {
      if (!people.has(p)) issues.push(issueAt([...at, 'people', j], `unknown person "${p}"`));
    });
    if (s.outOfSeason && !people.has(s.outOfSeason)) {
      issues.push(issueAt([...at, 'outOfSeason'], `unknown person "${s.outOfSeason}"`));
    }
    s.overrides.forEach((o, j) => {
      if (!people.has(o.person))
        issues.push(issueAt([...at, 'overrides', j, 'person'], `unknown person "${o.person}"`));
      if (o.to <= o.from) issues.push(issueAt([...at, 'overrides', j, 'to'], 'must be after from'));
    });
  });
  const esc = a.escalation;
  if (!chains.has(esc.default))
    issues.push(issueAt(['alerts', 'escalation', 'default'], `unknown chain "${esc.default}"`));
  const d = esc.dutyDispatcher;
  if (d && !people.has(d) && !schedules.has(d)) {
    issues.push(
      issueAt(
        ['alerts', 'escalation', 'dutyDispatcher'],
        `"${d}" is neither a person nor a schedule`,
      ),
    );
  }
}

function unique(config: Config, issues: ConfigIssue[]): void {
  const a = config.alerts;
  const lists = [
    ['people', a.people],
    ['teams', a.teams],
    ['schedules', a.schedules],
  ] as const;
  for (const [name, list] of lists) {
    const ids = new UniqueIds(name, issues);
    list.forEach((x, i) => {
      ids.add(x.id, ['alerts', name, i, 'id']);
    });
  }
  const chains = new UniqueIds('chain', issues);
  a.escalation.chains.forEach((c, i) => {
    chains.add(c.id, ['alerts', 'escalation', 'chains', i, 'id']);
  });
}

function checkTeams(
  config: Config,
  people: Set<string>,
  schedules: Set<string>,
  issues: ConfigIssue[],
) {
  const substations = new Set(config.network.substations.map((s) => s.id));
  const branches = new Set(config.network.substations.map((s) => s.branch));
  config.alerts.teams.forEach((t, i) => {
    const at = ['alerts', 'teams', i];
    if (!people.has(t.lead)) issues.push(issueAt([...at, 'lead'], `unknown person "${t.lead}"`));
    if (t.schedule && !schedules.has(t.schedule)) {
      issues.push(issueAt([...at, 'schedule'], `unknown schedule "${t.schedule}"`));
    }
    t.substations.forEach((s, j) => {
      if (!substations.has(s))
        issues.push(issueAt([...at, 'substations', j], `unknown substation "${s}"`));
    });
    t.branches.forEach((b, j) => {
      if (!branches.has(b)) issues.push(issueAt([...at, 'branches', j], `unknown branch "${b}"`));
    });
  });
}
