/**
 * Primary-side hydraulics of a distributed variable-speed pumping network (DESIGN
 * §2, seed 000): each source keeps a differential pressure at its outlet; supply and
 * return mains run along each branch with a pressure drop Δp = S·Q² per segment;
 * every substation draws its flow through its own resistance R (exchanger, valve,
 * strainer) helped by its own VFD pump, whose curve follows the affinity laws:
 *
 *   Δp_i + H0·(n/n_rated)² = (R_i + r_pump)·Q_i²        (Q ∝ n, H ∝ n²)
 *
 * Δp_i falls along the main because every upstream segment carries the flows of all
 * the substations behind it, so with uniform pump speeds the near end gets more than
 * it needs and the far end less: the seeds' "near end too hot, far end cold" comes out
 * of these equations, not out of a label. Beyond some point Δp_i turns negative (the
 * zero-pressure-difference point of distributed pumping) and only the pump pushes.
 * Pressures in kPa, flows in m³/h.
 */

export interface HydraulicSubstation {
  id: string;
  /** Resistance of the substation's primary circuit at design, kPa/(m³/h)². */
  resistance: number;
  /** Pump curve: shut-off head at rated speed (kPa) and internal resistance. */
  pumpHeadKpa: number;
  pumpResistance: number;
  ratedHz: number;
}

export interface HydraulicBranch {
  source: string;
  /** Substations in order along the branch (near end first). */
  substations: HydraulicSubstation[];
  /** Resistance (supply + return) of the segment ending at each substation. */
  segmentResistance: number[];
}

export interface HydraulicState {
  /** Per substation id. */
  flowM3h: Map<string, number>;
  /** Differential pressure supply − return at each substation's connection, kPa. */
  availableKpa: Map<string, number>;
  /** Per source: total flow leaving the plant. */
  sourceFlowM3h: Map<string, number>;
}

export interface HydraulicInputs {
  /** Pump speed per substation, Hz (0 = stopped). */
  speedHz: (id: string) => number;
  /** Extra resistance factor per substation (1 = clean; a clogged strainer is more). */
  resistanceFactor: (id: string) => number;
  /** Differential pressure the source keeps at its outlet, kPa. */
  sourceDpKpa: (source: string) => number;
}

/** Flow through one substation for a given available differential pressure. */
export function substationFlow(
  s: HydraulicSubstation,
  availableKpa: number,
  speedHz: number,
  resistanceFactor: number,
): number {
  const ratio = Math.max(0, speedHz) / s.ratedHz;
  const head = s.pumpHeadKpa * ratio * ratio;
  // A stopped pump still passes some flow through its impeller when pushed.
  const pumpR = speedHz > 0 ? s.pumpResistance : s.pumpResistance * 4;
  const drive = availableKpa + head;
  return drive > 0 ? Math.sqrt(drive / (s.resistance * resistanceFactor + pumpR)) : 0;
}

/**
 * Solves flows and pressures by damped fixed-point iteration: flows → segment
 * flows → pressures along the main → flows. Converges in a few dozen iterations
 * because each substation's flow falls as the others' rise.
 */
export function solveHydraulics(
  branches: readonly HydraulicBranch[],
  inputs: HydraulicInputs,
  previous?: HydraulicState,
): HydraulicState {
  // Arrays per branch, inputs read once: the loop below runs up to 200 times per step.
  const work = branches.map((b) => ({
    branch: b,
    flow: b.substations.map((s) => previous?.flowM3h.get(s.id) ?? 1),
    available: new Array<number>(b.substations.length).fill(0),
    speed: b.substations.map((s) => inputs.speedHz(s.id)),
    factor: b.substations.map((s) => inputs.resistanceFactor(s.id)),
    sourceDp: inputs.sourceDpKpa(b.source),
    segment: new Array<number>(b.substations.length).fill(0),
  }));
  for (let iteration = 0; iteration < 200; iteration++) {
    let change = 0;
    for (const w of work) change = Math.max(change, relaxBranch(w));
    if (change < 1e-7) break;
  }
  const flow = new Map<string, number>();
  const available = new Map<string, number>();
  const sourceFlow = new Map<string, number>();
  for (const w of work) {
    w.branch.substations.forEach((s, k) => {
      flow.set(s.id, w.flow[k]!);
      available.set(s.id, w.available[k]!);
    });
    const total = w.flow.reduce((sum, f) => sum + f, 0);
    sourceFlow.set(w.branch.source, (sourceFlow.get(w.branch.source) ?? 0) + total);
  }
  return { flowM3h: flow, availableKpa: available, sourceFlowM3h: sourceFlow };
}

interface BranchWork {
  branch: HydraulicBranch;
  flow: number[];
  available: number[];
  speed: number[];
  factor: number[];
  sourceDp: number;
  segment: number[];
}

/** One damped pass along a branch: segment flows → pressures → flows. Returns the largest relative change. */
function relaxBranch(w: BranchWork): number {
  const { substations, segmentResistance } = w.branch;
  const n = substations.length;
  // Flow in segment k = every substation from k to the far end.
  let downstream = 0;
  for (let k = n - 1; k >= 0; k--) {
    downstream += w.flow[k]!;
    w.segment[k] = downstream;
  }
  let change = 0;
  let p = w.sourceDp;
  for (let k = 0; k < n; k++) {
    p -= segmentResistance[k]! * w.segment[k]! ** 2;
    w.available[k] = p;
    const target = substationFlow(substations[k]!, p, w.speed[k]!, w.factor[k]!);
    const old = w.flow[k]!;
    const next = 0.5 * old + 0.5 * target;
    change = Math.max(change, Math.abs(next - old) / Math.max(old, 1e-3));
    w.flow[k] = next;
  }
  return change;
}
