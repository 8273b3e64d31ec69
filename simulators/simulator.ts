import type { Config } from '../src/config/schema.ts';
import type { Component } from '../src/core/lifecycle.ts';
import type { Logger } from '../src/core/logger.ts';
import { SimulatedModbusServers } from './modbus/server.ts';
import { PlaceholderSource, type ValueSource } from './placeholder-source.ts';

export interface SimulatorOptions {
  /** Replaces the value source (tests inject their own). */
  source?: ValueSource;
  /** Real clock; simulated time runs `speed` times faster from start. */
  now?: () => number;
}

/**
 * The simulated field: every substation PLC and VFD of the config served over
 * Modbus TCP on the ports the config names (DESIGN §4.6).
 */
export class Simulator implements Component {
  readonly name = 'simulator';
  readonly modbus: SimulatedModbusServers;
  private readonly startedAt: number;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    options: SimulatorOptions = {},
  ) {
    const realNow = options.now ?? Date.now;
    this.startedAt = realNow();
    const speed = config.simulation.speed;
    const clock = () => this.startedAt + (realNow() - this.startedAt) * speed;
    this.modbus = new SimulatedModbusServers(
      config,
      options.source ?? new PlaceholderSource(config),
      clock,
    );
  }

  async start(): Promise<void> {
    await this.modbus.start();
    this.log.info(
      { ports: this.modbus.ports.length, devices: this.config.ingest.modbus.devices.length },
      'simulated Modbus devices listening',
    );
  }

  async stop(): Promise<void> {
    await this.modbus.stop();
  }
}
