import type { Config } from '../src/config/schema.ts';
import type { Component } from '../src/core/lifecycle.ts';
import type { Logger } from '../src/core/logger.ts';
import type { Topology } from '../src/domain/topology.ts';
import { type DeliveryCounts, type DeliveryOptions, DeliveryQueue } from './complaint-queue.ts';
import { type ComplaintSink, createSink } from './complaint-sinks.ts';
import { type AddressOf, Residents } from './complaints.ts';
import { householdTruth } from './model/truth.ts';
import type { Simulator } from './simulator.ts';

export type ResidentsSim = Pick<Simulator, 'config' | 'model' | 'log' | 'clock'>;

/** Decision step in simulated time: calls spread over the hour, not all on the hour. */
const STEP_MS = 10 * 60_000;
/** Real-time check for due steps. */
const TICK_MS = 500;
/** Steps caught up at most after a stall (one day); older ones are skipped. */
const MAX_CATCH_UP = 144;

/**
 * The token residents post with: `simulation.complaints.token`, else the config's own
 * service token — the demo's hotline operator is a service user of the same heatnet,
 * and the demo config then names HEATNET_SERVICE_TOKEN once.
 */
export function residentsToken(config: Config): string | undefined {
  const own = config.simulation.complaints.token;
  return own ?? config.api.tokens.find((t) => t.role === 'service')?.token;
}

/** Runs the residents beside the simulated network and delivers their calls, in order. */
export class ResidentsComponent implements Component {
  readonly name = 'simulator.residents';
  private readonly residents: Residents;
  private readonly log: Logger;
  private readonly sink: ComplaintSink;
  private queue: DeliveryQueue;
  private nextMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly sim: ResidentsSim,
    sink?: ComplaintSink,
    private readonly delivery: DeliveryOptions = {},
  ) {
    const { complaints, seed } = sim.config.simulation;
    const rates = { ...complaints, minC: sim.config.standards.indoor.minC };
    this.residents = new Residents(rates, seed, addressBook(sim.model.topology));
    this.sink = sink ?? createSink(complaints.target ?? '', residentsToken(sim.config));
    this.log = sim.log.child({ part: 'residents' });
    this.queue = new DeliveryQueue(this.sink, this.log, delivery);
  }

  /** Calls delivered, refused and dropped, and attempts that failed (and were retried). */
  get counts(): Readonly<DeliveryCounts> {
    return this.queue.counts;
  }

  /** Calls waiting to be delivered. */
  get pending(): number {
    return this.queue.pending;
  }

  async start(): Promise<void> {
    this.stopping = false;
    if (this.queue.stopped) this.queue = new DeliveryQueue(this.sink, this.log, this.delivery);
    this.nextMs = (Math.floor(this.sim.clock.now() / STEP_MS) + 1) * STEP_MS;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.log.info({ target: this.sink.target }, 'residents will phone in complaints');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
    const abandoned = await this.queue.stop();
    this.log.info({ ...this.counts, abandoned }, 'residents stopped');
  }

  private tick(): void {
    if (this.running) return;
    // A failed step is logged and skipped (never an unhandled rejection); the next tick goes on.
    this.running = this.catchUp()
      .catch((err: unknown) => this.log.error({ err }, 'residents step failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Decides every step the clock has passed, with the model brought to that step's time. */
  private async catchUp(): Promise<void> {
    const now = this.sim.clock.now();
    const behind = Math.floor((now - this.nextMs) / STEP_MS) + 1;
    if (behind > MAX_CATCH_UP) this.nextMs += (behind - MAX_CATCH_UP) * STEP_MS;
    while (this.nextMs <= now && !this.stopping) {
      const at = this.nextMs;
      this.nextMs += STEP_MS;
      this.sim.model.advanceTo(at);
      const calls = this.residents.decide(householdTruth(this.sim.model), at, STEP_MS / 3_600_000);
      // Delivery runs on its own: a heatnet restart holds calls back, never the residents.
      for (const call of calls) this.queue.push(call);
      // Let the delivery and the servers breathe between steps of a long catch-up.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** Households with a door number can be called in by address. */
function addressBook(topology: Topology): AddressOf {
  return (id) => {
    const h = topology.household(id);
    if (h?.unit === undefined) return undefined;
    return { building: h.building, floor: h.floor, unit: h.unit };
  };
}
