import type { Logger } from './logger.ts';

/** Every long-lived part of the service: constructors only assign, I/O starts here. */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts components in order and stops the started ones in reverse. A failure while
 * starting stops what already runs, so a half-started service never lingers.
 */
export class Lifecycle {
  private readonly started: Component[] = [];

  constructor(
    private readonly components: readonly Component[],
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    for (const component of this.components) {
      try {
        await component.start();
        this.started.push(component);
        this.log.debug({ component: component.name }, 'started');
      } catch (err) {
        this.log.error({ component: component.name, err }, 'start failed; stopping the rest');
        await this.stop();
        throw err;
      }
    }
  }

  /** Stops in reverse order; one component failing to stop does not keep the others up. */
  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const component = this.started.pop()!;
      try {
        await component.stop();
        this.log.debug({ component: component.name }, 'stopped');
      } catch (err) {
        this.log.error({ component: component.name, err }, 'stop failed');
      }
    }
  }
}
