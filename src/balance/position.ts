import type { BalanceConfig } from '../config/schema.ts';
import type { Position } from './types.ts';

/**
 * Near / middle / far by hydraulic distance: a station's distance along its branch
 * as a share of the farthest station of that branch (same source and branch), so a
 * short branch has a near and a far end of its own. A branch with a single station
 * has no ends of its own: it is placed against the farthest station of its source.
 */
export function positions(
  stations: readonly { id: string; source: string; branch: string; distanceM: number }[],
  split: BalanceConfig['position'],
): Map<string, Position> {
  const branchKey = (s: { source: string; branch: string }) => `${s.source}\u0000${s.branch}`;
  const farthest = new Map<string, number>();
  const members = new Map<string, number>();
  for (const s of stations) {
    for (const key of [branchKey(s), s.source]) {
      farthest.set(key, Math.max(farthest.get(key) ?? 0, s.distanceM));
    }
    members.set(branchKey(s), (members.get(branchKey(s)) ?? 0) + 1);
  }
  const out = new Map<string, Position>();
  for (const s of stations) {
    const key = (members.get(branchKey(s)) ?? 0) > 1 ? branchKey(s) : s.source;
    const end = farthest.get(key) ?? 0;
    const share = end > 0 ? s.distanceM / end : 0;
    out.set(s.id, share <= split.nearUntil ? 'near' : share >= split.farFrom ? 'far' : 'middle');
  }
  return out;
}
