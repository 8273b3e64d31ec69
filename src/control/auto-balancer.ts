import type { BalanceResult, Recommendation } from '../balance/types.ts';
import type { Config, ModbusDeviceConfig } from '../config/schema.ts';
import type { AlertSink } from '../core/alerts.ts';
import { errorMessage, HeatnetError, isHeatnetError } from '../core/errors.ts';
import type { Component } from '../core/lifecycle.ts';
import type { Logger } from '../core/logger.ts';
import { every, type Scheduled } from '../core/schedule.ts';
import type { Topology } from '../domain/topology.ts';
import type { DeviceHealth } from '../ingest/modbus/health.ts';
import type { AutoSwitches } from './auto-switches.ts';
import type { PumpControl } from './pump-control.ts';
import { vfdOf } from './target.ts';
import type { AutoState, AutoSwitch } from './types.ts';

export interface AutoBalancerDeps {
  config: Config;
  topology: Topology;
  control: Pick<PumpControl, 'setFrequency'> & Partial<Pick<PumpControl, 'lastChangeBy'>>;
  devices: () => readonly DeviceHealth[];
  now: () => number;
  log: Logger;
  /** Where pauses are raised and resumptions cleared (the service's alert sink). */
  alerts?: AlertSink;
  /** Clock seconds per real second when `now` is simulated (default 1): scales intervalS. */
  clockRate?: number;
  /** Where dispatchers' switches are kept (the audit store); without it none are possible. */
  switches?: Pick<AutoSwitches, 'recordAutoSwitch' | 'latestAutoSwitch' | 'lastKnownAutoSwitch'>;
}

/** One thing the auto-balancer is not doing right now, and why. */
export interface AutoPause {
  /** `network` (every pump), or a substation or pump id. */
  scope: string;
  reason: string;
  /** Epoch ms. */
  since: number;
}

export interface AutoAction {
  pump: string;
  fromHz: number;
  targetHz: number;
  result: string;
  auditId: number | null;
  message: string | null;
}

export interface AutoBalanceStatus {
  enabled: boolean;
  state: AutoState;
  /** The latest dispatcher switch (off or back on), if any. */
  switchedBy: AutoSwitch | null;
  paused: AutoPause[];
  /** Epoch ms. */
  lastRoundAt: number | null;
  lastActions: AutoAction[];
}

const ALERT_CODE = 'auto-balance-paused';

/**
 * Applies the balancing engine's recommendations on a schedule (issue 5; off unless
 * `balance.auto.enabled`), through the same guarded, audited path as a dispatcher
 * (source `auto`, actor `balance.auto.actor`). Targets are bounded again here by the
 * pump's limits and step. It pauses — and says why, in `status()` and as an alert —
 * when the latest balance result is older than two evaluation intervals, for a
 * station whose status is no-data, and for a pump whose drive is not up: acting on
 * stale or missing data is how automation makes an imbalance worse.
 */
export class AutoBalancer implements Component {
  readonly name = 'control.auto';
  private latest: BalanceResult | undefined;
  private paused = new Map<string, AutoPause>();
  private lastRoundAt: number | null = null;
  private lastActions: AutoAction[] = [];
  private running = false;
  private round: Promise<unknown> = Promise.resolve();
  private scheduled: Scheduled | undefined;

  /** Enabled PLCs (kind substation) per substation. */
  private readonly plcsOf = new Map<string, ModbusDeviceConfig[]>();

  constructor(private readonly deps: AutoBalancerDeps) {
    for (const d of deps.config.ingest.modbus.devices) {
      if (d.kind !== 'substation' || !d.enabled) continue;
      this.plcsOf.set(d.substation, [...(this.plcsOf.get(d.substation) ?? []), d]);
    }
  }

  private get settings() {
    return this.deps.config.balance.auto;
  }

  async start(): Promise<void> {
    if (!this.settings.enabled) return;
    const { schedule } = this.settings;
    this.scheduled = every(schedule, this.deps.clockRate ?? 1, async () => {
      await this.runOnce();
    });
    const when = schedule.cron ?? `every ${schedule.intervalS} s`;
    this.deps.log.info({ schedule: when }, 'auto-balancing enabled');
  }

  async stop(): Promise<void> {
    this.scheduled?.stop();
    this.scheduled = undefined;
    // Let a round in progress finish its change, so its outcome is audited.
    await this.round;
  }

  /** Called after every balance evaluation; rounds act on the latest. */
  onBalance(result: BalanceResult): void {
    this.latest = result;
  }

  status(): AutoBalanceStatus {
    const paused = [...this.paused.values()];
    const switched = this.deps.switches?.lastKnownAutoSwitch() ?? null;
    const state = !this.settings.enabled
      ? 'off'
      : switched?.enabled === false
        ? 'suspended'
        : this.paused.has('network')
          ? 'paused'
          : 'active';
    return {
      enabled: this.settings.enabled,
      state,
      switchedBy: switched,
      paused,
      lastRoundAt: this.lastRoundAt,
      lastActions: this.lastActions,
    };
  }

  /** One round: check freshness, then apply each station's recommendation in turn. */
  runOnce(): Promise<AutoAction[]> {
    if (!this.settings.enabled || this.running) return Promise.resolve([]);
    const round = this.runRound();
    this.round = round.catch(() => undefined);
    return round;
  }

  /**
   * A dispatcher switches auto-balancing off (it stops at once, a round in progress
   * finishes its current change) or on again; recorded durably, so a restart keeps it.
   */
  async switchTo(enabled: boolean, actor: string, reason: string): Promise<AutoBalanceStatus> {
    if (!this.settings.enabled || !this.deps.switches) {
      throw new HeatnetError(
        'NOT_CONTROLLABLE',
        'auto-balancing is not configured for this network (balance.auto.enabled)',
        { field: 'enabled' },
      );
    }
    await this.deps.switches.recordAutoSwitch({ enabled, actor, reason });
    this.deps.log.warn(
      { actor, enabled, reason },
      `auto-balancing switched ${enabled ? 'on' : 'off'}`,
    );
    if (!enabled) await this.round;
    return this.status();
  }

  private async runRound(): Promise<AutoAction[]> {
    // Busy from the first await on, so a second runOnce meanwhile does not start a round.
    this.running = true;
    try {
      // From the store, not from memory: another instance may have recorded the switch.
      if ((await this.deps.switches?.latestAutoSwitch())?.enabled === false) return [];
      const now = this.deps.now();
      const pauses = new Map<string, string>();
      const actions: AutoAction[] = [];
      const stale = this.staleness(now);
      if (stale) pauses.set('network', stale);
      else await this.applyAll(this.latest!, pauses, actions, now);
      this.updatePauses(pauses, now);
      this.lastRoundAt = now;
      this.lastActions = actions;
      return actions;
    } finally {
      this.running = false;
    }
  }

  private staleness(now: number): string | null {
    const maxAgeS = 2 * this.deps.config.balance.schedule.intervalS;
    if (!this.latest) return 'no balance result yet';
    const ageS = (now - this.latest.evaluatedAt) / 1000;
    if (ageS <= maxAgeS) return null;
    const at = new Date(this.latest.evaluatedAt).toISOString();
    return `the latest balance result (${at}) is ${Math.round(ageS)} s old, more than ${maxAgeS} s`;
  }

  /** Why a station's water-side data cannot be trusted now (its PLC is not up), or null. */
  private plcDown(substation: string, states: ReadonlyMap<string, string>): string | null {
    const plcs = this.plcsOf.get(substation) ?? [];
    const down = plcs.filter((d) => states.get(d.id) !== 'up');
    return down.length > 0
      ? `${substation}'s PLC ${down.map((d) => d.id).join(', ')} is not up: its pumps are left alone`
      : null;
  }

  /** A dispatcher changed this pump within `manualHoldMin`: their setting stands. */
  private async heldForDispatcher(pump: string, now: number): Promise<boolean> {
    const last = await this.deps.control.lastChangeBy?.(pump, 'api');
    return last != null && now - last < this.settings.manualHoldMin * 60_000;
  }

  private async applyAll(
    result: BalanceResult,
    pauses: Map<string, string>,
    out: AutoAction[],
    now: number,
  ) {
    // Device states once per round: a round may look at thousands of stations.
    const states = new Map(this.deps.devices().map((d) => [d.id, d.state]));
    for (const station of result.substations) {
      if (station.status === 'no-data') {
        pauses.set(station.id, `${station.id} has no data: its pumps are left alone`);
        continue;
      }
      const rec = station.recommendation;
      if (!rec || rec.action === 'hold') continue;
      const device = vfdOf(this.deps.config, rec.pump);
      const deviceState = device && states.get(device.id);
      if (deviceState !== 'up') {
        const state = deviceState ?? 'not polled';
        pauses.set(rec.pump, `${rec.pump}'s drive ${device?.id ?? ''} is ${state}`.trim());
        continue;
      }
      const plc = this.plcDown(station.id, states);
      if (plc) {
        pauses.set(station.id, plc);
        continue;
      }
      if (await this.heldForDispatcher(rec.pump, now)) continue;
      const target = this.bounded(rec);
      if (target === null) continue;
      out.push(await this.apply(rec, target));
    }
  }

  /** The target within the pump's range and one step of where it is, or null if no change. */
  private bounded(rec: Recommendation): number | null {
    const pump = this.deps.topology.pump(rec.pump);
    if (!pump || !Number.isFinite(rec.targetHz)) return null;
    const lo = Math.max(pump.minHz, rec.currentHz - pump.maxStepHz);
    const hi = Math.min(pump.maxHz, rec.currentHz + pump.maxStepHz);
    const target = Math.round(Math.min(hi, Math.max(lo, rec.targetHz)) * 100) / 100;
    return Math.abs(target - rec.currentHz) < 0.01 ? null : target;
  }

  private async apply(rec: Recommendation, targetHz: number): Promise<AutoAction> {
    const base = { pump: rec.pump, fromHz: rec.currentHz, targetHz };
    try {
      const entry = await this.deps.control.setFrequency({
        pump: rec.pump,
        hz: targetHz,
        reason: `auto-balance: ${rec.reason}`,
        actor: this.settings.actor,
        role: null,
        source: 'auto',
        expectedCurrentHz: rec.currentHz,
      });
      return { ...base, result: entry.result, auditId: entry.id, message: null };
    } catch (err) {
      // Refused or failed attempts are audited by the control path; a round goes on.
      const auditId = isHeatnetError(err) ? (err.context.auditId ?? null) : null;
      const code = isHeatnetError(err) ? err.code : 'error';
      this.deps.log.warn({ pump: rec.pump, code, err: errorMessage(err) }, 'auto change not made');
      return { ...base, result: code, auditId, message: errorMessage(err) };
    }
  }

  /** Keeps pauses that still hold (with their start), raising and clearing alerts. */
  private updatePauses(now: Map<string, string>, at: number): void {
    const next = new Map<string, AutoPause>();
    for (const [scope, reason] of now) {
      const was = this.paused.get(scope);
      next.set(scope, { scope, reason, since: was?.since ?? at });
      if (!was || was.reason !== reason) {
        this.deps.log.warn({ scope, reason }, 'auto-balancing paused');
        this.deps.alerts?.raise({
          source: `${this.name}:${scope}`,
          code: ALERT_CODE,
          severity: 'warning',
          message: `auto-balancing paused: ${reason}`,
        });
      }
    }
    for (const scope of this.paused.keys()) {
      if (next.has(scope)) continue;
      this.deps.log.info({ scope }, 'auto-balancing resumed');
      this.deps.alerts?.clear(`${this.name}:${scope}`, ALERT_CODE);
    }
    this.paused = next;
  }
}
