/**
 * One event loop serves both the people calling the API and the background jobs
 * (evaluations, sweeps, alert dispatch, ledger flushes), and a background job hands the
 * loop back between its slices (core/slices.ts). Handed back, it would take the loop
 * again on the very next turn, so a call that needs several turns (headers, body,
 * handler, the reply's write) waited behind a slice at each of them: calls arriving
 * during an evaluation took twice as long at the median and ten times as long at the
 * p99 (issue 10). The gate makes the background's next turn wait while a call is in
 * flight — never longer than MAX_DEFER_MS, so a call that is waiting on I/O (a history
 * query against InfluxDB, a live stream's long life) cannot stall the background.
 */

/** The longest a background turn waits for the calls in flight to be answered. */
export const MAX_DEFER_MS = 10;

export class ForegroundGate {
  private inFlight = 0;
  private waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** A call has arrived; `done` (idempotent) says it has been answered or dropped. */
  enter(): () => void {
    this.inFlight++;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      if (--this.inFlight === 0) this.release();
    };
  }

  /** Calls `go` now if no call is in flight, else once they are answered (or MAX_DEFER_MS). */
  whenClear(go: () => void): void {
    if (this.inFlight === 0) {
      go();
      return;
    }
    this.waiting.push(go);
    this.timer ??= setTimeout(() => this.release(), MAX_DEFER_MS);
  }

  private release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const go = this.waiting;
    if (go.length === 0) return;
    this.waiting = [];
    // After the answer's own I/O callbacks, as a turn of the loop would be.
    setImmediate(() => {
      for (const g of go) g();
    });
  }
}

/** The process's one gate: there is one event loop to share. */
export const foreground = new ForegroundGate();
