import type { Logger } from '../core/logger.ts';
import type { HeatnetEvents } from '../events.ts';

export type AlertRaise = HeatnetEvents['alert.raise'];
export type AlertClear = HeatnetEvents['alert.clear'];

export interface AlarmCallbacks {
  onAlert?: ((alert: AlertRaise) => void) | undefined;
  onAlertClear?: ((alert: AlertClear) => void) | undefined;
}

/**
 * Storage's raised alerts: each code is raised once until cleared, so a database that
 * stays down for an hour is one alert, not one per retry. A throwing callback is logged
 * and never breaks the write path.
 */
export class Alarms {
  private readonly raised = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly callbacks: AlarmCallbacks,
    private readonly log: Logger,
  ) {}

  raise(code: string, severity: AlertRaise['severity'], message: string): void {
    if (this.raised.has(code)) return;
    this.raised.add(code);
    const alert = { source: this.source, code, severity, message, at: Date.now() };
    this.call(() => this.callbacks.onAlert?.(alert), code);
  }

  clear(code: string): void {
    if (!this.raised.delete(code)) return;
    const clear = { source: this.source, code, at: Date.now() };
    this.call(() => this.callbacks.onAlertClear?.(clear), code);
  }

  isRaised(code: string): boolean {
    return this.raised.has(code);
  }

  private call(fn: () => void, code: string): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, code }, 'alert callback failed');
    }
  }
}
