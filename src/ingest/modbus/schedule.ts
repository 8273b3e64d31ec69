import { DOWN_AFTER_FAILURES } from './health.ts';

/** Longest a down device waits between attempts. */
export const MAX_BACKOFF_MS = 5 * 60_000;
/** The window first polls are spread over, so devices do not all fire together. */
export const FIRST_POLL_SPREAD_MS = 1000;

/** When a device's first poll runs: somewhere in its first interval, at most a second in. */
export function firstPollDelay(intervalMs: number, random: () => number = Math.random): number {
  return random() * Math.min(intervalMs, FIRST_POLL_SPREAD_MS);
}

/**
 * The circuit breaker's schedule. Until a device is down it keeps its interval; from
 * then on the wait doubles with every further failure (2×, 4×, 8× … the interval, up
 * to five minutes, never more), so a dead device costs ever less of its link's time. ±20 %
 * jitter keeps the dead devices of one site from retrying in step.
 */
export function backoffDelay(
  intervalMs: number,
  consecutiveFailures: number,
  random: () => number = Math.random,
): number {
  const excess = consecutiveFailures - DOWN_AFTER_FAILURES;
  if (excess < 0) return intervalMs;
  // Capped exponent: 2 ** 1000 would be Infinity, and the cap is reached long before.
  const backoff = Math.min(intervalMs * 2 ** Math.min(excess + 1, 30), MAX_BACKOFF_MS);
  return Math.min(backoff * (0.8 + random() * 0.4), MAX_BACKOFF_MS);
}
