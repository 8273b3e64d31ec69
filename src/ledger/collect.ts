import type { Config } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Component } from '../core/lifecycle.ts';
import { childLogger, type Logger } from '../core/logger.ts';
import type { Topology } from '../domain/topology.ts';
import type { HeatnetEvents } from '../events.ts';
import { dayWindow } from '../service/ledger-data-days.ts';
import { DEFAULT_STOP_RULES, type StopRules } from '../service/ledger-data-stops.ts';
import type { Store } from '../store/store.ts';
import { RoomDays } from './room-days.ts';
import { type LedgerSource, StoreLedgerSource } from './source.ts';
import { HeatStops } from './stops.ts';

/** Real time between room-day flushes: what a crash may lose, against one upsert per flush. */
export const DEFAULT_FLUSH_MS = 2 * 60_000;

export interface LedgerDataDeps {
  config: Config;
  topology: Topology;
  bus: EventBus<HeatnetEvents>;
  /** Started before the ledger data. */
  store: Store;
  now: () => number;
  log: Logger;
  flushMs?: number;
  stopRules?: StopRules;
}

export interface LedgerDataParts {
  roomDays: RoomDays;
  stops: HeatStops;
  /** What the ledger's rules read. */
  source: LedgerSource;
  components: Component[];
}

/**
 * Listens to the bus from start to stop: readings feed the room days and the stop watch,
 * heat-stopped incidents the stops. Stopping flushes the room days, so a clean restart
 * loses nothing.
 */
class LedgerDataComponent implements Component {
  readonly name = 'ledger-data';
  private off: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly parts: Pick<LedgerDataParts, 'roomDays' | 'stops'>,
    private readonly deps: LedgerDataDeps,
  ) {}

  async start(): Promise<void> {
    const { bus, config, now } = this.deps;
    const { roomDays, stops } = this.parts;
    // The site calendar's first use builds its Intl formatter and loads the zone's data
    // (~45 ms): here, at start, rather than on the first reading of a burst (issue 14).
    dayWindow(now(), config.site.timezone);
    await stops.start();
    this.off = [
      bus.on('readings', 'ledger-data', (readings) => {
        roomDays.add(readings);
        stops.add(readings);
      }),
      bus.on('incident.opened', 'ledger-data', (e) => stops.onIncident(e.incident, e.change)),
      bus.on('incident.changed', 'ledger-data', (e) => stops.onIncident(e.incident, e.change)),
    ];
    this.timer = setInterval(() => {
      // A failed flush keeps its samples for the next one (and logs why).
      roomDays.flush().catch(() => undefined);
    }, this.deps.flushMs ?? DEFAULT_FLUSH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    for (const off of this.off.splice(0)) off();
    clearInterval(this.timer);
    this.timer = undefined;
    await this.parts.stops.idle();
    await this.parts.roomDays.flush();
  }
}

/** The ledger's data parts (issue 11 item 3), for the composition root. */
export function buildLedgerData(deps: LedgerDataDeps): LedgerDataParts {
  const log = childLogger(deps.log, 'ledger-data');
  const timeZone = deps.config.site.timezone;
  const roomDays = new RoomDays({ store: deps.store, timeZone, now: deps.now, log });
  const stops = new HeatStops({
    store: deps.store,
    topology: deps.topology,
    design: deps.config.network.design,
    rules: deps.stopRules ?? DEFAULT_STOP_RULES,
    timeZone,
    now: deps.now,
    log,
  });
  return {
    roomDays,
    stops,
    source: new StoreLedgerSource(deps.store),
    components: [new LedgerDataComponent({ roomDays, stops }, deps)],
  };
}
