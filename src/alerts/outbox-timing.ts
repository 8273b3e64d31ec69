import type { RateLimit, RetryPolicy } from '../config/schema-alert-channels.ts';

/**
 * Delay before attempt `attempt + 1` after `attempt` failures: exponential, capped, with
 * a random share taken off ("equal jitter"), so a fleet coming back does not retry in step.
 */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.maxS, policy.initialS * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(base * 1000 * (1 - policy.jitter * random()));
}

/** A sliding window of send times: how many more may go now, and when the next slot opens. */
export class SendWindow {
  private readonly times: number[] = [];

  constructor(private readonly limit: RateLimit | undefined) {}

  /** Times already used (e.g. read back from the store after a restart). */
  seed(times: readonly number[]): void {
    this.times.push(...times);
    this.times.sort((a, b) => a - b);
  }

  remaining(now: number): number {
    if (!this.limit) return Number.POSITIVE_INFINITY;
    this.prune(now);
    return Math.max(0, this.limit.messages - this.times.length);
  }

  /** When a slot frees up (now when one is free). */
  nextFree(now: number): number {
    if (this.remaining(now) > 0 || !this.limit) return now;
    return this.times[0]! + this.limit.perS * 1000;
  }

  record(at: number): void {
    if (this.limit) this.times.push(at);
  }

  private prune(now: number): void {
    const from = now - (this.limit?.perS ?? 0) * 1000;
    while (this.times.length > 0 && this.times[0]! <= from) this.times.shift();
  }
}
