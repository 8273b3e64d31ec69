import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';

/** Why the pipeline refused a reading (each counted, in health and metrics). */
export const REFUSAL_REASONS = ['not-finite', 'bad-time', 'time-ahead'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
export type RefusalCounts = Record<RefusalReason, number>;

/** Told of every reading refused, so an adapter can count it against its source too. */
export type RefusalListener = (reading: Reading, reason: RefusalReason) => void;

export interface AcceptOptions {
  /**
   * Resolve only once the readings are durable (database, spool or local store), for a
   * source that acknowledges on it (MQTT QoS 1). Otherwise they are written in the
   * background and the promise resolves at once (Modbus has nothing to acknowledge).
   */
  durable?: boolean;
  refused?: RefusalListener;
}

/** Where accepted readings go, in this order. */
export interface PipelineTargets {
  /** Latest values: updated first, so everything after sees the new state. */
  state: { apply(readings: readonly Reading[]): void };
  /** The balancing engine's rolling windows. */
  windows: { apply(readings: readonly Reading[]): void };
  /** The `readings` event, for whoever else listens. */
  publish(readings: Reading[]): void;
  writer: {
    write(readings: readonly Reading[]): void;
    accept(readings: readonly Reading[]): Promise<void>;
  };
}

export interface PipelineOptions {
  /** The service clock. */
  now: () => number;
  /** `ingest.maxAheadS` in ms: the one bound on timestamps ahead of the service clock. */
  maxAheadMs: number;
  log: Logger;
}

/**
 * Why a reading cannot be taken, or null: every numeric field finite, a finite time
 * not later than `latest`. Pure, so each rule exists once, here. Plausible ranges are
 * not here: they belong to a source's field declaration (a Modbus register field, an
 * MQTT subscription field), which only the adapter knows, and are checked and counted
 * by the adapter before its readings arrive (issue 15).
 */
export function refusalOf(r: Reading, latest: number): RefusalReason | null {
  if (!Number.isFinite(r.time)) return 'bad-time';
  if (r.time > latest) return 'time-ahead';
  for (const field in r.fields) {
    const v = r.fields[field];
    if (typeof v === 'number' && !Number.isFinite(v)) return 'not-finite';
  }
  return null;
}

/**
 * The one way readings enter heatnet (DESIGN §3): Modbus and MQTT alike hand them to
 * `accept`, which applies the shared checks once and fans the rest out to live state,
 * the balance windows, the `readings` event and the writer. A refused reading is
 * counted by reason and logged the first time its reason occurs.
 */
export class IngestPipeline {
  private readonly counts: RefusalCounts = { 'not-finite': 0, 'bad-time': 0, 'time-ahead': 0 };

  constructor(
    private readonly targets: PipelineTargets,
    private readonly options: PipelineOptions,
  ) {}

  accept(readings: readonly Reading[], options: AcceptOptions = {}): Promise<void> {
    const taken = this.screen(readings, options.refused);
    if (taken.length === 0) return Promise.resolve();
    const { state, windows, publish, writer } = this.targets;
    state.apply(taken);
    windows.apply(taken);
    publish(taken);
    if (options.durable) return writer.accept(taken);
    writer.write(taken);
    return Promise.resolve();
  }

  /** Readings refused so far, by reason. */
  refused(): RefusalCounts {
    return { ...this.counts };
  }

  private screen(readings: readonly Reading[], listener: RefusalListener | undefined): Reading[] {
    const latest = this.options.now() + this.options.maxAheadMs;
    let taken: Reading[] | undefined;
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      const reason = refusalOf(r, latest);
      if (reason === null) {
        taken?.push(r);
        continue;
      }
      // Copy only once something is refused: the common batch passes untouched.
      taken ??= readings.slice(0, i);
      this.refuse(r, reason, listener);
    }
    return taken ?? (readings as Reading[]);
  }

  private refuse(r: Reading, reason: RefusalReason, listener: RefusalListener | undefined) {
    if (this.counts[reason]++ === 0) {
      const { measurement, tags, time } = r;
      this.options.log.warn({ reason, measurement, tags, time }, 'reading refused');
    }
    try {
      listener?.(r, reason);
    } catch (err) {
      this.options.log.error({ err }, 'refusal listener failed');
    }
  }
}
