import { isHeatnetError } from '../../core/errors.ts';

/** What happened on the wire during one poll, success or not; added to the device's health. */
export interface PollStats {
  /** Requests that got no answer in time (also those answered only after the timeout). */
  timeouts: number;
  /** Requests answered after their timeout: the values are kept, the lateness counted. */
  lateAnswers: number;
  /** Requests that failed on the link itself (refused, reset, closed). */
  connectionErrors: number;
  /** Exception answers by code, every one of them (also those splitting or a retry got past). */
  exceptions: Record<string, number>;
  /** Requests repeated after exception 6 (busy). */
  busyRetries: number;
  /** Links reopened for this device's requests. */
  reconnects: number;
  /** Merged requests split after exception 2 or 3. */
  splits: number;
}

export function newPollStats(): PollStats {
  return {
    timeouts: 0,
    lateAnswers: 0,
    connectionErrors: 0,
    exceptions: {},
    busyRetries: 0,
    reconnects: 0,
    splits: 0,
  };
}

/** The Modbus exception code of an error, if it is one. */
export function exceptionCode(err: unknown): number | undefined {
  if (!isHeatnetError(err, 'MODBUS_EXCEPTION')) return undefined;
  const code = err.context.exceptionCode;
  return typeof code === 'number' ? code : undefined;
}

/** Exception 2 (illegal data address) or 3 (illegal data value): the device refuses the range. */
export function isRefusal(err: unknown): boolean {
  const code = exceptionCode(err);
  return code === 2 || code === 3;
}

/** Exception 6: slave device busy, worth asking again shortly. */
export const isBusy = (err: unknown): boolean => exceptionCode(err) === 6;

export function countError(stats: PollStats, err: unknown): void {
  const code = exceptionCode(err);
  if (code !== undefined) {
    stats.exceptions[String(code)] = (stats.exceptions[String(code)] ?? 0) + 1;
  } else if (isHeatnetError(err, 'MODBUS_TIMEOUT')) stats.timeouts++;
  else if (!(err instanceof PollStopped)) stats.connectionErrors++;
}

/** A poll cut short because the service is stopping: nobody's fault, counted nowhere. */
export class PollStopped extends Error {
  constructor() {
    super('polling stopped');
    this.name = 'PollStopped';
  }
}

/** Waits `ms`, or less when `signal` aborts (the service is stopping). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new PollStopped());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new PollStopped());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
