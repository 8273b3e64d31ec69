/**
 * Room-temperature compliance (issue 11, DESIGN §2: ≥ 97 % of measured rooms): per day,
 * the share of rooms with a temperature that reach the minimum, per substation and for
 * the network, against `standards.complianceTarget`. Unmeasured rooms do not count.
 */

export interface ComplianceCount {
  day: string;
  substation: string;
  measured: number;
  compliant: number;
}

export interface ComplianceShare {
  measured: number;
  compliant: number;
  /** null when no room was measured. */
  share: number | null;
  meetsTarget: boolean | null;
}

export interface ComplianceDay {
  day: string;
  network: ComplianceShare;
  substations: Record<string, ComplianceShare>;
}

function share(measured: number, compliant: number, target: number): ComplianceShare {
  if (measured === 0) return { measured, compliant, share: null, meetsTarget: null };
  const s = compliant / measured;
  return { measured, compliant, share: Math.round(s * 10_000) / 10_000, meetsTarget: s >= target };
}

/** Counts per day and substation → shares per day, substation and network. */
export function complianceDays(
  counts: readonly ComplianceCount[],
  target: number,
): ComplianceDay[] {
  const byDay = new Map<string, ComplianceCount[]>();
  for (const c of counts) byDay.set(c.day, [...(byDay.get(c.day) ?? []), c]);
  return [...byDay.keys()].sort().map((day) => {
    const list = byDay.get(day) ?? [];
    const measured = list.reduce((sum, c) => sum + c.measured, 0);
    const compliant = list.reduce((sum, c) => sum + c.compliant, 0);
    return {
      day,
      network: share(measured, compliant, target),
      substations: Object.fromEntries(
        list.map((c) => [c.substation, share(c.measured, c.compliant, target)]),
      ),
    };
  });
}
