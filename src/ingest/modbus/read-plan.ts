import type { PlannedRequest } from './plan.ts';

/**
 * Every this many polls a device's bad ranges are read again: a firmware update or a
 * configuration change on the device may have mapped them since.
 */
export const PROBE_EVERY_POLLS = 10;

/** What one poll reads: the working requests, and on probe polls the bad ranges too. */
export interface PollPlan {
  requests: readonly PlannedRequest[];
  probes: readonly PlannedRequest[];
}

/** What one poll learnt, handed back to `ReadPlan.commit`. */
export interface PollLesson {
  /** Requests that answered data, in the order read (split parts included). */
  read: readonly PlannedRequest[];
  /** Requests that answered exception 2 or 3 on their own and cannot be split further. */
  bad: readonly PlannedRequest[];
  /** Bad ranges that answered data when probed. */
  recovered: readonly PlannedRequest[];
}

/**
 * A device's requests as experience shapes them. It starts as the merged plan; a
 * merged request the device refuses is replaced by the parts it does answer, and a
 * part it refuses on its own is remembered as a bad range: skipped on later polls, so
 * one unmapped register neither drops the device's other data (Telegraf's "whole
 * slave dropped on one error") nor costs a refused request every poll.
 */
export class ReadPlan {
  private working: PlannedRequest[];
  private unreadable: PlannedRequest[] = [];
  private polls = 0;

  constructor(readonly planned: readonly PlannedRequest[]) {
    this.working = [...planned];
  }

  /** The plan for the next poll. */
  next(): PollPlan {
    this.polls++;
    const probe = this.unreadable.length > 0 && this.polls % PROBE_EVERY_POLLS === 0;
    return { requests: this.working, probes: probe ? this.unreadable : [] };
  }

  /** Takes in what a completed poll learnt (a failed poll teaches nothing). */
  commit(lesson: PollLesson): void {
    const recovered = new Set(lesson.recovered);
    this.unreadable = [...this.unreadable.filter((r) => !recovered.has(r)), ...lesson.bad];
    if (this.unreadable.length === 0 && recovered.size > 0) {
      // Everything reads again: back to the merged plan, which needs fewer requests.
      this.working = [...this.planned];
    } else {
      this.working = [...lesson.read, ...lesson.recovered];
    }
  }

  /**
   * Forgets what was learnt about refused ranges: the device now refuses everything,
   * so ranges it refused just before (a poll that straddled the change) say nothing
   * about its map. When it answers again the merged plan finds any real ones anew.
   */
  reset(): void {
    this.working = [...this.planned];
    this.unreadable = [];
  }

  /** Ranges the device refuses, skipped until a probe reads them. */
  get bad(): readonly PlannedRequest[] {
    return this.unreadable;
  }
}
