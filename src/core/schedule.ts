import { schedule as cronSchedule } from 'node-cron';

export interface ScheduleSpec {
  intervalS: number;
  cron?: string | undefined;
}

export interface Scheduled {
  stop(): void;
}

/**
 * Runs `fn` on a cron expression (wall clock) or every `intervalS` seconds of the
 * service's clock — which a simulated demo runs faster than real time, hence
 * `clockRate`. Runs never overlap: a slow run makes the next tick skip.
 */
export function every(spec: ScheduleSpec, clockRate: number, fn: () => Promise<void>): Scheduled {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    // `fn` logs its own failures; this only keeps a rejection from going unhandled.
    fn()
      .catch(() => undefined)
      .finally(() => {
        running = false;
      });
  };
  if (spec.cron) {
    const task = cronSchedule(spec.cron, tick, { noOverlap: true });
    return { stop: () => void task.stop() };
  }
  const timer = setInterval(tick, Math.max(50, (spec.intervalS * 1000) / clockRate));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
