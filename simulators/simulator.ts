import type { Config } from '../src/config/schema.ts';
import { type Component, Lifecycle } from '../src/core/lifecycle.ts';
import type { Logger } from '../src/core/logger.ts';
import { SimulatedModbusServers } from './modbus/server.ts';
import { NetworkModel } from './model/network-model.ts';
import { ModelSource } from './model-source.ts';
import { MqttPublisher } from './mqtt-publisher.ts';
import { ResidentsComponent } from './residents-component.ts';
import { SimClock } from './sim-clock.ts';
import { TruthServer } from './truth-server.ts';
import type { ValueSource } from './value-source.ts';

export interface SimulatorOptions {
  /** Replaces the model as the devices' value source (tests inject fixed values). */
  source?: ValueSource;
  /** Real clock (tests pass a fake); simulated time runs `speed` times faster. */
  realNow?: () => number;
  /** Extra parts started after the Modbus servers and stopped before them. */
  parts?: (sim: Simulator) => Component[];
}

/** How often the model is brought up to the simulated clock, real ms. */
const TICK_MS = 200;

/**
 * The simulated field (DESIGN §4.6): the network model stepping with a simulated
 * clock, every substation PLC and VFD of the config served over Modbus TCP from it,
 * and the parts that publish, tell the truth and complain.
 */
export class Simulator implements Component {
  readonly name = 'simulator';
  readonly clock: SimClock;
  readonly model: NetworkModel;
  readonly modbus: SimulatedModbusServers;
  /** The residents, when `simulation.complaints.target` is set. */
  readonly residents: ResidentsComponent | undefined;
  private readonly lifecycle: Lifecycle;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    options: SimulatorOptions = {},
  ) {
    const sim = config.simulation;
    const realNow = options.realNow ?? Date.now;
    const start = sim.start ? Date.parse(sim.start) : realNow();
    this.clock = new SimClock(realNow, start, sim.speed);
    this.model = new NetworkModel(config, start);
    this.modbus = new SimulatedModbusServers(
      config,
      options.source ?? new ModelSource(this.model),
      () => this.advance(),
      this.model.faults,
    );
    const parts = options.parts?.(this) ?? [];
    parts.push(new MqttPublisher(this));
    // Ground truth and residents only when configured: both are for tests and demos.
    this.residents = sim.complaints.target ? new ResidentsComponent(this) : undefined;
    if (sim.groundTruth.port > 0) parts.push(new TruthServer(this));
    if (this.residents) parts.push(this.residents);
    // The servers first (everything else reads them), the model's clock last, so it stops
    // first and nothing advances the model while the parts shut down.
    this.lifecycle = new Lifecycle([this.modbusComponent(), ...parts, this.ticker()], log);
  }

  /** Brings the model up to the simulated now and returns that time. */
  advance(): number {
    const now = this.clock.now();
    this.model.advanceTo(now);
    return now;
  }

  async start(): Promise<void> {
    await this.lifecycle.start();
    this.log.info(
      {
        ports: this.modbus.ports.length,
        devices: this.config.ingest.modbus.devices.length,
        speed: this.clock.speed,
        simulatedStart: new Date(this.clock.startMs).toISOString(),
      },
      'simulated network running',
    );
  }

  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  /** Stopping also closes the servers that did bind when another port failed to. */
  private modbusComponent(): Component {
    return {
      name: 'modbus-servers',
      start: async () => {
        try {
          await this.modbus.start();
        } catch (err) {
          await this.modbus.stop();
          throw err;
        }
      },
      stop: () => this.modbus.stop(),
    };
  }

  /** Brings the model up to the simulated clock between device reads. */
  private ticker(): Component {
    return {
      name: 'model-clock',
      start: async () => {
        this.timer = setInterval(() => this.advance(), TICK_MS);
        this.timer.unref();
      },
      stop: async () => clearInterval(this.timer),
    };
  }
}
