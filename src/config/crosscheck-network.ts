import { householdSpecs } from '../domain/topology.ts';
import { type ConfigIssue, issueAt, type PathSegment, UniqueIds } from './issues.ts';
import type { BuildingConfig, Config } from './schema.ts';

/** Cross-checks of the network section: ids, sources, pumps, zones and households. */
export function checkNetwork(config: Config, issues: ConfigIssue[]): void {
  const sourceIds = new UniqueIds('source', issues);
  config.network.sources.forEach((s, i) => {
    sourceIds.add(s.id, ['network', 'sources', i, 'id']);
  });
  const sources = new Set(config.network.sources.map((s) => s.id));
  const substationIds = new UniqueIds('substation', issues);
  const pumpIds = new UniqueIds('pump', issues);
  const buildingIds = new UniqueIds('building', issues);
  const householdIds = new UniqueIds('household', issues);

  config.network.substations.forEach((s, i) => {
    const at: PathSegment[] = ['network', 'substations', i];
    substationIds.add(s.id, [...at, 'id']);
    if (!sources.has(s.source)) {
      issues.push(issueAt([...at, 'source'], `unknown source "${s.source}"`));
    }
    s.pumps.forEach((p, j) => {
      const pAt = [...at, 'pumps', j];
      pumpIds.add(p.id, [...pAt, 'id']);
      if (p.minHz >= p.maxHz) {
        issues.push(issueAt([...pAt, 'minHz'], `must be below maxHz (${p.maxHz})`));
      }
    });
    s.buildings.forEach((b, j) => {
      const bAt = [...at, 'buildings', j];
      buildingIds.add(b.id, [...bAt, 'id']);
      checkZones(b, bAt, issues);
      const explicit = b.households !== undefined;
      householdSpecs(b).forEach((h, k) => {
        const hAt = explicit ? [...bAt, 'households', k] : [...bAt, 'id'];
        householdIds.add(h.id, explicit ? [...hAt, 'id'] : hAt);
        if (explicit && h.floor > b.floors) {
          issues.push(
            issueAt([...hAt, 'floor'], `floor ${h.floor} above the building's ${b.floors}`),
          );
        }
      });
    });
  });
}

function checkZones(b: BuildingConfig, at: PathSegment[], issues: ConfigIssue[]): void {
  const owner = new Map<number, string>();
  b.zones.forEach((z, i) => {
    const [from, to] = z.floors;
    if (from > to) {
      issues.push(issueAt([...at, 'zones', i, 'floors'], `first floor ${from} > last ${to}`));
    }
    if (to > b.floors) {
      issues.push(
        issueAt([...at, 'zones', i, 'floors'], `floor ${to} above the building's ${b.floors}`),
      );
    }
    const clashes: number[] = [];
    for (let f = from; f <= Math.min(to, b.floors); f++) {
      if (owner.has(f)) clashes.push(f);
      else owner.set(f, z.id);
    }
    if (clashes.length > 0) {
      const floors = compactRanges(clashes);
      const what = clashes.length === 1 ? `floor ${floors} is` : `floors ${floors} are`;
      issues.push(issueAt([...at, 'zones', i, 'floors'], `${what} already in another zone`));
    }
  });
  const missing: number[] = [];
  for (let f = 1; f <= b.floors; f++) if (!owner.has(f)) missing.push(f);
  if (missing.length > 0) {
    const floors = compactRanges(missing);
    const what = missing.length === 1 ? `floor ${floors} is` : `floors ${floors} are`;
    issues.push(issueAt([...at, 'zones'], `${what} in no zone`));
  }
}

function compactRanges(numbers: number[]): string {
  const parts: string[] = [];
  let start = numbers[0]!;
  let prev = start;
  for (const n of [...numbers.slice(1), Number.NaN]) {
    if (n === prev + 1) {
      prev = n;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = n;
    prev = n;
  }
  return parts.join(', ');
}
