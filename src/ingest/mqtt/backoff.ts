/**
 * Jittered exponential backoff: attempt 0 waits about `minMs`, each further attempt
 * doubles the ceiling up to `maxMs`, and the wait is drawn from the upper half of the
 * ceiling ("equal jitter"). When a broker restarts, every client of it loses its
 * connection at the same instant; a fixed period (MQTT.js's `reconnectPeriod`) would
 * bring them all back in lockstep, while the random half spreads them out and the fixed
 * half keeps any one client from retrying faster than `minMs`.
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const floor = Math.max(1, minMs);
  const cap = Math.max(floor, maxMs);
  // 2 ** 30 already exceeds any sane cap; bounding the exponent keeps the math finite.
  const ceiling = Math.min(cap, floor * 2 ** Math.min(Math.max(0, attempt), 30));
  const jittered = ceiling / 2 + (random() * ceiling) / 2;
  return Math.round(Math.min(cap, Math.max(floor, jittered)));
}
