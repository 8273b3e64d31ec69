/**
 * Long synchronous work written once as a generator of steps (`yield` between units of
 * work: a station, a building) and run either way: to the end at once (tests, previews,
 * callers that need the answer now) or in slices that hand the event loop back after
 * `sliceMs` of work, so a request that arrives meanwhile waits one slice, not the whole
 * job (issue 10: a 5,000-station evaluation held the loop ~0.9 s and complaint intake
 * with it). Both ways run the same steps in the same order and return the same value.
 * What a step yields means nothing to either, except END_TURN to the sliced run.
 */
export type Steps<T> = Generator<unknown, T, void>;

/**
 * Yielded by a step whose work goes on outside it: a message handed to a socket is
 * processed later by the broker (the embedded one on this same loop) and its ack by the
 * client. Run in slices, the loop is handed back at once, so that work is done a little
 * at a time instead of piling up behind a whole slice of sends (issue 10).
 */
export const END_TURN = Symbol('end of turn');

/** A background job's work between turns of the loop: what a request may wait behind. */
export const BACKGROUND_SLICE_MS = 4;

/** Runs every step now and returns the result. */
export function runToEnd<T>(steps: Steps<T>): T {
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

export interface SliceOptions {
  /** Work per slice before the loop is handed back (real milliseconds). */
  sliceMs: number;
  /** Checked between slices: true stops the run, which then rejects with SlicesAbandoned. */
  abandoned?: () => boolean;
}

/** A sliced run given up between slices (the component stopped). */
export class SlicesAbandoned extends Error {
  constructor() {
    super('sliced work abandoned');
    this.name = 'SlicesAbandoned';
  }
}

/**
 * Runs the steps, yielding to the event loop (setImmediate: after pending I/O, before
 * timers of later turns) whenever a slice has used its time. Work that fits in one slice
 * completes without yielding at all, exactly as runToEnd would.
 */
export async function runInSlices<T>(steps: Steps<T>, options: SliceOptions): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (step.value !== END_TURN && performance.now() - sliceStart < options.sliceMs) continue;
    await nextTurn();
    if (options.abandoned?.()) {
      steps.return(undefined as T);
      throw new SlicesAbandoned();
    }
    sliceStart = performance.now();
  }
}

/** Resolves on the event loop's next check phase, once the I/O that was ready has run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * For loops of awaited store work. With the embedded SQLite every query resolves as a
 * microtask, so such a loop never hands the event loop back on its own: 100 alert groups
 * written in a row held it for a quarter of a second (issue 10). Call the returned
 * function between iterations; it yields a turn once `sliceMs` of work has passed.
 */
export function turnTaker(sliceMs = BACKGROUND_SLICE_MS): () => Promise<void> | undefined {
  let sliceStart = performance.now();
  return () => {
    if (performance.now() - sliceStart < sliceMs) return undefined;
    return nextTurn().then(() => {
      sliceStart = performance.now();
    });
  };
}
