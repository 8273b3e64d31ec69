import type { ModbusDeviceConfig, RegisterField } from '../../config/schema.ts';
import type { FieldValue, Reading } from '../../core/reading.ts';
import { seriesTags } from '../../core/series-tags.ts';
import { decodeRegisters, isIntegerType, isSentinel } from './codec.ts';
import type { ModbusConnection, ReadResult } from './connection.ts';
import { type PlannedRequest, splitRequest } from './plan.ts';
import {
  countError,
  isBusy,
  isRefusal,
  newPollStats,
  type PollStats,
  pause,
} from './poll-stats.ts';
import { ReadPlan } from './read-plan.ts';

export type RejectReason = 'sentinel' | 'range';

export interface PollOutcome {
  reading: Reading | undefined;
  rejected: { field: string; reason: RejectReason; raw: FieldValue }[];
}

export interface RetryOptions {
  /** Requests repeated after exception 6 (busy), within the poll. */
  busyRetries: number;
  busyRetryDelayMs: number;
}

const NO_RETRIES: RetryOptions = { busyRetries: 0, busyRetryDelayMs: 0 };

/** Scales a raw value and checks it is a value at all and a plausible one. */
export function toEngineering(
  spec: RegisterField,
  raw: FieldValue,
): { value: FieldValue } | { reject: RejectReason } {
  if (spec.sentinels && isSentinel(spec.type, raw)) return { reject: 'sentinel' };
  if (typeof raw !== 'number') return { value: raw };
  if (!Number.isFinite(raw)) return { reject: 'sentinel' };
  const value =
    spec.scale === 1 && spec.offset === 0 ? raw : roundScaled(raw * spec.scale + spec.offset);
  // A finite raw value can still scale past what a double holds (1e300 × 1e10): nothing
  // downstream may receive ±Infinity, so it is out of any range there is.
  if (!Number.isFinite(value)) return { reject: 'range' };
  if (spec.range && (value < spec.range[0] || value > spec.range[1])) return { reject: 'range' };
  return { value };
}

/**
 * 219 × 0.1 is 21.900000000000002 in binary floating point; users expect 21.9.
 * Fifteen significant digits is what a double always holds exactly, so large scaled
 * counters (123456789012345 × 0.001) keep every decimal.
 */
function roundScaled(v: number): number {
  return Number.parseFloat(v.toPrecision(15));
}

/** One poll's decoded values, filled request by request. */
interface Collected {
  fields: Record<string, FieldValue>;
  rejected: PollOutcome['rejected'];
  time: number;
}

/** The context of one poll, passed down to every request it makes. */
interface PollRun {
  timeoutMs: number;
  now: () => number;
  stats: PollStats;
  signal: AbortSignal | undefined;
  out: Collected;
}

/**
 * One configured device: its read plan, the measurement and tags its readings
 * carry, and the decode/validate step. Reads go through the shared connection of its
 * endpoint.
 */
export class ModbusDevice {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly intFields: ReadonlySet<string>;
  readonly plan: ReadPlan;

  constructor(
    readonly config: ModbusDeviceConfig,
    readonly requests: readonly PlannedRequest[],
    readonly connection: ModbusConnection,
    source: string,
    private readonly retry: RetryOptions = NO_RETRIES,
  ) {
    this.measurement = config.kind;
    // One shared tags object per device (core/series-tags.ts), shared by all its readings: live state and the
    // line encoder then find the series by it instead of building its key every poll.
    this.tags = seriesTags<Record<string, string>>(
      config.kind === 'pump'
        ? { substation: config.substation, pump: config.pump ?? config.id }
        : { substation: config.substation, source },
    );
    this.plan = new ReadPlan(requests);
    const ints = new Set<string>();
    for (const r of requests) {
      for (const { spec } of r.fields) {
        // Integers stay integers only when unscaled, so a field never flips type.
        if (
          isIntegerType(spec.type) &&
          spec.bit === undefined &&
          spec.scale === 1 &&
          spec.offset === 0
        ) {
          ints.add(spec.field);
        }
      }
    }
    this.intFields = ints;
  }

  /**
   * Reads the device's working requests (and, now and then, its bad ranges). A
   * refused merged request is split and its parts read; any other failure ends the
   * poll and is thrown, as is a refusal of everything (then nothing is learnt, and
   * what was learnt before is forgotten: a device refusing all its ranges is failing,
   * not mapped differently). `stats`
   * receives what happened on the wire either way.
   */
  async poll(
    timeoutMs: number,
    now: () => number,
    stats: PollStats = newPollStats(),
    signal?: AbortSignal,
  ): Promise<PollOutcome> {
    const run: PollRun = {
      timeoutMs,
      now,
      stats,
      signal,
      out: { fields: {}, rejected: [], time: 0 },
    };
    const { requests, probes } = this.plan.next();
    const { read, bad, refusal } = await this.readSplitting(requests, run);
    if (read.length === 0 && bad.length > 0) {
      this.plan.reset();
      throw refusal;
    }
    const recovered = await this.probe(probes, run);
    this.plan.commit({ read, bad, recovered });
    return this.outcome(run.out);
  }

  /** Reads `requests`, splitting those refused (2/3) until each part reads or stands alone. */
  private async readSplitting(requests: readonly PlannedRequest[], run: PollRun) {
    const read: PlannedRequest[] = [];
    const bad: PlannedRequest[] = [];
    const queue = [...requests];
    let refusal: unknown;
    for (let request = queue.shift(); request; request = queue.shift()) {
      try {
        this.collect(request, await this.readRetrying(request, run), run);
        read.push(request);
      } catch (err) {
        if (!isRefusal(err)) throw err;
        refusal = err;
        const parts = splitRequest(request);
        if (parts.length > 1) {
          run.stats.splits++;
          queue.unshift(...parts);
        } else bad.push(request);
      }
    }
    return { read, bad, refusal };
  }

  /** Reads bad ranges again; one that answers data is back (and its values count). */
  private async probe(probes: readonly PlannedRequest[], run: PollRun): Promise<PlannedRequest[]> {
    const recovered: PlannedRequest[] = [];
    for (const request of probes) {
      try {
        this.collect(request, await this.readRetrying(request, run), run);
        recovered.push(request);
      } catch {
        // Still bad (or no answer): it stays skipped; the failure is in the stats.
      }
    }
    return recovered;
  }

  /** One request; exception 6 (busy) is retried after a pause that leaves the link free. */
  private async readRetrying(request: PlannedRequest, run: PollRun): Promise<ReadResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { unitId } = this.config;
        const { area, address, count } = request;
        return await this.connection.read(unitId, area, address, count, run.timeoutMs, run.stats);
      } catch (err) {
        countError(run.stats, err);
        if (!isBusy(err) || attempt >= this.retry.busyRetries) throw err;
        run.stats.busyRetries++;
        await pause(this.retry.busyRetryDelayMs, run.signal);
      }
    }
  }

  private collect(request: PlannedRequest, result: ReadResult, run: PollRun): void {
    const out = run.out;
    // Timestamp at read time, once per device poll: all fields of one poll share it.
    if (out.time === 0) out.time = run.now();
    for (const { spec, offset } of request.fields) {
      const raw =
        'bits' in result
          ? result.bits[offset] === true
          : decodeRegisters(result.registers, offset, spec);
      const checked = toEngineering(spec, raw);
      if ('reject' in checked)
        out.rejected.push({ field: spec.field, reason: checked.reject, raw });
      else out.fields[spec.field] = checked.value;
    }
  }

  private outcome(out: Collected): PollOutcome {
    const reading: Reading | undefined =
      Object.keys(out.fields).length === 0
        ? undefined
        : {
            measurement: this.measurement,
            tags: this.tags,
            fields: out.fields,
            intFields: this.intFields,
            time: out.time,
          };
    return { reading, rejected: out.rejected };
  }
}
