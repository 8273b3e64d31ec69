import { EventEmitter } from 'node:events';
import type { Logger } from './logger.ts';

/**
 * A typed in-process event bus. Listeners are isolated: one that throws (or
 * rejects) is logged with its owner and never breaks the emitter or other listeners.
 */
export class EventBus<Events extends { [K in keyof Events]: unknown }> {
  private readonly emitter = new EventEmitter();

  constructor(private readonly log: Logger) {
    this.emitter.setMaxListeners(100);
  }

  on<K extends keyof Events & string>(
    event: K,
    owner: string,
    listener: (payload: Events[K]) => void | Promise<void>,
  ): () => void {
    const wrapped = (payload: Events[K]): void => {
      try {
        const result = listener(payload);
        if (result instanceof Promise) {
          result.catch((err: unknown) => this.log.error({ event, owner, err }, 'listener failed'));
        }
      } catch (err) {
        this.log.error({ event, owner, err }, 'listener failed');
      }
    };
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    this.emitter.emit(event, payload);
  }
}
