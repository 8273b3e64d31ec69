import { type EngineSettings, evaluateBalance, streamSteps } from '../balance/evaluate.ts';
import { finiteResult } from '../balance/finite.ts';
import type { BalanceResult, StationMemory, SubstationBalance } from '../balance/types.ts';
import type { Config } from '../config/schema.ts';
import type { AlertSink } from '../core/alerts.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import { every, type Scheduled } from '../core/schedule.ts';
import { SharedTags } from '../core/series-tags.ts';
import { END_TURN, runInSlices, runToEnd, SlicesAbandoned, type Steps } from '../core/slices.ts';
import type { HeatnetEvents } from '../events.ts';
import { gatherInputs, gatherStream, type InputSources } from './inputs.ts';

/** Real milliseconds after start of the first evaluation. */
const FIRST_EVALUATION_MS = 20_000;
const ANOMALY = 'balance-anomaly';
/**
 * Real milliseconds of evaluation work before the scheduled run hands the event loop
 * back: a complaint or API call arriving meanwhile waits at most about this long
 * (issue 10: intake p99 ≤ 20 ms while evaluations run).
 */
export const EVALUATION_SLICE_MS = 4;
/** Stations per storage write: each batch is serialised in one go, so it is a slice too. */
const WRITE_BATCH = 250;
/**
 * Retained results published per turn of the loop: each costs the MQTT client, and the
 * embedded broker on this same loop, far more than its share of a slice suggests — 4 ms
 * of publishing held the loop 10–20 ms once the broker took them in (issue 10).
 */
const PUBLISHES_PER_TURN = 25;

export interface BalanceOutputs {
  /** Readings for storage (the `balance` measurement). */
  write: (readings: Reading[]) => void;
  /** Retained MQTT `heatnet/balance/{substation}`. */
  publish: (topic: string, payload: string) => void;
  /** Anomalies are raised per station and cleared when they end. */
  alerts: AlertSink;
}

/**
 * Runs the pure engine on its schedule against the rolling windows, keeps the latest
 * result for the API, and sends it out: the `balance` measurement, retained MQTT
 * messages per station, a `balance.evaluated` event, and alerts for anomalies.
 */
export class BalanceService implements Component {
  readonly name = 'balance';
  private memory = new Map<string, StationMemory>();
  private last: BalanceResult | undefined;
  private timer: Scheduled | undefined;
  private first: NodeJS.Timeout | undefined;
  private preview: { at: number; result: BalanceResult } | undefined;
  /** Work per slice of a scheduled evaluation (tests set 0: a turn of the loop per step). */
  sliceMs = EVALUATION_SLICE_MS;
  private stopped = false;
  private running: Promise<unknown> | undefined;
  private readonly settings: EngineSettings;

  constructor(
    private readonly config: Config,
    private readonly sources: InputSources,
    private readonly bus: EventBus<HeatnetEvents>,
    private readonly outputs: BalanceOutputs,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly clockRate = 1,
  ) {
    this.settings = {
      balance: config.balance,
      indoor: config.standards.indoor,
      design: config.network.design,
    };
  }

  async start(): Promise<void> {
    if (!this.config.balance.enabled) return;
    this.stopped = false;
    // A first evaluation soon after start, once the first polls are in, rather than
    // a whole schedule interval of nothing to show.
    this.first = setTimeout(() => void this.safeEvaluate(), FIRST_EVALUATION_MS);
    this.first.unref();
    this.timer = every(this.config.balance.schedule, this.clockRate, () => this.safeEvaluate());
  }

  /** Stops the schedule; a sliced evaluation in flight is given up at its next slice. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.first);
    this.timer?.stop();
    await this.running;
  }

  /**
   * The latest evaluation. Before the first scheduled one, an evaluation of the data
   * so far, computed without side effects (nothing stored, published or remembered).
   */
  latest(): BalanceResult {
    if (this.last) return this.last;
    // Cached for a second of real time: at 5,000 stations an evaluation costs ~150 ms,
    // and readers before the first scheduled run must not be able to pile them up.
    if (!this.preview || performance.now() - this.preview.at >= 1000) {
      const input = gatherInputs(this.sources, this.now());
      const { result } = evaluateBalance(input, this.memory, this.settings);
      this.preview = { at: performance.now(), result: finiteResult(result) };
    }
    return this.preview.result;
  }

  /** The scheduled run: in slices, never two at once (the first timer and the schedule). */
  private async safeEvaluate(): Promise<void> {
    if (this.running) return;
    const run = this.evaluateInSlices().catch((err: unknown) => {
      if (!(err instanceof SlicesAbandoned)) this.log.error({ err }, 'balance evaluation failed');
    });
    this.running = run;
    await run;
    this.running = undefined;
  }

  /** Service time of the latest scheduled evaluation, or null before the first. */
  lastEvaluatedAt(): number | null {
    return this.last?.evaluatedAt ?? null;
  }

  /** One evaluation now, start to end in one go (tests and benchmarks call this). */
  evaluate(at = this.now()): BalanceResult {
    return runToEnd(this.steps(at));
  }

  /**
   * The same evaluation with the same effects in the same order, handing the event loop
   * back every EVALUATION_SLICE_MS (what the schedule runs): at 5,000 stations the whole
   * takes most of a second, which no request should have to wait out.
   */
  evaluateInSlices(at = this.now()): Promise<BalanceResult> {
    return runInSlices(this.steps(at), {
      sliceMs: this.sliceMs,
      abandoned: () => this.stopped,
    });
  }

  private *steps(at: number): Steps<BalanceResult> {
    const { outdoorC, stations } = gatherStream(this.sources, at);
    const places = this.sources.topology.substations;
    const input = { at, outdoorC, places, substations: stations };
    const { result: raw, memory } = yield* streamSteps(input, this.memory, this.settings);
    // Everything after this (API, retained MQTT, storage, alerts) sees finite numbers only.
    const result = finiteResult(raw);
    const previous = this.last;
    this.memory = memory;
    this.last = result;
    yield* this.emit(result, previous, at);
    return result;
  }

  /**
   * One alert per station while its anomaly lasts (the sink drops repeats). A changed
   * cause is a new anomaly: the old one is cleared first, so the new cause goes out.
   */
  private *alertAnomalies(result: BalanceResult, previous: BalanceResult | undefined): Steps<void> {
    const before = new Map(previous?.substations.map((s) => [s.id, s]));
    for (const s of result.substations) {
      const source = `balance:${s.id}`;
      const was = before.get(s.id)?.anomaly;
      if (was && was.cause !== s.anomaly?.cause) this.outputs.alerts.clear(source, ANOMALY);
      if (!s.anomaly) continue;
      yield;
      this.outputs.alerts.raise({
        source,
        code: ANOMALY,
        severity: 'warning',
        message: `${s.id}: ${s.anomaly.cause} — ${s.anomaly.evidence.join('; ')}`,
      });
    }
  }

  /** Storage and retained MQTT station by station, then the event, then the alerts. */
  private *emit(
    result: BalanceResult,
    previous: BalanceResult | undefined,
    at: number,
  ): Steps<void> {
    const stations = result.substations;
    for (let i = 0; i < stations.length; i += WRITE_BATCH) {
      this.outputs.write(stations.slice(i, i + WRITE_BATCH).map((s) => balanceReading(s, at)));
      yield;
    }
    const evaluatedAt = new Date(result.evaluatedAt).toISOString();
    for (const [i, s] of stations.entries()) {
      this.outputs.publish(`heatnet/balance/${s.id}`, JSON.stringify({ evaluatedAt, ...s }));
      yield (i + 1) % PUBLISHES_PER_TURN === 0 ? END_TURN : undefined;
    }
    this.bus.emit('balance.evaluated', result);
    yield* this.alertAnomalies(result, previous);
    const counts = result.counts;
    this.log.info(
      { ...counts, slopeCPerKm: result.gradient.slopeCPerKm, r2: result.gradient.r2 },
      'balance evaluated',
    );
  }
}

/** One station's evaluation as a `balance` point (DESIGN §4.2); missing values are left out. */
export function balanceReading(s: SubstationBalance, at: number): Reading {
  const fields: Record<string, number | string> = {
    rooms_reporting: s.roomsReporting,
    position: s.position,
  };
  const put = (name: string, v: number | string | null | undefined) => {
    if (v !== null && v !== undefined) fields[name] = v;
  };
  put('deviation_c', s.deviationC);
  put('flow_ratio', s.flowRatio);
  put('indoor_mean_c', s.indoorMeanC);
  put('cold_share', s.coldShare);
  put('heat_index', s.heatIndex);
  put('flag', s.flag);
  put('anomaly', s.anomaly?.cause);
  put('recommended_hz', s.recommendation?.targetHz);
  return {
    measurement: 'balance',
    tags: balanceTags(s.id, s.status),
    fields,
    intFields: INT_FIELDS,
    time: at,
  };
}

const INT_FIELDS: ReadonlySet<string> = new Set(['rooms_reporting']);
/**
 * One shared tags object per station and status (a few per station), as the adapters
 * share theirs: storage then keeps the line prefix instead of making it for each of the
 * 5,000 points of every evaluation.
 */
const BALANCE_TAGS = new SharedTags();

function balanceTags(substation: string, status: string): Readonly<Record<string, string>> {
  return BALANCE_TAGS.of(`${substation}\u0000${status}`, () => ({ substation, status }));
}
