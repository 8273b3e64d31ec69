import type { AlertSeverity, AlertSink } from '../core/alerts.ts';

/**
 * Storage's alerts, raised and cleared through the service's one alert sink under the
 * source `storage`. The sink deduplicates, so the write path may raise on every failed
 * attempt: a database that stays down for an hour is still one alert.
 */
export class Alarms {
  constructor(
    private readonly sink: AlertSink,
    private readonly source = 'storage',
  ) {}

  raise(code: string, severity: AlertSeverity, message: string): void {
    this.sink.raise({ source: this.source, code, severity, message });
  }

  clear(code: string): void {
    this.sink.clear(this.source, code);
  }
}
