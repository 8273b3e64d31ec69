import type { Logger } from './logger.ts';

export type AlertSeverity = 'info' | 'warning' | 'critical';

/** A condition service staff must see, as the component that found it describes it. */
export interface Alert {
  /** Who raises it and where, e.g. `storage`, `balance:S07`, `ingest.mqtt:heatnet/room/#`. */
  source: string;
  /** What kind of condition; (source, code) is the alert's identity. */
  code: string;
  severity: AlertSeverity;
  message: string;
}

/** An alert as it went out, stamped with the service clock. */
export interface RaisedAlert extends Alert {
  at: number;
}

export interface ClearedAlert {
  source: string;
  code: string;
  at: number;
}

/**
 * The one way anything in heatnet raises and clears alerts (issue 9). Callers say what
 * and where; the sink deduplicates and stamps the time.
 */
export interface AlertSink {
  raise(alert: Alert): void;
  clear(source: string, code: string): void;
}

/** Where the sink's alerts go (the event bus; the alerts issue adds lifecycle and channels). */
export interface AlertOutlet {
  raise(alert: RaisedAlert): void;
  clear(alert: ClearedAlert): void;
}

/**
 * The sink: an alert raised while active is not sent again (a database down for an hour
 * is one alert, not one per retry), a clear of an inactive alert is a no-op, and `at` is
 * the service clock's, so a simulated demo's alerts carry simulated time. A failing
 * outlet is logged and never breaks the caller's path.
 */
export class AlertBoard implements AlertSink {
  private readonly active = new Map<string, RaisedAlert>();

  constructor(
    private readonly outlet: AlertOutlet,
    private readonly now: () => number,
    private readonly log?: Logger,
  ) {}

  raise(alert: Alert): void {
    const key = identity(alert.source, alert.code);
    if (this.active.has(key)) return;
    const raised = { ...alert, at: this.now() };
    this.active.set(key, raised);
    this.send(() => this.outlet.raise(raised), raised);
  }

  clear(source: string, code: string): void {
    if (!this.active.delete(identity(source, code))) return;
    const cleared = { source, code, at: this.now() };
    this.send(() => this.outlet.clear(cleared), cleared);
  }

  /** The alerts raised and not yet cleared, oldest first. */
  list(): RaisedAlert[] {
    return [...this.active.values()];
  }

  private send(call: () => void, alert: ClearedAlert): void {
    try {
      call();
    } catch (err) {
      this.log?.error({ err, source: alert.source, code: alert.code }, 'alert outlet failed');
    }
  }
}

/** NUL cannot occur in a source or code, so no two pairs share a key. */
const identity = (source: string, code: string) => `${source}\u0000${code}`;

/** A sink that drops everything: for parts built without alerting (tests, tools). */
export const noAlerts: AlertSink = { raise: () => undefined, clear: () => undefined };
